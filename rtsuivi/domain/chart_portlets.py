"""Charts as portlets of the home page and dashboards (issue 15): a saved search's tickets
grouped by status, queue or owner, counted as the viewer (never more than they may see)."""
from flask_babel import lazy_gettext as _l

from . import DomainError, NotFound, saved_searches
from .charts import GROUPINGS, ChartSpec, chart_data
from .portlets import register_portlet
from .rights import can
from .ticketsql import TicketSQLError

CHART_GROUPS = ("status", "queue", "owner")


def _parts(raw: str) -> tuple[int, str]:
    search_id, _sep, group = (raw or "").partition(":")
    if group not in CHART_GROUPS:
        raise ValueError(raw)
    return int(search_id), group


def _argument(user, raw: str) -> str:
    try:
        search_id, group = _parts(raw)
        return f"{saved_searches.load(user, search_id).id}:{group}"
    except (ValueError, NotFound):
        raise DomainError(_l("Recherche enregistrée introuvable.")) from None


def _choices(user) -> list[tuple[str, str]]:
    return [(f"{s.id}:{group}", f"{s.name} {GROUPINGS[group]}")
            for s in saved_searches.visible(user) for group in CHART_GROUPS]


def _data(viewer, portlet, compile) -> dict:
    """Run the saved search as the viewer and count its tickets by the chosen grouping; a
    search they may no longer load leaves a short note."""
    try:
        search_id, group = _parts(portlet.argument)
        saved = saved_searches.load(viewer, search_id)
        query = saved_searches.SearchSpec.of(saved).query
        data = chart_data(ChartSpec(query, group, "bar"), viewer)
    except (ValueError, NotFound, DomainError, TicketSQLError):
        return {"title": _l("Graphique"), "data": None, "style": "bar",
                "error": _l("Ce graphique n'est plus disponible.")}
    return {"title": f"{saved.name} {GROUPINGS[group]}", "data": data, "style": "bar",
            "error": None}


def register() -> None:
    """Offer « Graphique » (one per saved search and grouping) to the portlet editor."""
    register_portlet("chart", _l("Graphique"), _data, "portlets/chart.html",
                     allowed=lambda u: can(u, "LoadSavedSearch") and can(u, "ShowSearchAdvanced"),
                     argument=_argument, choices=_choices)
