"""Relations between tickets (RT's links), as the manual names them: « Dépend de » /
« En dépend », « Parents » / « Fils », « Se rapporte à » / « Mentionné par ».

Adding or removing one needs ModifyTicket on the ticket being edited and only the sight
(ShowTicket) of the other one, so an agent may relate a ticket to another team's. RT with
$StrictLinkACL (on by default) would ask ModifyTicket on both; without it, on either. Both
histories record it (AddLink / DeleteLink). The resolve guards live here too and plug into
the lifecycle's transition check, so every door (menu, update form, bulk, API) refuses.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, or_, select

from ...extensions import db
from ...models import Link, Ticket, User, utcnow
from ...models.base import fits_id
from .. import DomainError, lifecycle
from ..reads import Read, read_rows
from ..rights import can, require
from .recording import record as _record

MAX_WALK = 5000  # tickets visited when looking for a loop: a bound, never reached in practice


@dataclass(frozen=True)
class Side:
    key: str        # RT's name for this side, also its TicketSQL field
    type: str       # the Link.type stored
    outgoing: bool  # True when the ticket shown is the link's base
    label: object
    reverse: str    # the other side's key


SIDES = {s.key: s for s in (
    Side("DependsOn", "DependsOn", True, _l("Dépend de"), "DependedOnBy"),
    Side("DependedOnBy", "DependsOn", False, _l("En dépend"), "DependsOn"),
    Side("MemberOf", "MemberOf", True, _l("Parents"), "HasMember"),
    Side("HasMember", "MemberOf", False, _l("Fils"), "MemberOf"),
    Side("RefersTo", "RefersTo", True, _l("Se rapporte à"), "ReferredToBy"),
    Side("ReferredToBy", "RefersTo", False, _l("Mentionné par"), "RefersTo"),
)}
RESOLVED = "resolved"  # the status the guards protect: the manual's « résoudre »


class Blocked(lifecycle.TransitionRefused):
    """Resolving is refused while the tickets named in `ticket_ids` are unresolved."""

    def __init__(self, message, ticket_ids: list[int]):
        super().__init__(message)
        self.ticket_ids = ticket_ids


@dataclass
class Related:
    id: int
    ticket: Ticket | None  # None when the user may not see it: only the number is shown


def side(key: str) -> Side:
    """Return the side a form names; DomainError when unknown."""
    if key not in SIDES:
        raise DomainError(_l("Type de relation inconnu."))
    return SIDES[key]


def other_ticket(number, actor: User, follow: bool = True) -> Ticket:
    """Return the ticket a number names if the actor may see it; DomainError otherwise
    (an invisible ticket is as unknown as a missing one)."""
    try:
        number = int(str(number).strip().lstrip("#"))
    except ValueError:
        raise DomainError(_l("Indiquez un numéro de ticket.")) from None
    found = db.session.get(Ticket, number) if fits_id(number) else None
    if found is not None and follow and found.effective_id:
        found = db.session.get(Ticket, found.effective_id)
    if found is None or not can(actor, "ShowTicket", found):
        raise DomainError(_l("Ticket n°%(id)s introuvable.", id=number))
    return found


def _ends(ticket: Ticket, chosen: Side, other: Ticket) -> tuple[Ticket, Ticket]:
    return (ticket, other) if chosen.outgoing else (other, ticket)


def _find(base_id: int, type_: str, target_id: int) -> Link | None:
    return db.session.scalar(select(Link).where(
        Link.base_id == base_id, Link.type == type_, Link.target_id == target_id))


def reaches(start_id: int, goal_id: int, type_: str) -> bool:
    """Tell whether following type_ links from start (base -> target) reaches goal."""
    seen, frontier = {start_id}, {start_id}
    while frontier and len(seen) < MAX_WALK:
        if goal_id in frontier:
            return True
        frontier = set(db.session.scalars(select(Link.target_id).where(
            Link.type == type_, Link.base_id.in_(sorted(frontier))))) - seen
        seen |= frontier
    return goal_id in frontier


def add_link(ticket: Ticket, actor: User, key: str, number) -> Link:
    """Relate the ticket to another one (needs ModifyTicket here, ShowTicket there).

    Refuses a link to itself, a link that exists, and a loop of dependencies or of parents.
    """
    chosen = side(key)
    require(actor, "ModifyTicket", ticket)
    other = other_ticket(number, actor)
    if other.id == ticket.id:
        raise DomainError(_l("Un ticket ne peut pas être lié à lui-même."))
    base, target = _ends(ticket, chosen, other)
    if _find(base.id, chosen.type, target.id) is not None:
        raise DomainError(_l("Cette relation existe déjà."))
    if chosen.type in ("DependsOn", "MemberOf") and reaches(target.id, base.id, chosen.type):
        raise DomainError(
            _l("Boucle refusée : n°%(target)s dépend déjà, directement ou non, de n°%(base)s.",
               target=target.id, base=base.id) if chosen.type == "DependsOn" else
            _l("Boucle refusée : n°%(target)s est déjà, directement ou non, un fils de "
               "n°%(base)s.", target=target.id, base=base.id))
    link = Link(base_id=base.id, type=chosen.type, target_id=target.id, creator_id=actor.id,
                created=utcnow())
    db.session.add(link)
    _record(ticket, actor, "AddLink", field=chosen.key, new=other.id)
    _record(other, actor, "AddLink", field=chosen.reverse, new=ticket.id)
    db.session.flush()
    return link


def remove_link(ticket: Ticket, actor: User, key: str, number) -> None:
    """Remove a relation of the ticket (needs ModifyTicket here)."""
    chosen = side(key)
    require(actor, "ModifyTicket", ticket)
    try:
        other_id = int(str(number).strip().lstrip("#"))
    except ValueError:
        raise DomainError(_l("Indiquez un numéro de ticket.")) from None
    other = db.session.get(Ticket, other_id) if fits_id(other_id) else None
    found = None
    if other is not None:
        base, target = _ends(ticket, chosen, other)
        found = _find(base.id, chosen.type, target.id)
    if found is None:
        raise DomainError(_l("Cette relation n'existe pas."))
    db.session.delete(found)
    _record(ticket, actor, "DeleteLink", field=chosen.key, old=other.id)
    _record(other, actor, "DeleteLink", field=chosen.reverse, old=ticket.id)
    db.session.flush()


def relations(ticket: Ticket, user: User) -> list[tuple[Side, list[Related]]]:
    """List the ticket's relations by side, in the manual's order; tickets the user may not
    see keep only their number."""
    links = ticket_links(ticket)
    ids = {link.target_id if link.base_id == ticket.id else link.base_id for link in links}
    tickets = {t.id: t for t in db.session.scalars(select(Ticket).where(
        Ticket.id.in_(sorted(ids))))} if ids else {}
    groups = []
    for chosen in SIDES.values():
        items = []
        for link in links:
            mine = link.base_id if chosen.outgoing else link.target_id
            if link.type == chosen.type and mine == ticket.id:
                other_id = link.target_id if chosen.outgoing else link.base_id
                other = tickets.get(other_id)
                items.append(Related(other_id, other if other is not None
                                     and can(user, "ShowTicket", other) else None))
        groups.append((chosen, items))
    return groups


def unresolved_blockers(ticket: Ticket) -> tuple[list[int], list[int]]:
    """Return the unresolved tickets this one depends on, and its unresolved children."""
    active = lifecycle.ACTIVE
    depends = select(Ticket.id).join(Link, and_(Link.target_id == Ticket.id,
                                                Link.type == "DependsOn")) \
        .where(Link.base_id == ticket.id, Ticket.status.in_(active)).order_by(Ticket.id)
    children = select(Ticket.id).join(Link, and_(Link.base_id == Ticket.id,
                                                 Link.type == "MemberOf")) \
        .where(Link.target_id == ticket.id, Ticket.status.in_(active)).order_by(Ticket.id)
    return list(db.session.scalars(depends)), list(db.session.scalars(children))


def _numbers(ids: list[int]) -> str:
    return ", ".join(f"#{number}" for number in ids)


def resolve_guard(ticket: Ticket, old: str, new: str) -> None:
    """Refuse to resolve a ticket that depends on an unresolved ticket, or a parent with an
    unresolved child (RT enforces the first; the manual asks for both)."""
    if new != RESOLVED or ticket.id is None:
        return
    depends, children = unresolved_blockers(ticket)
    if depends:
        raise Blocked(_l("Impossible de résoudre ce ticket : il dépend de tickets non résolus "
                         "(%(tickets)s).", tickets=_numbers(depends)), depends + children)
    if children:
        raise Blocked(_l("Impossible de résoudre ce ticket : ses tickets fils ne sont pas "
                         "tous résolus (%(tickets)s).", tickets=_numbers(children)), children)


# Built once, as the relations' query: the ticket page asks both on every view. On the
# table's columns: Core, no ORM compile step or objects per view (a third of the cost).
_LINK_COLUMNS = Link.__table__.c
_CHILDREN = select(_LINK_COLUMNS.base_id).where(
    _LINK_COLUMNS.type == "MemberOf",
    _LINK_COLUMNS.target_id.in_(bindparam("parents", expanding=True)))
_LINKS_OF = select(_LINK_COLUMNS.id, _LINK_COLUMNS.type, _LINK_COLUMNS.base_id,
                   _LINK_COLUMNS.target_id).where(
    _LINK_COLUMNS.type != "MergedInto",
    or_(_LINK_COLUMNS.base_id == bindparam("ticket_id"),
        _LINK_COLUMNS.target_id == bindparam("ticket_id"))
).order_by(_LINK_COLUMNS.id)


def ticket_links(ticket: Ticket) -> list:
    """The ticket's links but merges, oldest first, as rows (id, type, base_id, target_id),
    read once while the session writes nothing: the summary's « dont fils » and the
    relations box both read them. A flush or the end of a transaction forgets them
    (reads.read_rows, keep=True)."""
    return read_rows(links_read(ticket), keep=True)


def links_read(ticket: Ticket) -> Read:
    """ticket_links' statement, which the ticket page reads with others (reads.py)."""
    return Read(("links", ticket.id), _LINKS_OF, {"ticket_id": ticket.id})


def descendant_ids(ticket: Ticket) -> list[int]:
    """The ids of the ticket's children, their children, and so on (each once). Read from
    the links alone: the ticket page asks for every ticket, and most have no child (its
    children come with ticket_links; a query per generation below)."""
    frontier = {link.base_id for link in ticket_links(ticket)
                if link.type == "MemberOf" and link.target_id == ticket.id} - {ticket.id}
    seen, found = {ticket.id} | frontier, sorted(frontier)
    while frontier and len(seen) < MAX_WALK:
        fresh = set(db.session.scalars(_CHILDREN, {"parents": sorted(frontier)})) - seen
        seen |= fresh
        found += sorted(fresh)
        frontier = fresh
    return found


def children_time(ticket: Ticket) -> int:
    """Sum the minutes worked on the ticket's descendants (RT's $DisplayTotalTimeWorked)."""
    ids = descendant_ids(ticket)
    return db.session.scalar(select(func.coalesce(func.sum(Ticket.time_worked), 0)).where(
        Ticket.id.in_(ids))) if ids else 0


if resolve_guard not in lifecycle.GUARDS:
    lifecycle.GUARDS.append(resolve_guard)
