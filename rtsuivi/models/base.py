from datetime import datetime, timezone


def utcnow() -> datetime:
    """Now in UTC, naive: every date is stored in UTC and shown in the user's timezone."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


# The largest id an Integer column holds on PostgreSQL (and a sane bound on SQLite): a
# bigger number in a URL or a form is not an id of ours (404/400, never a database error).
MAX_ID = 2**31 - 1


def fits_id(number: int) -> bool:
    """Whether the number can be an id at all (asking the database past it is an error)."""
    return 0 < number <= MAX_ID


def db_id(value) -> int:
    """Read an id; ValueError unless 1 <= id <= MAX_ID (usable as request.args type=)."""
    number = int(value)
    if not fits_id(number):
        raise ValueError(f"not an id: {value!r}")
    return number


def stored_id(value: str | None) -> int | None:
    """The id a stored text value holds (a history entry's old or new value), or None when
    it holds none: an imported value may be any text, or a number too big to be an id."""
    return int(value) if value and value.isdigit() and fits_id(int(value)) else None


def _sqlite_ilike_as_like() -> None:
    """On SQLite, ILIKE is written `x LIKE y`, not `lower(x) LIKE lower(y)`.

    SQLite's LIKE already ignores case for ASCII letters, and its lower() folds ASCII letters
    only: both forms select the same rows, but lower() on every row doubled the cost of a
    `Subject LIKE` search over 100,000 tickets (29.5 -> 15.9 ms).
    """
    from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
    SQLiteCompiler.visit_ilike_op_binary = SQLiteCompiler.visit_like_op_binary
    SQLiteCompiler.visit_not_ilike_op_binary = SQLiteCompiler.visit_not_like_op_binary


_sqlite_ilike_as_like()


def described_by_models(name, type_, parent_names) -> bool:
    """Whether the models describe this table or index (alembic's include_name): not the
    trigram indexes of subjects, SQLite's FTS5 table with its shadow tables (migration
    0021) and PostgreSQL's pg_trgm index (0022)."""
    if type_ == "index":
        return name != "ix_tickets_subject_trgm"
    return not (type_ == "table" and name and name.startswith("ticket_subjects"))
