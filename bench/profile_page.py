"""CPU and SQL statements per page, in process, as the bench agent (issue 16).

    RTSUIVI_DATA_DIR=/tmp/rtsuivi-bench .venv/bin/python bench/profile_page.py \
        /tickets/123 /accueil "/recherche/resultats?query=..." [--count 50] [--profile out.prof]

Each path is fetched --count times through the Flask test client after one warm-up; the
figures are the request thread's CPU (time.thread_time; PostgreSQL's own work is not in it),
the wall time (which has it) and the SQL statements per request, without gunicorn or the
network. --profile writes a cProfile of the last path's requests;
--sql prints the statements of each path's last request, with the time each took.
"""
import argparse
import cProfile
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--agent", default="agent")
    parser.add_argument("--password",
                        default=os.environ.get("RTSUIVI_BENCH_PASSWORD", "bench-mesure-1"))
    parser.add_argument("--profile", help="write the last path's cProfile here")
    parser.add_argument("--sql", action="store_true", help="print one request's statements")
    parser.add_argument("--follow", action="store_true",
                        help="follow redirects (the quick search answers with one)")
    args = parser.parse_args()
    if not 1 <= args.count <= 10_000:
        parser.error("--count must be between 1 and 10000")
    from sqlalchemy import event

    from rtsuivi import create_app
    from rtsuivi.extensions import db
    app = create_app({"WTF_CSRF_ENABLED": False})
    client = app.test_client()
    response = client.post("/login", data={"name": args.agent, "password": args.password})
    if response.status_code != 302:
        raise SystemExit(f"login of {args.agent} failed (HTTP {response.status_code})")
    statements: list[list] = []  # [sql, started, ms] of the request under way

    def before(_conn, _cursor, sql, *_args, **_kwargs):
        statements.append([" ".join(sql.split()), time.perf_counter(), None])

    def after(*_args, **_kwargs):
        statements[-1][2] = 1000 * (time.perf_counter() - statements[-1][1])
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
    profiler = cProfile.Profile() if args.profile else None
    for number, path in enumerate(args.paths):
        status = client.get(path, follow_redirects=args.follow).status_code  # warm-up
        cpu, wall, counts = [], [], []
        last = number == len(args.paths) - 1
        for _ in range(args.count):
            statements.clear()
            if profiler and last:
                profiler.enable()
            started, clock = time.thread_time(), time.perf_counter()
            status = client.get(path, follow_redirects=args.follow).status_code
            cpu.append(1000 * (time.thread_time() - started))
            wall.append(1000 * (time.perf_counter() - clock))
            if profiler and last:
                profiler.disable()
            counts.append(len(statements))
        print(f"{path[:60]:<60} HTTP {status} CPU p50 {statistics.median(cpu):6.2f} ms "
              f"min {min(cpu):6.2f}  wall p50 {statistics.median(wall):6.2f} "
              f"max {max(wall):6.2f}  SQL {statistics.median(counts):.0f}")
        if args.sql:
            for sql, _started, ms in statements:  # the last request's, with their wall time
                print(f"    {ms or 0:7.2f} ms  {sql[:200]}")
    if profiler:
        profiler.dump_stats(args.profile)
        print(f"profile written to {args.profile}", file=sys.stderr)


if __name__ == "__main__":
    main()
