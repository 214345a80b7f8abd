"""« Les rappels »: reminders on a ticket (subject, owner, due date in UTC), completed and
reopened, each change recorded in the ticket's history; « Mes rappels » across tickets; the
due reminders the outbox worker mails once.

As in RT (docs/reminders.pod), adding one needs ModifyTicket on the ticket (RT: CreateTicket
and ModifyTicket, a reminder being a ticket there) and its owner must be able to own the
ticket; completing or reopening needs ModifyTicket, or being the reminder's owner.
"""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update

from ..extensions import db
from ..models import Reminder, Ticket, User, utcnow
from ..models.base import fits_id
from ..models.users import PersonRow
from . import DomainError, Forbidden, NotFound
from .reads import Read, read_rows
from .rights import (
    can,
    names_with_right,
    require,
    users_with_right,
    visible_tickets_filter,
)
from .tickets.recording import clean_text, record

MAX_SUBJECT = 500
STATUSES = ("open", "done")


def possible_owners(ticket: Ticket) -> list[User]:
    """List who may own a reminder on the ticket: the agents who may own the ticket."""
    return users_with_right("OwnTicket", ticket.queue)


def possible_owner_names(ticket: Ticket) -> tuple[tuple[int, str, str], ...]:
    """possible_owners as (id, name, display name), for the form's options."""
    return names_with_right("OwnTicket", ticket.queue)


class ShownReminder:
    """A reminder as the ticket page's « Rappels » box shows it, read as a row with its
    owner's names (PersonRow): the box is drawn on every view, and an ORM query costs
    three times a row query even when it finds nothing."""
    __slots__ = ("id", "subject", "owner_id", "due", "status", "owner")

    def __init__(self, row):
        self.id, self.subject, self.owner_id, self.due, self.status = row[:5]
        self.owner = PersonRow(self.owner_id, *row[5:])


def on_ticket(ticket: Ticket) -> list[ShownReminder]:
    """List the ticket's reminders: open ones first, by due date."""
    return [ShownReminder(row) for row in read_rows(on_ticket_read(ticket))]


def on_ticket_read(ticket: Ticket) -> Read:
    """on_ticket's statement, which the ticket page reads with others (reads.py)."""
    return Read(("reminders", ticket.id), _ON_TICKET, {"ticket_id": ticket.id})


# Built once (the ticket page asks on every view).
_REMINDERS, _OWNERS = Reminder.__table__.c, User.__table__.c
_ON_TICKET = (select(_REMINDERS.id, _REMINDERS.subject, _REMINDERS.owner_id, _REMINDERS.due,
                     _REMINDERS.status, _OWNERS.name, _OWNERS.real_name, _OWNERS.email)
              .join_from(Reminder.__table__, User.__table__, _OWNERS.id == _REMINDERS.owner_id)
              .where(_REMINDERS.ticket_id == bindparam("ticket_id"))
              .order_by(_REMINDERS.status.desc(), _REMINDERS.due, _REMINDERS.id))


def add(ticket: Ticket, actor: User, subject: str, owner: User | None, due: datetime | None,
        now: datetime | None = None) -> Reminder:
    """Add a reminder to the ticket and record AddReminder.

    Forbidden without ModifyTicket; DomainError for an empty subject, a missing or past due
    date, or an owner who may not own the ticket.
    """
    require(actor, "ModifyTicket", ticket)
    subject = clean_text(subject)
    if not subject or len(subject) > MAX_SUBJECT:
        raise DomainError(_l("Indiquez l'objet du rappel (500 caractères au plus)."))
    if due is None:
        raise DomainError(_l("Indiquez l'échéance du rappel."))
    if due < (now or utcnow()):
        raise DomainError(_l("L'échéance d'un rappel ne peut pas être dans le passé."))
    if owner is None or owner.disabled or not can(owner, "OwnTicket", ticket):
        raise DomainError(_l("Ce rappel doit revenir à une personne qui peut être "
                             "intervenant du ticket."))
    reminder = Reminder(ticket=ticket, subject=subject, owner=owner, due=due,
                        created_by_id=actor.id, status="open", created=utcnow())
    db.session.add(reminder)
    db.session.flush()
    record(ticket, actor, "AddReminder", field="Reminder", new=reminder.id, data=subject)
    db.session.flush()
    return reminder


def _change(reminder: Reminder, actor: User, status: str, type_: str) -> Reminder:
    if actor.id != reminder.owner_id and not can(actor, "ModifyTicket", reminder.ticket):
        raise Forbidden(_l("Vous n'avez pas le droit %(right)s ici.", right="ModifyTicket"))
    if reminder.status == status:
        return reminder
    reminder.status = status
    record(reminder.ticket, actor, type_, field="Reminder", new=reminder.id,
           data=reminder.subject)
    db.session.flush()
    return reminder


def resolve(reminder: Reminder, actor: User) -> Reminder:
    """Mark the reminder done and record ResolveReminder (Forbidden: see the module)."""
    return _change(reminder, actor, "done", "ResolveReminder")


def reopen(reminder: Reminder, actor: User) -> Reminder:
    """Open the reminder again and record OpenReminder (Forbidden: see the module)."""
    return _change(reminder, actor, "open", "OpenReminder")


def load(ticket: Ticket, reminder_id: int) -> Reminder:
    """Return the ticket's reminder; NotFound when it is not one of this ticket's."""
    reminder = db.session.get(Reminder, reminder_id) if fits_id(reminder_id) else None
    if reminder is None or reminder.ticket_id != ticket.id:
        raise NotFound(_l("Rappel introuvable."))
    return reminder


def mine(user: User, limit: int = 200) -> list[Reminder]:
    """List the user's open reminders, soonest first, on tickets the user may see."""
    return list(db.session.scalars(
        select(Reminder).join(Ticket, Reminder.ticket_id == Ticket.id)
        .where(Reminder.owner_id == user.id, Reminder.status == "open",
               visible_tickets_filter(user))
        .order_by(Reminder.due, Reminder.id).limit(limit)))


def due_unmailed(now: datetime, limit: int = 100) -> list[int]:
    """Ids of open reminders past due whose owner has not been mailed yet."""
    return list(db.session.scalars(select(Reminder.id).where(
        Reminder.status == "open", Reminder.due <= now, Reminder.notified.is_(None))
        .order_by(Reminder.due, Reminder.id).limit(limit)))


def claim_mail(reminder_id: int, now: datetime) -> bool:
    """Set the mail-sent mark unless someone already did; True for the one who set it.

    A conditional UPDATE: of two workers, the second finds the mark set (PostgreSQL makes
    it wait for the first one's commit, SQLite writes one at a time) and sends nothing.
    """
    return db.session.execute(
        update(Reminder).where(Reminder.id == reminder_id, Reminder.notified.is_(None),
                               Reminder.status == "open")
        .values(notified=now).execution_options(synchronize_session=False)).rowcount == 1
