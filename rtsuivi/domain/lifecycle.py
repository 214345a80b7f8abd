"""Ticket statuses as data: RT's default lifecycle (its %Lifecycles), with French labels.

RT: initial=[new], active=[open, stalled], inactive=[resolved, rejected, deleted];
any status may go to any other but back to new; `* -> deleted` needs DeleteTicket, every
other change ModifyTicket. A ticket is created as new, open or resolved.

Everything about statuses is derived from the four structures below (STATUSES, TRANSITIONS,
RIGHTS, ACTIONS): the action menu and its form presets, the status choices of the update
and bulk forms, TicketSQL's and the quick search's French status words. Adding a status or
an action is a change here plus its label in the English catalogue.
"""
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from . import DomainError


@dataclass(frozen=True)
class Status:
    name: str
    kind: str  # initial, active, inactive
    french: str  # the manual's word, also understood by TicketSQL and the quick search
    label: object  # lazy, translated when shown (the English catalogue holds the English)
    colour: str  # the badge's CSS token: .status-<colour>, var(--s-<colour>)


@dataclass(frozen=True)
class Action:
    """A status action of the ticket page's menu (RT's lifecycle "actions")."""
    key: str
    label: object
    sources: tuple[str, ...]  # the statuses it is offered from
    target: str
    message: str | None  # "reply" or "comment" opens the update form; None acts at once
    confirm: object | None = None  # asked before acting (hx-confirm)
    hint: object | None = None  # said in the update form


STATUSES = {s.name: s for s in (
    Status("new", "initial", "nouveau", _l("nouveau"), "new"),
    Status("open", "active", "ouvert", _l("ouvert"), "open"),
    Status("stalled", "active", "stagnant", _l("stagnant"), "stalled"),
    Status("resolved", "inactive", "résolu", _l("résolu"), "resolved"),
    Status("rejected", "inactive", "rejeté", _l("rejeté"), "rejected"),
    Status("deleted", "inactive", "effacé", _l("effacé"), "deleted"),
)}
# From each status (and "" for creation), the statuses it may move to, in menu order.
TRANSITIONS = {
    "": ("new", "open", "resolved"),
    "new": ("open", "stalled", "resolved", "rejected", "deleted"),
    "open": ("stalled", "resolved", "rejected", "deleted"),
    "stalled": ("open", "resolved", "rejected", "deleted"),
    "resolved": ("open", "stalled", "rejected", "deleted"),
    "rejected": ("open", "stalled", "resolved", "deleted"),
    "deleted": ("open", "stalled", "resolved", "rejected"),
}
# The right each change needs, first match wins ("*" is any status), as RT's rights map.
RIGHTS = {"* -> deleted": "DeleteTicket", "* -> *": "ModifyTicket"}
ACTIONS = (
    Action("open", _l("Ouvrir"), ("new", "stalled"), "open", "reply"),
    Action("stall", _l("Stagnant"), ("new", "open"), "stalled", "comment"),
    Action("resolve", _l("Résoudre"), ("new", "open", "stalled"), "resolved", "comment",
           hint=_l("Le message automatique de résolution sera envoyé au demandeur.")),
    Action("reject", _l("Rejeter"), ("new", "open", "stalled"), "rejected", "reply",
           hint=_l("Aucune réponse automatique ne sera envoyée. Si possible, indiquez au "
                   "demandeur à quel service s'adresser.")),
    Action("reopen", _l("Rouvrir"), ("resolved", "rejected", "deleted"), "open", "comment"),
    Action("delete", _l("Effacer"), ("new", "open", "stalled", "resolved", "rejected"),
           "deleted", None,
           confirm=_l("Effacer ce ticket ? Réservé aux spams et aux tests.")),
)

# What a requester may do to their own request from the portal (« Mes demandes »): close it
# when the problem is gone (it ends as résolu, recorded as their doing), reopen it once
# resolved. A rejected request stays with the desk's decision; a reply still reopens it
# (status_after_reply, RT's rule). Checked by domain/tickets/requester.py.
REQUESTER_ACTIONS = (
    Action("close", _l("Clore ma demande"), ("new", "open", "stalled"), "resolved", None),
    Action("reopen", _l("Rouvrir"), ("resolved",), "open", None),
)

INITIAL = tuple(n for n, s in STATUSES.items() if s.kind == "initial")
ACTIVE = tuple(n for n, s in STATUSES.items() if s.kind in ("initial", "active"))
INACTIVE = tuple(n for n, s in STATUSES.items() if s.kind == "inactive")
ON_CREATE = TRANSITIONS[""]
DEFAULT_ON_CREATE = ON_CREATE[0]
# RT's "On Correspond Open Inactive Tickets" moves a ticket to the first active status.
REOPEN_STATUS = "open"
# RT's lifecycle default on_merge: a ticket merged into another one is resolved; lists that
# may show resolved tickets leave merged ones out (Ticket.effective_id set).
ON_MERGE = "resolved"

# Guards: callables (ticket, old, new) raising TransitionRefused to veto a change the
# lifecycle allows (relations will add "a parent cannot be resolved while a child is not").
GUARDS: list[Callable] = []


class TransitionRefused(DomainError):
    pass


class Live(Mapping):
    """A read-only mapping rebuilt from the lifecycle at each use, so derived tables follow
    the data (and a test that adds a status sees it everywhere)."""

    def __init__(self, build: Callable[[], dict]):
        self._build = build

    def __getitem__(self, key):
        return self._build()[key]

    def __iter__(self):
        return iter(self._build())

    def __len__(self):
        return len(self._build())


def label(status: str) -> str:
    return str(STATUSES[status].label) if status in STATUSES else status


def colour(status: str) -> str:
    """Name the badge's colour token of a status (the status itself when unknown)."""
    return STATUSES[status].colour if status in STATUSES else status


def kind(status: str) -> str | None:
    """Say whether a status is initial, active or inactive (None when unknown)."""
    return STATUSES[status].kind if status in STATUSES else None


def is_active(status: str) -> bool:
    """Whether the status counts as active in lists (RT's __Active__: initial + active)."""
    return kind(status) in ("initial", "active")


def _plain(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def french_words() -> dict[str, tuple[str, ...]]:
    """Map each status's French word, with and without accents, to its status."""
    words = {}
    for name, status in STATUSES.items():
        for word in (status.french, _plain(status.french)):
            words[word] = (name,)
    return words


def status_words() -> dict[str, tuple[str, ...]]:
    """TicketSQL's status words: __Active__, __Inactive__ and the French words."""
    active = tuple(n for n in STATUSES if is_active(n))
    inactive = tuple(n for n in STATUSES if kind(n) == "inactive")
    return {"__active__": active, "__inactive__": inactive, **french_words()}


def right_for(old: str, new: str) -> str:
    """Name the right a change from old to new needs."""
    for pattern, right in RIGHTS.items():
        source, _, target = (part.strip() for part in pattern.partition("->"))
        if source in ("*", old) and target in ("*", new):
            return right
    raise TransitionRefused(_l("Statut inconnu : %(status)s", status=new))


def check_transition(old: str, new: str, ticket=None) -> None:
    """Raise TransitionRefused unless the lifecycle (and, given the ticket, every guard)
    allows old -> new."""
    if new not in STATUSES:
        raise TransitionRefused(_l("Statut inconnu : %(status)s", status=new))
    if old == new:
        raise TransitionRefused(_l("Le ticket est déjà au statut « %(status)s ».",
                                   status=label(new)))
    if new not in TRANSITIONS.get(old, ()):
        if kind(new) == "initial":
            raise TransitionRefused(_l("Un ticket ne peut pas revenir au statut « nouveau »."))
        raise TransitionRefused(_l("Un ticket ne peut pas passer de « %(old)s » à « %(new)s ».",
                                   old=label(old), new=label(new)))
    if ticket is not None:
        for guard in GUARDS:
            guard(ticket, old, new)


def allowed_targets(old: str) -> list[str]:
    """List the statuses reachable from old, in lifecycle order."""
    return [n for n in STATUSES if n in TRANSITIONS.get(old, ())]


def actions_from(status: str) -> list[Action]:
    """List the menu's status actions offered from a status, in menu order."""
    return [a for a in ACTIONS if status in a.sources and a.target in TRANSITIONS.get(status, ())]


def action(key: str) -> Action | None:
    return next((a for a in ACTIONS if a.key == key), None)


def requester_actions_from(status: str) -> list[Action]:
    """List the portal's actions a requester is offered from a status."""
    return [a for a in REQUESTER_ACTIONS
            if status in a.sources and a.target in TRANSITIONS.get(status, ())]


def dates_on_change(old: str, new: str) -> dict[str, str]:
    """Say which dates the change sets: Started once on leaving initial, Resolved on inactive.

    Returns {"started": "once"|..., "resolved": "set"|"clear"} for the caller to apply.
    """
    changes = {}
    if kind(old) == "initial" and kind(new) != "initial":
        changes["started"] = "once"
    if kind(new) == "inactive":
        changes["resolved"] = "set"
    elif kind(old) == "inactive":
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
