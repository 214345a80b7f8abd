"""Users as administrators manage them: list, create, edit, disable, passwords, and what
each one holds. The pages (blueprints/admin/users.py) and the command line
(commands/users.py) call these same functions; every change is audited.

`actor` None means the command line (someone with shell access to the server): no right
is checked and the audit entry names no one.
"""
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from ..extensions import db
from ..models import ACE, NOBODY_NAME, SYSTEM_NAME, Group, Queue, User, Watcher
from . import DomainError, Forbidden, NotFound, accounts, audit
from .queries import Page, matching, page_of
from .rights import can, enabled_group_ids, forget_cached_rights, require

SYSTEM_USERS = (NOBODY_NAME, SYSTEM_NAME)
LANGS = ("fr", "en")
# What the audit keeps of a user (never the password hash).
AUDITED = ("name", "real_name", "email", "lang", "timezone", "signature", "privileged",
           "comments", "disabled")
KINDS = ("", "privileged", "unprivileged", "disabled")
PER_PAGE = 50
MAX_TEXT = 5000  # characters of a signature or of comments


def require_admin(actor: User | None, right: str) -> None:
    """Raise Forbidden unless the actor holds the right (SuperUser holds every right); the
    command line (actor None) is trusted."""
    if actor is not None:
        require(actor, right)


@lru_cache(maxsize=1)
def timezones() -> tuple[str, ...]:
    """The timezone names the system knows (zoneinfo), sorted."""
    return tuple(sorted(available_timezones()))


def clean_timezone(value: str | None) -> str | None:
    """A known timezone name, or None for the site's default; DomainError otherwise."""
    value = (value or "").strip()
    if value and value not in timezones():
        raise DomainError(_l("Fuseau horaire inconnu : %(zone)s (par exemple Europe/Paris).",
                             zone=value))
    return value or None


def clean_lang(value: str | None) -> str | None:
    """fr, en, or None (the browser's language); DomainError otherwise."""
    value = (value or "").strip()
    if value and value not in LANGS:
        raise DomainError(_l("Langue inconnue : %(lang)s (fr ou en).", lang=value))
    return value or None


def clean_email(value: str | None, user: User | None = None) -> str | None:
    """A lower-cased address not used by another user, or None; DomainError otherwise."""
    email = (value or "").strip().lower() or None
    if email is None:
        return None
    local, at, host = email.partition("@")
    if not at or not local or "." not in host or " " in email or len(email) > 320:
        raise DomainError(_l("Adresse électronique invalide : %(email)s", email=email))
    other = db.session.scalar(select(User.id).where(User.email == email))
    if other is not None and (user is None or other != user.id):
        raise DomainError(_l("L'adresse %(email)s est déjà utilisée.", email=email))
    return email


def clean(data: dict, user: User | None = None) -> dict:
    """The user's fields checked and normalised (name, e-mail, language, timezone...)."""
    name = (data.get("name") or "").strip()
    if not name or len(name) > 200:
        raise DomainError(_l("Le nom d'utilisateur est obligatoire (200 caractères au plus)."))
    taken = db.session.scalar(select(User.id).where(func.lower(User.name) == name.lower()))
    if taken is not None and (user is None or taken != user.id):
        raise DomainError(_l("L'utilisateur %(name)s existe déjà.", name=name))
    for key in ("signature", "comments"):
        if len(data.get(key) or "") > MAX_TEXT:
            raise DomainError(_l("Texte trop long (%(n)d caractères au plus).", n=MAX_TEXT))
    return {"name": name, "real_name": (data.get("real_name") or "").strip()[:200],
            "email": clean_email(data.get("email"), user),
            "lang": clean_lang(data.get("lang")), "timezone": clean_timezone(data.get("timezone")),
            "signature": data.get("signature") or "", "comments": data.get("comments") or "",
            "privileged": bool(data.get("privileged"))}


def load(user_id: int) -> User:
    """The user with this id; NotFound otherwise."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_l("Utilisateur introuvable."))
    return user


def find(name: str) -> User:
    """The user with this login name or e-mail; NotFound otherwise."""
    user = accounts.find_user(name)
    if user is None:
        raise NotFound(_l("Utilisateur inconnu : %(name)s", name=name))
    return user


def list_users(actor: User | None, search: str = "", kind: str = "", page: int = 1,
               per_page: int = PER_PAGE) -> Page:
    """One page of users by login name: matching the words (name, real name, e-mail), and
    of one kind (privileged, unprivileged, disabled; enabled ones by default)."""
    require_admin(actor, "AdminUsers")
    query = select(User).where(User.disabled.is_(kind == "disabled"))
    if kind in ("privileged", "unprivileged"):
        query = query.where(User.privileged.is_(kind == "privileged"))
    query = matching(query, search, User.name, User.real_name, User.email)
    return page_of(query, [func.lower(User.name), User.id], page, per_page)


def create(actor: User | None, data: dict, password: str | None = None) -> User:
    """Create a user (AdminUsers); the password, when given, follows the policy."""
    require_admin(actor, "AdminUsers")
    fields = clean(data)
    user = accounts.create_user(password=password or None, **fields)
    audit.record(actor, "user", user.id, user.name, "create",
                 after=audit.snapshot(user, AUDITED))
    return user


def _guard_superuser(actor: User | None, user: User) -> None:
    """Only a SuperUser changes a SuperUser (else AdminUsers would lead to SuperUser)."""
    if actor is not None and can(user, "SuperUser") and not can(actor, "SuperUser"):
        raise Forbidden(_l("Seul un super-utilisateur peut modifier %(name)s.", name=user.name))


def _guard_system_user(user: User, fields: dict | None = None) -> None:
    """Nobody and RT_System keep their name, stay privileged and enabled."""
    if user.name not in SYSTEM_USERS:
        return
    if fields is None or fields["name"] != user.name or not fields["privileged"]:
        raise DomainError(_l("%(name)s est un utilisateur du système : il ne peut être ni "
                             "renommé, ni désactivé, ni rendu non privilégié.", name=user.name))


def update(actor: User | None, user: User, data: dict) -> User:
    """Change a user's fields (AdminUsers); a privilege change applies at the next request."""
    require_admin(actor, "AdminUsers")
    _guard_superuser(actor, user)
    fields = clean(data, user)
    _guard_system_user(user, fields)
    if actor is not None and actor.id == user.id and not fields["privileged"]:
        raise DomainError(_l("Vous ne pouvez pas retirer vos propres privilèges."))
    before = audit.snapshot(user, AUDITED)
    for key, value in fields.items():
        setattr(user, key, value)
    if before["privileged"] != user.privileged:
        forget_cached_rights()
    db.session.flush()
    audit.record(actor, "user", user.id, user.name, "update", before=before,
                 after=audit.snapshot(user, AUDITED))
    return user


def set_disabled(actor: User | None, user: User, disabled: bool) -> None:
    """Disable (ending every session) or re-enable a user (AdminUsers); never delete."""
    require_admin(actor, "AdminUsers")
    _guard_superuser(actor, user)
    _guard_system_user(user)
    if actor is not None and actor.id == user.id and disabled:
        raise DomainError(_l("Vous ne pouvez pas désactiver votre propre compte."))
    if user.disabled == disabled:
        return
    user.disabled = disabled
    if disabled:
        accounts.end_sessions(user)
    forget_cached_rights()
    db.session.flush()
    audit.record(actor, "user", user.id, user.name, "disable" if disabled else "enable",
                 before={"disabled": not disabled}, after={"disabled": disabled})


def set_password(actor: User | None, user: User, password: str) -> None:
    """Set a user's password (AdminUsers): the policy applies, their sessions end."""
    require_admin(actor, "AdminUsers")
    _guard_superuser(actor, user)
    _guard_system_user(user)
    accounts.set_password(user, password)
    user.must_change_password = False
    db.session.flush()
    audit.record(actor, "user", user.id, user.name, "set_password")


@dataclass(frozen=True)
class Holding:
    right: str
    queue: str | None  # None: global
    via: str           # "" (granted to the user), a group's name, or a system group


def holdings(user: User) -> list[Holding]:
    """The rights the user holds outside ticket roles: global and per queue, directly, through
    their enabled groups and through the system groups (Everyone, Privileged...)."""
    system = ("Everyone", "Privileged" if user.privileged else "Unprivileged")
    rows = db.session.execute(
        select(ACE.right_name, Queue.name, ACE.principal_kind, ACE.principal_name, Group.name)
        .outerjoin(Queue, Queue.id == ACE.queue_id)
        .outerjoin(Group, (ACE.principal_kind == "group") & (Group.id == ACE.principal_id))
        .where(or_((ACE.principal_kind == "user") & (ACE.principal_id == user.id),
                   (ACE.principal_kind == "group")
                   & ACE.principal_id.in_(enabled_group_ids(user.id)),
                   (ACE.principal_kind == "system") & ACE.principal_name.in_(system)))).all()
    found = {Holding(right, queue, group or (name if kind == "system" else ""))
             for right, queue, kind, name, group in rows}
    return sorted(found, key=lambda h: (h.queue is not None, h.queue or "", h.right, h.via))


def requested(user: User, viewer: User | None, limit: int = 50) -> list:
    """The tickets the user requests that the viewer may see, newest first (not deleted)."""
    from ..models import Ticket
    from .queries import _with_people
    from .rights import visible_tickets_filter
    query = (select(Ticket).join(Watcher, Watcher.ticket_id == Ticket.id)
             .where(Watcher.user_id == user.id, Watcher.role == "Requestor",
                    Ticket.status != "deleted", visible_tickets_filter(viewer))
             .order_by(Ticket.id.desc()).limit(limit))
    return list(db.session.scalars(_with_people(query)).unique())


def search_users(text: str, limit: int = 10, excluding=None) -> list[User]:
    """Enabled people (not the system users) whose login, real name or address contains the
    text, by login: the one search-as-you-type for a person (group members, queue watchers,
    rights); `excluding`: ids (or a subquery of ids) left out."""
    if not (text or "").strip():
        return []
    query = select(User).where(User.disabled.is_(False), User.name.not_in(SYSTEM_USERS))
    if excluding is not None:
        query = query.where(User.id.not_in(excluding))
    query = matching(query, text, User.name, User.real_name, User.email)
    return list(db.session.scalars(query.order_by(User.name).limit(limit)))
