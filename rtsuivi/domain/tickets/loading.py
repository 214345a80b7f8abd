"""Read a ticket and its history as the user may see them."""
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, inspect, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.util import identity_key

from ...extensions import db
from ...models import OutboxMail, Queue, Ticket, Transaction, User
from ...models.base import fits_id
from .. import Forbidden, NotFound
from ..rights import can


def load_visible(ticket_id: int, user: User, include_deleted: bool = True) -> Ticket:
    """Return the ticket if the user may see it; otherwise raise NotFound (never 403).

    A ticket merged into another one leads to that one (RT's EffectiveId).
    """
    ticket = db.session.get(Ticket, ticket_id) if fits_id(ticket_id) else None
    if ticket is not None and ticket.effective_id:
        ticket = db.session.get(Ticket, ticket.effective_id)
    if ticket is None or not can(user, "ShowTicket", ticket):
        raise NotFound(_l("Ticket introuvable."))
    if ticket.status == "deleted" and not include_deleted:
        raise NotFound(_l("Ticket introuvable."))
    return ticket


def history(ticket: Ticket, user: User) -> tuple[list[Transaction], dict[int, User]]:
    """Return the transactions the user may read, oldest first, and the users they name.

    Follows reading.transactions_condition (comments need ShowTicketComments; requesters
    read only the messages). Costs a fixed number of queries.
    """
    from ..reading import reader_kind
    query = _history_statement(*reader_kind(user, ticket))
    transactions = list(db.session.scalars(query, {"ticket_id": ticket.id}))
    return transactions, people_named(transactions)


@cache
def _history_statement(privileged: bool, comments: bool):
    """history's query for one kind of reader, built once (it and its cache key cost
    0.13 ms a view). The tickets merged into this one show their history here too (RT's
    merged history). One IN over both: PostgreSQL answers "ticket_id = x OR ticket_id IN
    (…)" by reading every transaction (100 ms at 500k rows), this with two index lookups."""
    from ..reading import condition_for
    ticket_id = bindparam("ticket_id")
    shown = select(Ticket.id).where(or_(Ticket.id == ticket_id, Ticket.effective_id == ticket_id))
    return (select(Transaction).where(Transaction.ticket_id.in_(shown),
                                      condition_for(privileged, comments))
            .options(selectinload(Transaction.attachments)).order_by(Transaction.id))


_USER_COLUMNS = frozenset(column.key for column in inspect(User).column_attrs)


def _shown_people(txn: Transaction) -> tuple:
    """The user ids an entry shows (tickets/_transaction.html, Description.text): the new
    owner of an owner change, and the old one of a theft only (the old owner of a Prendre
    is Nobody, whom no entry shows); the person a watcher entry adds or removes."""
    if txn.field == "Owner":
        return (txn.new_value, txn.old_value) if txn.type == "Steal" else (txn.new_value,)
    return (txn.new_value, txn.old_value) if txn.field == "Watcher" else ()


def people_named(transactions) -> dict[int, User]:
    """Load, in one query, the users owner and watcher entries show (_shown_people)."""
    ids = {int(v) for t in transactions for v in _shown_people(t) if v and v.isdigit()}
    # Most are loaded already (the entries' authors, the owner): taken from the session
    # when none of their columns is expired, so a ticket taken and given costs no query.
    named = {}
    for user_id in ids:
        user = db.session.identity_map.get(identity_key(User, user_id))
        if user is not None and not inspect(user).expired_attributes & _USER_COLUMNS:
            named[user_id] = user
    missing = ids - named.keys()
    if missing:
        named.update((u.id, u) for u in db.session.scalars(
            select(User).where(User.id.in_(sorted(missing)))))
    return named



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
