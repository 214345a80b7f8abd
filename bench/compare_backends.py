"""Do the two full-text backends answer the bench's quick searches with the same tickets?

    DATABASE_URL=postgresql+psycopg://… RTSUIVI_DATA_DIR=… \
        .venv/bin/python bench/compare_backends.py

Needs data from bench/generate.py on PostgreSQL, the Whoosh index built (`rtsuivi reindex`
with the default backend) and ticket_texts filled (`RTSUIVI_SEARCH_BACKEND=postgresql
rtsuivi reindex`). For each quick-search of bench/search.py it runs the whole quick search
(TicketSQL, rights, active tickets) once per backend as the bench agent and prints the
counts, the time, and a few tickets found by one backend only.
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run(words_list, user_name: str, rounds: int) -> dict:
    from sqlalchemy import select

    from rtsuivi import create_app, search
    from rtsuivi.domain import queries
    from rtsuivi.domain.simple_search import to_ticketsql
    from rtsuivi.domain.ticketsql import compile_query
    from rtsuivi.extensions import db
    from rtsuivi.models import Ticket, User
    app = create_app({"RTSUIVI_INDEX_MODE": "off"})
    report = {}
    with app.test_request_context():
        if db.engine.dialect.name != "postgresql":
            raise SystemExit("compare_backends needs DATABASE_URL on PostgreSQL")
        user = db.session.scalar(select(User).where(User.name == user_name))
        for words in words_list:
            row = {}
            for backend in ("whoosh", "postgresql"):
                app.config["RTSUIVI_SEARCH_BACKEND"] = backend
                times = []
                for _ in range(rounds):
                    start = time.perf_counter()
                    compiled = compile_query(to_ticketsql(words), user, fulltext=lambda w,
                                             statuses=None: search.search(w, user, statuses))
                    page = queries.search_tickets(compiled.condition, [("id", "asc")], 1, 50)
                    times.append((time.perf_counter() - start) * 1000)
                ids = set(db.session.scalars(select(Ticket.id).where(compiled.condition)))
                row[backend] = {"count": page.total, "p50_ms": round(statistics.median(times), 1),
                                "ids": ids}
            only_w = sorted(row["whoosh"]["ids"] - row["postgresql"]["ids"])
            only_p = sorted(row["postgresql"]["ids"] - row["whoosh"]["ids"])
            report[words] = {
                "whoosh": row["whoosh"]["count"], "postgresql": row["postgresql"]["count"],
                "whoosh_p50_ms": row["whoosh"]["p50_ms"],
                "postgresql_p50_ms": row["postgresql"]["p50_ms"],
                "only_whoosh": only_w[:5], "only_postgresql": only_p[:5],
                "same": not only_w and not only_p}
            print(f"{words:28} whoosh {row['whoosh']['count']:6} "
                  f"({row['whoosh']['p50_ms']} ms)  postgresql {row['postgresql']['count']:6} "
                  f"({row['postgresql']['p50_ms']} ms)  "
                  f"{'same' if report[words]['same'] else f'DIFFER {only_w[:3]} {only_p[:3]}'}",
                  file=sys.stderr)
    return report


def main(argv=None) -> int:
    from bench.search import QUICK_WORDS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agent", default="agent")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", help="write the report to this file")
    args = parser.parse_args(argv)
    report = run(QUICK_WORDS, args.agent, args.rounds)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    same = sum(1 for r in report.values() if r["same"])
    print(f"{same} of {len(report)} quick searches give the same tickets on both backends")
    return 0


if __name__ == "__main__":
    sys.exit(main())
