"""The benchmark's data generator writes what the application would, and the runner runs.

Both run against their own SQLite file (the generator migrates it), whatever database the
rest of the suite uses.
"""
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent


def generate(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"RTSUIVI_DATA_DIR": str(data_dir), "SECRET_KEY": "test", "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "bench/generate.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("bench")
    done = generate(data_dir, "--tickets", "600", "--users", "60", "--agents", "12",
                    "--queues", "6", "--groups", "3")
    assert done.returncode == 0, done.stderr
    engine = create_engine(f"sqlite:///{data_dir / 'rtsuivi.sqlite3'}")
    yield data_dir, engine, done
    engine.dispose()


def rows(engine, sql):
    with engine.connect() as conn:
        return conn.execute(text(sql)).mappings().all()


def test_generator_reports_what_it_wrote(generated):
    _, engine, done = generated
    assert "600 tickets" in done.stdout
    assert rows(engine, "SELECT count(*) AS n FROM tickets")[0]["n"] == 600
    per_ticket = rows(engine, "SELECT count(*) * 1.0 / 600 AS n FROM transactions")[0]["n"]
    assert 4 <= per_ticket <= 7  # about 500k transactions for 100k tickets
    assert rows(engine, "SELECT count(*) AS n FROM attachments WHERE filename IS NOT NULL"
                )[0]["n"] > 0


def test_generated_history_agrees_with_each_ticket(generated):
    _, engine, _ = generated
    tickets = {t["id"]: t for t in rows(engine, "SELECT * FROM tickets")}
    nobody = rows(engine, "SELECT id FROM users WHERE name = 'Nobody'")[0]["id"]
    history = defaultdict(list)
    for txn in rows(engine, "SELECT * FROM transactions ORDER BY id"):
        history[txn["ticket_id"]].append(txn)
    for ticket_id, ticket in tickets.items():
        entries = history[ticket_id]
        assert entries[0]["type"] == "Create"
        assert entries[-1]["created"] == ticket["updated"]
        assert [e["created"] for e in entries] == sorted(e["created"] for e in entries)
        statuses = [e for e in entries if e["type"] == "Status"]
        assert (statuses[-1]["new_value"] if statuses else "new") == ticket["status"]
        owners = [e for e in entries if e["field"] == "Owner"]
        assert (int(owners[-1]["new_value"]) if owners else nobody) == ticket["owner_id"]
        assert (ticket["resolved"] is not None) == (ticket["status"] in
                                                   ("resolved", "rejected", "deleted"))
        assert (ticket["started"] is not None) == (ticket["status"] != "new")


def test_generated_tickets_have_a_requestor_and_a_first_message(generated):
    _, engine, _ = generated
    assert rows(engine, """
        SELECT count(*) AS n FROM tickets t WHERE NOT EXISTS (
            SELECT 1 FROM watchers w WHERE w.ticket_id = t.id AND w.role = 'Requestor')
    """)[0]["n"] == 0
    assert rows(engine, """
        SELECT count(*) AS n FROM transactions x WHERE x.type = 'Create' AND NOT EXISTS (
            SELECT 1 FROM attachments a WHERE a.transaction_id = x.id AND a.content != '')
    """)[0]["n"] == 0


def test_generator_refuses_to_add_to_a_database_with_tickets(generated):
    data_dir, engine, _ = generated
    again = generate(data_dir, "--tickets", "10", "--users", "20", "--agents", "3")
    assert again.returncode == 2
    assert "--reset" in again.stderr
    assert rows(engine, "SELECT count(*) AS n FROM tickets")[0]["n"] == 600


def test_generator_rejects_bad_sizes(tmp_path):
    done = generate(tmp_path, "--tickets", "0")
    assert done.returncode == 2
    assert "--tickets" in done.stderr
    assert not (tmp_path / "rtsuivi.sqlite3").exists()


def test_benchmark_runs_every_scenario_and_writes_its_results(generated, tmp_path):
    data_dir, _, _ = generated
    out = tmp_path / "results"
    env = {"RTSUIVI_DATA_DIR": str(data_dir), "SECRET_KEY": "test", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--requests", "3", "--max-seconds", "10",
         "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "latest.json").read_text())
    measured = {r["name"]: r for r in report["results"]}
    for name in ("login", "home", "queue list p1", "ticket page (20 entries)",
                 "htmx take/steal", "post a reply", "portal list", "quick search",
                 "ticketsql 3 clauses"):
        assert measured[name]["n"] > 0 and measured[name]["errors"] == 0, name
    assert report["throughput"]["req_per_s"] > 0
    mail = report["extras"][0]
    assert mail["mails"] == 3 and mail["failed"] == 0
    assert len(report["worker_memory_mb"]) == 2
    assert "| ticket page (20 entries) |" in (out / "latest.md").read_text()
    # The bare Flask page measured in the same run tells the machine's speed from the code's.
    assert report["reference"]["req_per_s"] > 0 and report["reference"]["p50_ms"] > 0
    assert "Machine reference (bare Flask + SQLite page" in (out / "latest.md").read_text()
    compared = subprocess.run(
        [sys.executable, "bench/run.py", "--requests", "2", "--only", "home",
         "--out", str(tmp_path / "again"), "--compare", str(out / "latest.json")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert compared.returncode == 0, compared.stderr
    assert "p95 before" in compared.stdout
