"""Portlets: the boxes of the home page and of dashboards (issue 15).

A kind is registered once with `register_portlet(key, label, data, template, ...)`; a
`Portlet` row names its kind, an argument (a saved search's id...), its rows and refresh.
Every data function runs as the viewer, never as the dashboard's owner: the tickets it
lists go through the rights filter, so each viewer sees only what they may see. Each
built-in kind costs a bounded number of SQL statements, whatever the rows.
"""
from dataclasses import dataclass
from typing import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..models import Portlet, Ticket, User, Watcher, utcnow
from . import (
    DomainError,
    NotFound,
    bookmarks,
    dashboards,
    lifecycle,
    queries,
    reminders,
    saved_searches,
)
from .accounts import nobody
from .rights import can, visible_tickets_filter
from .ticketsql.parser import TicketSQLError

TICKET_COLUMNS = ("id", "subject", "status", "queue", "owner", "priority", "updated")


@dataclass(frozen=True)
class Kind:
    """What a portlet kind shows: `data(viewer, portlet, compile)` returns the template's
    context (`compile(query)` is search.compile_for bound to the viewer, given by the
    view: the domain does not import the index); `allowed(user)` says who may add it;
    `argument(user, raw)` cleans the argument (DomainError when refused); `choices(user)`
    lists the (argument, label) pairs the editor offers (None: one entry, no argument)."""
    key: str
    label: object
    data: Callable
    template: str
    allowed: Callable = lambda user: True
    argument: Callable | None = None
    choices: Callable | None = None


KINDS: dict[str, Kind] = {}


def register_portlet(key: str, label, data: Callable, template: str,
                     allowed: Callable | None = None, argument: Callable | None = None,
                     choices: Callable | None = None) -> Kind:
    """Make a portlet kind available to the home page and dashboards."""
    kind = Kind(key, label, data, template, allowed or (lambda user: True), argument, choices)
    KINDS[key] = kind
    return kind


def kind_of(key: str) -> Kind:
    """Return the registered kind; DomainError for an unknown one."""
    if key not in KINDS:
        raise DomainError(_l("Type de portlet inconnu."))
    return KINDS[key]


def offered(user: User) -> list[tuple[str, object]]:
    """What the user may add: ("kind" or "kind:argument", label) pairs."""
    found = []
    for kind in KINDS.values():
        if not kind.allowed(user):
            continue
        if kind.choices is None:
            found.append((kind.key, kind.label))
        else:
            found += [(f"{kind.key}:{arg}", f"{kind.label} : {label}")
                      for arg, label in kind.choices(user)]
    return found


def labels(user: User, items) -> dict[int, object]:
    """Each portlet's name for the editor and the page's slots (a saved search by its
    name, read in one query; one the user may not load keeps its kind's label)."""
    items = list(items)
    names = {}
    if any(p.kind == "saved_search" for p in items):
        names = {str(s.id): s.name for s in saved_searches.visible(user)}
    found = {}
    for p in items:
        kind = KINDS.get(p.kind)
        label = kind.label if kind else p.kind
        found[p.id] = f"{label} : {names[p.argument]}" if p.argument in names else label
    return found


def clean_argument(user: User, kind: Kind, raw: str) -> str:
    """The argument to store for a new portlet of this kind (DomainError when refused)."""
    if not kind.allowed(user):
        raise DomainError(_l("Vous ne pouvez pas ajouter ce portlet."))
    return kind.argument(user, raw) if kind.argument else ""


def run(viewer: User, portlet: Portlet, compile: Callable) -> dict:
    """The context of one portlet as the viewer sees it (title, template, data); a kind
    unknown (its module gone) shows a short note instead of failing."""
    kind = KINDS.get(portlet.kind)
    if kind is None:
        return {"portlet": portlet, "title": portlet.kind, "portlet_template": "portlets/gone.html",
                "data": {"note": _l("Ce portlet n'est plus disponible.")}}
    data = kind.data(viewer, portlet, compile)
    return {"portlet": portlet, "title": data.get("title", kind.label),
            "portlet_template": kind.template, "data": data}


# ---------------------------------------------------------------- built-in kinds

def _tickets(tickets, empty, columns=TICKET_COLUMNS, take=False, more=None) -> dict:
    return {"tickets": list(tickets), "columns": list(columns), "empty": empty,
            "take": take, "more": more}


def my_requests(user: User, limit: int) -> list[Ticket]:
    """The active tickets the user requested, newest change first."""
    mine = select(Watcher.ticket_id).where(Watcher.user_id == user.id,
                                           Watcher.role == "Requestor")
    return queries.paginate([visible_tickets_filter(user), Ticket.id.in_(mine),
                             Ticket.status.in_(lifecycle.ACTIVE)],
                            [("updated", "desc")], 1, limit, count=False).items


def creatable_queues(user: User) -> list:
    """The queues the user may create a ticket in (quick ticket creation)."""
    return [q for q in queries.visible_queues(user) if can(user, "CreateTicket", q)]


def _saved_argument(user: User, raw: str) -> str:
    try:
        return str(saved_searches.load(user, int(raw)).id)
    except (ValueError, NotFound):
        raise DomainError(_l("Recherche enregistrée introuvable.")) from None


def _saved_search(viewer: User, portlet: Portlet, compile: Callable) -> dict:
    """Run the saved search as the viewer; a search they may no longer load, or whose
    query no longer compiles, leaves a short note."""
    try:
        saved = saved_searches.load(viewer, int(portlet.argument or 0))
        spec = saved_searches.SearchSpec.of(saved)
        page = queries.search_tickets(compile(spec.query).condition, spec.order, 1,
                                      portlet.rows, count=False)
    except (ValueError, NotFound, TicketSQLError):
        return {"title": _l("Recherche enregistrée"),
                "note": _l("Cette recherche n'est plus disponible.")}
    return {"title": saved.name, "saved": saved, "query": spec.query,
            **_tickets(page.items, _l("Aucun ticket."), spec.columns)}


def _register_builtins() -> None:
    tickets = "portlets/tickets.html"
    register_portlet("my_tickets", _l("Mes tickets"), lambda u, p, c: _tickets(
        queries.my_tickets(u, p.rows), _l("Vous n'avez aucun ticket actif.")), tickets)
    register_portlet("unowned", _l("Tickets sans intervenant"), lambda u, p, c: _tickets(
        queries.unowned_tickets(u, p.rows), _l("Aucun ticket sans intervenant."),
        take=True), tickets)
    register_portlet("my_requests", _l("Mes demandes"), lambda u, p, c: _tickets(
        my_requests(u, p.rows), _l("Aucune demande en cours.")), tickets)
    register_portlet("bookmarks", _l("Mes favoris"), lambda u, p, c: _tickets(
        bookmarks.starred_tickets(u, 1, p.rows).items, _l("Aucun favori."),
        more="tickets.my_bookmarks"), tickets)
    register_portlet("reminders", _l("Mes rappels"), lambda u, p, c: {
        "reminders": reminders.mine(u, p.rows), "now": utcnow()}, "portlets/reminders.html")
    register_portlet("quick_create", _l("Création rapide de ticket"), lambda u, p, c: {
        "queues": creatable_queues(u), "nobody": nobody().id}, "portlets/quick_create.html")
    register_portlet("queues", _l("Mes files"), lambda u, p, c: {
        "queues": queries.queue_counts(u)}, "portlets/queues.html")
    register_portlet("dashboards", _l("Tableaux de bord"), lambda u, p, c: {
        "dashboards": dashboards.visible(u)[:p.rows]}, "portlets/dashboards.html")
    register_portlet("saved_search", _l("Recherche enregistrée"), _saved_search, tickets,
                     allowed=lambda u: can(u, "LoadSavedSearch"), argument=_saved_argument,
                     choices=lambda u: [(s.id, s.name) for s in saved_searches.visible(u)])


_register_builtins()

# Charts (domain/charts.py) plug in as one more kind.
from . import chart_portlets  # noqa: E402

chart_portlets.register()
