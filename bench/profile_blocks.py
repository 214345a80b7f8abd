"""CPU of each box of the ticket page, in process (issue 16): where a ticket page's time goes.

    RTSUIVI_DATA_DIR=/tmp/rtsuivi-bench .venv/bin/python bench/profile_blocks.py 123 \
        [--count 150] [--agent agent]

Inside one request context for /tickets/<id> (so what a page memoises per request stays
memoised), times the page's data (answers.show_context), the whole template, and each named
block of tickets/show.html rendered alone: the median of --count renders, the request
thread's CPU (time.thread_time). The request itself (session, user, CSRF) is not in these
figures: bench/profile_page.py gives the whole request.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
BLOCKS = ("star", "actions", "live", "summary", "people", "relations", "files", "reminders",
          "history")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ticket", type=int)
    parser.add_argument("--count", type=int, default=150)
    parser.add_argument("--agent", default="agent")
    parser.add_argument("--password",
                        default=os.environ.get("RTSUIVI_BENCH_PASSWORD", "bench-mesure-1"))
    args = parser.parse_args()
    if not 1 <= args.count <= 5000:
        parser.error("--count must be between 1 and 5000")
    from flask import render_template

    from rtsuivi import create_app
    from rtsuivi.blueprints.tickets import answers
    from rtsuivi.htmx import render_fragment
    app = create_app({"WTF_CSRF_ENABLED": False})
    client = app.test_client()
    if client.post("/login", data={"name": args.agent, "password": args.password}
                   ).status_code != 302:
        raise SystemExit(f"login of {args.agent} failed")

    def median_ms(work) -> float:
        spent = []
        for _ in range(args.count):
            started = time.thread_time()
            work()
            spent.append(time.thread_time() - started)
        return 1000 * statistics.median(spent)

    with client:
        if client.get(f"/tickets/{args.ticket}").status_code != 200:
            raise SystemExit(f"ticket {args.ticket}: not shown to {args.agent}")
        ticket = answers.load(args.ticket)
        context = answers.show_context(ticket)
        rows = [("data (show_context)", median_ms(lambda: answers.show_context(ticket))),
                ("whole template", median_ms(lambda: render_template(answers.SHOW, **context)))]
        rows += [(f"  block {name}", median_ms(
            lambda name=name: render_fragment(answers.SHOW, name, **context)))
            for name in BLOCKS]
    for name, ms in rows:
        print(f"{name:24} {ms:6.2f} ms")


if __name__ == "__main__":
    main()
