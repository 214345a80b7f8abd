"""Groups as administrators manage them (AdminGroups): list, create, rename, describe,
disable, members, and the group's rights at a glance. Pages and command line alike;
every change is audited. `actor` None is the command line (trusted)."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import ACE, Group, GroupMember, Queue, User
from . import DomainError, NotFound, accounts, audit
from .people_admin import SYSTEM_USERS, require_admin, search_users
from .queries import Page, matching, page_of
from .rights import SYSTEM_GROUPS, forget_cached_rights

AUDITED = ("name", "description", "disabled")
PER_PAGE = 50
CANDIDATES = 10  # users offered at once when adding a member


def load(group_id: int) -> Group:
    """The group with this id; NotFound otherwise."""
    group = db.session.get(Group, group_id)
    if group is None:
        raise NotFound(_l("Groupe introuvable."))
    return group


def find(name: str) -> Group:
    """The group with this name; NotFound otherwise."""
    group = db.session.scalar(select(Group).where(Group.name == (name or "").strip()))
    if group is None:
        raise NotFound(_l("Groupe inconnu : %(name)s", name=name))
    return group


def list_groups(actor: User | None, search: str = "", disabled: bool = False, page: int = 1,
                per_page: int = PER_PAGE) -> Page:
    """One page of groups by name, enabled ones (or the disabled ones), matching the words."""
    require_admin(actor, "AdminGroups")
    query = matching(select(Group).where(Group.disabled.is_(disabled)), search, Group.name,
                     Group.description)
    return page_of(query, [Group.name], page, per_page)


def _clean(name: str, description: str, group: Group | None = None) -> tuple[str, str]:
    name, description = (name or "").strip(), (description or "").strip()
    if not name or len(name) > 200:
        raise DomainError(_l("Le nom du groupe est obligatoire (200 caractères au plus)."))
    if len(description) > 500:
        raise DomainError(_l("La description compte 500 caractères au plus."))
    taken = db.session.scalar(select(Group.id).where(Group.name == name))
    if name in SYSTEM_GROUPS or (taken is not None and (group is None or taken != group.id)):
        raise DomainError(_l("Le groupe %(name)s existe déjà.", name=name))
    return name, description


def create(actor: User | None, name: str, description: str = "") -> Group:
    """Create a group (AdminGroups)."""
    require_admin(actor, "AdminGroups")
    group = accounts.create_group(*_clean(name, description))
    audit.record(actor, "group", group.id, group.name, "create",
                 after=audit.snapshot(group, AUDITED))
    return group


def update(actor: User | None, group: Group, name: str, description: str) -> Group:
    """Rename or describe a group (AdminGroups)."""
    require_admin(actor, "AdminGroups")
    before = audit.snapshot(group, AUDITED)
    group.name, group.description = _clean(name, description, group)
    db.session.flush()
    audit.record(actor, "group", group.id, group.name, "update", before=before,
                 after=audit.snapshot(group, AUDITED))
    return group


def set_disabled(actor: User | None, group: Group, disabled: bool) -> None:
    """Disable a group (its grants stop applying) or enable it again (AdminGroups)."""
    require_admin(actor, "AdminGroups")
    if group.disabled == disabled:
        return
    group.disabled = disabled
    forget_cached_rights()
    db.session.flush()
    audit.record(actor, "group", group.id, group.name, "disable" if disabled else "enable",
                 before={"disabled": not disabled}, after={"disabled": disabled})


def add_member(actor: User | None, group: Group, user: User) -> None:
    """Add a user to the group (AdminGroups); the system users cannot join."""
    require_admin(actor, "AdminGroups")
    if user.name in SYSTEM_USERS:
        raise DomainError(_l("%(name)s est un utilisateur du système.", name=user.name))
    if db.session.get(GroupMember, (group.id, user.id)) is not None:
        raise DomainError(_l("%(name)s est déjà membre du groupe.", name=user.name))
    accounts.add_member(group, user)
    audit.record(actor, "group", group.id, group.name, "add_member",
                 after={"member": user.name})


def remove_member(actor: User | None, group: Group, user: User) -> None:
    """Take a user out of the group (AdminGroups)."""
    require_admin(actor, "AdminGroups")
    membership = db.session.get(GroupMember, (group.id, user.id))
    if membership is None:
        raise DomainError(_l("%(name)s n'est pas membre du groupe.", name=user.name))
    db.session.delete(membership)
    db.session.flush()
    db.session.expire(user, ["groups"])
    db.session.expire(group, ["members"])
    forget_cached_rights()
    audit.record(actor, "group", group.id, group.name, "remove_member",
                 before={"member": user.name})


def candidates(group: Group, search: str, limit: int = CANDIDATES) -> list[User]:
    """Enabled users matching the words (login, real name, e-mail) who are not members."""
    members = select(GroupMember.user_id).where(GroupMember.group_id == group.id)
    return search_users(search, limit, excluding=members)


@dataclass(frozen=True)
class Grant:
    right: str
    queue: str | None  # None: global


def rights_of_group(group: Group) -> list[Grant]:
    """The rights granted to the group, global ones first, then by queue and right."""
    rows = db.session.execute(
        select(ACE.right_name, Queue.name).outerjoin(Queue, Queue.id == ACE.queue_id)
        .where(ACE.principal_kind == "group", ACE.principal_id == group.id)).all()
    return sorted((Grant(right, queue) for right, queue in rows),
                  key=lambda g: (g.queue is not None, g.queue or "", g.right))
