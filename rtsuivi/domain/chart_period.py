"""The period of a time chart: local dates from and to (inclusive), a step (day, week,
month), the viewer's timezone; and the SQL that puts a moment on its local day."""
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from flask_babel import gettext as _
from sqlalchemy import BigInteger, Integer, case, cast, extract, func, literal

from ..extensions import db
from . import DomainError
from .relative_dates import zone_of

STEPS = ("day", "week", "month")
MAX_DAYS = 731      # two years at most
MAX_BUCKETS = 100   # bars a chart can still show
EPOCH = date(1970, 1, 1)
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_FRENCH = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _parse_day(text: str, first: bool) -> date:
    """A date typed as AAAA-MM-JJ (the date input's) or JJ/MM/AAAA."""
    text = (text or "").strip()
    iso, french = _ISO.fullmatch(text), _FRENCH.fullmatch(text)
    try:
        if iso:
            return date(*map(int, iso.groups()))
        if french:
            day, month, year = map(int, french.groups())
            return date(year, month, day)
    except ValueError:
        pass
    if first:
        raise DomainError(_("Date de début non comprise : « %(value)s » (attendu AAAA-MM-JJ "
                            "ou JJ/MM/AAAA).", value=text[:40]))
    raise DomainError(_("Date de fin non comprise : « %(value)s » (attendu AAAA-MM-JJ ou "
                        "JJ/MM/AAAA).", value=text[:40]))


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    step: str = "day"
    zone: str = "Europe/Paris"

    @classmethod
    def parse(cls, start: str, end: str, step: str = "day", zone: str | None = None):
        """A period from typed dates; DomainError (French) when a date is not understood,
        the end precedes the start, the period is longer than MAX_DAYS or has more than
        MAX_BUCKETS steps."""
        if step not in STEPS:
            raise DomainError(_("Pas inconnu : %(step)s (jour, semaine ou mois).",
                                step=str(step)[:20]))
        first, last = _parse_day(start, True), _parse_day(end, False)
        if last < first:
            raise DomainError(_("La date de fin précède la date de début."))
        if (last - first).days + 1 > MAX_DAYS:
            raise DomainError(_("La période ne peut pas dépasser %(days)d jours.",
                                days=MAX_DAYS))
        period = cls(first, last, step, str(zone_of(zone)))
        if len(period.bucket_starts()) > MAX_BUCKETS:
            raise DomainError(_("Trop de points (%(max)d au plus) : choisissez une période "
                                "plus courte ou un pas plus long.", max=MAX_BUCKETS))
        return period

    def to_args(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(),
                "step": self.step}

    def describe(self) -> str:
        return _("du %(start)s au %(end)s", start=self.start.strftime("%d/%m/%Y"),
                 end=self.end.strftime("%d/%m/%Y"))

    def _utc(self, day: date) -> datetime:
        local = datetime(day.year, day.month, day.day, tzinfo=zone_of(self.zone))
        return local.astimezone(timezone.utc).replace(tzinfo=None)

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """The first and the after-last moment of the period, naive UTC."""
        return self._utc(self.start), self._utc(self.end + timedelta(days=1))

    def offsets(self) -> list[tuple[datetime, int]]:
        """The zone's UTC offset (seconds) over the period: (from this UTC moment, offset),
        read hour by hour (a change of summer time starts a new piece)."""
        start, end = self.utc_bounds()
        zone, pieces, moment = zone_of(self.zone), [], start
        while moment < end:
            offset = int(moment.replace(tzinfo=timezone.utc).astimezone(zone)
                         .utcoffset().total_seconds())
            if not pieces or pieces[-1][1] != offset:
                pieces.append((moment, offset))
            moment += timedelta(hours=1)
        return pieces

    def bucket_starts(self) -> list[date]:
        """The first day of each step of the period."""
        starts, day = [], self.start
        if self.step == "week":
            day = day - timedelta(days=day.weekday())
        elif self.step == "month":
            day = day.replace(day=1)
        while day <= self.end:
            starts.append(day)
            if self.step == "day":
                day += timedelta(days=1)
            elif self.step == "week":
                day += timedelta(days=7)
            else:
                day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        return starts

    def label(self, day: date) -> str:
        if self.step == "day":
            return day.strftime("%d/%m/%Y")
        if self.step == "week":
            return _("sem. du %(day)s", day=day.strftime("%d/%m/%Y"))
        return day.strftime("%m/%Y")

    def buckets(self, per_day: dict[int, int]) -> tuple[list[str], list[int]]:
        """Sum counts per local day number into the period's steps: labels and values."""
        starts = self.bucket_starts()
        values = [0] * len(starts)
        numbers = [(s - EPOCH).days for s in starts]
        for day_number, count in per_day.items():
            index = max(i for i, n in enumerate(numbers) if n <= day_number) \
                if day_number >= numbers[0] else 0
            values[index] += count
        return [self.label(s) for s in starts], values


def local_day(column, period: Period):
    """SQL: the local day of a naive UTC moment, as days since 1970-01-01 in the period's
    zone (its offset over the period as a CASE: summer time included)."""
    pieces = period.offsets() or [(None, 0)]
    shift = literal(pieces[0][1]) if len(pieces) == 1 else case(
        *[(column < moment, offset) for (moment, _o), (_m, offset)
          in zip(pieces[1:], pieces[:-1])], else_=pieces[-1][1])
    if db.engine.dialect.name == "postgresql":
        seconds = cast(func.floor(extract("epoch", column)), BigInteger)
    else:
        seconds = cast(func.strftime("%s", column), Integer)
    return (seconds + shift) // 86400
