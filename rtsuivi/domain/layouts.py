"""The layout of a dashboard's portlets (home page and « Tableaux de bord » alike): add,
remove, reorder, options; the user's own home page and the default one.

Every change needs Modify on the dashboard (`dashboards.may`) and checks its input first:
bad input raises DomainError and changes nothing.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Dashboard, Portlet, User
from . import DomainError, Forbidden, portlets
from .dashboards import may

PANES = ("main", "side")
MAX_ROWS = 50
REFRESH_CHOICES = (0, 2, 5, 10, 20, 60)  # minutes, as RT (0: off)
MAX_PORTLETS = 30
# RT's « RT at a glance »: main column, then the sidebar.
DEFAULT_HOME = (("main", "my_tickets"), ("main", "unowned"), ("main", "bookmarks"),
                ("main", "quick_create"), ("side", "reminders"), ("side", "queues"))


def _home(privacy: str, owner_id: int | None) -> Dashboard | None:
    return db.session.scalars(select(Dashboard).where(
        Dashboard.home.is_(True), Dashboard.privacy == privacy,
        Dashboard.owner_id.is_(None) if owner_id is None else Dashboard.owner_id == owner_id)
        .order_by(Dashboard.id).limit(1)).first()


def default_home() -> Dashboard:
    """Return the default home page, made from RT's « RT at a glance » when none exists."""
    found = _home("system", None)
    if found is None:
        found = Dashboard(name="", privacy="system", owner_id=None, home=True)
        found.portlets = [Portlet(pane=pane, position=i, kind=kind)
                          for i, (pane, kind) in enumerate(DEFAULT_HOME)]
        db.session.add(found)
        db.session.flush()
    return found


def home_of(user: User) -> Dashboard:
    """Return the home page the user sees: their own layout, else the default one."""
    return _home("user", user.id) or default_home()


def own_home(user: User) -> Dashboard:
    """Return the user's own home layout, copied from the default the first time."""
    found = _home("user", user.id)
    if found is None:
        found = Dashboard(name="", privacy="user", owner_id=user.id, home=True)
        found.portlets = [Portlet(pane=p.pane, position=p.position, kind=p.kind,
                                  argument=p.argument, rows=p.rows, refresh=p.refresh)
                          for p in default_home().portlets]
        db.session.add(found)
        db.session.flush()
    return found


def reset_home(user: User) -> None:
    """Drop the user's own layout: « Rétablir la page par défaut »."""
    found = _home("user", user.id)
    if found is not None:
        db.session.delete(found)
        db.session.flush()


def _require_modify(actor: User, dashboard: Dashboard) -> None:
    if not may(actor, dashboard, "Modify"):
        raise Forbidden(_l("Vous n'avez pas le droit de modifier ce tableau de bord."))


def pane_of(dashboard: Dashboard, pane: str) -> list[Portlet]:
    """The portlets of one pane, in order."""
    return sorted((p for p in dashboard.portlets if p.pane == pane),
                  key=lambda p: (p.position, p.id))


def _renumber(dashboard: Dashboard, pane: str, ordered: list[Portlet]) -> None:
    for position, portlet in enumerate(ordered):
        portlet.pane, portlet.position = pane, position
    db.session.flush()
    db.session.expire(dashboard, ["portlets"])


def add(actor: User, dashboard: Dashboard, choice: str, pane: str = "main") -> Portlet:
    """Add a portlet at the end of a pane; `choice` is "kind" or "kind:argument"."""
    _require_modify(actor, dashboard)
    key, _, raw = (choice or "").partition(":")
    kind = portlets.kind_of(key)
    if pane not in PANES:
        raise DomainError(_l("Colonne inconnue."))
    if len(dashboard.portlets) >= MAX_PORTLETS:
        raise DomainError(_l("Trop de portlets sur cette page."))
    argument = portlets.clean_argument(actor, kind, raw)
    portlet = Portlet(dashboard=dashboard, pane=pane, kind=kind.key, argument=argument,
                      position=len(pane_of(dashboard, pane)), rows=10, refresh=0)
    db.session.add(portlet)
    db.session.flush()
    return portlet


def remove(actor: User, portlet: Portlet) -> None:
    """Take a portlet off its dashboard."""
    dashboard = portlet.dashboard
    _require_modify(actor, dashboard)
    db.session.delete(portlet)
    db.session.flush()
    db.session.expire(dashboard, ["portlets"])


def move(actor: User, portlet: Portlet, step: int) -> None:
    """Move a portlet up (-1) or down (+1) in its pane: « Monter », « Descendre »."""
    _require_modify(actor, portlet.dashboard)
    ordered = pane_of(portlet.dashboard, portlet.pane)
    index = ordered.index(portlet)
    target = index + (1 if step > 0 else -1)
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(portlet.dashboard, portlet.pane, ordered)


def switch_pane(actor: User, portlet: Portlet) -> None:
    """Move a portlet to the end of the other pane: « Changer de colonne »."""
    _require_modify(actor, portlet.dashboard)
    other = "side" if portlet.pane == "main" else "main"
    portlet.position, portlet.pane = len(pane_of(portlet.dashboard, other)), other
    db.session.flush()


def reorder(actor: User, dashboard: Dashboard, pane: str, ids: list[int]) -> None:
    """Put a pane's portlets in the order given (the drag and drop's form); the ids must
    be exactly that pane's, else nothing changes."""
    _require_modify(actor, dashboard)
    if pane not in PANES:
        raise DomainError(_l("Colonne inconnue."))
    current = {p.id: p for p in pane_of(dashboard, pane)}
    if sorted(ids) != sorted(current):
        raise DomainError(_l("La page a changé entre-temps : rechargez-la."))
    _renumber(dashboard, pane, [current[i] for i in ids])


def set_options(actor: User, portlet: Portlet, rows, refresh) -> None:
    """Set the rows shown (1 to MAX_ROWS) and the refresh interval (REFRESH_CHOICES)."""
    _require_modify(actor, portlet.dashboard)
    try:
        rows, refresh = int(rows), int(refresh)
    except (TypeError, ValueError):
        raise DomainError(_l("Nombre de lignes ou intervalle invalide.")) from None
    if not 1 <= rows <= MAX_ROWS:
        raise DomainError(_l("Le nombre de lignes va de 1 à %(max)s.", max=MAX_ROWS))
    if refresh not in REFRESH_CHOICES:
        raise DomainError(_l("Intervalle d'actualisation inconnu."))
    portlet.rows, portlet.refresh = rows, refresh
    db.session.flush()
