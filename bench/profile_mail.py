"""CPU per ingested mail through the rt-mailgate endpoint, in-process (issue 16).

    RTSUIVI_DATA_DIR=/tmp/rtsuivi-bench nice -n 10 .venv/bin/python bench/profile_mail.py \
        [--count 200] [--profile out.prof]

Posts the mix of bench/mail_ingest.py (1 mail in 3 opens a ticket with a PDF and a Cc, the
others reply by subject tag) through the Flask test client, with the default indexer thread
on. Prints per mail the request thread's CPU inside the endpoint (time.thread_time), the
indexer thread's (getrusage of the process, after the index caught up, minus the main
thread), the SQL statements of each and the mails/s. --profile writes the main thread's
cProfile (the harness building the mails included)."""
import argparse
import cProfile
import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--profile", help="write the request thread's profile here")
    parser.add_argument("--sql", action="store_true", help="print the SQL of the last 3 mails")
    args = parser.parse_args()
    from sqlalchemy import event

    from bench.mail_ingest import GATEWAY, _message, _multipart, _prepare
    from rtsuivi import create_app
    from rtsuivi.extensions import db
    from rtsuivi.search.marks import indexer_of
    app = create_app({"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    address = _prepare(app, "Bench-Mail")
    rtname = app.config["RTSUIVI_RTNAME"]
    client = app.test_client()
    statements = {"request": 0, "indexer": 0}

    shown = []

    def count(_conn, _cursor, sql, *_args, **_kw):
        main = threading.current_thread() is threading.main_thread()
        statements["request" if main else "indexer"] += 1
        if main and args.sql:
            shown.append(" ".join(sql.split())[:150])
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
    tickets: list[int] = []
    posting = [0.0]  # the request thread's CPU inside the endpoint (not building the mails)

    def send(i: int) -> None:
        ticket_id = tickets[i % len(tickets)] if tickets and i % 3 else None
        body, content_type = _multipart(_message(i, ticket_id, address, rtname), "Bench-Mail")
        started = time.thread_time()
        response = client.post(GATEWAY, data=body, content_type=content_type,
                               environ_base={"REMOTE_ADDR": "127.0.0.1"})
        posting[0] += time.thread_time() - started
        assert response.data.startswith(b"ok"), response.data
        if ticket_id is None:
            with app.app_context():
                from sqlalchemy import func, select

                from rtsuivi.models import Ticket
                tickets.append(db.session.scalar(select(func.max(Ticket.id))))

    for i in range(10):  # warm up: imports, compiled templates, the indexer thread
        send(i)
    indexer_of(app).idle.wait(30)
    profiler = cProfile.Profile() if args.profile else None
    statements.update(request=0, indexer=0)
    posting[0] = 0.0
    usage, thread, wall = resource.getrusage(resource.RUSAGE_SELF), time.thread_time(), \
        time.perf_counter()
    if profiler:
        profiler.enable()
    for i in range(10, 10 + args.count):
        shown.clear()
        send(i)
        if args.sql and i >= 7 + args.count:
            print(f"--- mail {i}: {len(shown)} statements", *shown, sep="\n")
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    wall, thread = time.perf_counter() - wall, time.thread_time() - thread
    indexer_of(app).idle.wait(60)  # the indexer's share: let it catch up
    after = resource.getrusage(resource.RUSAGE_SELF)
    process = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    print(json.dumps({
        "mails": args.count, "mails_per_s": round(args.count / wall, 1),
        "request_cpu_ms_per_mail": round(1000 * posting[0] / args.count, 2),
        "harness_cpu_ms_per_mail": round(1000 * (thread - posting[0]) / args.count, 2),
        "indexer_cpu_ms_per_mail": round(1000 * (process - thread) / args.count, 2),
        "sql_per_mail": {k: round(v / args.count, 1) for k, v in statements.items()},
        "loadavg": os.getloadavg()}, indent=1))


if __name__ == "__main__":
    main()
