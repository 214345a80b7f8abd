"""A site started without demo data: the first administrator (a one-time password to
change at first login) and the checklist Administration's home shows until the desk is set up."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from ..extensions import db
from ..models import ACE, Group, Queue, User
from . import accounts, audit
from .people_admin import AUDITED, SYSTEM_USERS

ADMIN_NAME = "admin"


def has_people() -> bool:
    """Whether any user exists besides Nobody and RT_System."""
    return db.session.scalar(select(exists().where(User.name.not_in(SYSTEM_USERS))))


def create_first_admin(password: str) -> User | None:
    """Create `admin` (SuperUser, password to change at first login) and the site's default
    grants, on a site without users; None when the site already has some."""
    accounts.ensure_system_users()
    if has_people():
        return None
    admin = accounts.create_user(ADMIN_NAME, real_name="Administrateur", password=password,
                                 privileged=True, must_change_password=True)
    accounts.grant(f"user:{ADMIN_NAME}", "SuperUser")
    accounts.grant_site_defaults([])
    audit.record(None, "user", admin.id, admin.name, "create",
                 after=audit.snapshot(admin, AUDITED))
    return admin


@dataclass(frozen=True)
class Step:
    key: str     # queue, group, grant, agent (the page links each to its section)
    label: str
    done: bool


def checklist() -> list[Step]:
    """The first steps of a new desk, each ticked as soon as what it asks for exists."""
    agents = db.session.scalar(select(func.count(User.id)).where(
        User.privileged.is_(True), User.disabled.is_(False), User.name.not_in(SYSTEM_USERS)))
    return [
        Step("queue", _l("Créer une file avec ses adresses"), db.session.scalar(select(exists(
        ).where(Queue.disabled.is_(False), Queue.correspond_address.is_not(None))))),
        Step("group", _l("Créer un groupe"), db.session.scalar(select(exists().where(
            Group.disabled.is_(False))))),
        Step("grant", _l("Donner des droits à un groupe"), db.session.scalar(select(exists(
        ).where(ACE.principal_kind == "group")))),
        Step("agent", _l("Ajouter un agent"), agents > 1),
    ]
