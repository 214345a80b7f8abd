"""Dates as a user reads them: babel's format_datetime, with what it looks up for every date
looked up once (issue 16: a list of 50 tickets shows 50 to 100 dates)."""
import re
from datetime import datetime, timezone

from babel.dates import (
    format_datetime,
    get_date_format,
    get_datetime_format,
    get_time_format,
    parse_pattern,
)

NAMED = ("full", "long", "medium", "short")
# Time fields that depend on the hour, minute and second only (no zone, no fraction).
_CLOCK_FIELDS = set("HhKkmsa")
_FIELD = re.compile(r"%\((\w+)\)")


# Texts kept per formatter (days, times of day), then forgotten all at once; formatters kept.
MAX_KEPT = 4096


def formatter_for(zone, locale) -> "DateFormatter":
    """The process's formatter for a time zone and a language: the day and time texts it
    keeps serve every request (a help desk shows the same days all day long; made per
    request, a history of 20 entries formatted its 20 dates from the patterns, 12 µs each)."""
    key = (str(zone), str(locale))
    found = _FORMATTERS.get(key)
    if found is None:
        if len(_FORMATTERS) >= MAX_KEPT:
            _FORMATTERS.clear()
        found = _FORMATTERS[key] = DateFormatter(zone, locale)
    return found


_FORMATTERS: dict[tuple[str, str], "DateFormatter"] = {}


class DateFormatter:
    """format(value, fmt) gives exactly format_datetime(value in zone, fmt, locale).

    For a named format its three patterns are parsed once; a day's text is kept (a list
    shows the same days), and so is a time of day's when the time pattern reads only the
    clock (hour, minute, second, AM/PM), and each date's whole text (a ticket viewed again
    shows the same dates). At most MAX_KEPT of each."""

    def __init__(self, zone, locale):
        self.zone, self.locale = zone, locale
        self._patterns: dict[str, tuple] = {}
        self._days: dict[tuple, str] = {}
        self._times: dict[tuple, str] = {}
        self._texts: dict[tuple, str] = {}  # whole dates: a page shows the same ones each view

    def format(self, value: datetime, fmt: str = "short") -> str:
        text = self._texts.get((fmt, value))
        if text is None:
            if len(self._texts) >= MAX_KEPT:
                self._texts.clear()
            text = self._texts[fmt, value] = self._format(value, fmt)
        return text

    def _format(self, value: datetime, fmt: str) -> str:
        try:
            shown = value.replace(tzinfo=timezone.utc).astimezone(self.zone)
        except OverflowError:  # a date at the end of the calendar: show it in UTC
            shown = value.replace(tzinfo=timezone.utc)
        if fmt not in NAMED:
            return format_datetime(shown, fmt, locale=self.locale)
        whole, day_pattern, time_pattern, clock = self._named(fmt)
        day = shown.date()
        day_text = self._days.get((fmt, day))
        if day_text is None:
            if len(self._days) >= MAX_KEPT:
                self._days.clear()
            day_text = self._days[fmt, day] = day_pattern.apply(day, self.locale)
        time_key = (fmt, shown.hour, shown.minute, shown.second if clock == "s" else 0) \
            if clock else None
        time_text = self._times.get(time_key) if clock else None
        if time_text is None:
            time_text = time_pattern.apply(shown.timetz(), self.locale, reference_date=day)
            if clock:
                if len(self._times) >= MAX_KEPT:
                    self._times.clear()
                self._times[time_key] = time_text
        # The same replacements, in the same order, as babel's format_datetime.
        return whole.replace("{0}", time_text).replace("{1}", day_text)

    def _named(self, fmt: str) -> tuple:
        found = self._patterns.get(fmt)
        if found is None:
            time_pattern = parse_pattern(get_time_format(fmt, locale=self.locale))
            fields = {name[0] for name in _FIELD.findall(time_pattern.format)}
            # "s": the text depends on the second too; "m": on the hour and minute only.
            clock = ("s" if "s" in fields else "m") if fields <= _CLOCK_FIELDS else ""
            found = self._patterns[fmt] = (
                get_datetime_format(fmt, locale=self.locale).replace("'", ""),
                parse_pattern(get_date_format(fmt, locale=self.locale)), time_pattern, clock)
        return found
