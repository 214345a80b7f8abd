"""The action menu of the ticket page."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ...models import Ticket, User
from ..rights import can, can_any
from .messages import COMMENT_RIGHTS, REPLY_RIGHTS
from .owner import can_give, can_steal, can_take


@dataclass(frozen=True)
class Action:
    key: str
    label: object
    kind: str  # "form" opens the update form, "post" acts at once, "page" opens a form


def actions_for(ticket: Ticket, user: User) -> list[Action]:
    """List the actions the user may take on the ticket, in menu order."""
    actions = []
    status = ticket.status
    if can_any(user, REPLY_RIGHTS, ticket):
        actions.append(Action("reply", _l("Répondre"), "form"))
    if can_any(user, COMMENT_RIGHTS, ticket):
        actions.append(Action("comment", _l("Commenter"), "form"))
    if can(user, "ForwardMessage", ticket):
        actions.append(Action("forward", _l("Transférer"), "page"))
    if can_take(ticket, user):
        actions.append(Action("take", _l("Prendre"), "post"))
    elif can_steal(ticket, user):
        actions.append(Action("steal", _l("Voler"), "post"))
    if can_give(ticket, user):
        actions.append(Action("give", _l("Affecter"), "page"))
    if can(user, "ModifyTicket", ticket):
        if status in ("new", "stalled"):
            actions.append(Action("open", _l("Ouvrir"), "form"))
        if status in ("new", "open"):
            actions.append(Action("stall", _l("Stagnant"), "form"))
        if status in ("new", "open", "stalled"):
            actions.append(Action("resolve", _l("Résoudre"), "form"))
            actions.append(Action("reject", _l("Rejeter"), "form"))
        if status in ("resolved", "rejected", "deleted"):
            actions.append(Action("reopen", _l("Rouvrir"), "form"))
    if status != "deleted" and can(user, "DeleteTicket", ticket):
        actions.append(Action("delete", _l("Effacer"), "post"))
    return actions


# The status each menu action presets in the update form, and the message type RT uses.
ACTION_PRESETS = {
    "reply": (None, "reply"), "comment": (None, "comment"),
    "open": ("open", "reply"), "stall": ("stalled", "comment"),
    "resolve": ("resolved", "comment"), "reject": ("rejected", "reply"),
    "reopen": ("open", "comment"),
}

