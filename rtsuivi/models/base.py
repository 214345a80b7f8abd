from datetime import datetime, timezone


def utcnow() -> datetime:
    """Now in UTC, naive: every date is stored in UTC and shown in the user's timezone."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
