"""Users, groups, queues and grants: what the CLI (and later the admin pages) call."""
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import ACE, NOBODY_NAME, SYSTEM_NAME, Group, GroupMember, Queue, User
from . import DomainError
from .rights import ALL_RIGHTS, ROLES, SYSTEM_GROUPS, SYSTEM_RIGHTS, forget_cached_rights

# A hash to compare against when the login is unknown, so both failures cost the same time.
_DUMMY_HASH = None


def nobody() -> User:
    """Return the built-in user Nobody (cached for the database session)."""
    info = db.session.info
    user_id = info.get("nobody_id")
    if user_id is not None:
        user = db.session.get(User, user_id)
        if user is not None:
            return user
    user = db.session.scalar(select(User).where(User.name == NOBODY_NAME))
    if user is None:
        ensure_system_users()
        user = db.session.scalar(select(User).where(User.name == NOBODY_NAME))
    info["nobody_id"] = user.id
    return user


def ensure_system_users() -> None:
    """Create Nobody and RT_System if they are missing."""
    for name, real_name in ((NOBODY_NAME, "Nobody in particular"),
                            (SYSTEM_NAME, "The RT-suivi system itself")):
        if db.session.scalar(select(User.id).where(User.name == name)) is None:
            db.session.add(User(name=name, real_name=real_name, privileged=True))
    db.session.flush()


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def create_user(name: str, email: str | None = None, real_name: str = "",
                password: str | None = None, privileged: bool = False, **fields) -> User:
    """Create a user; refuse a name or e-mail already taken."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Le nom d'utilisateur est obligatoire."))
    if db.session.scalar(select(User.id).where(func.lower(User.name) == name.lower())):
        raise DomainError(_l("L'utilisateur %(name)s existe déjà.", name=name))
    if password is not None:
        check_password_policy(password, name)
    email = (email or "").strip().lower() or None
    if email and db.session.scalar(select(User.id).where(User.email == email)):
        raise DomainError(_l("L'adresse %(email)s est déjà utilisée.", email=email))
    user = User(name=name, email=email, real_name=real_name, privileged=privileged,
                password_hash=_hash(password) if password else None, **fields)
    db.session.add(user)
    db.session.flush()
    if privileged:
        forget_cached_rights()  # a new agent joins the holders of what Privileged is granted
    return user


def set_password(user: User, password: str) -> None:
    """Set the user's password (stored hashed) and end the sessions opened with the old one.

    Raises DomainError when the password breaks the policy.
    """
    check_password_policy(password, user.name)
    user.password_hash = _hash(password)
    end_sessions(user)


def end_sessions(user: User) -> None:
    """End every login session of the user, wherever it is (rtsuivi/sessions.py)."""
    user.session_serial = (user.session_serial or 0) + 1


MIN_PASSWORD_LENGTH = 10
# The most used passwords that are long enough to pass the length rule (lower case).
COMMON_PASSWORDS = frozenset("""
1234567890 0123456789 0987654321 1111111111 0000000000 123456789a 1234567891 12345678910
azertyuiop qwertyuiop azerty1234 azerty123456 qwerty1234 qwerty123456 1q2w3e4r5t
motdepasse motdepasse1 motdepasse123 mot-de-passe password12 password123 password1234
passwordpassword passw0rd123 iloveyou12 jetaime123 administrateur administrator
bonjour123 soleil1234 changeme123 welcome123 bienvenue1 bienvenue123 letmein123
abcdefghij abc1234567 aaaaaaaaaa football12 marseille13 doudou1234 loulou1234
""".split())


def check_password_policy(password: str | None, name: str | None) -> None:
    """Refuse a password shorter than 10 characters, equal to the user name or among the
    most common ones; raise DomainError saying why."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(_l("Le mot de passe doit compter au moins %(n)d caractères.",
                             n=MIN_PASSWORD_LENGTH))
    lowered, login = password.lower(), (name or "").strip().lower()
    if login and lowered == login:
        raise DomainError(_l("Le mot de passe ne doit pas être le nom d'utilisateur."))
    if lowered in COMMON_PASSWORDS:
        raise DomainError(_l("Ce mot de passe est trop courant : choisissez-en un autre."))


def authenticate(name: str, password: str) -> User | None:
    """Return the enabled user with this name and password, else None (never say which)."""
    global _DUMMY_HASH
    user = db.session.scalar(select(User).where(User.name == (name or "").strip()))
    if user is None or not user.password_hash:
        _DUMMY_HASH = _DUMMY_HASH or _hash(secrets.token_hex(8))
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    if user.disabled or user.name in (NOBODY_NAME, SYSTEM_NAME):
        return None
    return user


def find_user(login_or_email: str) -> User | None:
    """Find a user by login name or e-mail address."""
    value = (login_or_email or "").strip()
    if not value:
        return None
    if "@" in value:
        return db.session.scalar(select(User).where(User.email == value.lower()))
    return db.session.scalar(select(User).where(User.name == value))


def find_or_create_by_email(address: str, real_name: str = "") -> User:
    """Find a user by login or e-mail; an unknown address becomes an unprivileged user.

    real_name (the display name of a mail's From) names a new user only, as in RT.
    """
    user = find_user(address)
    if user:
        return user
    address = address.strip().lower()
    if "@" not in address or " " in address or address.startswith("@"):
        raise DomainError(_l("« %(value)s » n'est ni un utilisateur connu ni une adresse "
                             "électronique.", value=address))
    return create_user(name=address, email=address, real_name=real_name.strip()[:200],
                       privileged=False)


def create_group(name: str, description: str = "") -> Group:
    """Create a user-defined group."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Le nom du groupe est obligatoire."))
    if name in SYSTEM_GROUPS or db.session.scalar(select(Group.id).where(Group.name == name)):
        raise DomainError(_l("Le groupe %(name)s existe déjà.", name=name))
    group = Group(name=name, description=description)
    db.session.add(group)
    db.session.flush()
    return group


def add_member(group: Group, user: User) -> None:
    """Add the user to the group (once)."""
    if db.session.get(GroupMember, (group.id, user.id)) is None:
        db.session.add(GroupMember(group_id=group.id, user_id=user.id))
        db.session.flush()
        db.session.expire(user, ["groups"])
    forget_cached_rights()


def create_queue(name: str, description: str = "", correspond_address: str | None = None,
                 comment_address: str | None = None) -> Queue:
    """Create a queue with its correspond and comment addresses."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Le nom de la file est obligatoire."))
    if db.session.scalar(select(Queue.id).where(Queue.name == name)):
        raise DomainError(_l("La file %(name)s existe déjà.", name=name))
    queue = Queue(name=name, description=description,
                  correspond_address=(correspond_address or "").lower() or None,
                  comment_address=(comment_address or "").lower() or None)
    db.session.add(queue)
    db.session.flush()
    return queue


def _principal(principal: str) -> tuple[str, int | None, str | None]:
    """Parse "user:alice", "group:Support N1", "role:Requestor" or "system:Everyone"."""
    kind, _, name = (principal or "").partition(":")
    if kind == "user":
        user = find_user(name)
        if user is None:
            raise DomainError(_l("Utilisateur inconnu : %(name)s", name=name))
        return "user", user.id, None
    if kind == "group":
        group = db.session.scalar(select(Group).where(Group.name == name))
        if group is None:
            raise DomainError(_l("Groupe inconnu : %(name)s", name=name))
        return "group", group.id, None
    if kind == "role" and name in ROLES:
        return "role", None, name
    if kind == "system" and name in SYSTEM_GROUPS:
        return "system", None, name
    raise DomainError(_l("Destinataire de droits inconnu : %(name)s (attendu user:, group:, "
                         "role: ou system:)", name=principal))


def grant(principal: str, right: str, queue: Queue | None = None) -> ACE:
    """Grant a right to a principal, globally or on one queue (idempotent)."""
    if right not in ALL_RIGHTS:
        raise DomainError(_l("Droit inconnu : %(right)s", right=right))
    if right in SYSTEM_RIGHTS and queue is not None:
        raise DomainError(_l("%(right)s est un droit global, pas un droit de file.", right=right))
    kind, principal_id, principal_name = _principal(principal)
    queue_id = queue.id if queue else None
    ace = db.session.scalar(select(ACE).where(
        ACE.principal_kind == kind, ACE.principal_id.is_(principal_id) if principal_id is None
        else ACE.principal_id == principal_id,
        ACE.principal_name.is_(None) if principal_name is None
        else ACE.principal_name == principal_name,
        ACE.right_name == right,
        ACE.queue_id.is_(None) if queue_id is None else ACE.queue_id == queue_id))
    if ace is None:
        ace = ACE(principal_kind=kind, principal_id=principal_id, principal_name=principal_name,
                  right_name=right, queue_id=queue_id)
        db.session.add(ace)
        db.session.flush()
    forget_cached_rights()
    return ace


def revoke(principal: str, right: str, queue: Queue | None = None) -> int:
    """Remove a grant; return how many entries were removed."""
    kind, principal_id, principal_name = _principal(principal)
    aces = db.session.scalars(select(ACE).where(
        ACE.principal_kind == kind, ACE.right_name == right,
        ACE.queue_id.is_(None) if queue is None else ACE.queue_id == queue.id)).all()
    removed = 0
    for ace in aces:
        if ace.principal_id == principal_id and ace.principal_name == principal_name:
            db.session.delete(ace)
            removed += 1
    db.session.flush()
    forget_cached_rights()
    return removed


def grant_site_defaults(mail_queues: list[Queue]) -> None:
    """The grants a new site starts with (demo and benchmark data alike).

    Anyone may write to the mail queues, requesters see and answer their own tickets and
    change their own settings (« Préférences »), and, as RT 5 does, every agent may change
    their settings, use the advanced search, bulk update and saved searches (and, issue 15,
    their own dashboards).
    """
    for queue in mail_queues:
        for right in ("CreateTicket", "ReplyToTicket"):
            grant("system:Everyone", right, queue)
    for right in ("ShowTicket", "ReplyToTicket"):
        grant("role:Requestor", right)
    grant("system:Unprivileged", "ModifySelf")
    for right in ("ModifySelf", "ShowSearchAdvanced", "ShowSearchBulkUpdate",
                  "LoadSavedSearch", "CreateSavedSearch", "ShowSavedSearches"):
        grant("system:Privileged", right)
    # « Tableaux de bord » (issue 15): personal ones, and seeing those of one's groups and
    # of the system; sharing with a group or everyone stays an administrator's grant.
    for right in ("SeeOwnDashboard", "CreateOwnDashboard", "ModifyOwnDashboard",
                  "DeleteOwnDashboard", "SeeGroupDashboard", "SeeDashboard",
                  "SubscribeDashboard"):
        grant("system:Privileged", right)
