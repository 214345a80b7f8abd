"""The owner: take, steal, give (RT's Take, Steal, Give/Untake)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import update as sql_update

from ...extensions import db
from ...models import Ticket, Transaction, User, utcnow
from .. import DomainError
from ..accounts import nobody
from ..rights import can, can_any, require, require_any
from .recording import record as _record


class OwnerConflict(DomainError):
    """Someone else changed the owner first."""


def can_take(ticket: Ticket, user: User) -> bool:
    return (ticket.owner.is_nobody and can(user, "OwnTicket", ticket)
            and can_any(user, ("TakeTicket", "ModifyTicket", "ReassignTicket"), ticket))


def can_steal(ticket: Ticket, user: User) -> bool:
    return (not ticket.owner.is_nobody and ticket.owner_id != user.id
            and can(user, "OwnTicket", ticket)
            and can_any(user, ("StealTicket", "ReassignTicket"), ticket))


def can_give(ticket: Ticket, user: User) -> bool:
    """As in RT: ReassignTicket always; ModifyTicket when unowned or owned by oneself."""
    return can(user, "ReassignTicket", ticket) or (
        (ticket.owner.is_nobody or ticket.owner_id == user.id)
        and can(user, "ModifyTicket", ticket))


def _set_owner_if(ticket: Ticket, actor: User, new_owner: User, expected_owner_id: int,
                  type_: str) -> Transaction:
    """Change the owner only if it is still expected_owner_id (one winner under races)."""
    now = utcnow()
    changed = db.session.execute(
        sql_update(Ticket).where(Ticket.id == ticket.id, Ticket.owner_id == expected_owner_id)
        .values(owner_id=new_owner.id, updated=now, updated_by_id=actor.id)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.refresh(ticket)
        raise OwnerConflict(_l("Ce ticket vient d'être pris par %(name)s.",
                               name=ticket.owner.display_name))
    old_owner_id = expected_owner_id
    db.session.refresh(ticket, ["owner_id", "owner", "updated", "updated_by_id"])
    return _record(ticket, actor, type_, field="Owner", old=old_owner_id, new=new_owner.id)


def take(ticket: Ticket, actor: User) -> Transaction:
    """Make the acting user the owner of an unowned ticket ("Prendre").

    Needs OwnTicket and one of TakeTicket, ModifyTicket or ReassignTicket.
    """
    if not ticket.owner.is_nobody:
        if ticket.owner_id == actor.id:
            raise DomainError(_l("Vous êtes déjà l'intervenant de ce ticket."))
        raise OwnerConflict(_l("Ce ticket vient d'être pris par %(name)s.",
                               name=ticket.owner.display_name))
    if not can_take(ticket, actor):
        require(actor, "OwnTicket", ticket)
        require_any(actor, ("TakeTicket", "ModifyTicket", "ReassignTicket"), ticket)
    return _set_owner_if(ticket, actor, actor, nobody().id, "Take")


def steal(ticket: Ticket, actor: User) -> Transaction:
    """Take a ticket someone else owns ("Voler"); the previous owner is not notified.

    Needs OwnTicket and StealTicket (or ReassignTicket).
    """
    if ticket.owner.is_nobody:
        raise DomainError(_l("Ce ticket n'a pas d'intervenant : utilisez « Prendre »."))
    if ticket.owner_id == actor.id:
        raise DomainError(_l("Vous êtes déjà l'intervenant de ce ticket."))
    if not can_steal(ticket, actor):
        require(actor, "OwnTicket", ticket)
        require_any(actor, ("StealTicket", "ReassignTicket"), ticket)
    return _set_owner_if(ticket, actor, actor, ticket.owner_id, "Steal")


def give(ticket: Ticket, actor: User, new_owner: User) -> Transaction:
    """Give the ticket to an agent holding OwnTicket, or to Nobody ("Affecter")."""
    if new_owner.id == ticket.owner_id:
        raise DomainError(_l("%(name)s est déjà l'intervenant de ce ticket.",
                             name=new_owner.display_name))
    if not can_give(ticket, actor):
        require(actor, "ReassignTicket", ticket)
    if not new_owner.is_nobody and (new_owner.disabled or not new_owner.privileged
                                    or not can(new_owner, "OwnTicket", ticket)):
        raise DomainError(_l("%(name)s ne peut pas être intervenant dans cette file.",
                             name=new_owner.display_name))
    type_ = "Untake" if new_owner.is_nobody and ticket.owner_id == actor.id else "Give"
    return _set_owner_if(ticket, actor, new_owner, ticket.owner_id, type_)

