"""« Droits »: who holds which right on the system or on one queue, as a matrix of principals
× rights, and the one change it makes (grant or revoke one right to one principal).

ShowACL (or ModifyACL) lets one see a queue's matrix, ModifyACL change it; the system's
matrix needs them held globally (SuperUser always). A change takes effect on the next request
of every open session (rights.forget_cached_rights, called by accounts.grant / revoke) and is
recorded in the audit log. An actor of None is the command line.
"""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select

from ..extensions import db
from ..models import ACE, Group, Queue, User
from . import DomainError, accounts, audit, rights
from .rights_catalog import rights_for

VIEW_RIGHTS = ("ShowACL", "ModifyACL")
ROLE_LABELS = {"Owner": _l("Propriétaire"), "Requestor": _l("Demandeur"), "Cc": _l("Cc"),
               "AdminCc": _l("AdminCc")}
SYSTEM_LABELS = {"Everyone": _l("Tout le monde"), "Privileged": _l("Agents (Privileged)"),
                 "Unprivileged": _l("Demandeurs (Unprivileged)")}


@dataclass
class Row:
    key: str  # "user:alice", "group:N1", "role:Owner", "system:Everyone"
    kind: str
    label: object
    held: set[str] = field(default_factory=set)


def may_view(actor: User, queue: Queue | None) -> bool:
    """Whether the actor may see the matrix of the queue (None: the system)."""
    return rights.can_any(actor, VIEW_RIGHTS, queue)


def may_modify(actor: User, queue: Queue | None) -> bool:
    """Whether the actor may change the matrix of the queue (None: the system)."""
    return rights.can(actor, "ModifyACL", queue)


def _aces(queue: Queue | None) -> list[ACE]:
    where = ACE.queue_id.is_(None) if queue is None else ACE.queue_id == queue.id
    return list(db.session.scalars(select(ACE).where(where)))


def _named(model, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())


def matrix(queue: Queue | None, extra: tuple[str, ...] = (), strict: bool = True) -> list[Row]:
    """One row per principal: system groups, roles, then groups and users holding a right
    here (plus the `extra` principals asked for, even without any right yet; an unknown one
    raises DomainError, or is left out when not strict)."""
    aces = _aces(queue)
    groups = _named(Group, {a.principal_id for a in aces if a.principal_kind == "group"})
    users = _named(User, {a.principal_id for a in aces if a.principal_kind == "user"})
    rows = {f"system:{n}": Row(f"system:{n}", "system", SYSTEM_LABELS[n])
            for n in rights.SYSTEM_GROUPS}
    rows.update({f"role:{n}": Row(f"role:{n}", "role", ROLE_LABELS[n]) for n in rights.ROLES})
    named = {**{f"group:{n}": "group" for n in sorted(groups.values())},
             **{f"user:{n}": "user" for n in sorted(users.values())}}
    for key in extra:
        kind = key.partition(":")[0]
        if key not in rows and key not in named and kind in ("group", "user"):
            try:
                accounts._principal(key)
            except DomainError:
                if strict:
                    raise
                continue
            named[key] = kind
    rows.update({key: Row(key, kind, key.partition(":")[2]) for key, kind in named.items()})
    for ace in aces:
        name = {"group": groups, "user": users}.get(ace.principal_kind, {}).get(
            ace.principal_id, ace.principal_name)
        row = rows.get(f"{ace.principal_kind}:{name}")
        if row is not None:
            row.held.add(ace.right_name)
    return list(rows.values())


def _holds(key: str, right: str, queue: Queue | None) -> bool:
    kind, principal_id, principal_name = accounts._principal(key)
    return db.session.scalar(select(ACE.id).where(and_(
        ACE.principal_kind == kind, ACE.right_name == right,
        ACE.principal_id.is_(None) if principal_id is None else ACE.principal_id == principal_id,
        ACE.principal_name.is_(None) if principal_name is None
        else ACE.principal_name == principal_name,
        ACE.queue_id.is_(None) if queue is None else ACE.queue_id == queue.id)).limit(1)) \
        is not None


def set_right(actor: User | None, key: str, right: str, queue: Queue | None, on: bool) -> bool:
    """Grant (on) or revoke one right of one principal on the queue or the system
    (ModifyACL there); True when it changed. DomainError for an unknown right or principal."""
    if actor is not None:
        rights.require(actor, "ModifyACL", queue)
    if queue is not None and right in rights.SYSTEM_RIGHTS:
        raise DomainError(_l("%(right)s est un droit global, pas un droit de file.", right=right))
    if right not in rights_for(queue is not None):
        raise DomainError(_l("Droit inconnu ici : %(right)s", right=right))
    if _holds(key, right, queue) == on:
        return False
    if on:
        accounts.grant(key, right, queue)
    else:
        accounts.revoke(key, right, queue)
    audit.record(actor, "right", queue.id if queue else None, key,
                 "grant" if on else "revoke",
                 after={"right": right, "queue": queue.name if queue else None})
    return True


def search_principals(text: str, limit: int = 10) -> list[tuple[str, str]]:
    """Groups and users matching the text, as (key, label), for « Ajouter »."""
    from .people_admin import search_users
    text = (text or "").strip()
    if not text:
        return []
    groups = db.session.scalars(select(Group).where(
        Group.name.ilike(f"%{text}%")).order_by(Group.name).limit(limit))
    found = [(f"group:{g.name}", _l("Groupe %(name)s", name=g.name)) for g in groups]
    found += [(f"user:{u.name}", f"{u.display_name} ({u.name})") for u in search_users(text, limit)]
    return found[:limit]


def all_grants() -> list[tuple[str, str, str | None]]:
    """Every grant as (principal key, right, queue name or None), for export."""
    rows = matrix_everywhere()
    return sorted(rows, key=lambda r: (r[2] or "", r[0], r[1]))


def matrix_everywhere() -> list[tuple[str, str, str | None]]:
    """Every ACE as (principal key, right, queue name or None)."""
    aces = list(db.session.scalars(select(ACE)))
    groups = _named(Group, {a.principal_id for a in aces if a.principal_kind == "group"})
    users = _named(User, {a.principal_id for a in aces if a.principal_kind == "user"})
    queues = _named(Queue, {a.queue_id for a in aces if a.queue_id})
    found = []
    for ace in aces:
        name = {"group": groups, "user": users}.get(ace.principal_kind, {}).get(
            ace.principal_id, ace.principal_name)
        found.append((f"{ace.principal_kind}:{name}", ace.right_name,
                      queues.get(ace.queue_id) if ace.queue_id else None))
    return found


def apply_changes(actor: User | None, queue: Queue | None, shown: set[tuple[str, str]],
                  wanted: set[tuple[str, str]]) -> int:
    """Apply what the matrix form changed: the (principal, right) pairs checked now but not
    when the page was drawn are granted, the reverse revoked; return how many changed.
    Comparing with the page as drawn leaves alone what someone else changed meanwhile."""
    if actor is not None:
        rights.require(actor, "ModifyACL", queue)
    changed = 0
    for key, right in sorted(wanted ^ shown):
        changed += set_right(actor, key, right, queue, (key, right) in wanted)
    return changed


def cell(queue: Queue | None, key: str) -> Row:
    """The matrix row of one principal (to draw one of its boxes again)."""
    empty = Row(key, key.partition(":")[0], key.partition(":")[2])
    try:
        return next((row for row in matrix(queue, (key,)) if row.key == key), empty)
    except DomainError:  # an unknown principal: drawn unchecked
        return empty
