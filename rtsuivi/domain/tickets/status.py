"""Status changes, following the lifecycle."""
from ...models import Ticket, Transaction, User, utcnow
from .. import lifecycle
from ..rights import require
from .recording import record as _record


def change_status(ticket: Ticket, actor: User, new: str) -> Transaction:
    old = ticket.status
    for date_field, change in lifecycle.dates_on_change(old, new).items():
        if change == "once" and getattr(ticket, date_field) is None:
            setattr(ticket, date_field, utcnow())
        elif change == "set":
            setattr(ticket, date_field, utcnow())
        elif change == "clear":
            setattr(ticket, date_field, None)
    ticket.status = new
    return _record(ticket, actor, "Status", field="Status", old=old, new=new)


def set_status(ticket: Ticket, actor: User, new: str) -> Transaction:
    """Move the ticket to another status if the lifecycle and the actor's rights allow it."""
    lifecycle.check_transition(ticket.status, new, ticket)
    require(actor, lifecycle.right_for(ticket.status, new), ticket)
    return change_status(ticket, actor, new)

