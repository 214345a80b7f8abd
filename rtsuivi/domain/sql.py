"""SQL building helpers the domain and the search package share (no query runs here)."""
import json
import re

from sqlalchemy import (
    ARRAY,
    Integer,
    any_,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.types import TypeDecorator

from ..extensions import db

LITERAL_IDS = 1000  # longer id lists travel as one parameter


def id_in(column, ids, name: str):
    """`column IN ids` for a set of integers of any size (full-text hits).

    Up to LITERAL_IDS they are rendered inline (the planner sees them); beyond, one
    parameter: a JSON text read by json_each on SQLite, an array on PostgreSQL. Rendering
    and parsing 30,000 literals cost SQLAlchemy and SQLite ~40 ms per statement.
    """
    ids = sorted(ids)
    if len(ids) <= LITERAL_IDS:
        return column.in_(bindparam(name, ids, literal_execute=True))
    if db.engine.dialect.name == "postgresql":
        return column == any_(bindparam(name, ids, type_=_IdArray()))
    return column.in_(select(literal_column("value", Integer)).select_from(
        func.json_each(bindparam(name, json.dumps(ids)))))


class IdList(list):
    """A long list of ticket ids bound for PostgreSQL: psycopg sends it in binary (a dumper
    registered on each connection, rtsuivi/__init__.py), 17,000 ids in half the time of
    the text form, and once per statement (a quick search sends its hits twice)."""


class _IdArray(TypeDecorator):
    """`%(name)s::INTEGER[]`, the value passed as an IdList: ARRAY's own processing would
    copy it into a plain list, which psycopg sends as text. INTEGER as the tickets' ids
    are: a BIGINT[] made PostgreSQL probe the primary key where it can AND two bitmaps."""
    impl = ARRAY(Integer)
    cache_ok = True

    def bind_processor(self, dialect):
        return IdList


# The longest run of plain characters in a LIKE pattern escaped with "\\" (like_pattern).
_LITERAL_RUN = re.compile(r"(?:[^%_\\]|\\[%_\\])+")
TRIGRAM = 3  # FTS5's trigram index answers runs of at least three characters
SUBJECTS = table("ticket_subjects", column("rowid", Integer), column("subject"))  # not a model


def subject_candidates(pattern: str):
    """On SQLite, `Ticket.id IN (…)` the tickets whose subject may match the LIKE pattern,
    read from the trigram index (migration 0021): a superset (FTS5 folds case further than
    LIKE), so the caller keeps its own LIKE. None where the index cannot help: another
    database, or no run of three plain characters in the pattern."""
    if db.engine.dialect.name != "sqlite":
        return None
    runs = [re.sub(r"\\(.)", r"\1", run) for run in _LITERAL_RUN.findall(pattern)]
    longest = max(runs, key=len, default="")
    if len(longest) < TRIGRAM or any(char in longest for char in "%_"):
        return None
    from ..models import Ticket
    return Ticket.id.in_(select(SUBJECTS.c.rowid).where(SUBJECTS.c.subject.like(
        f"%{longest}%")))
