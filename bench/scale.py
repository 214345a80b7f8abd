"""The cost curve: generate, index and measure the bench at several sizes, as one Markdown table.

    .venv/bin/python bench/scale.py --sizes 10000,100000,1000000 [--base /tmp/rtsuivi-scale]
    DATABASE_URL=postgresql+psycopg://… RTSUIVI_SEARCH_BACKEND=postgresql \\
        .venv/bin/python bench/scale.py --sizes 10000,100000

For each size, one after the other (never two at once: each run wants both cores):
bench/generate.py into its own data folder BASE/<size> (with DATABASE_URL set, that one
database is reset for each size instead), `rtsuivi reindex` timed, the database and index
sizes, then bench/run.py; its figures make the size's row. The table goes to --out
(default bench/results/scale.md, with the raw figures in scale.json beside it). A page
whose cost grows with the number of tickets shows up as a column that grows down the table.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
FLASK = str(Path(sys.executable).with_name("flask"))

COLUMNS = [  # (heading, how to read it from a size's figures)
    ("tickets", lambda f: f"{f['tickets']:,}".replace(",", " ")),
    ("generation s", lambda f: f"{f['generation_s']:.0f}"),
    ("database MB", lambda f: f"{f['database_mb']:.0f}"),
    ("index MB", lambda f: f"{f['index_mb']:.0f}"),
    ("reindex s (tickets/s)", lambda f: f"{f['reindex_s']:.0f} ({f['reindex_per_s']:.0f})"),
    ("ticket page p50 / p95 ms", lambda f: _page(f, "ticket page (20 entries)", "p50_ms",
                                                 "p95_ms")),
    ("queue list p1 p95 ms", lambda f: _page(f, "queue list p1", "p95_ms")),
    ("queue list last page p95 ms", lambda f: _page(f, "queue list p50", "p95_ms")),
    ("home p95 ms", lambda f: _page(f, "home", "p95_ms")),
    ("quick search p95 ms", lambda f: _page(f, "quick search", "p95_ms")),
    ("TicketSQL p95 ms", lambda f: _page(f, "ticketsql 3 clauses", "p95_ms")),
    ("mail ingest mails/s", lambda f: str(f.get("mails_per_s", "–"))),
    ("ticket pages/s", lambda f: str(f.get("pages_per_s", "–"))),
    ("worker MB", lambda f: str(max(f.get("worker_mb") or [0]) or "–")),
]


def _page(figures: dict, name: str, *keys: str) -> str:
    result = figures["pages"].get(name) or {}
    return " / ".join(str(result.get(key, "–")) for key in keys)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="ticket counts, comma-separated (default 10000,100000,1000000)")
    parser.add_argument("--base", type=Path, default=Path("/tmp/rtsuivi-scale"),
                        help="one data folder per size under it")
    parser.add_argument("--requests", type=int, default=200, help="per scenario of run.py")
    parser.add_argument("--max-seconds", type=float, default=30, help="per scenario")
    parser.add_argument("--reuse", action="store_true",
                        help="keep data already generated (and indexed) for a size: its "
                             "generation and reindex times are read from the files written "
                             "beside it")
    parser.add_argument("--prepare-only", action="store_true",
                        help="generate and index, keep both times beside the data, measure "
                             "nothing (then --reuse measures on a quiet machine)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scale.md")
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    except ValueError:
        parser.error("--sizes takes whole numbers, e.g. 10000,100000")
    if not args.sizes or min(args.sizes) < 100:
        parser.error("each size must be at least 100 tickets")
    return args


def people_for(size: int) -> tuple[int, int]:
    """Users and agents growing with the tickets: 500/50 at 10k, 2,000/150 at 100k."""
    users = max(500, size // 50)
    return users, max(50, users * 3 // 40)


def _timed(command: list[str], env: dict, log: Path) -> float:
    started = time.monotonic()
    with log.open("a") as out:
        subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                       check=True)
    return time.monotonic() - started


def _folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1024 ** 2


def _database_mb(env: dict, folder: Path) -> tuple[float, float | None]:
    """The database's size, and the words table's on PostgreSQL (None elsewhere)."""
    url = env.get("DATABASE_URL")
    if not url:
        return sum(p.stat().st_size for p in folder.glob("rtsuivi.sqlite3*")) / 1024 ** 2, None
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    with engine.connect() as conn:
        total = conn.scalar(text("SELECT pg_database_size(current_database())"))
        words = conn.scalar(text("SELECT pg_total_relation_size('ticket_texts')"))
    engine.dispose()
    return total / 1024 ** 2, words / 1024 ** 2


def measure_size(size: int, args) -> dict:
    folder = args.base / str(size)
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, RTSUIVI_DATA_DIR=str(folder),
               RTSUIVI_INDEX_DIR=str(folder / "search_index"),
               SECRET_KEY=os.environ.get("SECRET_KEY", "bench-secret"))
    log = folder / "scale.log"
    users, agents = people_for(size)
    print(f"== {size} tickets ({users} users, {agents} agents) in {folder}", file=sys.stderr,
          flush=True)
    # On PostgreSQL the folder remembers which database it generated: with one database for
    # every size, only the last size generated can be reused.
    made_in, url = folder / "database_url", env.get("DATABASE_URL")
    reuse = args.reuse and ((folder / "rtsuivi.sqlite3").exists() if not url else
                            made_in.exists() and made_in.read_text().strip() == url)
    timing = folder / "generation_s"  # kept beside the data, for --reuse
    if reuse:
        generation = float(timing.read_text()) if timing.exists() else 0.0
    else:
        for other in args.base.glob("*/database_url") if url else ():
            if other.read_text().strip() == url:  # that database is about to change
                other.unlink()
        generation = _timed(
            [PYTHON, "bench/generate.py", "--tickets", str(size), "--users", str(users),
             "--agents", str(agents), "--reset"], env, log)
        timing.write_text(f"{generation:.1f}\n")
        if url:
            made_in.write_text(f"{url}\n")
    # Data generated by an older version: migrate it first (an index schema may change too).
    _timed([FLASK, "--app", "app", "db", "upgrade"], env, log)
    indexed = folder / "reindex_s"
    if reuse and indexed.exists():
        reindex = float(indexed.read_text())
    else:
        reindex = _timed([FLASK, "--app", "app", "rtsuivi", "reindex"], env, log)
        indexed.write_text(f"{reindex:.1f}\n")
    if args.prepare_only:
        print(f"   generated in {generation:.0f} s, indexed in {reindex:.0f} s", file=sys.stderr)
        return {}
    database_mb, words_mb = _database_mb(env, folder)
    results = folder / "results"
    _timed([PYTHON, "bench/run.py", "--requests", str(args.requests), "--max-seconds",
            str(args.max_seconds), "--out", str(results)], env, log)
    # run.py's latest run for this database (latest.json, latest-postgresql.json)
    report = json.loads(max(results.glob("latest*.json"),
                            key=lambda path: path.stat().st_mtime).read_text())
    mail = next((e for e in report.get("extras", []) if "mails_per_s" in e), {})
    return {"tickets": report["data"]["tickets"], "database": report["database"],
            "generation_s": generation, "reindex_s": reindex,
            "reindex_per_s": report["data"]["tickets"] / reindex,
            "database_mb": database_mb,
            # the words' table with the PostgreSQL backend, Whoosh's folder otherwise
            "index_mb": words_mb if env.get("RTSUIVI_SEARCH_BACKEND") == "postgresql"
            else _folder_mb(folder / "search_index"),
            "pages": {r["name"]: r for r in report["results"]},
            "mails_per_s": mail.get("mails_per_s"),
            "pages_per_s": report.get("throughput", {}).get("req_per_s"),
            "worker_mb": report.get("worker_memory_mb"), "machine": report["machine"],
            "load_average": os.getloadavg()}


def markdown(rows: list[dict], args) -> str:
    first = rows[0]
    machine = first["machine"]
    loads = ", ".join(f"{row['load_average'][0]:.1f}" for row in rows)
    lines = [f"{datetime.now(timezone.utc).date()} · {machine['cpu']}, {machine['cores']} "
             f"cores · {first['database']} · bench/run.py --requests {args.requests} "
             f"(one run per size; load average after each: {loads})",
             "", "| " + " | ".join(heading for heading, _ in COLUMNS) + " |",
             "|" + "---|" * len(COLUMNS)]
    for row in rows:
        lines.append("| " + " | ".join(read(row) for _, read in COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    args = parse_args(argv)
    rows = [measure_size(size, args) for size in args.sizes]
    if args.prepare_only:
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table = markdown(rows, args)
    args.out.write_text(table)
    args.out.with_suffix(".json").write_text(json.dumps(rows, indent=2) + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
