"""On PostgreSQL a GET reads outside a transaction and its first write opens one
(rtsuivi/pg_reads.py); POST requests are transactions from their first statement."""
import pytest
from sqlalchemy import create_engine, select, text

from rtsuivi.extensions import db
from rtsuivi.models import Queue
from rtsuivi.pg_reads import only_reads
from tests.conftest import DATABASE_URL

on_postgresql = pytest.mark.skipif(not DATABASE_URL.startswith("postgresql"),
                                   reason="PostgreSQL's transactions and prepared statements")
IDLE, IN_TRANSACTION = 0, 2  # psycopg.pq.TransactionStatus


@pytest.mark.parametrize("statement, reads", [
    ("SELECT tickets.id FROM tickets WHERE tickets.id = %(id)s", True),
    ("\n  select 1", True),
    ("SELECT transactions.id, transactions.before_forwarding FROM transactions", True),
    ("SELECT throttles.key FROM throttles WHERE throttles.key = %(key)s FOR UPDATE", False),
    ("SELECT id FROM tickets FOR NO KEY UPDATE", False),
    ("select id from tickets for share", False),
    ("SELECT id FROM tickets FOR KEY SHARE", False),
    ("INSERT INTO queues (name) VALUES (%(name)s)", False),
    ("UPDATE tickets SET status = %(status)s", False),
    ("DELETE FROM bookmarks", False),
    ("SET LOCAL jit = off", False),
    ("SAVEPOINT sa_savepoint_1", False),
    ("WITH moved AS (UPDATE tickets SET queue_id = 2 RETURNING id) SELECT * FROM moved", False),
])
def test_only_a_select_that_locks_nothing_runs_outside_a_transaction(statement, reads):
    assert only_reads(statement) is reads


def _transaction_status() -> int:
    return db.session.connection().connection.dbapi_connection.info.transaction_status


@pytest.fixture
def probe_routes(app):
    """Routes that report what the connection is doing, or write then fail."""
    from flask import abort

    def read():
        db.session.scalar(select(Queue.id).limit(1))
        return {"status": _transaction_status()}

    def write(name):
        db.session.scalar(select(Queue.id).limit(1))
        before = _transaction_status()
        db.session.add(Queue(name=f"{name}-1"))
        db.session.flush()
        after = _transaction_status()
        if name.startswith("fail"):
            db.session.add(Queue(name=f"{name}-2"))
            db.session.flush()
            abort(500)
        db.session.commit()
        db.session.scalar(select(Queue.id).limit(1))
        return {"before": before, "after": after, "after_commit": _transaction_status()}

    def lock():
        db.session.scalars(select(Queue.id).with_for_update()).all()
        return {"status": _transaction_status()}

    def savepoint():
        with db.session.begin_nested():
            db.session.add(Queue(name="nested"))
        db.session.commit()
        return {"status": _transaction_status()}

    def prepared():
        db.session.scalar(select(Queue.id).where(Queue.name == "prepared-probe"))
        return {"count": db.session.scalar(text(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE :like"),
            {"like": "%queues.name = $1%"})}

    def vacuum():
        # An engine in autocommit on purpose: VACUUM cannot run in a transaction block.
        engine = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text("VACUUM queues"))
        finally:
            engine.dispose()
        return {"done": True}

    app.add_url_rule("/_probe/vacuum", "probe_vacuum", vacuum, methods=["GET", "POST"])
    app.add_url_rule("/_probe/read", "probe_read", read, methods=["GET", "POST"])
    app.add_url_rule("/_probe/write/<name>", "probe_write", write, methods=["GET"])
    app.add_url_rule("/_probe/lock", "probe_lock", lock, methods=["GET"])
    app.add_url_rule("/_probe/savepoint", "probe_savepoint", savepoint, methods=["GET"])
    app.add_url_rule("/_probe/prepared", "probe_prepared", prepared, methods=["GET"])
    return app


def _queue_names() -> set[str]:
    return set(db.session.scalars(select(Queue.name)))


@on_postgresql
def test_a_get_reads_outside_a_transaction_and_a_post_inside_one(client, probe_routes):
    for _ in range(4):  # connections come back from a GET as they went
        assert client.get("/_probe/read").json == {"status": IDLE}
        assert client.post("/_probe/read").json == {"status": IN_TRANSACTION}
        pooled = db.engine.pool._pool.queue  # noqa: SLF001  what the pool holds now
        assert pooled and not any(record.dbapi_connection.autocommit for record in pooled)


@on_postgresql
def test_an_engine_in_autocommit_on_purpose_is_left_alone(client, probe_routes):
    assert client.get("/_probe/vacuum").json == {"done": True}
    assert client.post("/_probe/vacuum").json == {"done": True}


@on_postgresql
def test_a_gets_first_write_opens_a_transaction_that_its_commit_ends(client, probe_routes):
    assert client.get("/_probe/write/kept").json == {
        "before": IDLE, "after": IN_TRANSACTION, "after_commit": IDLE}
    assert "kept-1" in _queue_names()


@on_postgresql
def test_a_get_that_fails_after_writing_leaves_nothing_written(client, probe_routes, app):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/_probe/write/failed").status_code == 500
    assert not {"failed-1", "failed-2"} & _queue_names()


@on_postgresql
def test_a_get_that_locks_rows_or_sets_a_savepoint_does_it_in_a_transaction(
        client, probe_routes):
    assert client.get("/_probe/lock").json == {"status": IN_TRANSACTION}
    assert client.get("/_probe/savepoint").status_code == 200
    assert "nested" in _queue_names()


@on_postgresql
def test_a_connection_keeps_its_prepared_statements_from_one_get_to_the_next(
        client, probe_routes):
    """psycopg prepares a statement at its fifth use and forgets them all at a ROLLBACK: a
    GET that ended with one never reused a plan."""
    counts = [client.get("/_probe/prepared").json["count"] for _ in range(30)]
    assert counts[-1] >= 1, counts


@on_postgresql
def test_the_cursors_description_says_what_psycopgs_own_says(app):
    """pg_reads.described_on_demand: the app's cursors build their description when it is
    read, and it lists what psycopg's Cursor lists, for the statement it was asked after
    even once the cursor has run another; no rows, no description."""
    import psycopg
    connection = db.session.connection().connection.dbapi_connection
    ours, theirs = connection.cursor(), psycopg.Cursor(connection)
    assert type(ours).__name__ == "DescribedOnDemand"

    def described(description):
        return None if description is None else [tuple(column) for column in description]
    for sql in ("SELECT 1 AS un, now() AS quand, 'x'::varchar(5) AS court, NULL AS rien",
                "SELECT id, name FROM queues WHERE false", "SELECT", "SET LOCAL jit = off"):
        ours.execute(sql)
        theirs.execute(sql)
        assert described(ours.description) == described(theirs.description), sql
    ours.execute("SELECT 1 AS un, 2 AS deux")
    kept = ours.description
    ours.execute("SELECT 3 AS trois")
    assert [column.name for column in kept] == ["un", "deux"] and len(kept) == 2
    assert [column.name for column in ours.description] == ["trois"]
    assert [column.name for column in kept[-1:]] == ["deux"]
