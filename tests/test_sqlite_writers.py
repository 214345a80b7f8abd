"""SQLite writers wait their turn on a file lock, not in SQLite's busy loop (issue 16):
the next writer gets the turn once the other's commit is done, never before; the turn is
given back however the transaction ends; a turn file held too long only delays a writer."""
import fcntl
import sqlite3
import threading
import time

import pytest
from sqlalchemy import select

from rtsuivi.extensions import db
from rtsuivi.models import Ticket
from rtsuivi.sqlite_writers import connection_class, lock_file_for

from .conftest import DATABASE_URL

pytestmark = pytest.mark.skipif(not DATABASE_URL.startswith("sqlite"),
                                reason="SQLite's write lock only")


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "queue.sqlite3"
    setup = sqlite3.connect(path, isolation_level=None)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE t (x INTEGER)")
    setup.close()
    return path


def _writer(path, timeout=5.0):
    """A connection as the app opens it: sqlite3's busy timeout 0, so that any write
    it starts before the other's COMMIT is over fails at once with "database is locked"."""
    factory = connection_class(f"{path}.writers", timeout)
    return sqlite3.connect(path, timeout=0, isolation_level=None, factory=factory,
                           check_same_thread=False)


def _turn_is_free(path) -> bool:
    with open(f"{path}.writers", "a+b") as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def test_the_next_writer_gets_its_turn_once_the_commit_is_done(database):
    first, second = _writer(database), _writer(database)
    first.wait_turn_to_write()
    first.execute("BEGIN IMMEDIATE")
    first.execute("INSERT INTO t VALUES (1)")
    wrote = []

    def write_next():
        second.wait_turn_to_write()
        second.execute("BEGIN IMMEDIATE")  # busy timeout 0: fails if the lock is not free
        second.execute("INSERT INTO t VALUES (2)")
        second.commit()
        wrote.append(True)

    waiting = threading.Thread(target=write_next)
    waiting.start()
    waiting.join(0.2)
    assert waiting.is_alive() and not wrote  # still waiting for its turn
    first.commit()
    waiting.join(5)
    assert wrote == [True]
    assert [row[0] for row in first.execute("SELECT x FROM t ORDER BY x")] == [1, 2]
    assert _turn_is_free(database)


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_the_turn_is_given_back_however_the_transaction_ends(database, end):
    writer = _writer(database)
    writer.wait_turn_to_write()
    writer.execute("BEGIN IMMEDIATE")
    assert not _turn_is_free(database)
    getattr(writer, end)()
    assert _turn_is_free(database)


def test_a_turn_held_too_long_only_delays_the_writer(database):
    """Someone holding the turn file (a stuck process) past the lock timeout: the writer
    goes on to SQLite's own lock, free here, and writes."""
    with open(f"{database}.writers", "a+b") as stuck:
        fcntl.flock(stuck, fcntl.LOCK_EX)
        writer = _writer(database, timeout=0.1)
        started = time.monotonic()
        writer.wait_turn_to_write()
        assert time.monotonic() - started >= 0.1
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO t VALUES (3)")
        writer.commit()
    assert [row[0] for row in writer.execute("SELECT x FROM t")] == [3]


def test_only_a_database_file_has_a_turn_file():
    assert lock_file_for("sqlite:////srv/rt/rtsuivi.sqlite3") == "/srv/rt/rtsuivi.sqlite3.writers"
    assert lock_file_for("sqlite://") is None
    assert lock_file_for("sqlite:///:memory:") is None
    assert lock_file_for("sqlite:///file::memory:?cache=shared") is None


def test_the_app_writes_in_turn_and_gives_the_turn_back(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    raw = db.session.connection().connection.dbapi_connection
    assert type(raw).__name__ == "WriterQueueConnection"
    # The connection is set up as any SQLite one: BEGIN left to SQLAlchemy, WAL, keys.
    assert raw.isolation_level is None
    assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert raw.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    db.session.commit()
    response = login_as(desk.alice).post(f"/tickets/{ticket.id}/update", data={
        "action": "reply", "kind": "reply", "content": "Chacun son tour.", "status": "open"})
    assert response.status_code == 302
    assert _turn_is_free(DATABASE_URL.removeprefix("sqlite:///"))
    db.session.expire_all()
    assert db.session.scalar(select(Ticket.status).where(Ticket.id == ticket.id)) == "open"
