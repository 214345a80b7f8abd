"""« Graphique » of a search's results and the « Rapports » page: thin views over
domain/charts.py (the numbers) and domain/reports.py (the built-in reports)."""
from datetime import timedelta

from flask import Blueprint, render_template, request
from flask_babel import get_timezone
from flask_login import current_user

from ..dates import utc_to_local
from ..domain import DomainError, reports
from ..domain import custom_fields as cf
from ..domain.chart_period import STEPS, Period
from ..domain.chart_svg import duration, render_svg
from ..domain.charts import GROUPINGS, MEASURES, STYLES, ChartSpec
from ..domain.ticketsql import TicketSQLError
from ..htmx import render_fragment, wants_fragment
from ..models import utcnow
from . import agent_required

bp = Blueprint("charts", __name__)
DEFAULT_DAYS = 30


@bp.app_template_global("chart_svg")
def chart_svg(data, style="bar"):
    return render_svg(data, style)


@bp.app_template_global("chart_value")
def chart_value(value, unit="tickets"):
    return duration(value) if unit == "minutes" else value


def _zone() -> str:
    return str(get_timezone())


def _default_dates() -> tuple[str, str]:
    today = utc_to_local(utcnow()).date()
    return (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(), today.isoformat()


def _period(args) -> Period:
    """The period of the request (the last DEFAULT_DAYS days when none is given)."""
    start, end = _default_dates()
    return Period.parse(args.get("start", start), args.get("end", end),
                        args.get("step", "day"), _zone())


def _chart_spec(args) -> ChartSpec:
    """The chart asked for; the period is read only for the charts that need one."""
    spec = ChartSpec(args.get("query", ""), args.get("group_by", "status"),
                     args.get("style", "bar"), args.get("measure", "count"))
    if spec.group_by in ("period", "agent"):
        spec.period = _period(args)
    return spec


def _answer(template: str, block: str, context: dict):
    if wants_fragment():
        return render_fragment(template, block, **context)
    return render_template(template, **context)


@bp.route("/recherche/graphique")
@agent_required
def search_chart():
    start, end = _default_dates()
    context = {"args": {"start": start, "end": end, "step": "day", **request.args.to_dict()},
               "data": None, "error": None, "groupings": _groupings(), "styles": STYLES,
               "measures": MEASURES, "steps": STEPS}
    try:
        spec = _chart_spec(request.args)
        context["data"] = reports.search_chart(spec, current_user, _zone())
        context["style"] = spec.style
    except (DomainError, TicketSQLError) as error:
        context["error"] = error
    return _answer("charts/search.html", "chart_box", context)


def _groupings() -> dict:
    return {**GROUPINGS, **{key: key[4:-1] for key in cf.column_keys()}}


@bp.route("/rapports")
@agent_required
def reports_page():
    start, end = _default_dates()
    context = {"args": {"start": start, "end": end, "step": "day", **request.args.to_dict()},
               "found": [], "error": None, "steps": STEPS}
    try:
        context["found"] = reports.run_reports(current_user, _period(request.args))
    except DomainError as error:
        context["error"] = error
    return _answer("charts/reports.html", "reports", context)
