"""Create a ticket."""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import Queue, Ticket, User, Watcher, utcnow
from .. import DomainError, lifecycle
from ..accounts import nobody
from ..rights import can, require
from .links import add_link
from .recording import clean_text as _clean_text
from .recording import record as _record

MAX_SUBJECT = 500


@dataclass
class NewTicket:
    queue: Queue
    subject: str
    content: str = ""
    requestors: list[User] | None = None
    cc: list[User] | None = None
    admin_cc: list[User] | None = None
    priority: int = 0
    due: datetime | None = None
    owner: User | None = None
    status: str = lifecycle.DEFAULT_ON_CREATE
    files: list = field(default_factory=list)  # domain.uploads.Upload
    member_of: Ticket | None = None  # « Créer un ticket fils »: the parent


def default_due(queue: Queue) -> datetime | None:
    """The due date a new ticket of the queue gets when none is given (RT's DefaultDueIn)."""
    days = queue.default_due_days
    return utcnow() + timedelta(days=days) if days else None


def create(actor: User, new: NewTicket) -> Ticket:
    """Create a ticket in a queue (needs CreateTicket there) and record its Create entry.

    Setting an owner other than oneself needs ReassignTicket; the owner must hold OwnTicket.
    """
    require(actor, "CreateTicket", new.queue)
    subject = (new.subject or "").strip()
    if not subject:
        raise DomainError(_l("Le sujet est obligatoire."))
    if len(subject) > MAX_SUBJECT:
        raise DomainError(_l("Le sujet est trop long (500 caractères au plus)."))
    if new.status not in lifecycle.ON_CREATE:
        raise DomainError(_l("Un ticket ne peut pas être créé au statut %(status)s.",
                             status=lifecycle.label(new.status)))
    owner = new.owner or nobody()
    ticket = Ticket(queue=new.queue, subject=subject, status=new.status, owner=owner,
                    priority=new.priority or 0, due=new.due or default_due(new.queue),
                    created_by=actor, created=utcnow())
    if not owner.is_nobody:
        if not can(owner, "OwnTicket", new.queue):
            raise DomainError(_l("%(name)s ne peut pas être intervenant dans cette file.",
                                 name=owner.display_name))
        if owner.id != actor.id:
            require(actor, "ReassignTicket", new.queue)
    if new.status != "new":
        ticket.started = ticket.created
    if new.status in lifecycle.INACTIVE:
        ticket.resolved = ticket.created
    db.session.add(ticket)
    _add_watchers(ticket, actor, new)
    _record(ticket, actor, "Create", content=_clean_text(new.content), files=new.files)
    db.session.flush()
    if new.member_of is not None:
        add_link(ticket, actor, "MemberOf", new.member_of.id)
    return ticket


def _add_watchers(ticket: Ticket, actor: User, new: NewTicket) -> None:
    requestors = new.requestors if new.requestors is not None else [actor]
    for role, people in (("Requestor", requestors), ("Cc", new.cc or []),
                         ("AdminCc", new.admin_cc or [])):
        for person in people:
            if not person.is_nobody and not any(
                    w.user_id == person.id and w.role == role for w in ticket.watchers):
                ticket.watchers.append(Watcher(user=person, role=role))

