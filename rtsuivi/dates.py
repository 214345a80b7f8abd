"""Dates are stored in UTC (naive) and typed and shown in the user's timezone."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask_babel import get_timezone


def local_to_utc(value: datetime | None) -> datetime | None:
    """Read a naive date typed by the user in their timezone; return naive UTC."""
    if value is None:
        return None
    zone = ZoneInfo(str(get_timezone()))
    return value.replace(tzinfo=zone).astimezone(timezone.utc).replace(tzinfo=None)


def utc_to_local(value: datetime | None) -> datetime | None:
    """Show a naive UTC date as a naive date in the user's timezone (for form fields)."""
    if value is None:
        return None
    zone = ZoneInfo(str(get_timezone()))
    return value.replace(tzinfo=timezone.utc).astimezone(zone).replace(tzinfo=None)
