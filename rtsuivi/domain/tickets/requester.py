"""What a requester does to their own request from the portal: « Clore ma demande » and
« Rouvrir » (lifecycle.REQUESTER_ACTIONS). A reply reopens too (messages.reply)."""
from flask_babel import lazy_gettext as _l

from ...models import Ticket, Transaction, User
from .. import Forbidden, NotFound, lifecycle
from ..rights import require
from .status import change_status


def is_requestor(user: User, ticket: Ticket) -> bool:
    """Tell whether the user is a Requestor of the ticket (a Cc is not)."""
    return any(w.user_id == user.id and w.role == "Requestor" for w in ticket.watchers)


def act_as_requester(ticket: Ticket, actor: User, key: str) -> Transaction:
    """Close or reopen one's own request; the status change is recorded as the actor's.

    Needs the Requestor role on the ticket and ReplyToTicket there (Forbidden otherwise);
    the action must be offered from the ticket's status (TransitionRefused otherwise).
    """
    action = next((a for a in lifecycle.REQUESTER_ACTIONS if a.key == key), None)
    if action is None:
        raise NotFound(_l("Cette page n'existe pas."))
    if not is_requestor(actor, ticket):
        raise Forbidden(_l("Seul le demandeur peut clore ou rouvrir sa demande."))
    require(actor, "ReplyToTicket", ticket)
    if ticket.status not in action.sources:
        raise lifecycle.TransitionRefused(_l(
            "« %(action)s » n'est pas possible pour une demande au statut « %(status)s ».",
            action=action.label, status=lifecycle.label(ticket.status)))
    lifecycle.check_transition(ticket.status, action.target, ticket)
    return change_status(ticket, actor, action.target)
