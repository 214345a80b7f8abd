"""Who may read what of a ticket: a transaction, a mail it sent, a file it carries.

One rule, asked by the ticket page, the portal, downloads, the sent-mail page and Forward:
- the ticket must be visible (ShowTicket); a deleted ticket only to agents;
- a comment needs ShowTicketComments, as in RT;
- requesters (unprivileged) read only the messages: Create and Correspond, never a
  forward note nor an internal change;
- a sent mail also needs ShowOutgoingEmail, and the right to read the transaction it
  records (an "Admin Comment" mail is a comment) and, for a forward, the one it forwards.
"""
from functools import cache

from sqlalchemy import select, true

from ..extensions import db
from ..models import Attachment, OutboxMail, Ticket, Transaction, User
from ..models.base import stored_id
from .rights import can

REQUESTER_TYPES = ("Create", "Correspond")


def can_read_ticket(user: User, ticket: Ticket) -> bool:
    """Tell whether the user may read the ticket at all."""
    if not can(user, "ShowTicket", ticket):
        return False
    return ticket.status != "deleted" or bool(user.privileged)


def can_read_transaction(user: User, txn: Transaction) -> bool:
    """Tell whether the user may read this history entry and its files."""
    ticket = txn.ticket
    if not can_read_ticket(user, ticket):
        return False
    if not user.privileged and txn.type not in REQUESTER_TYPES:
        return False
    return txn.type != "Comment" or can(user, "ShowTicketComments", ticket)


def reader_kind(user: User, ticket: Ticket) -> tuple[bool, bool]:
    """What the user reads of a readable ticket's history: (all of it but the comments, the
    comments); a requester reads only the messages."""
    return bool(user.privileged), can(user, "ShowTicketComments", ticket)


def transactions_condition(user: User, ticket: Ticket):
    """The same rule as a SQL condition on Transaction, for a ticket already readable."""
    return condition_for(*reader_kind(user, ticket))


@cache
def condition_for(privileged: bool, comments: bool):
    """transactions_condition for one reader_kind (four conditions, each built once). On
    the table's column, so a Core statement (the ticket page's history) stays Core."""
    condition, kind = true(), Transaction.__table__.c.type
    if not privileged:
        condition = kind.in_(REQUESTER_TYPES)
    if not comments:
        condition = condition & (kind != "Comment")
    return condition


def can_read_attachment(user: User, attachment: Attachment) -> bool:
    """Tell whether the user may download this file (its transaction must be readable)."""
    return can_read_transaction(user, attachment.transaction)


def can_read_mail(user: User, mail: OutboxMail) -> bool:
    """Tell whether the user may read a mail the desk sent for a ticket."""
    ticket = db.session.get(Ticket, mail.ticket_id) if mail.ticket_id else None
    return ticket is not None and bool(readable_mails(user, ticket, [mail]))


def readable_mails(user: User, ticket: Ticket, mails: list) -> list:
    """can_read_mail for mails the desk sent for this ticket (OutboxMail or SentMailRow),
    what it asks of the ticket asked once, and the transactions they record (and those a
    forward sent) read in one query each, not one a mail (the ticket page lists every mail
    of the history)."""
    if not can_read_ticket(user, ticket) or not can(user, "ShowOutgoingEmail", ticket):
        return []
    mails = [mail for mail in mails if mail.ticket_id == ticket.id]  # only this ticket's
    recorded = _transactions({mail.transaction_id for mail in mails})
    forwarded = _transactions({_forwarded_id(txn) for txn in recorded.values()})
    return [mail for mail in mails
            if _records_a_readable_transaction(user, recorded.get(mail.transaction_id),
                                               forwarded)]


def _transactions(ids: set[int | None]) -> dict[int, Transaction]:
    """These transactions by id, in one query (none for no id)."""
    ids.discard(None)
    if not ids:
        return {}
    return {txn.id: txn for txn in db.session.scalars(
        select(Transaction).where(Transaction.id.in_(ids)))}


def _records_a_readable_transaction(user: User, txn: Transaction | None,
                                    forwarded: dict[int, Transaction]) -> bool:
    """Whether the user may read the transaction a mail records (none: yes) and, for a
    forward, the one it sent."""
    if txn is None:
        return True
    if not can_read_transaction(user, txn):
        return False
    sent = forwarded.get(_forwarded_id(txn))
    return sent is None or can_read_transaction(user, sent)


def _forwarded_id(txn: Transaction) -> int | None:
    """The transaction a "Forward Transaction" sent, if any."""
    if txn.type != "Forward" or txn.field != "Transaction":
        return None
    return stored_id(txn.new_value)
