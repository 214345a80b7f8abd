"""Small reads a page makes together: one round trip on PostgreSQL instead of one each.

The ticket page reads its history's rows, whether the user starred the ticket, who else
has it open, its links and its reminders: five Core statements, each a round trip to
PostgreSQL (0.2–0.3 ms of a view's wall time apiece on the bench machine, more where the
processor idles between them). `read_together` sends them at once through psycopg's
pipeline and keeps their rows in the session; each domain function then takes its rows
with `read_rows`, which runs the statement itself when nothing was kept (another page,
SQLite, or after a write).

A read is (key, statement, params), made by the domain function that owns the statement,
so the page and the function ask with the same key. Kept rows serve once (or, asked with
keep=True, until the session writes), and a flush or the end of the session's transaction
forgets them all: nothing written since is missed.
Only Core statements whose columns need no conversion by SQLAlchemy go through the
pipeline (psycopg's values are then the same); any other runs alone, as before.
"""
from functools import cache
from typing import NamedTuple

from sqlalchemy import event
from sqlalchemy.engine import Row
from sqlalchemy.engine.result import IteratorResult, SimpleResultMetaData
from sqlalchemy.orm import Session

from ..extensions import db
from ..pg_reads import only_reads

_KEPT = "rtsuivi_kept_reads"


class Read(NamedTuple):
    key: tuple
    statement: object  # a Core select, built once by its module
    params: dict


def read_rows(read: Read, keep: bool = False) -> list[Row]:
    """The read's rows: those kept for it in this session (by read_together, or by an
    earlier keep=True), or read now. Kept rows serve once, unless asked with keep=True:
    then they stay for the next ask (the ticket's links, read by two boxes)."""
    kept = db.session.info.setdefault(_KEPT, {})
    rows = kept.get(read.key) if keep else kept.pop(read.key, None)
    if rows is None:
        rows = db.session.execute(read.statement, read.params).all()
        if keep:
            kept[read.key] = rows
    return rows


def pipelined() -> bool:
    """Whether read_together saves round trips here: PostgreSQL through a psycopg whose
    libpq pipelines (14 and later). SQLite answers in process: nothing to save."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return False
    return type(connection.connection.driver_connection).__module__.startswith("psycopg") \
        and _libpq_pipelines()


@cache
def _libpq_pipelines() -> bool:
    from psycopg import Pipeline
    return Pipeline.is_supported()  # libpq's version: the same for the whole process


def read_together(reads: list[Read]) -> None:
    """Where pipelined, run the reads in one round trip and keep their rows for read_rows."""
    if not pipelined():
        return
    connection = db.session.connection()
    plain = [(read, _compiled(read.statement, connection.dialect)) for read in reads]
    plain = [(read, compiled) for read, compiled in plain if compiled is not None]
    if len(plain) < 2:
        return
    driver = connection.connection.driver_connection
    cursors = []
    with driver.pipeline():
        for read, compiled in plain:
            cursor = driver.cursor()
            cursor.execute(compiled.string, compiled.construct_params(read.params))
            cursors.append(cursor)
    kept = db.session.info.setdefault(_KEPT, {})
    for (read, compiled), cursor in zip(plain, cursors):
        kept[read.key] = IteratorResult(_columns(compiled, cursor),
                                        iter(cursor.fetchall())).all()
        cursor.close()


_COMPILED: dict = {}


def _compiled(statement, dialect):
    """The statement compiled once per dialect, or None when SQLAlchemy would convert a
    parameter or a column on its way (then only its own execute gives the right values) or
    when it is not a plain SELECT."""
    key = (id(statement), dialect.name)
    if key not in _COMPILED:
        compiled = statement.compile(dialect=dialect)
        converts = bool(compiled._bind_processors) or "POSTCOMPILE" in compiled.string or any(
            column.type.result_processor(dialect, None) is not None
            for column in statement.selected_columns)
        # Raw cursors pass by pg_reads' watch: only plain SELECTs go that way.
        converts = converts or not only_reads(compiled.string)
        # The statement is kept with its compiled form: its id names no other statement.
        _COMPILED[key] = (statement, None if converts else compiled)
    return _COMPILED[key][1]


_COLUMNS: dict = {}


def _columns(compiled, cursor) -> SimpleResultMetaData:
    """The rows' keys, named from the first result of the statement (the same on every
    run) and kept with it: read from psycopg's description, they cost 20 µs a statement."""
    key = id(compiled)  # kept alive in _COMPILED, so its id names no other
    if key not in _COLUMNS:
        _COLUMNS[key] = SimpleResultMetaData([column.name for column in cursor.description])
    return _COLUMNS[key]


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_transaction_end")
def _forget_kept_reads(session, *_args) -> None:
    session.info.pop(_KEPT, None)
