"""Read a ticket and its history as the user may see them."""
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, bindparam, case, cast, inspect, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from ...extensions import db
from ...models import Attachment, OutboxMail, Queue, Ticket, Transaction, User, Watcher
from ...models.base import fits_id, stored_id
from ...models.tickets import MessageParts
from ...models.users import PersonRow
from .. import Forbidden, NotFound
from ..reads import Read, read_rows
from ..rights import can


def load_visible(ticket_id: int, user: User, include_deleted: bool = True,
                 with_watchers: bool = False) -> Ticket:
    """Return the ticket if the user may see it; otherwise raise NotFound (never 403).

    A ticket merged into another one leads to that one (RT's EffectiveId). with_watchers
    (the ticket page, which shows them) reads its watchers in the same query, not one more.
    """
    ticket = None
    if fits_id(ticket_id):
        ticket = db.session.scalars(_TICKET_WITH_WATCHERS, {"ticket_id": ticket_id}).unique() \
            .first() if with_watchers else db.session.get(Ticket, ticket_id)
    if ticket is not None and ticket.effective_id:
        ticket = db.session.get(Ticket, ticket.effective_id)
    if ticket is None or not can(user, "ShowTicket", ticket):
        raise NotFound(_l("Ticket introuvable."))
    if ticket.status == "deleted" and not include_deleted:
        raise NotFound(_l("Ticket introuvable."))
    return ticket


# Built once. The watchers' users joined as a chain of outer joins, not as the nested
# inner join their relationship asks for: SQLite would read every watcher for that one.
_TICKET_WITH_WATCHERS = select(Ticket).options(
    joinedload(Ticket.watchers).joinedload(Watcher.user, innerjoin=False)).where(
    Ticket.id == bindparam("ticket_id"))


def load_watchers(ticket: Ticket) -> None:
    """Load the ticket's watchers, with their users, as its `watchers`, unless they are
    loaded: a prebuilt statement where the relationship's lazy load builds its own on every
    page (0.3 ms). The page loads them before the history, whose authors they often are."""
    if "watchers" in inspect(ticket).unloaded:
        set_committed_value(ticket, "watchers",
                            db.session.scalars(_WATCHERS, {"ticket_id": ticket.id}).all())


_WATCHERS = select(Watcher).where(Watcher.ticket_id == bindparam("ticket_id")) \
    .order_by(Watcher.id)  # the relationship's order_by


def history(ticket: Ticket, user: User) -> tuple[list["HistoryEntry"], dict[int, User]]:
    """Return the entries the user may read, oldest first, and the users they name.

    Follows reading.transactions_condition (comments need ShowTicketComments; requesters
    read only the messages). The entries are read as rows, with their authors and parts, in
    one query: as ORM objects, 20 entries and their parts cost 0.6 ms a view. The people
    owner and watcher entries show (_shown_people) come in the same rows, as PersonRow: a
    query of their own cost 0.3 ms a view.
    """
    rows = read_rows(history_read(ticket, user))
    entries: list[HistoryEntry] = []
    authors: dict[int, PersonRow] = {}
    people: dict[int, PersonRow] = {}
    for row in rows:
        if not entries or entries[-1].id != row[0]:
            entries.append(HistoryEntry(row, authors))
            for at in _NAMED_AT:
                if row[at] is not None:
                    people[row[at]] = PersonRow(*row[at:at + len(_PERSON_COLUMNS)])
        if row.part_id is not None:
            entries[-1].attachments.append(HistoryPart(row, entries[-1]))
    return entries, people


def history_read(ticket: Ticket, user: User) -> Read:
    """history's statement for this reader, which the ticket page reads with others
    (reads.py)."""
    from ..reading import reader_kind
    kind = reader_kind(user, ticket)
    return Read(("history", ticket.id, kind), _history_statement(*kind),
                {"ticket_id": ticket.id})


_ENTRY_COLUMNS = ("id", "ticket_id", "type", "field", "old_value", "new_value", "data",
                  "creator_id", "created", "time_taken")
_AUTHOR_COLUMNS = ("name", "real_name", "email")
_PART_COLUMNS = ("id", "filename", "content_id", "content_type", "content", "stored", "size")
_PERSON_COLUMNS = ("id", "name", "real_name", "email")  # PersonRow's, for the people named
_AUTHOR_AT = len(_ENTRY_COLUMNS)
_PART_AT = _AUTHOR_AT + len(_AUTHOR_COLUMNS)
_NAMED_AT = (_PART_AT + len(_PART_COLUMNS), _PART_AT + len(_PART_COLUMNS) + len(_PERSON_COLUMNS))


class HistoryEntry(MessageParts):
    """A transaction as the history shows it: its columns, its creator (PersonRow) and its parts
    (MessageParts: content, html_content, files), read-only and outside the session."""
    __slots__ = (*_ENTRY_COLUMNS, "creator", "attachments")

    def __init__(self, row, authors: dict):
        for name, value in zip(_ENTRY_COLUMNS, row):
            setattr(self, name, value)
        self.attachments = []
        self.creator = authors.get(self.creator_id) or authors.setdefault(
            self.creator_id, PersonRow(self.creator_id, *row[_AUTHOR_AT:_PART_AT]))


class HistoryPart:
    """An attachment as the history shows it (a file or a message part), without its
    bytes: `stored` says whether they are kept (tickets.attachment serves them)."""
    __slots__ = (*_PART_COLUMNS, "transaction_id", "transaction")

    def __init__(self, row, entry: HistoryEntry):
        for name, value in zip(_PART_COLUMNS, row[_PART_AT:]):
            setattr(self, name, value)
        self.transaction_id, self.transaction = entry.id, entry


@cache
def _history_statement(privileged: bool, comments: bool):
    """history's query for one kind of reader, built once (it and its cache key cost
    0.13 ms a view). The tickets merged into this one show their history here too (RT's
    merged history). One IN over both: PostgreSQL answers "ticket_id = x OR ticket_id IN
    (…)" by reading every transaction (100 ms at 500k rows), this with two index lookups."""
    from ..reading import condition_for
    ticket_id, tickets = bindparam("ticket_id"), Ticket.__table__.c
    shown = select(tickets.id).where(or_(tickets.id == ticket_id,
                                         tickets.effective_id == ticket_id))
    entry, author, part = Transaction.__table__.c, User.__table__.c, Attachment.__table__.c
    new_person, old_person = User.__table__.alias("new_person"), User.__table__.alias("old_person")
    columns = [entry[name] for name in _ENTRY_COLUMNS] + [
        author[name] for name in _AUTHOR_COLUMNS] + [
        part.id.label("part_id"), part.filename, part.content_id, part.content_type,
        part.content, part.content_bytes.isnot(None).label("stored"), part.size] + [
        person.c[name].label(f"{person.name}_{name}") for person in (new_person, old_person)
        for name in _PERSON_COLUMNS]
    # _shown_people in SQL: the new value of an owner or watcher entry, the old one of a
    # theft or a watcher entry, each when it is a user id. (No IN list: reads.py would not
    # pipeline a statement SQLAlchemy expands.)
    shows_new = or_(entry.field == "Owner", entry.field == "Watcher")
    shows_old = or_(entry.field == "Watcher", and_(entry.field == "Owner", entry.type == "Steal"))
    return (select(*columns)
            .select_from(Transaction.__table__
                         .join(User.__table__, author.id == entry.creator_id)
                         .outerjoin(Attachment.__table__, part.transaction_id == entry.id)
                         .outerjoin(new_person, new_person.c.id == _user_id_in(
                             entry.new_value, shows_new))
                         .outerjoin(old_person, old_person.c.id == _user_id_in(
                             entry.old_value, shows_old)))
            .where(entry.ticket_id.in_(shown), condition_for(privileged, comments))
            .order_by(entry.id, part.id))


def _user_id_in(value, named):
    """The user id a stored value holds where `named` says it names one, else NULL: the
    CASE keeps the cast from any other text (PostgreSQL would refuse it)."""
    return case((and_(named, value.regexp_match("^[0-9]{1,9}$")), cast(value, Integer)))


def _shown_people(txn: Transaction) -> tuple:
    """The user ids an entry shows (tickets/_transaction.html, Description.text): the new
    owner of an owner change, and the old one of a theft only (the old owner of a Prendre
    is Nobody, whom no entry shows); the person a watcher entry adds or removes."""
    if txn.field == "Owner":
        return (txn.new_value, txn.old_value) if txn.type == "Steal" else (txn.new_value,)
    return (txn.new_value, txn.old_value) if txn.field == "Watcher" else ()


_USER_COLUMNS = frozenset(column.key for column in inspect(User).column_attrs)


def people_named(transactions) -> dict[int, User]:
    """Load, in one query, the users owner and watcher entries show (_shown_people)."""
    ids = {stored_id(v) for t in transactions for v in _shown_people(t)} - {None}
    # Most are loaded already (the entries' authors, the owner): taken from the session
    # when none of their columns is expired, so a ticket taken and given costs no query.
    named = {}
    for user_id in ids:
        user = db.session.identity_map.get(identity_key(User, user_id))
        if user is not None and not inspect(user).expired_attributes & _USER_COLUMNS:
            named[user_id] = user
    missing = ids - named.keys()
    if missing:
        named.update((u.id, u) for u in db.session.scalars(_USERS_BY_ID,
                                                           {"ids": sorted(missing)}))
    return named


_USERS_BY_ID = select(User).where(User.id.in_(bindparam("ids", expanding=True)))  # built once


def load_person(user_id: int | None) -> User:
    """Return the user named by a form; NotFound otherwise."""
    user = db.session.get(User, user_id) if user_id and fits_id(user_id) else None
    if user is None:
        raise NotFound(_l("Cette page n'existe pas."))
    return user


def find_queue(queue_id: int | None) -> Queue | None:
    """Return the queue a form names, or None."""
    return db.session.get(Queue, queue_id) if queue_id and fits_id(queue_id) else None


def find_transaction(transaction_id: int | None) -> Transaction | None:
    """Return the transaction a link names, or None (forward() checks it belongs)."""
    return db.session.get(Transaction, transaction_id) if transaction_id else None


def load_outgoing_mail(ticket: Ticket, mail_id: int, user: User) -> OutboxMail:
    """Return one mail sent for the ticket, as it left.

    NotFound unless it is this ticket's; Forbidden unless reading.can_read_mail allows.
    """
    from ..reading import can_read_mail
    mail = db.session.get(OutboxMail, mail_id) if fits_id(mail_id) else None
    if mail is None or mail.ticket_id != ticket.id:
        raise NotFound(_l("Cette page n'existe pas."))
    if not can_read_mail(user, mail):
        raise Forbidden(_l("Vous n'avez pas accès à cette page."))
    return mail
