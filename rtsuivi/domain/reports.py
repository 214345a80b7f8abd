"""Built-in reports as RT has them (Reports menu): « Résolus par intervenant », « Résolus /
créés sur une période », « Temps passé par agent ». Each is a chart of a search
(charts.ChartSpec) run as the viewer: only the tickets they may see count."""
from dataclasses import dataclass
from typing import Callable

from flask_babel import lazy_gettext as _l

from ..models import User
from .chart_period import Period
from .charts import ChartData, ChartSpec, chart_data
from .rights import require

CHART_RIGHT = "ShowSearchAdvanced"  # as in RT 5, charts and reports come with the search


@dataclass(frozen=True)
class Report:
    key: str
    title: str
    spec: Callable[[Period], ChartSpec]


def _resolved_in(period: Period) -> str:
    return (f"Status = 'resolved' AND Resolved >= '{period.start.isoformat()}' "
            f"AND Resolved <= '{period.end.isoformat()}'")


REPORTS = (
    Report("resolved_by_owner", _l("Résolus par intervenant"),
           lambda p: ChartSpec(_resolved_in(p), "owner", "bar")),
    Report("created_resolved", _l("Résolus / créés sur une période"),
           lambda p: ChartSpec("", "period", "bar", period=p)),
    Report("time_by_agent", _l("Temps passé par agent"),
           lambda p: ChartSpec("", "agent", "bar", period=p)),
)


def search_chart(spec: ChartSpec, user: User, zone: str | None = None) -> ChartData:
    """The chart of a search for an agent holding ShowSearchAdvanced (Forbidden otherwise)."""
    require(user, CHART_RIGHT)
    return chart_data(spec, user, zone)


def run_reports(user: User, period: Period) -> list[tuple[Report, ChartSpec, ChartData]]:
    """Every built-in report over the period, as the user (ShowSearchAdvanced needed)."""
    require(user, CHART_RIGHT)
    found = []
    for report in REPORTS:
        spec = report.spec(period)
        found.append((report, spec, chart_data(spec, user, period.zone)))
    return found
