"""Custom fields as plain data, for `rtsuivi export-config` / `import-config`.

One dict per field: name, description, type, required, pattern, pattern_message,
for_requesters, disabled, sort_order, applies_to ("*" for every queue, or a list of queue
names) and values (a select's values in order: {"name", "disabled"}).
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import Queue, User
from .. import DomainError
from .admin import (
    add_value,
    create_field,
    edit_field,
    field_named,
    list_fields,
    set_disabled,
    set_queues,
    set_value_disabled,
)

OPTIONS = ("description", "type", "required", "pattern", "pattern_message",
           "for_requesters", "sort_order")


def export_section() -> list[dict]:
    """Describe every custom field as plain data."""
    names = dict(db.session.execute(select(Queue.id, Queue.name)).all())
    return [dict(
        name=f.name, **{key: getattr(f, key) for key in OPTIONS}, disabled=f.disabled,
        applies_to="*" if f.applies_globally else sorted(names[q] for q in f.queue_ids),
        values=[{"name": v.name, "disabled": v.disabled} for v in f.values])
        for f in list_fields()]


def import_section(items: list[dict], actor: User) -> None:
    """Create or update the fields described (matched by name); nothing is deleted."""
    for item in items:
        _import_one(item, actor)
    db.session.flush()


def _import_one(item: dict, actor: User) -> None:
    name = str(item.get("name") or "").strip()
    options = {key: item[key] for key in OPTIONS if key in item}
    field = field_named(name)
    if field is None:
        field = create_field(actor, name, **options)
    else:
        edit_field(actor, field, **options)
    applies = item.get("applies_to", "*")
    set_queues(actor, field, applies == "*", [] if applies == "*" else _queues(applies))
    existing = {v.name.casefold(): v for v in field.values}
    for value in item.get("values") or []:
        value = value if isinstance(value, dict) else {"name": value}
        found = existing.get(str(value.get("name", "")).casefold()) or \
            add_value(actor, field, value.get("name", ""))
        set_value_disabled(actor, found, bool(value.get("disabled")))
    set_disabled(actor, field, bool(item.get("disabled")))


def _queues(names) -> list[Queue]:
    found = []
    for name in names:
        queue = db.session.scalar(select(Queue).where(Queue.name == name))
        if queue is None:
            raise DomainError(_l("File inconnue : %(name)s", name=name))
        found.append(queue)
    return found
