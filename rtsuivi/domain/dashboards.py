"""« Tableaux de bord » and the home page: who may see, create, change, delete them.

Rights as RT (lib/RT/Dashboard.pm): system dashboards need SeeDashboard, CreateDashboard,
ModifyDashboard, DeleteDashboard; personal ones the Own variants (and only their owner
sees them); a group's ones the Group variants held by a member of the group. RT checks
group dashboards against rights on the group object; RT-suivi's rights live on the
system and queues, so membership stands for that object right (as for saved searches).
The home page is a dashboard (`home`): a user's own layout is theirs alone; the default
layout (system) is seen by every agent and changed by a SuperUser.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from ..extensions import db
from ..models import Dashboard, GroupMember, Portlet, User
from ..models.base import fits_id
from . import DomainError, Forbidden, NotFound
from .rights import can

PRIVACIES = ("user", "group", "system")
VERBS = ("See", "Create", "Modify", "Delete")
_INFIX = {"user": "Own", "group": "Group", "system": ""}


def right_for(verb: str, privacy: str) -> str:
    """RT's right name for a verb on a dashboard of that privacy (ModifyOwnDashboard...)."""
    if privacy == "system" and verb == "Create":
        return "CreateDashboard"
    return f"{verb}{_INFIX[privacy]}Dashboard"


def _member_of(user: User, group_id: int | None) -> bool:
    return group_id in {g.id for g in user.groups}


def knows(user: User, dashboard: Dashboard) -> bool:
    """Tell whether the user may know the dashboard exists (owner, member, or system)."""
    if dashboard.privacy == "user":
        return dashboard.owner_id == user.id
    if dashboard.privacy == "group":
        return _member_of(user, dashboard.owner_id)
    return True


def may(user: User, dashboard: Dashboard, verb: str) -> bool:
    """Tell whether the user may See, Modify or Delete the dashboard."""
    if not knows(user, dashboard):
        return False
    if dashboard.home:
        return dashboard.privacy == "user" or verb == "See" or can(user, "SuperUser")
    return can(user, right_for(verb, dashboard.privacy))


def load(user: User, dashboard_id: int, verb: str = "See") -> Dashboard:
    """Return the dashboard for that verb: NotFound when absent or not the user's to know,
    Forbidden when the right is missing."""
    dashboard = db.session.get(Dashboard, dashboard_id) if fits_id(dashboard_id) else None
    if dashboard is None or not knows(user, dashboard):
        raise NotFound(_l("Tableau de bord introuvable."))
    if not may(user, dashboard, verb):
        raise Forbidden(_l("Vous n'avez pas le droit de faire cela sur ce tableau de bord."))
    return dashboard


def load_portlet(user: User, portlet_id: int, verb: str = "See") -> Portlet:
    """Return the portlet if the user may `verb` its dashboard (see `load`)."""
    portlet = db.session.get(Portlet, portlet_id) if fits_id(portlet_id) else None
    if portlet is None:
        raise NotFound(_l("Portlet introuvable."))
    load(user, portlet.dashboard_id, verb)
    return portlet


def visible(user: User) -> list[Dashboard]:
    """The named dashboards the user may see: system, then group, then personal, by name."""
    groups = select(GroupMember.group_id).where(GroupMember.user_id == user.id)
    shown = [and_(Dashboard.privacy == "user", Dashboard.owner_id == user.id),
             and_(Dashboard.privacy == "group", Dashboard.owner_id.in_(groups)),
             Dashboard.privacy == "system"]
    found = db.session.scalars(select(Dashboard).where(Dashboard.home.is_(False), or_(*shown))
                               .order_by(Dashboard.privacy.desc(), Dashboard.name))
    return [d for d in found if may(user, d, "See")]


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Donnez un nom au tableau de bord."))
    if len(name) > 200:
        raise DomainError(_l("Le nom est trop long (200 caractères au plus)."))
    return name


def create(actor: User, name: str, privacy: str, group_id: int | None = None) -> Dashboard:
    """Create an empty dashboard (Create[Own|Group]Dashboard; membership for a group)."""
    name = _clean_name(name)
    if privacy not in PRIVACIES:
        raise DomainError(_l("Visibilité inconnue."))
    owner_id = {"user": actor.id, "group": group_id, "system": None}[privacy]
    if privacy == "group" and not _member_of(actor, owner_id):
        raise DomainError(_l("Vous n'êtes pas membre de ce groupe."))
    if not can(actor, right_for("Create", privacy)):
        raise Forbidden(_l("Vous n'avez pas le droit de créer ce tableau de bord."))
    dashboard = Dashboard(name=name, privacy=privacy, owner_id=owner_id)
    db.session.add(dashboard)
    db.session.flush()
    return dashboard


def rename(actor: User, dashboard: Dashboard, name: str) -> None:
    """Rename a dashboard (Modify[Own|Group]Dashboard)."""
    name = _clean_name(name)
    if dashboard.home or not may(actor, dashboard, "Modify"):
        raise Forbidden(_l("Vous n'avez pas le droit de modifier ce tableau de bord."))
    dashboard.name = name
    db.session.flush()


def delete(actor: User, dashboard: Dashboard) -> None:
    """Delete a dashboard and its portlets (Delete[Own|Group]Dashboard)."""
    if dashboard.home or not may(actor, dashboard, "Delete"):
        raise Forbidden(_l("Vous n'avez pas le droit de supprimer ce tableau de bord."))
    db.session.delete(dashboard)
    db.session.flush()


def groups_of(user: User) -> list:
    """The groups the user may share a dashboard with (their own groups)."""
    return sorted(user.groups, key=lambda g: g.name)
