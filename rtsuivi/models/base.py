from datetime import datetime, timezone


def utcnow() -> datetime:
    """Now in UTC, naive: every date is stored in UTC and shown in the user's timezone."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


# The largest id an Integer column holds on PostgreSQL (and a sane bound on SQLite): a
# bigger number in a URL or a form is not an id of ours (404/400, never a database error).
MAX_ID = 2**31 - 1


def db_id(value) -> int:
    """Read an id; ValueError unless 1 <= id <= MAX_ID (usable as request.args type=)."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(f"not an id: {value!r}")
    return number
