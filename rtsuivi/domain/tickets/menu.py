"""The action menu of the ticket page; its status actions come from the lifecycle."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ...models import Ticket, User
from .. import lifecycle
from ..rights import can, can_any
from .messages import COMMENT_RIGHTS, REPLY_RIGHTS
from .owner import can_give, can_steal, can_take


@dataclass(frozen=True)
class Action:
    key: str
    label: object
    kind: str  # "form" opens the update form, "post" acts at once, "page" opens a form
    confirm: object | None = None  # asked before a "post" acts
    status: bool = False  # a lifecycle action: a "post" one goes to tickets.act


@dataclass(frozen=True)
class Preset:
    """What the update form starts with when opened from a menu entry."""
    label: object  # the form's title
    status: str | None
    kind: str  # "reply" or "comment"
    hint: object | None = None


MESSAGE_PRESETS = {"reply": Preset(_l("Répondre"), None, "reply"),
                   "comment": Preset(_l("Commenter"), None, "comment")}


def _presets() -> dict[str, Preset]:
    return {**MESSAGE_PRESETS, **{a.key: Preset(a.label, a.target, a.message, a.hint)
                                  for a in lifecycle.ACTIONS if a.message}}


# The status each menu action presets in the update form, and the message type RT uses.
ACTION_PRESETS = lifecycle.Live(_presets)


def _status_actions(ticket: Ticket, user: User) -> list[Action]:
    return [Action(a.key, a.label, "form" if a.message else "post", a.confirm, status=True)
            for a in lifecycle.actions_from(ticket.status)
            if can(user, lifecycle.right_for(ticket.status, a.target), ticket)]


def actions_for(ticket: Ticket, user: User) -> list[Action]:
    """List the actions the user may take on the ticket, in menu order."""
    actions = []
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
    return actions + _status_actions(ticket, user)
