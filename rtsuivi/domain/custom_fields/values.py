"""Custom field values of tickets: which fields a user sees or sets, validation, and the
changes, each recorded as a CustomField history entry (old -> new).

Rights, as in RT: SeeCustomField to see the values, ModifyCustomField to change them,
SetInitialCustomField (or ModifyCustomField) to set them when creating a ticket. The fields
marked « for requesters » are offered on the portal's creation form without any of them.
"""
import re
from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, exists, func, or_, select

from ...extensions import db
from ...models import (
    CustomField,
    CustomFieldQueue,
    CustomFieldValue,
    Queue,
    Ticket,
    TicketCustomFieldValue,
    Transaction,
    User,
)
from .. import DomainError
from ..relative_dates import zone_of
from ..rights import can, kept_while_serial, require
from ..tickets import NewTicket, create
from ..tickets.recording import record
from .admin import field_named

MAX_FREEFORM, MAX_TEXT = 500, 20000


class CustomFieldError(DomainError):
    """Values refused: `errors` maps each field id to its message, so that a form shows
    every message next to its input at once."""

    def __init__(self, errors: dict):
        super().__init__(" ".join(errors.values()))
        self.errors = errors
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
DATETIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                    "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M")
STORED_DATETIME = "%Y-%m-%d %H:%M:%S"


def fields_for(queue: Queue, user: User | None, right: str | None = "SeeCustomField",
               obj=None) -> list[CustomField]:
    """The enabled fields applying to the queue, if the user holds the right on obj (the
    queue when None); every applying field when right is None."""
    if right is not None and not can(user, right, obj if obj is not None else queue):
        return []
    # Whether any applies is kept per process while the rights serial stays the same (a
    # change to a field or to its queues bumps it): most queues have none, and the ticket
    # page asks on every view.
    if not kept_while_serial(_QUEUES_WITH_FIELDS, queue.id, lambda: db.session.scalar(
            _ANY_FOR, {"queue_id": queue.id})):
        return []
    return list(db.session.scalars(_FIELDS_FOR, {"queue_id": queue.id}))


# Built once: the ticket page asks on every view.
_APPLYING = (CustomField.disabled.is_(False),
             or_(CustomField.applies_globally.is_(True),
                 exists().where(CustomFieldQueue.field_id == CustomField.id,
                                CustomFieldQueue.queue_id == bindparam("queue_id"))))
_FIELDS_FOR = select(CustomField).where(*_APPLYING).order_by(
    CustomField.sort_order, func.lower(CustomField.name))
_ANY_FOR = select(exists().where(*_APPLYING))
_QUEUES_WITH_FIELDS: dict = {}  # queue id -> (rights serial, whether a field applies)


def find_by_reference(reference: str) -> CustomField | None:
    """The field a query names: by name (any case), else by id (`CF.{12}`)."""
    field = field_named(reference)
    if field is None and reference.strip().isdigit() and len(reference.strip()) < 10:
        field = db.session.get(CustomField, int(reference.strip()))
    return field


def _texts(raw) -> list[str]:
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else list(raw)
    return [str(item).strip() for item in items if item is not None and str(item).strip()]


def validate(field: CustomField, raw, zone: str | None = None, keep=()) -> list:
    """Check a submitted value; return what to store: CustomFieldValue rows for a select,
    else one text ([] for no value). Raise DomainError with a French message.

    `keep`: value ids the ticket already has (a disabled value stays allowed there)."""
    texts = _texts(raw)
    if field.type != "select_many":
        texts = texts[:1]
    if not texts:
        if field.required:
            raise DomainError(_l("Le champ %(name)s est obligatoire.", name=field.name))
        return []
    if field.is_select:
        return [_select_value(field, text, keep) for text in dict.fromkeys(texts)]
    text = texts[0]
    if field.type == "date":
        text = _parse(field, text, DATE_FORMATS).date().isoformat()
    elif field.type == "datetime":
        local = _parse(field, text, DATETIME_FORMATS)
        text = local.replace(tzinfo=zone_of(zone)).astimezone(timezone.utc) \
            .strftime(STORED_DATETIME)
    elif len(text) > (MAX_TEXT if field.type == "text" else MAX_FREEFORM):
        raise DomainError(_l("La valeur de %(name)s est trop longue.", name=field.name))
    if field.pattern and not re.search(field.pattern, text):
        raise DomainError(field.pattern_message or _l(
            "La valeur de %(name)s n'a pas le format attendu.", name=field.name))
    return [text]


def _select_value(field: CustomField, text: str, keep) -> CustomFieldValue:
    for value in field.values:
        if value.name.casefold() == text.casefold() or str(value.id) == text and value.id in keep:
            if value.disabled and value.id not in keep:
                break
            return value
    raise DomainError(_l("La valeur « %(value)s » n'existe pas pour le champ %(name)s.",
                         value=text, name=field.name))


def _parse(field: CustomField, text: str, formats) -> datetime:
    for pattern in formats:
        try:
            parsed = datetime.strptime(text, pattern)
        except ValueError:
            continue
        if 1900 <= parsed.year <= 9998:
            return parsed
    if formats is DATE_FORMATS:
        raise DomainError(_l("Date attendue pour %(name)s (AAAA-MM-JJ ou JJ/MM/AAAA).",
                             name=field.name))
    raise DomainError(_l("Date et heure attendues pour %(name)s (AAAA-MM-JJ HH:MM).",
                         name=field.name))


def values_of(ticket: Ticket) -> dict[int, list[TicketCustomFieldValue]]:
    """The ticket's values, by field id, select values in their list's order."""
    rows = db.session.scalars(select(TicketCustomFieldValue).where(
        TicketCustomFieldValue.ticket_id == ticket.id).order_by(TicketCustomFieldValue.id))
    found: dict[int, list[TicketCustomFieldValue]] = {}
    for row in rows:
        found.setdefault(row.field_id, []).append(row)
    for items in found.values():
        items.sort(key=lambda r: (r.value.sort_order, r.value.id) if r.value else (0, r.id))
    return found


def shown(field: CustomField, rows, zone: str | None = None) -> str:
    """The values as one line of text (a datetime in the reader's timezone)."""
    texts = [row.text for row in rows]
    if field.type == "datetime":
        texts = [_local(text, zone) for text in texts]
    return ", ".join(texts)


def _local(text: str, zone: str | None) -> str:
    try:
        when = datetime.strptime(text, STORED_DATETIME).replace(tzinfo=timezone.utc)
    except ValueError:
        return text
    return when.astimezone(zone_of(zone)).strftime("%Y-%m-%d %H:%M")


def shown_values(ticket: Ticket, user: User) -> list[tuple[CustomField, str]]:
    """The fields of the ticket's queue the user may see (SeeCustomField), with the text of
    their values (« Les bases »)."""
    fields = fields_for(ticket.queue, user, "SeeCustomField", ticket)
    if not fields:
        return []
    current = values_of(ticket)
    return [(f, shown(f, current.get(f.id, ()), user.timezone)) for f in fields]


def form_values(ticket: Ticket, user: User) -> dict[int, list[str]]:
    """The ticket's values as the form inputs show them (dates as the inputs want them)."""
    found = {}
    for field_id, rows in values_of(ticket).items():
        texts = [row.text for row in rows]
        if rows and db.session.get(CustomField, field_id).type == "datetime":
            texts = [_local(text, user.timezone).replace(" ", "T") for text in texts]
        found[field_id] = texts
    return found


def may_modify_any(ticket: Ticket, user: User) -> bool:
    """Whether « Modifier » of the custom fields is offered: ModifyCustomField and a field."""
    return bool(fields_for(ticket.queue, user, "ModifyCustomField", ticket))


def _key(item) -> object:
    return ("v", item.id) if isinstance(item, CustomFieldValue) else ("t", item)


def _store(ticket: Ticket, field: CustomField, items: list, rows=()) -> None:
    for row in rows:
        db.session.delete(row)
    for item in items:
        db.session.add(TicketCustomFieldValue(
            ticket_id=ticket.id, field_id=field.id,
            value=item if isinstance(item, CustomFieldValue) else None,
            content=None if isinstance(item, CustomFieldValue) else item))


def _prepare(fields, submitted: dict, zone, current=None, only_submitted=False) -> list:
    """Validate every submitted value before changing anything: [(field, items)]."""
    current = current or {}
    known = {f.id for f in fields}
    unknown = [key for key in submitted if key not in known]
    if unknown:
        raise DomainError(_l("Champ personnalisé inconnu ou non modifiable : %(id)s",
                             id=", ".join(str(k) for k in unknown)))
    prepared, errors = [], {}
    for field in fields:
        if only_submitted and field.id not in submitted:
            continue
        keep = {r.value_id for r in current.get(field.id, ()) if r.value_id}
        try:
            prepared.append((field, validate(field, submitted.get(field.id), zone, keep)))
        except DomainError as error:
            errors[field.id] = str(error)
    if errors:
        raise CustomFieldError(errors)
    return prepared


def set_values(ticket: Ticket, actor: User, submitted: dict) -> list[Transaction]:
    """Change the ticket's custom field values ({field id: text or list of texts}); one
    CustomField history entry per field changed. Needs ModifyCustomField."""
    require(actor, "ModifyCustomField", ticket)
    fields = fields_for(ticket.queue, actor, "ModifyCustomField", ticket)
    current = values_of(ticket)
    done = []
    for field, items in _prepare(fields, submitted, actor.timezone, current, True):
        rows = current.get(field.id, [])
        if sorted(map(_key, items)) == sorted(_key(r.value or r.content) for r in rows):
            continue
        old = shown(field, rows)
        _store(ticket, field, items, rows)
        db.session.flush()
        new = shown(field, values_of(ticket).get(field.id, ()))
        done.append(record(ticket, actor, "CustomField", field=str(field.id),
                           old=old[:500] or None, new=new[:500] or None, data=field.name))
    db.session.flush()
    return done


def apply_on_create(ticket: Ticket, actor: User, submitted: dict,
                    requester: bool = False) -> None:
    """Store the values given when creating the ticket. An agent needs SetInitialCustomField
    or ModifyCustomField; a requester (portal) sets only the fields marked for requesters."""
    for field, items in _prepare(_creation_fields(ticket.queue, actor, requester), submitted,
                                 actor.timezone):
        _store(ticket, field, items)
    db.session.flush()


def _creation_fields(queue: Queue, actor: User, requester: bool) -> list[CustomField]:
    if requester:
        return [f for f in fields_for(queue, actor, None) if f.for_requesters]
    for right in ("SetInitialCustomField", "ModifyCustomField"):
        if can(actor, right, queue):
            return fields_for(queue, actor, None)
    return []


def creation_fields(queue: Queue, actor: User, requester: bool = False) -> list[CustomField]:
    """The fields the creation form offers this user in this queue."""
    return _creation_fields(queue, actor, requester)


def create_with_fields(actor: User, new: NewTicket, submitted: dict,
                       requester: bool = False) -> Ticket:
    """Create a ticket with its custom field values; a bad value creates nothing."""
    _prepare(_creation_fields(new.queue, actor, requester), submitted, actor.timezone)
    ticket = create(actor, new)
    apply_on_create(ticket, actor, submitted, requester)
    return ticket
