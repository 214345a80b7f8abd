"""Rights: RT's right names, who holds what, and the SQL filter "tickets I may see".

A right is granted to a principal (a user, a group, a role or a system group) on the system
(global) or on one queue. Rights only add up; there is no deny. A user's non-role rights are
computed once per process and kept while the rights serial row stays the same.
"""
import time
from dataclasses import dataclass, field
from itertools import chain

from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, event, exists, false, inspect, or_, select, true, update
from sqlalchemy.orm import Session, aliased

from ..extensions import db
from ..models import (
    ACE,
    CustomField,
    CustomFieldQueue,
    Group,
    GroupMember,
    Queue,
    RightsSerial,
    Ticket,
    User,
    Watcher,
)
from . import Forbidden

ROLES = ("Owner", "Requestor", "Cc", "AdminCc")
SYSTEM_GROUPS = ("Everyone", "Privileged", "Unprivileged")
WATCHER_ROLES = ("Requestor", "Cc", "AdminCc")

QUEUE_RIGHTS = (
    "SeeQueue", "AdminQueue", "ShowACL", "ModifyACL", "ModifyQueueWatchers",
    "SeeCustomField", "ModifyCustomField", "SetInitialCustomField", "AssignCustomFields",
    "ShowTemplate", "ModifyTemplate", "ShowScrips", "ModifyScrips",
    "ShowTicket", "ShowTicketComments", "ShowOutgoingEmail", "Watch", "WatchAsAdminCc",
    "CreateTicket", "ReplyToTicket", "CommentOnTicket", "OwnTicket", "ModifyTicket",
    "DeleteTicket", "TakeTicket", "StealTicket", "ReassignTicket", "ForwardMessage",
    "AdminCannedResponses",
)
SYSTEM_RIGHTS = (
    "SuperUser", "AdminUsers", "AdminGroups", "AdminCustomField", "ModifySelf",
    "ShowUserHistory", "ShowConfigTab", "ShowGlobalTemplates", "LoadSavedSearch",
    "ShowSavedSearches", "CreateSavedSearch", "CreateDashboard", "ShowSearchAdvanced",
    "ShowSearchBulkUpdate", "ManageAuthTokens",
    "SeeDashboard", "ModifyDashboard", "DeleteDashboard",  # RT's dashboard rights (issue 15)
    "SeeOwnDashboard", "CreateOwnDashboard", "ModifyOwnDashboard", "DeleteOwnDashboard",
    "SeeGroupDashboard", "CreateGroupDashboard", "ModifyGroupDashboard",
    "DeleteGroupDashboard", "SubscribeDashboard",
)
ALL_RIGHTS = QUEUE_RIGHTS + SYSTEM_RIGHTS

_generation = 0  # this process's changes, seen before they are committed
_cache: dict[int, tuple[tuple, "UserRights"]] = {}  # user id -> (key, rights)
CACHE_USERS = 5000


def forget_cached_rights(flush: bool = True) -> None:
    """Make every cached rights set stale (after a grant, a revoke or a membership change),
    in this process at once and in every other one from the commit on: the rights serial
    row changes in the caller's transaction (a first row joins the flush under way when
    called from one: flush=False)."""
    global _generation
    _generation += 1
    if has_app_context():
        g.pop("rtsuivi_rights_serial", None)
        if db.session.execute(update(RightsSerial).where(RightsSerial.id == 1).values(
                serial=RightsSerial.serial + 1)).rowcount == 0:
            db.session.add(RightsSerial(id=1, serial=1))
            if flush:
                db.session.flush()


# What the serial follows besides rights: the names the kept owner lists show
# (names_with_right) and the custom fields applying to each queue (custom_fields.values.
# fields_for). A flush that changes them bumps it, whatever code path made the change.
_SHOWN_USER_COLUMNS = ("name", "real_name", "privileged", "disabled")


@event.listens_for(Session, "before_flush")
def _follow_shown_changes(session, _context, _instances) -> None:
    if _changes_what_is_shown(session):
        forget_cached_rights(flush=False)


def _changes_what_is_shown(session) -> bool:
    """A custom field or one of its queues added, changed or deleted; a user deleted, or
    their names, privilege or state changed (a new user holds nothing until granted)."""
    if any(isinstance(obj, (CustomField, CustomFieldQueue))
           for obj in chain(session.new, session.dirty, session.deleted)):
        return True
    return any(isinstance(obj, User) for obj in session.deleted) or any(
        isinstance(obj, User) and any(inspect(obj).attrs[column].history.has_changes()
                                      for column in _SHOWN_USER_COLUMNS)
        for obj in session.dirty)


SERIAL_SECONDS = 1.0  # a long-lived app context (mail worker, CLI loop) reads it again
# Statements of every request, built once (building one and its cache key costs ~40 µs).
SERIAL = select(RightsSerial.serial).where(RightsSerial.id == 1)


def rights_serial() -> int:
    """The rights serial as this request sees it (read once per request)."""
    if not has_app_context():
        return 0
    read = g.get("rtsuivi_rights_serial")
    if read is None or time.monotonic() - read[1] > SERIAL_SECONDS:
        note_rights_serial(db.session.scalar(SERIAL))
        read = g.rtsuivi_rights_serial
    return read[0]


def note_rights_serial(serial: int | None) -> None:
    """Keep the rights serial a query read along with something else (sessions.load_user
    reads it with the user: one round trip less per request on PostgreSQL)."""
    g.rtsuivi_rights_serial = (serial or 0, time.monotonic())


@dataclass
class UserRights:
    """What one user holds outside ticket roles, plus the role grants that may apply."""
    superuser: bool = False
    global_rights: set[str] = field(default_factory=set)
    queue_rights: dict[int, set[str]] = field(default_factory=dict)
    # role -> rights granted to that role globally, and per queue
    role_global: dict[str, set[str]] = field(default_factory=dict)
    role_queue: dict[tuple[str, int], set[str]] = field(default_factory=dict)

    def holds(self, right: str, queue_id: int | None) -> bool:
        if self.superuser or right in self.global_rights:
            return True
        return queue_id is not None and right in self.queue_rights.get(queue_id, ())

    def role_grants(self, role: str, right: str, queue_id: int) -> bool:
        return (right in self.role_global.get(role, ())
                or right in self.role_queue.get((role, queue_id), ()))

    def queues_with(self, right: str) -> set[int] | None:
        """Ids of queues where the right is held directly; None means every queue."""
        if self.superuser or right in self.global_rights:
            return None
        return {qid for qid, rights in self.queue_rights.items() if right in rights}

    def roles_with(self, right: str) -> dict[str, set[int] | None]:
        """For each role granted the right: None (globally) or the queue ids."""
        found: dict[str, set[int] | None] = {}
        for role in ROLES:
            if right in self.role_global.get(role, ()):
                found[role] = None
                continue
            queues = {qid for (r, qid), rights in self.role_queue.items()
                      if r == role and right in rights}
            if queues:
                found[role] = queues
        return found


def unproxied(user):
    """The user behind Flask-Login's current_user: each attribute read through the proxy
    looks the user up again, and a ticket page asks a hundred rights questions."""
    get = getattr(user, "_get_current_object", None)
    return get() if get is not None else user


def rights_of(user: User) -> UserRights:
    """The rights the user holds, with role grants: loaded once per process for each
    value of the rights serial (and of the user's privileged and disabled flags)."""
    user = unproxied(user)
    if user is None:
        return UserRights()
    return _kept(_cache, user.id, (rights_serial(), _generation, user.privileged,
                                   user.disabled), lambda: _load_rights(user))


def _kept(store: dict, name, key: tuple, load):
    """What load() gave for `name` while `key` (the rights serial and what else it hangs
    on) is unchanged; loaded again otherwise. A store is emptied at CACHE_USERS entries."""
    cached = store.get(name)
    if cached is None or cached[0] != key:
        if len(store) >= CACHE_USERS:
            store.clear()
        cached = store[name] = (key, load())
    return cached[1]


def _load_rights(user: User) -> UserRights:
    rights = UserRights()
    if user is None or user.disabled:
        return rights
    group_ids = enabled_group_ids(user.id)
    system_groups = ["Everyone", "Privileged" if user.privileged else "Unprivileged"]
    rows = db.session.execute(select(
        ACE.principal_kind, ACE.principal_name, ACE.right_name, ACE.queue_id).where(or_(
            and_(ACE.principal_kind == "user", ACE.principal_id == user.id),
            and_(ACE.principal_kind == "group", ACE.principal_id.in_(group_ids)),
            and_(ACE.principal_kind == "system", ACE.principal_name.in_(system_groups)),
            ACE.principal_kind == "role",
        ))).all()
    for kind, name, right, queue_id in rows:
        if kind == "role":
            if queue_id is None:
                rights.role_global.setdefault(name, set()).add(right)
            else:
                rights.role_queue.setdefault((name, queue_id), set()).add(right)
        elif queue_id is None:
            rights.global_rights.add(right)
        else:
            rights.queue_rights.setdefault(queue_id, set()).add(right)
    rights.superuser = "SuperUser" in rights.global_rights
    return rights


def enabled_group_ids(user_id):
    """A subquery of the ids of the enabled groups the user belongs to (a disabled group's
    grants stop applying). With a column (User.id) it stays tied to the enclosing query's
    user, however deep it is nested (SQLAlchemy otherwise adds `users` to its FROM)."""
    return (select(GroupMember.group_id).join(Group, Group.id == GroupMember.group_id)
            .where(GroupMember.user_id == user_id, Group.disabled.is_(False))
            .correlate_except(GroupMember, Group))


def roles_on(user: User, ticket: Ticket) -> set[str]:
    """Name the roles the user holds on the ticket (Owner, Requestor, Cc, AdminCc)."""
    roles = {w.role for w in ticket.watchers if w.user_id == user.id}
    if ticket.owner_id == user.id:
        roles.add("Owner")
    return roles


def can(user: User, right: str, obj: Ticket | Queue | None = None) -> bool:
    """Tell whether the user holds the right on a ticket, a queue, or the system (None)."""
    user = unproxied(user)
    if user is None or not getattr(user, "is_authenticated", False) or user.disabled:
        return False
    held = rights_of(user)
    if isinstance(obj, Ticket):
        if held.holds(right, obj.queue_id):
            return True
        return any(held.role_grants(role, right, obj.queue_id) for role in roles_on(user, obj))
    if isinstance(obj, Queue):
        return held.holds(right, obj.id)
    return held.holds(right, None)


def can_any(user: User, rights: tuple[str, ...], obj=None) -> bool:
    return any(can(user, right, obj) for right in rights)


ADMIN_RIGHTS = ("SuperUser", "AdminUsers", "AdminGroups", "AdminQueue", "AdminCustomField",
                "ShowConfigTab", "ModifyACL", "ShowACL", "AdminCannedResponses")


def holds_anywhere(user: User, right: str) -> bool:
    """Whether the user holds the right globally or on at least one queue (not via roles)."""
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    found = rights_of(user).queues_with(right)
    return found is None or bool(found)


def may_administer(user: User, rights: tuple[str, ...] = ADMIN_RIGHTS) -> bool:
    """Whether the user reaches Administration (or the part needing one of these rights)."""
    user = unproxied(user)
    return any(holds_anywhere(user, right) for right in rights)


def require(user: User, right: str, obj=None) -> None:
    """Raise Forbidden unless the user holds the right on obj."""
    if not can(user, right, obj):
        raise Forbidden(_l("Vous n'avez pas le droit %(right)s ici.", right=right))


def require_any(user: User, rights: tuple[str, ...], obj=None) -> None:
    """Raise Forbidden unless the user holds one of the rights on obj."""
    if not can_any(user, rights, obj):
        raise Forbidden(_l("Vous n'avez pas le droit %(right)s ici.", right=" / ".join(rights)))


def visible_tickets_filter(user: User, right: str = "ShowTicket", queue_id: int | None = None):
    """A SQL condition on Ticket selecting the tickets the user holds `right` on.

    With queue_id, the caller already limits the query to that queue: the condition is then
    reduced to what matters there (often nothing), which keeps the query planner on indexes.
    """
    if user is None or user.disabled:
        return false()
    held = rights_of(user)
    direct = held.queues_with(right)
    if direct is None or (queue_id is not None and queue_id in direct):
        return true()
    if queue_id is not None:
        direct = set()
    conditions = [Ticket.queue_id.in_(sorted(direct))] if direct else []
    for role, queues in held.roles_with(right).items():
        if queue_id is not None and queues is not None and queue_id not in queues:
            continue
        if role == "Owner":
            cond = Ticket.owner_id == user.id
        else:
            # An alias, so a query that already joins watchers keeps this subquery whole.
            role_holder = aliased(Watcher)
            cond = exists().where(role_holder.ticket_id == Ticket.id,
                                  role_holder.user_id == user.id, role_holder.role == role)
        if queues is not None:
            cond = and_(Ticket.queue_id.in_(sorted(queues)), cond)
        conditions.append(cond)
    return or_(*conditions) if conditions else false()


def visible_queues_filter(user: User, right: str = "SeeQueue"):
    """A SQL condition on Queue selecting the queues the user holds `right` on."""
    if user is None or user.disabled:
        return false()
    queues = rights_of(user).queues_with(right)
    if queues is None:
        return true()
    return Queue.id.in_(sorted(queues)) if queues else false()


_holders_cache: dict[tuple[str, int], tuple[tuple, list[int]]] = {}  # (right, queue) -> ids
_names_cache: dict[tuple[str, int], tuple] = {}  # (right, queue) -> (id, name, shown)


def users_with_right(right: str, queue: Queue) -> list[User]:
    """List enabled privileged users holding the right on the queue (directly or by group).

    The ids are kept per process for each value of the rights serial, like rights_of: a
    grant, a revoke, a membership, privilege or disabled change bumps it. The ticket page
    asks on every view (the reminder form's owners) and the search costs ~3 ms."""
    ids = _holders(right, queue)
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name)))


def names_with_right(right: str, queue: Queue) -> tuple[tuple[int, str, str], ...]:
    """users_with_right's users as (id, name, display name), for a select's options: kept
    per process like the ids, a rename bumping the serial too (_follow_shown_changes). The
    ticket page's reminder form lists its agents on each view."""
    return kept_while_serial(_names_cache, (right, queue.id), lambda: _holder_names(right, queue))


def _holder_names(right: str, queue: Queue) -> tuple[tuple[int, str, str], ...]:
    ids = _holders(right, queue)
    rows = db.session.execute(_NAMES, {"ids": ids}) if ids else ()
    return tuple((user_id, name, User.name_shown(name, real_name))
                 for user_id, name, real_name in rows)


# Built once: the ids bound at execution (an IN of values is coerced value by value, each
# time). On the table's columns: Core, no ORM compile step per view (30 µs).
_USERS = User.__table__.c
_NAMES = select(_USERS.id, _USERS.name, _USERS.real_name).where(
    _USERS.id.in_(bindparam("ids", expanding=True))).order_by(_USERS.name)


def _holders(right: str, queue: Queue) -> list[int]:
    return kept_while_serial(_holders_cache, (right, queue.id),
                             lambda: _holder_ids(right, queue.id))


def kept_while_serial(store: dict, name, load):
    """What load() gave for `name` while the rights serial and this process's changes stay
    the same (the holders of a right and their names, the custom fields of a queue)."""
    return _kept(store, name, (rights_serial(), _generation), load)


def _holder_ids(right: str, queue_id: int) -> list[int]:
    matches = and_(ACE.right_name.in_((right, "SuperUser")),
                   or_(ACE.queue_id == queue_id, ACE.queue_id.is_(None)))
    agents = select(User.id).where(User.privileged.is_(True), User.disabled.is_(False))
    everyone_has_it = db.session.scalar(select(exists().where(
        matches, ACE.principal_kind == "system",
        ACE.principal_name.in_(("Everyone", "Privileged")))))
    if not everyone_has_it:
        agents = agents.where(or_(
            exists().where(matches, ACE.principal_kind == "user", ACE.principal_id == User.id),
            exists().where(matches, ACE.principal_kind == "group",
                           ACE.principal_id.in_(enabled_group_ids(User.id)))))
    return list(db.session.scalars(agents))
