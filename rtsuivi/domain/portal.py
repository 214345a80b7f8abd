"""What the requesters' portal (« Mes demandes ») reads: their requests page by page, the
queues they may write to, and a request's public history. Each a bounded number of
queries, always through the rights filter and the reading rule (domain/reading.py)."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from ..models import Queue, Ticket, Transaction, User, Watcher
from . import DomainError, lifecycle
from .custom_fields import create_with_fields
from .queries import STATUS_FILTERS, Page, paginate
from .rights import can, require, visible_tickets_filter
from .tickets import NewTicket, find_queue, history, load_visible, reply
from .tickets.requester import is_requestor
from .uploads import read_uploads

PER_PAGE = 20
STATES = {"en-cours": lifecycle.ACTIVE, "terminees": STATUS_FILTERS["inactive"]}


def requests_of(user: User, state: str = "en-cours", page: int = 1,
                per_page: int = PER_PAGE) -> Page:
    """One page of the requests the user is Requestor or Cc of, and may see, newest first;
    each ticket carries `desk_answered` for the list's column (ticket_columns.py)."""
    mine = select(Watcher.ticket_id).where(Watcher.user_id == user.id,
                                           Watcher.role.in_(("Requestor", "Cc")))
    found = paginate([visible_tickets_filter(user), Ticket.id.in_(mine),
                      Ticket.status.in_(STATES.get(state, lifecycle.ACTIVE)),
                      Ticket.effective_id.is_(None)],  # a merged request shows as its target
                     [("updated", "desc")], page, per_page)
    for ticket, answered in zip(found.items, _desk_answered_last(found.items)):
        ticket.desk_answered = answered
    return found


def _desk_answered_last(tickets: list[Ticket]) -> list[bool]:
    """Tell, per ticket, whether its last public message is a reply (Correspond) by someone
    other than its requestors (a ticket opened for them is not an answer): one query."""
    if not tickets:
        return []
    last = (select(func.max(Transaction.id))
            .where(Transaction.ticket_id.in_([t.id for t in tickets]),
                   Transaction.type.in_(("Create", "Correspond")))
            .group_by(Transaction.ticket_id))
    writers = {ticket_id: (kind, creator) for ticket_id, kind, creator in db.session.execute(
        select(Transaction.ticket_id, Transaction.type, Transaction.creator_id)
        .where(Transaction.id.in_(last)))}
    return [writers.get(t.id, ("", None))[0] == "Correspond"
            and writers[t.id][1] not in {u.id for u in t.requestors} for t in tickets]


def creatable_queues(user: User) -> list[Queue]:
    """Enabled queues where the user holds CreateTicket, by name (requesters need no
    SeeQueue to write to a queue, as when they write by mail)."""
    queues = db.session.scalars(select(Queue).where(Queue.disabled.is_(False))
                                .order_by(Queue.name))
    return [q for q in queues if can(user, "CreateTicket", q)]


@dataclass
class Request:
    ticket: Ticket
    messages: list[Transaction]  # the public history: Create and Correspond with content
    actions: list  # lifecycle.Action the user may take here (close, reopen)
    may_reply: bool


def load_request(ticket_id: int, user: User) -> Request:
    """Return a request as its requester reads it; NotFound when they may not read it
    (another person's request without a right, a deleted one)."""
    ticket = load_visible(ticket_id, user, include_deleted=False)
    transactions, _people = history(ticket, user)
    messages = [t for t in transactions if t.type in ("Create", "Correspond")
                and (t.content or t.html_content or t.files)]
    own = is_requestor(user, ticket) and can(user, "ReplyToTicket", ticket)
    actions = lifecycle.requester_actions_from(ticket.status) if own else []
    may_reply = can(user, "ReplyToTicket", ticket) or can(user, "ModifyTicket", ticket)
    return Request(ticket, messages, actions, may_reply)


def create_request(actor: User, queue_id, subject: str, content: str, files,
                   limit: int, custom: dict | None = None) -> Ticket:
    """Open a request in a queue where the actor holds CreateTicket, as its requestor,
    with the files sent (uploads.read_uploads: bounded before anything is written) and the
    values of the custom fields marked for requesters ({field id: text or texts}).

    Raises DomainError (no such queue, empty subject or message, a file refused, a custom
    field value refused: CustomFieldError) or Forbidden (no CreateTicket there).
    """
    queue = find_queue(queue_id)
    if queue is None or queue.disabled:
        raise DomainError(_l("Choisissez le service à qui écrire."))
    if not (content or "").strip():
        raise DomainError(_l("Décrivez votre demande."))
    require(actor, "CreateTicket", queue)
    uploads = read_uploads(files, limit)
    return create_with_fields(actor, NewTicket(queue=queue, subject=subject, content=content,
                                               requestors=[actor], files=uploads),
                              custom or {}, requester=True)


def reply_to_request(ticket: Ticket, actor: User, content: str, files,
                     limit: int) -> Transaction:
    """Add the requester's reply, with files (a reply reopens a resolved request)."""
    return reply(ticket, actor, content, files=read_uploads(files, limit))
