"""On PostgreSQL, a GET reads outside a transaction, and its first write opens one.

A page's reads in a transaction cost two more round trips (BEGIN, ROLLBACK), and psycopg
forgets its prepared statements at every ROLLBACK (DEALLOCATE ALL), so a page that ends with
one never reuses a plan: its statements are parsed and planned on every view. Reading in
autocommit, the connection keeps them prepared from one request to the next (psycopg prepares
a statement at its fifth use), and the ticket page answers in 1.7 ms less (issue 16).

Nothing is lost by it: under READ COMMITTED, PostgreSQL's default, each statement of a
transaction sees its own snapshot anyway. What needs a transaction gets one: any statement
other than a plain SELECT (a write, SET LOCAL, a savepoint) and a SELECT that locks rows
(FOR UPDATE / FOR SHARE) turn autocommit off first, so psycopg sends BEGIN before it, and the
request's commit or rollback ends that transaction as before. POST requests, the mail
gateway's included, the command line and the workers are not touched. SQLite is not either.
"""
import re
from functools import cache

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

READING_METHODS = ("GET", "HEAD")
_LOCKING = re.compile(r"FOR\s+(?:NO\s+KEY\s+|KEY\s+)?(?:UPDATE|SHARE)\b", re.IGNORECASE)


def only_reads(statement: str) -> bool:
    """Whether a statement may run outside a transaction: a SELECT that locks nothing (a
    word merely ending in "for" before UPDATE or SHARE only costs a transaction)."""
    if not (statement.startswith("SELECT") or statement.lstrip()[:6].upper() == "SELECT"):
        return False  # SQLAlchemy writes "SELECT"; a text() may start with spaces or "select"
    return "FOR" not in statement.upper() or _LOCKING.search(statement) is None


def _reading_request() -> bool:
    return has_request_context() and request.method in READING_METHODS


# The connections this module put in autocommit: an engine made with
# isolation_level="AUTOCOMMIT" on purpose (DROP DATABASE in a test) is left alone.
_MARK = "rtsuivi_reads_first"
_IDLE = 0  # psycopg.pq.TransactionStatus.IDLE: no transaction open on the server


@event.listens_for(Engine, "begin")
def _read_in_autocommit(connection):
    """At a GET's transaction start (before its first statement: psycopg sends BEGIN
    lazily), its connection goes to autocommit."""
    if connection.dialect.name != "postgresql" or not _reading_request():
        return
    dbapi_connection = connection.connection.dbapi_connection
    if not dbapi_connection.autocommit and dbapi_connection.info.transaction_status == _IDLE:
        dbapi_connection.autocommit = True
        connection.info[_MARK] = True


@event.listens_for(Engine, "before_cursor_execute")
def _open_a_transaction_to_write(connection, cursor, statement, parameters, context,
                                 executemany):
    """A GET's first statement that writes or locks opens a transaction (psycopg sends BEGIN
    before it), which the request's commit or rollback ends."""
    if connection.dialect.name != "postgresql" or not cursor.connection.autocommit:
        return
    if not only_reads(statement) and connection.info.get(_MARK):
        cursor.connection.autocommit = False
        connection.info[_MARK] = False


@event.listens_for(Pool, "checkin")
def _back_to_transactions(dbapi_connection, connection_record):
    """A connection goes back to the pool as it came: out of autocommit."""
    if connection_record is not None and connection_record.info.get(_MARK):
        connection_record.info[_MARK] = False
        if dbapi_connection is not None:
            dbapi_connection.autocommit = False


@cache
def described_on_demand():
    """psycopg's cursor, its `description` built when something reads it rather than on
    every execute. SQLAlchemy asks for it after each statement only to learn whether rows
    came back (it keeps each statement's columns), and psycopg builds a Column object for
    every column each time: 140 a ticket page, 0.1 ms. Engines on psycopg use it
    (rtsuivi._engine_options); psycopg is imported only there."""
    from collections.abc import Sequence

    import psycopg
    from psycopg import pq

    returns_rows = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.SINGLE_TUPLE,
                    pq.ExecStatus.TUPLES_CHUNK)

    class Columns(Sequence):
        """What psycopg's description lists, for the result it was asked about (the
        cursor may have run another statement when the columns are read)."""

        def __init__(self, cursor, result):
            self._source = _Source(result, cursor._encoding, cursor.adapters)  # noqa: SLF001
            self._count, self._columns = result.nfields, None

        def __len__(self) -> int:
            return self._count

        def __getitem__(self, index):
            if self._columns is None:
                self._columns = [psycopg.Column(self._source, i) for i in range(self._count)]
            return self._columns[index]

    class DescribedOnDemand(psycopg.Cursor):
        @property
        def description(self):
            result = self.pgresult
            if result and (result.nfields or result.status in returns_rows):
                return Columns(self, result)
            return None  # as psycopg says: no result, or one without rows
    return DescribedOnDemand


class _Source:
    """What psycopg's Column reads of its cursor, kept for one result."""
    __slots__ = ("pgresult", "_encoding", "adapters")

    def __init__(self, pgresult, encoding: str, adapters):
        self.pgresult, self._encoding, self.adapters = pgresult, encoding, adapters
