"""Server load of open ticket pages polling their live box (issue 15, item 4).

    .venv/bin/python bench/presence.py [--pages 50] [--seconds 60] [--interval 10]
                                       [--workers 3] [--reply-every 5]

Builds its own data in a temporary SQLite database (one queue, --pages agents, one ticket
per two agents so that each page has a viewer to show), starts gunicorn with --workers
SYNC workers on 127.0.0.1, logs each agent in and opens its ticket page, then lets every
page poll `/tickets/<id>/live` every --interval seconds for --seconds (bounded: at most
seconds / interval + 1 polls a page; nothing but 127.0.0.1 is asked). One more agent
replies on a random ticket every --reply-every seconds, so some polls carry a notice.
Prints (and writes with --out) requests/s, mean and p95 latency, the answers by status,
and the CPU seconds the gunicorn processes (master and workers) spent while polling.
"""
import argparse
import html
import json
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import Browser, free_port, start_gunicorn  # noqa: E402

PASSWORD = "bench-presence-1"
LIVE_URL = re.compile(r'id="ticket-live"[^>]*hx-get="([^"]+)"')


def build(data_dir: str, pages: int) -> tuple[list[tuple[str, int]], str, list[int]]:
    """Create the agents and tickets: (agent name, ticket id) per page, the replying agent
    and the ticket ids."""
    os.environ.update({"RTSUIVI_DATA_DIR": data_dir, "SECRET_KEY": "bench-presence",
                       "RTSUIVI_INDEX_MODE": "off"})
    from flask_migrate import upgrade

    from rtsuivi import create_app
    from rtsuivi.domain import accounts
    from rtsuivi.domain import tickets as domain
    from rtsuivi.extensions import db
    app = create_app({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        accounts.ensure_system_users()
        queue = accounts.create_queue("Support")
        group = accounts.create_group("Agents")
        for right in ("SeeQueue", "ShowTicket", "ShowTicketComments", "CreateTicket",
                      "ReplyToTicket", "CommentOnTicket", "OwnTicket", "ModifyTicket"):
            accounts.grant("group:Agents", right, queue)
        names = [f"agent{i:02d}" for i in range(pages + 1)]
        for name in names:
            user = accounts.create_user(name, password=PASSWORD, privileged=True,
                                        email=f"{name}@bench.example",
                                        real_name=f"Agent {name[5:]}")
            accounts.add_member(group, user)
        db.session.commit()
        author = accounts.find_user(names[0])
        ids = [domain.create(author, domain.NewTicket(
            queue=queue, subject=f"Poste n°{i} en panne", content="Écran noir.")).id
            for i in range((pages + 1) // 2)]
        db.session.commit()
    return [(names[i + 1], ids[i // 2]) for i in range(pages)], names[0], ids


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (gunicorn's workers)."""
    def of(one) -> float:
        fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return of(pid) + sum(of(child) for child in children)


def open_page(port: int, name: str, ticket_id: int) -> tuple[Browser, str]:
    browser = Browser(port)
    browser.login(name, PASSWORD)
    status, text, _ = browser.request("GET", f"/tickets/{ticket_id}")
    if status != 200:
        raise SystemExit(f"ticket page {ticket_id}: HTTP {status}")
    return browser, html.unescape(LIVE_URL.search(text).group(1))


def poller(browser: Browser, url: str, args, deadline: float, results: list, lock):
    """Poll like htmx's `every`: one request per interval, the URL the last swap gave."""
    time.sleep(min(random.uniform(0, args.interval), args.seconds))  # not all at once
    for _ in range(int(args.seconds / args.interval) + 1):
        if time.monotonic() >= deadline:
            return
        started = time.monotonic()
        status, text, elapsed = browser.request("GET", url, htmx=True)
        if status == 200 and LIVE_URL.search(text):
            url = html.unescape(LIVE_URL.search(text).group(1))
        with lock:
            results.append((status, elapsed))
        now = time.monotonic()
        time.sleep(max(0.0, min(args.interval - (now - started), deadline - now)))


def replier(port: int, name: str, ids: list[int], args, deadline: float, done: list):
    if not args.reply_every:
        return
    browser = Browser(port)
    browser.login(name, PASSWORD)
    while time.monotonic() + args.reply_every < deadline:
        time.sleep(args.reply_every)
        ticket_id = random.choice(ids)
        browser.request("GET", f"/tickets/{ticket_id}/update?action=reply")
        status, _, _ = browser.request("POST", f"/tickets/{ticket_id}/update", {
            "csrf_token": browser.csrf, "action": "reply", "kind": "reply", "status": "",
            "content": "Je regarde."})
        done.append(status)


def run(args) -> dict:
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="rtsuivi-presence-")
    pages, author, ids = build(data_dir, args.pages)
    port = free_port()
    env = {**os.environ, "RTSUIVI_DATA_DIR": data_dir, "SECRET_KEY": "bench-presence",
           "RTSUIVI_INDEX_MODE": "off", "RTSUIVI_DEMO": "0"}
    server = start_gunicorn(port, args.workers, env)
    try:
        opened = [open_page(port, name, ticket_id) for name, ticket_id in pages]
        results, replies, lock = [], [], threading.Lock()
        cpu_before, started = cpu_seconds(server.pid), time.monotonic()
        deadline = started + args.seconds
        threads = [threading.Thread(target=poller, args=(b, u, args, deadline, results, lock))
                   for b, u in opened]
        threads.append(threading.Thread(target=replier,
                                        args=(port, author, ids, args, deadline, replies)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(args.seconds + 60)
        wall, cpu = time.monotonic() - started, cpu_seconds(server.pid) - cpu_before
    finally:
        server.terminate()
        server.wait(30)
    return report(args, results, replies, wall, cpu)


def report(args, results, replies, wall: float, cpu: float) -> dict:
    timings = sorted(ms for _, ms in results)
    statuses = {}
    for status, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)] if timings else None
    return {"pages": args.pages, "interval_s": args.interval, "seconds": round(wall, 1),
            "workers": args.workers, "polls": len(timings), "statuses": statuses,
            "replies": len(replies), "req_per_s": round(len(timings) / wall, 2),
            "mean_ms": round(statistics.fmean(timings), 1) if timings else None,
            "p95_ms": round(p95, 1) if p95 is not None else None,
            "server_cpu_s": round(cpu, 2), "server_cpu_share": round(cpu / wall, 3),
            "cpu_ms_per_request": round(cpu * 1000 / max(1, len(timings) + len(replies)), 2)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--interval", type=float, default=10)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--reply-every", type=float, default=5)
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--out", default="")
    args = parser.parse_args(argv)
    if not (1 <= args.pages <= 500 and 0 < args.seconds <= 600 and args.interval >= 0.2):
        parser.error("--pages 1..500, --seconds up to 600, --interval at least 0.2")
    result = run(args)
    print(json.dumps(result, ensure_ascii=False))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
