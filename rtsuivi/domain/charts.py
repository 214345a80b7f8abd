"""Charts of a search: tickets counted (or their time worked summed) by status, queue, owner
or a custom field; created versus resolved per day, week or month; time entered by each
agent over a period.

Every number comes from one GROUP BY statement over the search's compiled TicketSQL, which
already carries the rights filter (ticketsql.compile_query): a chart never counts a ticket
its viewer could not find by the same search. Drawing is `chart_svg.render_svg`.
"""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, cast, func, literal, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import CustomFieldValue, Queue, Ticket, TicketCustomFieldValue, Transaction, User
from . import DomainError, lifecycle
from .chart_period import Period, local_day
from .chart_svg import render_svg
from .custom_fields import find_by_reference
from .rights import rights_of

__all__ = ["GROUPINGS", "ChartData", "ChartSpec", "Period", "chart_data", "render_svg"]

GROUPINGS = {
    "status": _l("par statut"), "queue": _l("par file"), "owner": _l("par intervenant"),
    "period": _l("créés et résolus sur la période"),
    "agent": _l("temps saisi par agent sur la période"),
}
STYLES = {"bar": _l("Barres"), "pie": _l("Secteurs"), "table": _l("Tableau seul")}
MEASURES = {"count": _l("Nombre de tickets"), "time_worked": _l("Temps passé")}
TIME_GROUPINGS = ("period", "agent")  # these need a period
MAX_GROUPS = 25  # beyond, the smallest groups are summed as « Autres »


@dataclass
class ChartSpec:
    """What to chart: the tickets of a TicketSQL query, grouped, drawn in a style."""
    query: str = ""
    group_by: str = "status"
    style: str = "bar"
    measure: str = "count"
    period: Period | None = None

    def check(self) -> None:
        """Refuse an unknown grouping, style or measure, or a time chart without a period."""
        if self.group_by not in GROUPINGS and custom_field_of(self.group_by) is None:
            raise DomainError(_("Regroupement inconnu : %(name)s", name=self.group_by))
        if self.style not in STYLES:
            raise DomainError(_("Style de graphique inconnu : %(name)s", name=self.style))
        if self.measure not in MEASURES:
            raise DomainError(_("Mesure inconnue : %(name)s", name=self.measure))
        if self.group_by in TIME_GROUPINGS and self.period is None:
            raise DomainError(_("Ce graphique demande une période (du … au …)."))
        if self.group_by == "period" and self.style == "pie":
            raise DomainError(_("Une évolution dans le temps ne se dessine pas en secteurs : "
                                "choisissez les barres ou le tableau."))

    def to_args(self) -> dict:
        args = {"query": self.query, "group_by": self.group_by, "style": self.style,
                "measure": self.measure}
        if self.period is not None:
            args.update(self.period.to_args())
        return args


@dataclass
class ChartData:
    """Numbers ready to draw: one label per group, one value per label for each series
    (`values` is the first series); minutes when `unit` is "minutes"."""
    title: str
    labels: list[str]
    values: list[int]
    total: int
    unit: str = "tickets"
    series: list[tuple[str, list[int]]] = field(default_factory=list)
    notices: list = field(default_factory=list)

    def __post_init__(self):
        if not self.series:
            self.series = [(str(MEASURES["time_worked" if self.unit == "minutes"
                                         else "count"]), self.values)]

    @property
    def rows(self) -> list[tuple[str, list[int]]]:
        """The table's rows: each label with its value in every series."""
        return [(label, [values[i] for _name, values in self.series])
                for i, label in enumerate(self.labels)]

    @property
    def totals(self) -> list[int]:
        """Each series' total (a ticket with several values of a field counts once)."""
        if len(self.series) == 1:
            return [self.total]
        return [sum(values) for _name, values in self.series]


def custom_field_of(group_by: str):
    """The enabled custom field a `CF.{Name}` grouping names, else None."""
    if not (group_by.startswith("CF.{") and group_by.endswith("}")):
        return None
    found = find_by_reference(group_by[4:-1])
    return None if found is None or found.disabled else found


def chart_data(spec: ChartSpec, user: User, zone: str | None = None) -> ChartData:
    """Count the tickets of the spec's search that the user may see, grouped as asked.

    Raises DomainError for a bad spec and TicketSQLError for a bad query, before anything
    runs; the query is compiled as `user` (rights filter and full-text index included).
    """
    spec.check()
    compiled = _compile(spec.query, user, zone)
    if spec.group_by == "period":
        data = _created_resolved(compiled.condition, spec.period)
    elif spec.group_by == "agent":
        data = _time_by_agent(compiled.condition, spec.period)
    else:
        data = _grouped(compiled.condition, spec, user)
    data.notices = list(compiled.notices)
    return data


def _compile(query: str, user: User, zone: str | None):
    """The search's condition as `user`, Content clauses answered by the index."""
    # Imported late: the search package sits on top of the domain's TicketSQL compiler.
    from ..search import compile_for
    return compile_for(query, user, zone=zone)


def _measure(spec: ChartSpec):
    return func.count(Ticket.id.distinct()) if spec.measure == "count" \
        else func.coalesce(func.sum(Ticket.time_worked), 0)


def _grouped(condition, spec: ChartSpec, user: User) -> ChartData:
    """One GROUP BY over the matching tickets: status, queue, owner or a custom field."""
    key, query = _grouping(spec, user)
    rows = db.session.execute(query.add_columns(_measure(spec)).where(condition)
                              .group_by(*key)).all()
    pairs = [(row[0], row[-1] or 0) for row in rows]
    if spec.group_by == "status":
        order = list(lifecycle.STATUSES)
        pairs.sort(key=lambda p: order.index(p[0]) if p[0] in order else len(order))
        pairs = [(lifecycle.label(status), value) for status, value in pairs]
    else:
        pairs.sort(key=lambda p: (-p[1], str(p[0] or "")))
        pairs = [(name if name else _("(aucune valeur)"), value) for name, value in pairs]
    pairs = _fold(pairs)
    unit = "minutes" if spec.measure == "time_worked" else "tickets"
    total = sum(v for _n, v in pairs)
    if spec.measure == "count" and custom_field_of(spec.group_by) is not None:
        # A ticket with several values counts once in each: the total is the tickets'.
        total = db.session.scalar(select(func.count(Ticket.id)).where(condition))
    return ChartData(str(_title(spec)), [str(n) for n, _v in pairs],
                     [int(v) for _n, v in pairs], int(total), unit)


def _grouping(spec: ChartSpec, user: User):
    """The GROUP BY key and the select naming each group (aliases: the search's own
    subqueries on users and queues stay correlated to themselves)."""
    if spec.group_by == "status":
        return [Ticket.status], select(Ticket.status)
    if spec.group_by == "queue":
        queue = aliased(Queue)
        return [queue.id, queue.name], select(queue.name, queue.id).select_from(Ticket).join(
            queue, queue.id == Ticket.queue_id)
    if spec.group_by == "owner":
        owner = aliased(User)
        return [owner.id, owner.name], select(owner.name, owner.id).select_from(Ticket).join(
            owner, owner.id == Ticket.owner_id)
    return _custom_field_grouping(custom_field_of(spec.group_by), user)


def _custom_field_grouping(cf, user: User):
    """Group by a custom field's value; as in TicketSQL, a value counts only in queues where
    the user holds SeeCustomField (elsewhere the ticket has « (aucune valeur) »)."""
    row, value = aliased(TicketCustomFieldValue), aliased(CustomFieldValue)
    queues = rights_of(user).queues_with("SeeCustomField")
    seen = [Ticket.queue_id.in_(sorted(queues))] if queues is not None else []
    text = func.coalesce(value.name, cast(row.content, String))
    query = (select(text).select_from(Ticket)
             .outerjoin(row, and_(row.ticket_id == Ticket.id, row.field_id == cf.id, *seen))
             .outerjoin(value, value.id == row.value_id))
    return [text], query


def _fold(pairs: list) -> list:
    """Keep the MAX_GROUPS - 1 largest groups and sum the others as « Autres »."""
    if len(pairs) <= MAX_GROUPS:
        return pairs
    kept = pairs[:MAX_GROUPS - 1]
    return kept + [(_("Autres"), sum(v for _n, v in pairs[MAX_GROUPS - 1:]))]


def _title(spec: ChartSpec) -> str:
    if spec.group_by in GROUPINGS:
        grouping = GROUPINGS[spec.group_by]
    else:
        grouping = _("par %(field)s", field=custom_field_of(spec.group_by).name)
    return f"{MEASURES[spec.measure]} {grouping}"


def _created_resolved(condition, period: Period) -> ChartData:
    """Tickets created and tickets resolved in each step of the period (two GROUP BYs)."""
    start, end = period.utc_bounds()
    created = _per_day(Ticket.created, condition, period, start, end)
    resolved = _per_day(Ticket.resolved, and_(condition, Ticket.status == lifecycle.ON_MERGE),
                        period, start, end)
    labels, created_values = period.buckets(created)
    _labels, resolved_values = period.buckets(resolved)
    return ChartData(_("Tickets créés et résolus, %(period)s", period=period.describe()),
                     labels, created_values, sum(created_values),
                     series=[(_("Créés"), created_values), (_("Résolus"), resolved_values)])


def _per_day(column, condition, period: Period, start, end) -> dict[int, int]:
    """Count per local day number of `column` within [start, end)."""
    day = local_day(column, period)
    rows = db.session.execute(select(day, func.count(Ticket.id)).where(
        condition, column >= start, column < end).group_by(day)).all()
    return {int(d): n for d, n in rows}


def _time_by_agent(condition, period: Period) -> ChartData:
    """Minutes entered by each agent (transactions' time taken) on the matching tickets."""
    start, end = period.utc_bounds()
    agent = aliased(User)
    rows = db.session.execute(
        select(agent.name, func.sum(Transaction.time_taken))
        .join(Ticket, Ticket.id == Transaction.ticket_id)
        .join(agent, agent.id == Transaction.creator_id)
        .where(condition, Transaction.created >= start, Transaction.created < end,
               Transaction.time_taken != literal(0))
        .group_by(agent.id, agent.name)).all()
    pairs = _fold(sorted(((n, int(m or 0)) for n, m in rows), key=lambda p: (-p[1], p[0])))
    return ChartData(_("Temps passé par agent, %(period)s", period=period.describe()),
                     [n for n, _m in pairs], [m for _n, m in pairs],
                     sum(m for _n, m in pairs), "minutes")
