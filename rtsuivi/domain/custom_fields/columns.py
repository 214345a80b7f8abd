"""Custom fields as columns of ticket lists and CSV exports: one column per field, keyed
`CF.{Name}` as in RT's result formats."""
from flask import g, has_app_context
from sqlalchemy import func, select

from ...models import CustomFieldValue, Ticket, TicketCustomFieldValue, User
from ..rights import can
from .admin import list_fields
from .values import shown, values_of


def column_key(name: str) -> str:
    return "CF.{" + name + "}"


def field_of_column(key: str) -> str | None:
    """The field name a `CF.{Name}` column names, else None."""
    return key[4:-1] if key.startswith("CF.{") and key.endswith("}") else None


def column_keys() -> tuple[str, ...]:
    """The columns of the enabled fields, in their order."""
    return tuple(column_key(f.name) for f in list_fields(include_disabled=False))


def _fields() -> list:
    if not has_app_context():
        return list_fields(include_disabled=False)
    if "rtsuivi_cf_fields" not in g:
        g.rtsuivi_cf_fields = list_fields(include_disabled=False)
    return g.rtsuivi_cf_fields


def cell_text(ticket: Ticket, key: str, user: User) -> str:
    """The text of one custom field cell: empty where the user may not see the values
    (SeeCustomField). A ticket's values are read once per request."""
    name = field_of_column(key)
    field = next((f for f in _fields() if f.name == name), None)
    if field is None or not can(user, "SeeCustomField", ticket):
        return ""
    cache = g.setdefault("rtsuivi_cf_cells", {}) if has_app_context() else {}
    if ticket.id not in cache:
        cache[ticket.id] = values_of(ticket)
    return shown(field, cache[ticket.id].get(field.id, ()), user.timezone)


def custom_field_texts(session, ticket_ids) -> list[tuple[int, str]]:
    """Every custom field value of these tickets as (ticket id, text): words of the search
    index, so that quick search finds a ticket by a value (search/index.py; the PostgreSQL
    backend writes the same words in SQL, search/postgresql.py)."""
    row = TicketCustomFieldValue
    return list(session.execute(
        select(row.ticket_id, func.coalesce(CustomFieldValue.name, row.content))
        .outerjoin(CustomFieldValue, CustomFieldValue.id == row.value_id)
        .where(row.ticket_id.in_(ticket_ids)).order_by(row.id)).all())
