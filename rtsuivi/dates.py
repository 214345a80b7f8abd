"""Dates are stored in UTC (naive) and typed and shown in the user's timezone."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

# Dates a person may type: far enough from year 1 and 9999 that moving them to or from
# any timezone stays a date (past 9999 Python and SQLite have none).
MIN_YEAR, MAX_YEAR = 1900, 9998


def plausible_date(form, field) -> None:
    """Form validator: refuse a date outside MIN_YEAR..MAX_YEAR."""
    if field.data is not None and not MIN_YEAR <= field.data.year <= MAX_YEAR:
        raise ValidationError(_l("Choisissez une date entre %(min)d et %(max)d.",
                                 min=MIN_YEAR, max=MAX_YEAR))


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
