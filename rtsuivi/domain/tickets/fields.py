"""Basic fields and the queue."""
from datetime import datetime

from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import Queue, Ticket, Transaction, User
from .. import DomainError
from ..accounts import nobody
from ..rights import can, require
from .recording import record as _record

MIN_PRIORITY, MAX_PRIORITY = 0, 100  # the range the forms offer
EDITABLE_FIELDS = ("subject", "priority", "due", "starts", "time_estimated", "time_left")


def set_fields(ticket: Ticket, actor: User, **values) -> list[Transaction]:
    """Change basic fields ("Enregistrer les modifications"); one Set entry per change.

    Needs ModifyTicket. Unknown fields are refused; unchanged ones are ignored.
    """
    require(actor, "ModifyTicket", ticket)
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_l("Champ non modifiable : %(field)s", field=", ".join(sorted(unknown))))
    if "subject" in values:
        values["subject"] = (values["subject"] or "").strip()
        if not values["subject"]:
            raise DomainError(_l("Le sujet est obligatoire."))
    if "priority" in values and not MIN_PRIORITY <= (values["priority"] or 0) <= MAX_PRIORITY:
        raise DomainError(_l("La priorité va de %(min)d à %(max)d.", min=MIN_PRIORITY,
                             max=MAX_PRIORITY))
    done = []
    for name, value in values.items():
        old = getattr(ticket, name)
        if old != value:
            setattr(ticket, name, value)
            done.append(_record(ticket, actor, "Set", field=name, old=_shown(old),
                                new=_shown(value)))
    db.session.flush()
    return done


def save_basics(ticket: Ticket, actor: User, queue: Queue | None = None,
                **values) -> list[Transaction]:
    """Save the « Les bases » form: the fields, then the queue when it changes.

    Needs ModifyTicket; a new queue also needs CreateTicket there (see set_queue).
    """
    done = set_fields(ticket, actor, **values)
    if queue is not None and queue.id != ticket.queue_id:
        done.append(set_queue(ticket, actor, queue))
    return done


def _shown(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)[:500]


def set_queue(ticket: Ticket, actor: User, queue: Queue) -> Transaction:
    """Move the ticket to another queue: ModifyTicket here and CreateTicket there, as RT's
    queue change needs the right to create in the target queue."""
    if queue.id == ticket.queue_id:
        raise DomainError(_l("Le ticket est déjà dans la file %(name)s.", name=queue.name))
    if queue.disabled:
        raise DomainError(_l("La file %(name)s est désactivée.", name=queue.name))
    require(actor, "ModifyTicket", ticket)
    require(actor, "CreateTicket", queue)
    old = ticket.queue.name
    ticket.queue, ticket.queue_id = queue, queue.id
    moved = _record(ticket, actor, "Set", field="Queue", old=old, new=queue.name)
    owner = ticket.owner
    if not owner.is_nobody and not can(owner, "OwnTicket", ticket):
        # As in RT's SetQueue: an owner who may not own tickets in the new queue is replaced
        # by Nobody, and the history says so.
        ticket.owner, ticket.owner_id = nobody(), nobody().id
        _record(ticket, actor, "Give", field="Owner", old=owner.id, new=ticket.owner.id)
    db.session.flush()
    return moved
