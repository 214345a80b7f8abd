"""The machine's own speed: a bare Flask + SQLite page under the same gunicorn and clients.

    .venv/bin/python bench/reference.py

Issue 16's targets were set on a machine where this page answered in 0.6–0.75 ms (about
2,500 pages per second). Its figures, printed beside RT-suivi's in every bench/run.py
report, tell a slower or busier machine from slower code: compare RT-suivi's pages with
the reference measured in the same run, not with another day's figures.

The page reads 20 rows from a SQLite file with sqlite3 and draws them through an
autoescaped Jinja template: no ORM, no session, no login.
"""
import os
import signal
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Browser, free_port, start_gunicorn, summarise, throughput  # noqa: E402

PAGE = """<!doctype html><title>{{ title }}</title><ul>
{% for row in rows %}<li><a href="/t/{{ row[0] }}">{{ row[1] }}</a> {{ row[2] }}</li>{% endfor %}
</ul>"""


def create_app():
    """The reference app (gunicorn 'bench.reference:create_app()'); its file from the env."""
    from flask import Flask
    app = Flask(__name__)
    path = os.environ["RTSUIVI_REFERENCE_DB"]
    template = app.jinja_env.from_string(PAGE)  # compiled once, as Flask keeps its files

    @app.get("/")
    def page():
        with sqlite3.connect(path) as connection:
            rows = connection.execute(
                "SELECT id, subject, status FROM items ORDER BY id DESC LIMIT 20").fetchall()
        return template.render(title="Référence", rows=rows)
    return app


def python_loop_seconds() -> float:
    """Seconds for ten million additions in a Python loop (one core, this process)."""
    started, total = time.perf_counter(), 0
    for number in range(10_000_000):
        total += number
    return round(time.perf_counter() - started, 3)


def reference(workers: int = 2, clients: int = 4, requests: int = 200) -> dict:
    """p50 of one client's pages, pages per second with `clients` at once, and the loop."""
    with tempfile.TemporaryDirectory(prefix="rtsuivi-reference-") as folder:
        path = os.path.join(folder, "reference.sqlite3")
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, subject TEXT, "
                               "status TEXT)")
            connection.executemany("INSERT INTO items (subject, status) VALUES (?, ?)",
                                   [(f"Demande <{n}> & suivi", "open") for n in range(1000)])
        port = free_port()
        env = dict(os.environ, RTSUIVI_REFERENCE_DB=path)
        server = start_gunicorn(port, workers, env, "bench.reference:create_app()")
        try:
            browser = Browser(port)  # measured whatever --only asks: one line of every report
            single = summarise("reference page", [browser.request("GET", "/")[2]
                                                  for _ in range(max(requests, 1))], 0, 0)
            rate = throughput(port, lambda browser: None, "/", clients, total=requests * 5,
                              max_seconds=30)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    return {"p50_ms": single["p50_ms"], "req_per_s": rate["req_per_s"],
            "python_loop_s": python_loop_seconds()}


def summary(figures: dict) -> str:
    return (f"Machine reference (bare Flask + SQLite page, same gunicorn and clients): "
            f"p50 {figures['p50_ms']} ms, {figures['req_per_s']} pages/s; 10 million Python "
            f"additions in {figures['python_loop_s']} s (issue 16's machine: 0.6–0.75 ms, "
            f"about 2,500 pages/s).")


if __name__ == "__main__":
    print(summary(reference()))
