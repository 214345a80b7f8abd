"""Ticket statuses as data: RT's default lifecycle, with French labels.

RT: initial=[new], active=[open, stalled], inactive=[resolved, rejected, deleted];
any status may go to any other; `* -> deleted` needs DeleteTicket, every other change
ModifyTicket. A ticket is created as new, open or resolved.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from . import DomainError


@dataclass(frozen=True)
class Status:
    name: str
    kind: str  # initial, active, inactive
    label: object  # lazy, translated when shown


STATUSES = {s.name: s for s in (
    Status("new", "initial", _l("nouveau")),
    Status("open", "active", _l("ouvert")),
    Status("stalled", "active", _l("stagnant")),
    Status("resolved", "inactive", _l("résolu")),
    Status("rejected", "inactive", _l("rejeté")),
    Status("deleted", "inactive", _l("effacé")),
)}
INITIAL = tuple(n for n, s in STATUSES.items() if s.kind == "initial")
ACTIVE = tuple(n for n, s in STATUSES.items() if s.kind in ("initial", "active"))
INACTIVE = tuple(n for n, s in STATUSES.items() if s.kind == "inactive")
ON_CREATE = ("new", "open", "resolved")
DEFAULT_ON_CREATE = "new"
# RT's "On Correspond Open Inactive Tickets" moves a ticket to the first active status.
REOPEN_STATUS = "open"


class TransitionRefused(DomainError):
    pass


def label(status: str) -> str:
    return str(STATUSES[status].label) if status in STATUSES else status


def is_active(status: str) -> bool:
    """Whether the status counts as active in lists (RT's __Active__: initial + active)."""
    return status in ACTIVE


def right_for(old: str, new: str) -> str:
    """Name the right a change from old to new needs."""
    return "DeleteTicket" if new == "deleted" else "ModifyTicket"


def check_transition(old: str, new: str) -> None:
    """Raise TransitionRefused unless the lifecycle allows old -> new."""
    if new not in STATUSES:
        raise TransitionRefused(_l("Statut inconnu : %(status)s", status=new))
    if old == new:
        raise TransitionRefused(_l("Le ticket est déjà au statut « %(status)s ».",
                                   status=label(new)))
    if new == "new":
        raise TransitionRefused(_l("Un ticket ne peut pas revenir au statut « nouveau »."))


def allowed_targets(old: str) -> list[str]:
    """List the statuses reachable from old, in lifecycle order."""
    return [n for n in STATUSES if n != old and n != "new"]


def dates_on_change(old: str, new: str) -> dict[str, str]:
    """Say which dates the change sets: Started once on leaving initial, Resolved on inactive.

    Returns {"started": "once"|..., "resolved": "set"|"clear"} for the caller to apply.
    """
    changes = {}
    if old in INITIAL and new not in INITIAL:
        changes["started"] = "once"
    if new in INACTIVE:
        changes["resolved"] = "set"
    elif old in INACTIVE:
        changes["resolved"] = "clear"
    return changes


def status_after_reply(status: str, by_requestor: bool) -> str | None:
    """Give the status a correspondence moves the ticket to, or None to leave it.

    As in RT, a reply reopens a ticket that is not active (new, resolved, rejected,
    deleted). RT-suivi also lets a requester's reply un-stall a ticket; staff replies
    leave stalled alone.
    """
    if STATUSES[status].kind != "active":
        return REOPEN_STATUS
    if status == "stalled" and by_requestor:
        return REOPEN_STATUS
    return None
