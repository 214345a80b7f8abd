"""Measure RT-suivi under gunicorn on generated data: p50 / p95 / max and requests per second.

    RTSUIVI_DATA_DIR=/tmp/rtsuivi-bench .venv/bin/python bench/run.py [--requests 200]
    .venv/bin/python bench/run.py --compare bench/results/previous.json

The data comes from bench/generate.py (same RTSUIVI_DATA_DIR or DATABASE_URL). The app runs
under gunicorn (2 workers by default) on 127.0.0.1; each scenario is bounded by --requests and
--max-seconds. Results go to bench/results/latest.json (+ a dated copy) and latest.md.
"""
import argparse
import http.client
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from itertools import cycle, repeat, zip_longest
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"

# p95 targets in ms (issue "Benchmark harness"), and throughput / memory targets.
TARGETS_P95 = {"ticket page (20 entries)": 50, "home": 100, "queue list p1": 80,
               "queue list p50": 80, "htmx take/steal": 40, "quick search": 150,
               "ticketsql 3 clauses": 200}
TARGET_TICKET_PAGES_PER_S = 150
TARGET_WORKER_MB = 150
TARGET_MAILS_PER_S = 50
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# ---------------------------------------------------------------- HTTP client

class Browser:
    """One logged-in user: a keep-alive connection, the session cookie, the CSRF token."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.agent = True

    def request(self, method: str, path: str, form: dict | None = None,
                htmx: bool = False) -> tuple[int, str, float]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers.update({"HX-Request": "true", "X-CSRFToken": self.csrf})
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (http.client.HTTPException, OSError):
            self.conn.close()  # gunicorn closed the keep-alive socket: reconnect once
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        elapsed = (time.perf_counter() - started) * 1000
        self.location = response.getheader("Location", "").replace(
            f"http://127.0.0.1:{self.port}", "")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        match = CSRF.search(text)
        if match:
            self.csrf = match.group(1)
        return response.status, text, elapsed

    def get_following(self, path: str) -> tuple[int, str, float]:
        """GET, following one redirect as a browser does (the time is the sum of both)."""
        status, text, elapsed = self.request("GET", path)
        if status in (301, 302, 303) and self.location:
            status, text, more = self.request("GET", self.location)
            elapsed += more
        return status, text, elapsed

    def login(self, name: str, password: str, agent: bool = True) -> float:
        self.agent = agent
        self.request("GET", "/login")
        status, _, elapsed = self.request(
            "POST", "/login", {"csrf_token": self.csrf, "name": name, "password": password})
        if status != 302:
            raise SystemExit(f"login of {name} failed (HTTP {status}): was the data generated "
                             f"with this password?")
        # A fresh CSRF token from a logged-in page.
        self.request("GET", "/accueil" if self.agent else "/demandes/")
        return elapsed


# ---------------------------------------------------------------- measuring

def summarise(name: str, timings: list[float], errors: int, wall: float) -> dict:
    ordered = sorted(timings)
    if not ordered:
        return {"name": name, "n": 0, "errors": errors}
    p95_index = max(0, int(round(0.95 * len(ordered))) - 1)
    return {"name": name, "n": len(ordered), "errors": errors,
            "p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[p95_index], 1), "max_ms": round(ordered[-1], 1),
            "req_per_s": round(len(ordered) / wall, 1) if wall else None}


ONLY: list[str] = []  # from --only


def wanted(name: str) -> bool:
    return not ONLY or any(word in name for word in ONLY)


def measure(name: str, calls, limit: int, max_seconds: float, expect=(200,)) -> dict | None:
    """Run up to `limit` of the calls (each returns (status, body, ms)) within max_seconds."""
    if not wanted(name):
        return None
    timings, errors = [], 0
    started = time.monotonic()
    for index, call in enumerate(calls):
        if index >= limit or time.monotonic() - started > max_seconds:
            break
        status, _, elapsed = call()
        if status in expect:
            timings.append(elapsed)
        else:
            errors += 1
    result = summarise(name, timings, errors, time.monotonic() - started)
    print(f"  {name:<28} n={result['n']:<4} p50={result.get('p50_ms', '-')} ms "
          f"p95={result.get('p95_ms', '-')} ms errors={errors}", file=sys.stderr, flush=True)
    return result


def throughput(port: int, login, path: str, clients: int, total: int,
               max_seconds: float) -> dict:
    """Ticket pages per second with several clients at once (gunicorn's workers all busy)."""
    browsers = [Browser(port) for _ in range(clients)]
    for browser in browsers:
        login(browser)
    timings, errors, lock = [], [0], threading.Lock()
    remaining = [total]
    deadline = time.monotonic() + max_seconds

    def work(browser):
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            status, _, elapsed = browser.request("GET", path)
            with lock:
                (timings.append(elapsed) if status == 200 else errors.__setitem__(0, errors[0] + 1))

    started, client_cpu = time.monotonic(), time.process_time()
    threads = [threading.Thread(target=work, args=(b,)) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    result = summarise(f"ticket pages, {clients} clients", timings, errors[0], wall)
    # The load generator shares the 2 cores with the server: say how much it took.
    result["client_cpu_share"] = round((time.process_time() - client_cpu) / wall, 2)
    print(f"  {result['name']:<28} {result.get('req_per_s')} req/s (client used "
          f"{result['client_cpu_share']:.0%} of a core)", file=sys.stderr)
    return result


# ---------------------------------------------------------------- the data under test

def pick_targets(agent_name: str) -> dict:
    """Find, in the generated data, the queue, tickets and requester each scenario uses."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from rtsuivi import create_app
    from rtsuivi.domain.accounts import find_user
    from rtsuivi.domain.rights import visible_tickets_filter
    from rtsuivi.extensions import db
    from rtsuivi.models import Queue, Ticket, Transaction, User, Watcher

    app = create_app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))  # data generated by an older version
        build_index_if_missing()
        agent = find_user(agent_name)
        if agent is None:
            raise SystemExit(f"no user {agent_name}: run bench/generate.py first")
        mine = visible_tickets_filter(agent)
        queue_id, queue_size = db.session.execute(
            select(Ticket.queue_id, func.count()).where(mine, Ticket.status != "deleted")
            .group_by(Ticket.queue_id).order_by(func.count().desc()).limit(1)).one()
        twenty = db.session.scalar(
            select(Transaction.ticket_id).join(Ticket).where(mine)
            .group_by(Transaction.ticket_id).having(func.count() == 20).limit(1))
        active = (Ticket.status.in_(("new", "open", "stalled")))
        unowned = list(db.session.scalars(
            select(Ticket.id).join(User, Ticket.owner_id == User.id)
            .where(mine, active, User.name == "Nobody").order_by(Ticket.id.desc()).limit(500)))
        owned_by_others = list(db.session.scalars(
            select(Ticket.id).join(User, Ticket.owner_id == User.id)
            .where(mine, active, User.name != "Nobody", Ticket.owner_id != agent.id)
            .order_by(Ticket.id.desc()).limit(500)))
        to_reply = list(db.session.scalars(
            select(Ticket.id).where(mine, Ticket.status == "open").order_by(Ticket.id)
            .limit(500)))
        requester = db.session.execute(
            select(User.name, func.count()).join(Watcher, Watcher.user_id == User.id)
            .where(Watcher.role == "Requestor", User.privileged.is_(False))
            .group_by(User.name).order_by(func.count().desc()).limit(1)).first()
        queue_name = db.session.get(Queue, queue_id).name
        counts = {"tickets": db.session.scalar(select(func.count(Ticket.id))),
                  "transactions": db.session.scalar(select(func.count(Transaction.id))),
                  "users": db.session.scalar(select(func.count(User.id)))}
        dialect = db.engine.dialect.name
    return dict(queue_id=queue_id, queue_name=queue_name, queue_size=queue_size,
                ticket_20=twenty, unowned=unowned,
                owned_by_others=owned_by_others, to_reply=to_reply,
                requester=requester[0] if requester else None, counts=counts,
                dialect=dialect)


def build_index_if_missing() -> None:
    """Searches must hit a real index, not the "index rebuilding" fallback."""
    import click
    from sqlalchemy import func, select

    from rtsuivi import search
    from rtsuivi.extensions import db
    from rtsuivi.models import Ticket
    if search.backend() == "postgresql":
        missing = search.postgresql.missing()
        if missing:
            print(f"writing the words of {missing} tickets (PostgreSQL backend)…",
                  file=sys.stderr, flush=True)
            search.rebuild()
        return
    if not search.index.needs_rebuild():
        search.drain(timeout=120)  # catch up with what earlier runs changed
        return
    total = db.session.scalar(select(func.count(Ticket.id)))
    print(f"building the search index for {total} tickets…", file=sys.stderr, flush=True)
    with click.progressbar(length=total, label="index", file=sys.stderr) as bar:
        search.rebuild(progress=bar.update, timeout=120)


# ---------------------------------------------------------------- the server

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mail_ingest(port: int, queue: str, count: int, tickets: list[int],
                server: subprocess.Popen | None = None) -> dict:
    """Mails/s through the rt-mailgate endpoint of the running server, one sender at a time:
    1 mail in 3 opens a ticket (48 KiB PDF and a Cc), the others reply by subject tag; each
    writes its notifications. With the server: its workers' CPU per mail (indexer threads
    included, counted once the index caught up) and the load average, since a busy machine
    slows the mails/s but much less the CPU each one costs."""
    from bench import mail_ingest as mail_bench
    cpu_before = workers_cpu_seconds(server)
    figures = mail_bench.measure(f"http://127.0.0.1:{port}", count=count, queue=queue,
                                 subprocess_sample=0, reply_to=tickets)["endpoint_http"]
    if server is not None:
        time.sleep(3)  # the indexer threads' last rounds (RTSUIVI_INDEX_DELAY is 0.5 s)
        figures["worker_cpu_ms_per_mail"] = round(
            1000 * (workers_cpu_seconds(server) - cpu_before) / count, 1)
        figures["loadavg"] = os.getloadavg()
    verdict = "ok" if (figures["mails_per_s"] or 0) >= TARGET_MAILS_PER_S \
        and not figures["failed"] else "MISSED"
    summary = (f"{figures['mails_per_s']} mails/s over {figures['mails']} mails, "
               f"{figures['failed']} refused (target ≥ {TARGET_MAILS_PER_S}: {verdict})")
    if "worker_cpu_ms_per_mail" in figures:
        summary += (f", {figures['worker_cpu_ms_per_mail']} ms of worker CPU per mail, "
                    f"load {figures['loadavg'][0]:.1f}")
    print(f"  {'mail ingest (endpoint)':<28} {summary}", file=sys.stderr)
    return {"name": "Mail ingest through the rt-mailgate endpoint", "summary": summary,
            **figures}


def start_gunicorn(port: int, workers: int, env: dict) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "app:create_app()"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start within 60 s")


def workers_cpu_seconds(server: subprocess.Popen | None) -> float:
    """User + system CPU seconds of the gunicorn workers so far (all their threads)."""
    if server is None:
        return 0.0
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return 0.0
    ticks = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def worker_memory_mb(server: subprocess.Popen) -> list[float]:
    """Resident memory of each gunicorn worker (children of the master), in MB."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return []
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(round(int(line.split()[1]) / 1024, 1))
    return sizes


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "0")
    import sqlite3
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(int(memory) / 1024 ** 2, 1),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "system": platform.platform()}


# ---------------------------------------------------------------- report

def row_for(result: dict, target) -> str:
    if not result.get("n"):
        return (f"| {result['name']} | – | – | – | – | {target or ''} | "
                f"{result.get('note', 'no successful request')} |")
    verdict = ""
    if target is not None:
        verdict = "ok" if result["p95_ms"] <= target else "MISSED"
    return (f"| {result['name']} | {result['n']} | {result['p50_ms']} | {result['p95_ms']} | "
            f"{result['max_ms']} | {target or ''} | {verdict}"
            f"{' (' + str(result['errors']) + ' errors)' if result['errors'] else ''} |")


def markdown(report: dict) -> str:
    data = report["data"]
    def count(n):
        return f"{n:,}".replace(",", " ")
    lines = [f"{report['date'][:10]} · {report['machine']['cpu']}, {report['machine']['cores']} "
             f"cores, {report['machine']['memory_gb']} GB · {report['database']} · "
             f"{count(data['tickets'])} tickets, {count(data['transactions'])} transactions, "
             f"{count(data['users'])} users · gunicorn {report['workers']} workers",
             "", "| page | n | p50 ms | p95 ms | max ms | p95 target | verdict |",
             "|---|---|---|---|---|---|---|"]
    for result in report["results"]:
        lines.append(row_for(result, TARGETS_P95.get(result["name"])))
    rate = report.get("throughput", {}).get("req_per_s")
    memory = report.get("worker_memory_mb") or []
    lines += ["",
              f"Throughput: {rate} ticket pages/s with {report['workers']} workers, "
              f"{report.get('throughput', {}).get('n')} requests from {report.get('clients')} "
              f"clients using {report.get('throughput', {}).get('client_cpu_share', 0):.0%} "
              f"of a core "
              f"(target ≥ {TARGET_TICKET_PAGES_PER_S}: "
              f"{'ok' if rate and rate >= TARGET_TICKET_PAGES_PER_S else 'MISSED'}).",
              f"Worker memory: {', '.join(f'{m} MB' for m in memory)} "
              f"(target ≤ {TARGET_WORKER_MB} MB: "
              f"{'ok' if memory and max(memory) <= TARGET_WORKER_MB else 'MISSED'})."]
    for extra in report.get("extras", []):
        lines.append(f"{extra['name']}: {extra['summary']}")
    return "\n".join(lines) + "\n"


def compare(old: dict, new: dict) -> str:
    before = {r["name"]: r for r in old["results"]}
    lines = ["| page | p95 before | p95 now | change |", "|---|---|---|---|"]
    for result in new["results"]:
        previous = before.get(result["name"])
        if not previous or not previous.get("n") or not result.get("n"):
            lines.append(f"| {result['name']} | – | {result.get('p95_ms', '–')} | new |")
            continue
        change = (result["p95_ms"] - previous["p95_ms"]) / previous["p95_ms"] * 100
        lines.append(f"| {result['name']} | {previous['p95_ms']} | {result['p95_ms']} | "
                     f"{change:+.0f} % |")
    old_rate = old.get("throughput", {}).get("req_per_s")
    new_rate = new.get("throughput", {}).get("req_per_s")
    lines.append(f"\nThroughput: {old_rate} → {new_rate} ticket pages/s")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- main

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="per scenario (default 200)")
    parser.add_argument("--max-seconds", type=float, default=30, help="per scenario")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4, help="for the throughput run")
    parser.add_argument("--agent", default="agent")
    parser.add_argument("--password",
                        default=os.environ.get("RTSUIVI_BENCH_PASSWORD", "bench-mesure-1"))
    parser.add_argument("--only", default="",
                        help="comma-separated words: run only the scenarios whose name has one "
                             "(e.g. 'ticket,throughput')")
    parser.add_argument("--compare", type=Path, help="a previous results JSON")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.requests < 1 or args.max_seconds <= 0 or args.workers < 1 or args.clients < 1:
        parser.error("--requests, --max-seconds, --workers and --clients must be positive")
    if args.compare and not args.compare.exists():
        parser.error(f"{args.compare} does not exist")
    return args


def scenarios(port: int, args, targets: dict) -> list[dict]:
    agent = Browser(port)
    agent.login(args.agent, args.password)
    n, budget = args.requests, args.max_seconds
    queue = targets["queue_id"]
    last_page = max(1, min(50, -(-targets["queue_size"] // 50)))
    results = []

    def login_once():
        browser = Browser(port)
        return 302, "", browser.login(args.agent, args.password)

    results.append(measure("login", repeat(login_once), min(n, 40), budget,
                           expect=(302,)))
    results.append(measure("home", repeat(lambda: agent.request("GET", "/accueil")), n, budget))
    results.append(measure("queue list p1", repeat(lambda: agent.request(
        "GET", f"/files/{queue}?status=all")), n, budget))
    page_50 = measure("queue list p50", repeat(lambda: agent.request(
        "GET", f"/files/{queue}?status=all&page={last_page}")), n, budget)
    if page_50 and last_page < 50:
        page_50["note"] = f"queue has only {last_page} pages; measured the last"
    results.append(page_50)
    if targets["ticket_20"]:
        results.append(measure("ticket page (20 entries)", repeat(lambda: agent.request(
            "GET", f"/tickets/{targets['ticket_20']}")), n, budget))

    # Prendre on unowned tickets and Voler on tickets other agents own, alternately.
    take_calls = [lambda t=t: agent.request("POST", f"/tickets/{t}/take", {}, htmx=True)
                  for t in targets["unowned"]]
    steal_calls = [lambda t=t: agent.request("POST", f"/tickets/{t}/steal", {}, htmx=True)
                   for t in targets["owned_by_others"]]
    alternating = [call for pair in zip_longest(take_calls, steal_calls) for call in pair
                   if call is not None]
    results.append(measure("htmx take/steal", alternating, n, budget))

    reply = {"action": "reply", "kind": "reply", "status": "",
             "content": "Bonjour,\n\nMerci pour ces précisions, nous regardons.\n"}
    reply_calls = [lambda t=t: agent.request("POST", f"/tickets/{t}/update", reply, htmx=True)
                   for t in targets["to_reply"]]
    results.append(measure("post a reply", reply_calls, n, budget))

    from bench.search import QUICK_WORDS, TICKETSQL
    quick = [lambda w=w: agent.get_following("/recherche?" + urlencode({"q": w}))
             for w in QUICK_WORDS]
    results.append(measure("quick search", cycle(quick), n, budget))
    sql = [lambda q=q: agent.request("GET", "/recherche/resultats?" + urlencode({"query": q}))
           for q in TICKETSQL]
    results.append(measure("ticketsql 3 clauses", cycle(sql), n, budget))

    if targets["requester"]:
        requester = Browser(port)
        requester.login(targets["requester"], args.password, agent=False)
        results.append(measure("portal list", repeat(lambda: requester.request(
            "GET", "/demandes/")), n, budget))
    return results


def main(argv=None) -> int:
    args = parse_args(argv)
    previous = json.loads(args.compare.read_text()) if args.compare else None  # before we
    # overwrite latest.json, which is the usual thing to compare with
    ONLY.extend(word.strip() for word in args.only.split(",") if word.strip())
    print("reading the data under test…", file=sys.stderr, flush=True)
    targets = pick_targets(args.agent)
    if targets["counts"]["tickets"] < 1:
        raise SystemExit("no tickets: run bench/generate.py first")
    port = free_port()
    env = dict(os.environ, SECRET_KEY=os.environ.get("SECRET_KEY", "bench-secret"))
    server = start_gunicorn(port, args.workers, env)
    try:
        print(f"gunicorn on 127.0.0.1:{port}, {args.workers} workers; "
              f"{targets['counts']['tickets']} tickets ({targets['dialect']})", file=sys.stderr)
        results = [r for r in scenarios(port, args, targets) if r]

        def login_agent(browser):
            browser.login(args.agent, args.password)
        ticket_path = f"/tickets/{targets['ticket_20'] or targets['to_reply'][0]}"
        rate = throughput(port, login_agent, ticket_path, args.clients,
                          total=args.requests * 3, max_seconds=args.max_seconds) \
            if wanted("throughput") else {}
        extras = []
        if wanted("mail"):
            extras.append(mail_ingest(port, targets["queue_name"], args.requests,
                                      targets["to_reply"][-100:], server))
        memory = worker_memory_mb(server)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    report = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "machine": machine(), "database": targets["dialect"], "data": targets["counts"],
              "workers": args.workers, "clients": args.clients, "results": results,
              "extras": extras, "throughput": rate,
              "worker_memory_mb": memory}
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = report["date"].replace(":", "").replace("-", "")[:15]
    for path in (args.out / "latest.json", args.out / f"{stamp}-{targets['dialect']}.json"):
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    table = markdown(report)
    (args.out / "latest.md").write_text(table)
    print(table)
    if previous:
        print(compare(previous, report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
