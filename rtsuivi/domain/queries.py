"""Ticket lists and reads, always through the rights filter, each a bounded number of queries."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Attachment, InboundMail, OutboxMail, Queue, Ticket, User
from ..models.mail import SentMailRow
from . import NotFound, lifecycle
from .accounts import nobody
from .reads import Read, read_rows
from .rights import can, visible_queues_filter, visible_tickets_filter

SORTABLE = {
    "id": Ticket.id, "subject": Ticket.subject, "status": Ticket.status,
    "owner": User.name, "priority": Ticket.priority, "created": Ticket.created,
    "updated": Ticket.updated, "due": Ticket.due,
}
STATUS_FILTERS = {
    "active": lifecycle.ACTIVE,
    "inactive": tuple(s for s in lifecycle.INACTIVE if s != "deleted"),
    "all": tuple(s for s in lifecycle.STATUSES if s != "deleted"),
    **{name: (name,) for name in lifecycle.STATUSES},
}


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_of(query, order, page: int, per_page: int) -> Page:
    """One page of a query's rows in the order given (a list of columns), with their total:
    the administration's lists."""
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(*order).offset((page - 1) * per_page)
                              .limit(per_page))
    return Page(list(rows), total, page, per_page)


def matching(query, words: str, *columns):
    """The query narrowed to rows whose columns contain the words (case folded, % and _
    taken literally); unchanged when the words are blank."""
    words = (words or "").strip().lower()
    if not words:
        return query
    return query.where(or_(*(func.lower(column).contains(words, autoescape=True)
                             for column in columns)))


def _visible(user: User):
    return select(Ticket).where(visible_tickets_filter(user))


def _with_people(query):
    return query.options(selectinload(Ticket.watchers))


def my_tickets(user: User, limit: int = 10) -> list[Ticket]:
    """The user's active tickets, highest priority first (RT's "10 highest priority")."""
    query = (_visible(user).where(Ticket.owner_id == user.id,
                                  Ticket.status.in_(lifecycle.ACTIVE))
             .order_by(Ticket.priority.desc(), Ticket.id.desc()).limit(limit))
    return list(db.session.scalars(_with_people(query)))


def unowned_query(user: User, limit: int = 10):
    """Newest active tickets owned by Nobody in the queues the user may see (read through
    the (owner_id, created) index, newest first, until `limit` are found)."""
    return (_visible(user).where(Ticket.owner_id == nobody().id,
                                 Ticket.status.in_(lifecycle.ACTIVE))
            .order_by(Ticket.created.desc(), Ticket.id.desc()).limit(limit))


def unowned_tickets(user: User, limit: int = 10) -> list[Ticket]:
    """Newest active tickets owned by Nobody in the queues the user may see."""
    return list(db.session.scalars(_with_people(unowned_query(user, limit))))


def visible_queues(user: User) -> list[Queue]:
    """Enabled queues the user may see (SeeQueue), by name."""
    return list(db.session.scalars(select(Queue).where(
        visible_queues_filter(user), Queue.disabled.is_(False)).order_by(Queue.name)))


def visible_queue(user: User, queue_id: int) -> Queue:
    """Return the queue if the user may see it (SeeQueue); NotFound otherwise (never says
    it exists)."""
    queue = db.session.get(Queue, queue_id)
    if queue is None or not can(user, "SeeQueue", queue):
        raise NotFound(_l("File introuvable."))
    return queue


def queue_counts(user: User) -> list[tuple[Queue, dict[str, int]]]:
    """Each visible queue with its count of visible tickets per active status."""
    queues = visible_queues(user)
    rows = db.session.execute(
        select(Ticket.queue_id, Ticket.status, func.count())
        .where(visible_tickets_filter(user), Ticket.status.in_(lifecycle.ACTIVE),
               Ticket.queue_id.in_([q.id for q in queues]))
        .group_by(Ticket.queue_id, Ticket.status)).all()
    counts: dict[int, dict[str, int]] = {}
    for queue_id, status, count in rows:
        counts.setdefault(queue_id, {})[status] = count
    return [(q, counts.get(q.id, {})) for q in queues]


def queue_tickets(user: User, queue: Queue, status: str = "active", sort: str = "id",
                  direction: str = "desc", page: int = 1, per_page: int = 50) -> Page:
    """One page of the visible tickets of a queue, filtered by status and sorted."""
    statuses = STATUS_FILTERS.get(status, lifecycle.ACTIVE)
    return paginate([visible_tickets_filter(user, queue_id=queue.id),
                     Ticket.queue_id == queue.id, Ticket.status.in_(statuses),
                     *_not_merged(statuses)], [(sort, direction)], page, per_page)


def _not_merged(statuses) -> list:
    """Leave out merged tickets (resolved, lifecycle.ON_MERGE) when the list shows those."""
    return [Ticket.effective_id.is_(None)] if lifecycle.ON_MERGE in statuses else []


WINDOW = 200  # ids read at once by paginate(); fewer matches need no count query


def paginate(conditions: list, order=(("id", "desc"),), page: int = 1, per_page: int = 50,
             count: bool = True, sortable: dict | None = None) -> Page:
    """One page of the tickets matching the conditions, sorted by up to MAX_SORT_KEYS
    (key, "asc"|"desc") pairs, and their total (unless count is False).

    Counts and picks the page's ids on the tickets table alone (index-only where it can),
    joining owner or queue only when a sort key needs them, then loads just those tickets:
    a deep page costs no more than the first.
    """
    sortable = sortable or SORTABLE
    keys = [(key, direction) for key, direction in order if key in sortable][:MAX_SORT_KEYS]
    columns = [sortable[key] for key, _ in keys]
    ids_query = select(Ticket.id).where(*conditions)
    if any(column is User.name for column in columns):
        ids_query = ids_query.join(User, Ticket.owner_id == User.id)
    if any(column is Queue.name for column in columns):
        ids_query = ids_query.join(Queue, Ticket.queue_id == Queue.id)
    last = keys[0][1] if keys else "desc"  # ties follow the first key's direction
    ordering = [column.desc() if direction == "desc" else column.asc()
                for column, (_, direction) in zip(columns, keys)]
    ordering.append(Ticket.id.desc() if last == "desc" else Ticket.id.asc())
    start = (page - 1) * per_page
    ids, total = _page_ids(ids_query.order_by(*ordering), conditions, start, per_page, count)
    loaded = {t.id: t for t in db.session.scalars(
        _with_people(select(Ticket).where(Ticket.id.in_(ids))))} if ids else {}
    return Page([loaded[i] for i in ids], total, page, per_page)


def _page_ids(ids_query, conditions: list, start: int, per_page: int, count: bool):
    """The ids of one page, in order, and the total of matches (0 unless count)."""
    def counted() -> int:
        return db.session.scalar(select(func.count(Ticket.id)).where(*conditions))
    if count and start + per_page <= WINDOW:
        # The first WINDOW ids in order: when fewer match, they are the count too (one
        # pass over the matches instead of two, e.g. a Subject LIKE scan).
        window = list(db.session.scalars(ids_query.limit(WINDOW + 1)))
        return window[start:start + per_page], \
            len(window) if len(window) <= WINDOW else counted()
    ids = list(db.session.scalars(ids_query.offset(start).limit(per_page)))
    if not count:
        return ids, 0
    # A last page that is not full knows the total without counting.
    return ids, start + len(ids) if 0 < len(ids) < per_page else counted()


def load_attachment(attachment_id: int, user: User) -> Attachment:
    """Return an attachment the user may read (reading.can_read_attachment); otherwise
    raise NotFound."""
    from .reading import can_read_attachment
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or not can_read_attachment(user, attachment):
        raise NotFound(_l("Pièce jointe introuvable."))
    return attachment


def load_mail(model: type[InboundMail] | type[OutboxMail], mail_id: int):
    """Return an incoming or outgoing mail by id (administrators' pages); NotFound otherwise."""
    mail = db.session.get(model, mail_id)
    if mail is None:
        raise NotFound(_l("Courriel introuvable."))
    return mail


def mail_listing(model, status: str, page: int, per_page: int) -> tuple[list, dict]:
    """One page of the mails in a status, newest first, and the count of each status."""
    rows = db.session.scalars(select(model).where(model.status == status)
                              .order_by(model.id.desc()).limit(per_page)
                              .offset((page - 1) * per_page)).all()
    counts = dict(db.session.execute(select(model.status, func.count(model.id))
                                     .group_by(model.status)).all())
    return rows, counts


_TICKET_MAILS = select(  # built once: the ticket page asks on every view
    *(OutboxMail.__table__.c[name] for name in SentMailRow.COLUMNS)).where(
    OutboxMail.ticket_id == bindparam("ticket_id")).order_by(OutboxMail.id)


def outgoing_read(ticket: Ticket) -> Read:
    """outgoing_mails' statement, which the ticket page reads with others (reads.py)."""
    return Read(("outgoing", ticket.id), _TICKET_MAILS, {"ticket_id": ticket.id})


def outgoing_mails(ticket: Ticket, user: User) -> dict[int, list[SentMailRow]]:
    """The mails sent for each transaction that the user may read (reading.can_read_mail)."""
    from .reading import readable_mails
    if not can(user, "ShowOutgoingEmail", ticket):
        return {}
    found: dict[int, list] = {}
    mails = [SentMailRow(*row) for row in read_rows(outgoing_read(ticket))]
    for mail in readable_mails(user, ticket, mails):
        found.setdefault(mail.transaction_id, []).append(mail)
    return found


# ---------------------------------------------------------------- search results

# Display columns of search results (RT's Format), in the builder's order.
COLUMNS = ("id", "subject", "status", "queue", "owner", "requestors", "priority",
           "created", "updated", "due", "told", "resolved", "started", "time_worked")
DEFAULT_COLUMNS = ("id", "subject", "status", "queue", "owner", "requestors", "priority",
                   "updated")
SEARCH_SORTABLE = {**SORTABLE, "queue": Queue.name, "told": Ticket.told,
                   "resolved": Ticket.resolved, "started": Ticket.started,
                   "time_worked": Ticket.time_worked}
ROWS_CHOICES = (10, 25, 50, 100)
MAX_SORT_KEYS = 4


def search_tickets(condition, order: list[tuple[str, str]], page: int = 1,
                   per_page: int = 50, count: bool = True) -> Page:
    """One page of the tickets matching a compiled search condition, with the total.

    The condition already carries the rights filter (ticketsql.compile_query).
    """
    return paginate([condition], order, page, per_page, count, SEARCH_SORTABLE)


def iter_search(condition, order: list[tuple[str, str]], batch: int = 500):
    """Every ticket matching a compiled condition, sorted, fetched a page at a time."""
    page = 1
    while True:
        items = search_tickets(condition, order, page, batch, count=False).items
        yield from items
        if len(items) < batch:
            return
        page += 1
        for ticket in items:  # a long export keeps one page in memory, not all
            db.session.expunge(ticket)
