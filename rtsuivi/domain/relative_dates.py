"""Dates typed in searches: absolute ("2024-05-01", "01/05/2024 14:30") or relative
("today", "-7 days", "7 days ago", "last week", "now - 2 hours", "beginning of last month"),
in English as RT parses them and in French ("aujourd'hui", "il y a 7 jours")."""
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UNITS = {
    "minute": "minutes", "minutes": "minutes", "min": "minutes", "mins": "minutes",
    "hour": "hours", "hours": "hours", "heure": "hours", "heures": "hours",
    "day": "days", "days": "days", "jour": "days", "jours": "days",
    "week": "weeks", "weeks": "weeks", "semaine": "weeks", "semaines": "weeks",
    "month": "months", "months": "months", "mois": "months",
    "year": "years", "years": "years", "an": "years", "ans": "years", "année": "years",
    "années": "years",
}
_UNIT = "(" + "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True)) + ")"
_OFFSET = re.compile(r"^(?:now|maintenant)?\s*([+-])\s*(\d{1,6})\s*" + _UNIT + r"$")
_AGO = re.compile(r"^(\d{1,6})\s*" + _UNIT + r"\s+ago$|^il y a\s+(\d{1,6})\s*" + _UNIT + "$")
_IN = re.compile(r"^(?:in|dans)\s+(\d{1,6})\s*" + _UNIT + "$")
_LAST = re.compile(r"^(?:last|dernier|dernière)\s+" + _UNIT + "$")
_BEGINNING = re.compile(r"^(?:beginning of|début du|début de)\s+(this|last|next|ce|cette|"
                        r"le dernier|la dernière)?\s*(week|month|year|semaine|mois|année)$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_FRENCH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


class BadDate(ValueError):
    pass


@dataclass(frozen=True)
class When:
    """A point in time (naive UTC); `day` when the value names a whole day."""
    at: datetime
    day: bool

    def day_bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The start and end (naive UTC) of the local day containing this point."""
        local = self.at.replace(tzinfo=timezone.utc).astimezone(zone)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return _utc(start.replace(tzinfo=None), zone), _utc(
            (start + timedelta(days=1)).replace(tzinfo=None), zone)


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "Europe/Paris")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Paris")


def _utc(local_naive: datetime, zone: ZoneInfo) -> datetime:
    return local_naive.replace(tzinfo=zone).astimezone(timezone.utc).replace(tzinfo=None)


def _shift(moment: datetime, sign: int, amount: int, unit: str) -> datetime:
    if unit in ("months", "years"):
        months = amount * (12 if unit == "years" else 1) * sign
        index = moment.year * 12 + moment.month - 1 + months
        year, month = divmod(index, 12)
        if not 1 <= year <= 9999:
            raise BadDate(moment)
        day = min(moment.day, [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0)
                               else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month])
        return moment.replace(year=year, month=month + 1, day=day)
    return moment + sign * timedelta(**{unit: amount})


def parse_date(text: str, now: datetime, zone: ZoneInfo) -> When:
    """Read a date typed in the user's timezone; `now` is naive UTC. Raises BadDate."""
    value = " ".join(text.strip().lower().split())
    local_now = now.replace(tzinfo=timezone.utc).astimezone(zone).replace(tzinfo=None)
    midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        return _parse(value, local_now, midnight, zone)
    except (OverflowError, ValueError) as error:
        raise BadDate(text) from error


def _parse(value, local_now, midnight, zone) -> When:
    def point(local):
        return When(_utc(local, zone), False)

    def day(local):
        return When(_utc(local, zone), True)

    fixed = {"now": point(local_now), "maintenant": point(local_now),
             "today": day(midnight), "aujourd'hui": day(midnight),
             "yesterday": point(local_now - timedelta(days=1)),
             "hier": point(local_now - timedelta(days=1)),
             "tomorrow": point(local_now + timedelta(days=1)),
             "demain": point(local_now + timedelta(days=1))}
    if value in fixed:
        return fixed[value]
    if match := _OFFSET.match(value):
        sign = 1 if match.group(1) == "+" else -1
        return point(_shift(local_now, sign, int(match.group(2)), UNITS[match.group(3)]))
    if match := _AGO.match(value):
        amount, unit = (match.group(1), match.group(2)) if match.group(1) else \
            (match.group(3), match.group(4))
        return point(_shift(local_now, -1, int(amount), UNITS[unit]))
    if match := _IN.match(value):
        return point(_shift(local_now, 1, int(match.group(1)), UNITS[match.group(2)]))
    if match := _LAST.match(value):
        return point(_shift(local_now, -1, 1, UNITS[match.group(1)]))
    if match := _BEGINNING.match(value):
        return day(_beginning(midnight, match.group(1) or "this", match.group(2)))
    if match := _ISO.match(value):
        y, m, d, hh, mm, ss = match.groups()
        moment = datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
        return point(moment) if hh else day(moment)
    if match := _FRENCH.match(value):
        d, m, y, hh, mm, ss = match.groups()
        moment = datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
        return point(moment) if hh else day(moment)
    raise BadDate(value)


def _beginning(midnight: datetime, which: str, period: str) -> datetime:
    step = {"last": -1, "le dernier": -1, "la dernière": -1, "next": 1}.get(which, 0)
    if period in ("week", "semaine"):
        return midnight - timedelta(days=midnight.weekday()) + timedelta(weeks=step)
    if period in ("month", "mois"):
        return _shift(midnight.replace(day=1), 1 if step >= 0 else -1, abs(step), "months")
    return midnight.replace(month=1, day=1, year=midnight.year + step)
