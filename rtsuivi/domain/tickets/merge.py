"""« Fusionner »: merge one ticket into another, as RT's _MergeInto."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy import update as sql_update

from ...extensions import db
from ...models import Link, Ticket, Transaction, User, Watcher, utcnow
from .. import DomainError, lifecycle
from ..rights import require
from .links import other_ticket, reaches
from .recording import record as _record

ON_MERGE = lifecycle.ON_MERGE


def merge_target(number, actor: User) -> Ticket:
    """Return the ticket a merge names; DomainError when unknown, invisible or merged away."""
    into = other_ticket(number, actor, follow=False)
    if into.effective_id:
        raise DomainError(_l("Le ticket n°%(id)s a déjà été fusionné dans n°%(into)s.",
                             id=into.id, into=into.effective_id))
    return into


def merge(ticket: Ticket, actor: User, number) -> Transaction:
    """Merge the ticket into another one (needs ModifyTicket on both).

    The other ticket gets the watchers, the links and the times; the merged ticket's number,
    subject tag and pages lead to it and both histories show together.
    """
    into = merge_target(number, actor)
    if into.id == ticket.id:
        raise DomainError(_l("Un ticket ne peut pas être fusionné avec lui-même."))
    if ticket.effective_id:
        raise DomainError(_l("Ce ticket a déjà été fusionné."))
    require(actor, "ModifyTicket", ticket)
    require(actor, "ModifyTicket", into)
    _carry_watchers(ticket, into)
    _carry_links(ticket, into)
    for name in ("time_worked", "time_estimated", "time_left"):
        setattr(into, name, (getattr(into, name) or 0) + (getattr(ticket, name) or 0))
    db.session.execute(sql_update(Ticket).where(Ticket.effective_id == ticket.id)
                       .values(effective_id=into.id).execution_options(
                           synchronize_session=False))
    ticket.effective_id = into.id
    if ticket.status != ON_MERGE:
        ticket.status, ticket.resolved = ON_MERGE, utcnow()
    db.session.add(Link(base_id=ticket.id, type="MergedInto", target_id=into.id,
                        creator_id=actor.id, created=utcnow()))
    _record(ticket, actor, "Merge", field="MergedInto", old=ticket.id, new=into.id)
    done = _record(into, actor, "Merge", field="MergedInto", old=ticket.id, new=into.id)
    db.session.flush()
    return done


def _carry_watchers(ticket: Ticket, into: Ticket) -> None:
    have = {(w.user_id, w.role) for w in into.watchers}
    for watcher in ticket.watchers:
        if (watcher.user_id, watcher.role) not in have:
            into.watchers.append(Watcher(user_id=watcher.user_id, role=watcher.role))
            have.add((watcher.user_id, watcher.role))


def _carry_links(ticket: Ticket, into: Ticket) -> None:
    """Point the merged ticket's links at the other one; drop those that would link it to
    itself or repeat a link it has."""
    links = db.session.scalars(select(Link).where(
        Link.type != "MergedInto",
        or_(Link.base_id == ticket.id, Link.target_id == ticket.id))).all()
    existing = {(link.base_id, link.type, link.target_id) for link in db.session.scalars(
        select(Link).where(or_(Link.base_id == into.id, Link.target_id == into.id)))}
    moved = []
    for link in links:
        base = into.id if link.base_id == ticket.id else link.base_id
        target = into.id if link.target_id == ticket.id else link.target_id
        if base == target or (base, link.type, target) in existing:
            db.session.delete(link)
        else:
            link.base_id, link.target_id = base, target
            existing.add((base, link.type, target))
            moved.append(link)
    db.session.flush()
    for link in moved:  # A -> C -> B merged into B would make B -> C -> B
        if link.type in ("DependsOn", "MemberOf") and reaches(link.target_id, link.base_id,
                                                              link.type):
            raise DomainError(_l("Fusion refusée : elle créerait une boucle de dépendances ou "
                                 "de parents (n°%(a)s et n°%(b)s).", a=link.base_id,
                                 b=link.target_id))
