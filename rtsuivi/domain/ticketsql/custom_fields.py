"""TicketSQL on custom fields: `CF.{Name}`, `CF.Name`, `'CF.{Name}'` and `CF.{id}`.

As in RT, a negative operator (`!=`, `NOT LIKE`…) matches the tickets that have no such
value, those without any value included: `CF.{Catégorie} != 'Réseau'` is "not Réseau",
an empty field too. `IS NULL` is "no value". Comparisons ignore case, like RT's. Dates
(`<`, `>`, `<=`, `>=`, `=` on a whole day) compare the stored ISO text, which orders like
the dates: "YYYY-MM-DD" for a date, "YYYY-MM-DD HH:MM:SS" in UTC for a datetime.

Rights: a field counts only on tickets of queues where the user holds SeeCustomField
(elsewhere it behaves as empty), so a search never reveals a value the user may not see.
"""
from datetime import timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, not_, or_, select, true
from sqlalchemy.orm import aliased

from ...models import CustomFieldValue, Ticket, TicketCustomFieldValue
from ...models.custom_fields import DATE_TYPES
from ..custom_fields import find_by_reference
from ..custom_fields.values import STORED_DATETIME
from ..relative_dates import BadDate, parse_date
from ..rights import rights_of
from .parser import COMPARISONS, NEGATIVE, STRING_OPS, Clause, TicketSQLError

ORDERED = {"<", ">", "<=", ">="}


def custom_field_clause(compiler, c: Clause):
    """The condition on Ticket for one clause naming a custom field."""
    field = find_by_reference(c.sub or "")
    if field is None or field.disabled:
        raise TicketSQLError(_l("Champ personnalisé inconnu : %(name)s", name=c.sub or ""),
                             c.pos)
    if c.op not in COMPARISONS | STRING_OPS | {"IS NULL", "IS NOT NULL"}:
        compiler.refuse(c)
    row = aliased(TicketCustomFieldValue)
    query = select(row.id).where(row.ticket_id == Ticket.id, row.field_id == field.id)
    if c.op not in ("IS NULL", "IS NOT NULL"):
        text = row.content
        if field.is_select:
            value = aliased(CustomFieldValue)
            query, text = query.join(value, value.id == row.value_id), value.name
        positive = Clause(c.field, c.sub, _positive(c.op), c.value, False, c.pos, c.op_pos,
                          c.value_pos, c.text)
        query = query.where(_match(compiler, field, text, positive))
    found = and_(_visible(compiler.user), exists(query))
    negative = c.op == "IS NULL" or (c.op in NEGATIVE and c.op != "IS NOT NULL")
    return not_(found) if negative else found


def _match(compiler, field, text, c: Clause):
    if field.type in DATE_TYPES and c.op in COMPARISONS:
        return _date_match(compiler, field, text, c)
    if c.op == "=":
        # Exact text, or the same in another case (SQLite's lower() folds ASCII only: the
        # exact comparison keeps « Écran » = « Écran » true there).
        value = c.value or ""
        return or_(text == value, func.lower(text) == value.lower())
    if c.op in ORDERED:
        return compiler.compare(func.lower(text), c.op, (c.value or "").lower())
    return compiler.text_match(text, c)


def _date_match(compiler, field, column, c: Clause):
    try:
        when = parse_date(c.value or "", compiler.now, compiler.zone)
    except BadDate:
        raise TicketSQLError(_l("Date non comprise : %(value)s", value=c.value),
                             c.value_pos) from None
    if field.type == "date":
        day = when.at.replace(tzinfo=timezone.utc).astimezone(compiler.zone).date().isoformat()
        return compiler.compare(column, c.op, day)
    if not when.day:
        return compiler.compare(column, c.op, when.at.strftime(STORED_DATETIME))
    start, end = (moment.strftime(STORED_DATETIME) for moment in when.day_bounds(compiler.zone))
    return {"=": and_(column >= start, column < end), "<": column < start,
            "<=": column < end, ">": column >= end, ">=": column >= start}[c.op]


def _visible(user):
    """Tickets of the queues where the user may see custom field values."""
    queues = rights_of(user).queues_with("SeeCustomField")
    if queues is None:
        return true()
    return Ticket.queue_id.in_(sorted(queues))


def _positive(op: str) -> str:
    return {"!=": "="}.get(op, op.removeprefix("NOT "))

