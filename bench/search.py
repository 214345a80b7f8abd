"""Measure search on generated data: quick full-text search, 3-clause TicketSQL, a reply's
delay until it is searchable, the full reindex rate, and SQLite FTS5 on the same documents.

    RTSUIVI_DATA_DIR=/tmp/rtsuivi-bench .venv/bin/python bench/search.py [--reindex]

The data comes from bench/generate.py (same RTSUIVI_DATA_DIR or DATABASE_URL). Searches run
in process through the Flask test client as the bench agent (rights filter included), so
the times include the TicketSQL compiler, the index, the SQL and the page rendering, but not
gunicorn or the network. `measure()` returns a dict; `--json FILE` writes it.
"""
import argparse
import json
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

TARGETS_P95_MS = {"quick search": 150, "ticketsql 3 clauses": 200}
TARGET_REPLY_VISIBLE_S = 2.0
# Words of the generated data by kind: ~2-3% of tickets, ~20%, phrases and several words,
# and a word in every ticket.
QUICK_KINDS = {
    "rare words": ["garantie", "vpn", "certificat", "prestataire", "journaux", "badge"],
    "common words": ["bourrage", "technicien", "imprimante", "fournisseur"],
    "phrases, several words": ["\"bourrage papier\"", "\"mot de passe\"",
                               "\"pièce est commandée\"", "inventaire écran",
                               "capture jointe"],
    "word in every ticket": ["bonjour"],
}
QUICK_WORDS = [w for words in QUICK_KINDS.values() for w in words]
TICKETSQL = [
    "Status = '__Active__' AND Queue = 'Informatique' AND Priority > 10",
    "Owner = '__CurrentUser__' AND Status = 'open' AND Created > '-90 days'",
    "Subject LIKE 'imprimer' AND Status != 'resolved' AND Due IS NOT NULL",
    "Requestor.EmailAddress ENDSWITH '@example.org' AND Queue = 'Paie' AND "
    "LastUpdated > '-30 days'",
    "(Status = 'new' OR Status = 'open') AND Priority >= 50 AND Queue != 'Achats'",
    "Content LIKE 'garantie' AND Status = '__Active__' AND Priority > 0",
]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def stats(ms: list[float]) -> dict:
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(percentile(ms, 95), 1), "max_ms": round(max(ms), 1)}


def _login(client, name, password):
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/login", data={"name": name, "password": password,
                                           "csrf_token": token})
    assert response.status_code == 302, "bench login failed: wrong --password?"


def _timed_get(client, url, rounds) -> tuple[list[float], int]:
    times, status = [], 0
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url, follow_redirects=True)
        times.append((time.perf_counter() - start) * 1000)
        status = response.status_code
        assert status == 200, (url, status)
    return times, status


def _documents_for_fts(db, models, batch=2000):
    """The same documents the Whoosh index holds, read with the index's own builder."""
    from sqlalchemy.orm import Session

    from rtsuivi.search.index import _documents
    with Session(db.engine) as session:
        ids = list(session.scalars(select(models.Ticket.id).order_by(models.Ticket.id)))
        for start in range(0, len(ids), batch):
            yield from _documents(session, ids[start:start + batch]).values()
            session.expunge_all()


def compare_fts5(db, models, words, rounds=3) -> dict:
    """Build an FTS5 table of the same documents and time the same full-text queries."""
    path = Path(tempfile.mkdtemp(prefix="rtsuivi-fts5-")) / "fts.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE VIRTUAL TABLE docs USING fts5(subject, content, comments, requestors,"
                 " tokenize='unicode61 remove_diacritics 2')")
    start = time.perf_counter()
    count = 0
    rows = []
    for doc in _documents_for_fts(db, models):
        rows.append((doc["id"], doc["subject"], doc["content"], doc["comments"],
                     doc["requestors"]))
        count += 1
        if len(rows) >= 5000:
            conn.executemany("INSERT INTO docs(rowid, subject, content, comments, requestors)"
                             " VALUES (?, ?, ?, ?, ?)", rows)
            rows = []
    conn.executemany("INSERT INTO docs(rowid, subject, content, comments, requestors)"
                     " VALUES (?, ?, ?, ?, ?)", rows)
    conn.commit()
    build_s = time.perf_counter() - start
    per_query, hits = [], {}
    for text in words:
        match = " ".join(f'"{w}"' if not w.startswith('"') else w
                         for w in re.findall(r'"[^"]+"|\S+', text))
        for _ in range(rounds):
            t0 = time.perf_counter()
            found = conn.execute("SELECT rowid FROM docs WHERE docs MATCH ?",
                                 (match,)).fetchall()
            per_query.append((time.perf_counter() - t0) * 1000)
        hits[text] = len(found)
    conn.close()
    size_mb = path.stat().st_size / 1e6
    return {"documents": count, "build_s": round(build_s, 1),
            "build_docs_per_s": round(count / build_s), "size_mb": round(size_mb, 1),
            "match_all_hits": stats(per_query), "hits": hits}


def whoosh_engine_times(app, user, words, rounds=3) -> dict:
    """Time search.search() alone (index only, rights on comments included)."""
    from rtsuivi import search
    per_query, hits = [], {}
    with app.test_request_context():
        for text in words:
            for _ in range(rounds):
                t0 = time.perf_counter()
                found = search.search(text, user)
                per_query.append((time.perf_counter() - t0) * 1000)
            hits[text] = len(found.ids)
    return {"all_hits": stats(per_query), "hits": hits}


def reply_visibility(app, db, models, samples=5) -> dict:
    """Reply on a ticket and time until a search finds its unique word (thread indexer)."""
    from rtsuivi import search
    from rtsuivi.domain import tickets as domain
    app.config["RTSUIVI_INDEX_MODE"] = "thread"
    delays = []
    with app.app_context():
        admin = db.session.scalar(select(models.User).where(models.User.name == "admin"))
        ids = list(db.session.scalars(select(models.Ticket.id).where(
            models.Ticket.status == "open").limit(samples)))
        for n, ticket_id in enumerate(ids):
            word = f"zorglub{int(time.time())}x{n}"
            # As a web request that writes: BEGIN IMMEDIATE on SQLite (rtsuivi/__init__.py).
            db.session.commit()
            with app.test_request_context(method="POST"):
                ticket = db.session.get(models.Ticket, ticket_id)
                domain.reply(ticket, db.session.merge(admin), f"Réponse de mesure {word}")
                db.session.commit()
            start = time.perf_counter()
            while time.perf_counter() - start < 30:
                try:
                    if search.search(word, admin).ids == {ticket_id}:
                        break
                except search.IndexUnavailable:
                    pass
                time.sleep(0.02)
            delays.append(time.perf_counter() - start)
        app.extensions["rtsuivi_indexer"].stop()
    return {"n": len(delays), "p50_s": round(statistics.median(delays), 2),
            "max_s": round(max(delays), 2)}


def measure(rounds: int = 10, reindex: bool = False, password: str = "bench-mesure-1",
            fts5: bool = True, user_name: str = "agent") -> dict:
    """Run every search measure on the generated data; return the numbers."""
    from rtsuivi import create_app, models, search
    from rtsuivi.extensions import db
    app = create_app({"RTSUIVI_INDEX_MODE": "off"})
    result: dict = {"targets_p95_ms": TARGETS_P95_MS,
                    "target_reply_visible_s": TARGET_REPLY_VISIBLE_S}
    with app.app_context():
        tickets = db.session.scalar(select(func.count(models.Ticket.id)))
        transactions = db.session.scalar(select(func.count(models.Transaction.id)))
        result["data"] = {"tickets": tickets, "transactions": transactions,
                          "database": db.engine.url.render_as_string(hide_password=True),
                          "index_dir": app.config["RTSUIVI_INDEX_DIR"]}
        if reindex or search.index.needs_rebuild():
            start = time.perf_counter()
            count = search.rebuild(timeout=120)
            elapsed = time.perf_counter() - start
            result["reindex"] = {"tickets": count, "seconds": round(elapsed, 1),
                                 "tickets_per_s": round(count / elapsed)}
        size = sum(f.stat().st_size for f in Path(app.config["RTSUIVI_INDEX_DIR"]).iterdir())
        result["index_size_mb"] = round(size / 1e6, 1)
        user = db.session.scalar(select(models.User).where(models.User.name == user_name))
        result["whoosh_engine"] = whoosh_engine_times(app, user, QUICK_WORDS, rounds=3)
        if fts5:
            result["fts5"] = compare_fts5(db, models, QUICK_WORDS)
    client = app.test_client()
    with app.app_context():
        _login(client, user_name, password)
        quick, ticketsql = [], []
        for words in QUICK_WORDS:
            quick += _timed_get(client, "/recherche?" + urlencode({"q": words}), rounds)[0]
        for query in TICKETSQL:
            ticketsql += _timed_get(client, "/recherche/resultats?" + urlencode(
                {"query": query}), rounds)[0]
        result["quick search"] = stats(quick)
        result["ticketsql 3 clauses"] = stats(ticketsql)
        for kind, words_of_kind in QUICK_KINDS.items():
            times = []
            for words in words_of_kind:
                times += _timed_get(client, "/recherche?" + urlencode({"q": words}), rounds)[0]
            result[f"quick search: {kind}"] = stats(times)
        per_word = {}
        for words in QUICK_WORDS:
            per_word[words] = stats(_timed_get(client, "/recherche?" + urlencode(
                {"q": words}), 3)[0])["p50_ms"]
        result["quick search p50 per words"] = per_word
    result["reply visible"] = reply_visibility(app, db, models)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="repeats of each query")
    parser.add_argument("--reindex", action="store_true", help="rebuild (and time) the index")
    parser.add_argument("--no-fts5", action="store_true")
    parser.add_argument("--password",
                        default=os.environ.get("RTSUIVI_BENCH_PASSWORD", "bench-mesure-1"))
    parser.add_argument("--json", help="also write the result to this file")
    args = parser.parse_args(argv)
    result = measure(args.rounds, args.reindex, args.password, not args.no_fts5)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")
    ok = (result["quick search"]["p95_ms"] <= TARGETS_P95_MS["quick search"]
          and result["ticketsql 3 clauses"]["p95_ms"] <= TARGETS_P95_MS["ticketsql 3 clauses"]
          and result["reply visible"]["max_s"] <= TARGET_REPLY_VISIBLE_S)
    print("targets met" if ok else "targets NOT met", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
