"""The people of a ticket: requestors, Cc and AdminCc."""
import re

from flask_babel import lazy_gettext as _l

from ...models import Ticket, Transaction, User, Watcher
from .. import DomainError
from ..accounts import find_or_create_by_email
from ..rights import WATCHER_ROLES, can, require
from .recording import record as _record

MAX_ADDRESSES = 50  # per field and per request: one request must not hold the desk


def _addresses(text: str | None, separators: str = r"[,;\s]+") -> list[str]:
    """Split a list of logins or addresses; refuse more than MAX_ADDRESSES."""
    items = [item.strip() for item in re.split(separators, text or "") if item.strip()]
    if len(items) > MAX_ADDRESSES:
        raise DomainError(_l("Au plus %(n)d adresses à la fois (%(count)d données).",
                             n=MAX_ADDRESSES, count=len(items)))
    return items


def parse_people(text: str | None) -> list[User]:
    """Turn "alice, denise@example.org" into users; unknown addresses become requesters.

    Raises DomainError over MAX_ADDRESSES names.
    """
    users = []
    for item in _addresses(text):
        if item:
            user = find_or_create_by_email(item)
            if user not in users:
                users.append(user)
    return users


def add_watcher(ticket: Ticket, actor: User, role: str, person: User) -> Transaction | None:
    """Add a person as Requestor, Cc or AdminCc; None when already there.

    Needs ModifyTicket; adding oneself also works with Watch (Requestor, Cc) or
    WatchAsAdminCc (AdminCc), as in RT.
    """
    if role not in WATCHER_ROLES:
        raise DomainError(_l("Rôle inconnu : %(role)s", role=role))
    if person.is_nobody:
        raise DomainError(_l("Nobody ne peut pas être observateur."))
    self_right = "WatchAsAdminCc" if role == "AdminCc" else "Watch"
    if not (can(actor, "ModifyTicket", ticket)
            or (person.id == actor.id and can(actor, self_right, ticket))):
        require(actor, "ModifyTicket", ticket)
    # w.user, not only w.user_id: a watcher added earlier in this transaction has no id yet.
    if any((w.user_id == person.id or w.user is person) and w.role == role
           for w in ticket.watchers):
        return None
    ticket.watchers.append(Watcher(user=person, role=role))
    return _record(ticket, actor, "AddWatcher", field="Watcher", new=person.id, data=role)


def remove_watcher(ticket: Ticket, actor: User, role: str, person: User) -> Transaction:
    """Remove a person from a watcher role (needs ModifyTicket, or Watch for oneself)."""
    self_right = "WatchAsAdminCc" if role == "AdminCc" else "Watch"
    if not (can(actor, "ModifyTicket", ticket)
            or (person.id == actor.id and can(actor, self_right, ticket))):
        require(actor, "ModifyTicket", ticket)
    watcher = next((w for w in ticket.watchers if w.user_id == person.id and w.role == role),
                   None)
    if watcher is None:
        raise DomainError(_l("%(name)s n'est pas %(role)s de ce ticket.",
                             name=person.display_name, role=role))
    ticket.watchers.remove(watcher)
    return _record(ticket, actor, "DelWatcher", field="Watcher", old=person.id, data=role)

