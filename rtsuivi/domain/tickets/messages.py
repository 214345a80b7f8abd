"""Messages: reply (Correspond), comment, forward."""
import re
from email.utils import parseaddr

from flask_babel import lazy_gettext as _l

from ...models import Ticket, Transaction, User
from .. import DomainError, NotFound, lifecycle
from ..rights import require, require_any
from .people import _addresses
from .recording import clean_text as _clean_text
from .recording import parse_minutes as _parse_minutes
from .recording import record as _record
from .status import change_status as _change_status

REPLY_RIGHTS = ("ReplyToTicket", "ModifyTicket")     # as in RT's Ticket->Correspond
COMMENT_RIGHTS = ("CommentOnTicket", "ModifyTicket")  # as in RT's Ticket->Comment


def reply(ticket: Ticket, actor: User, content: str, time_taken=0,
          auto_open: bool = True, files=()) -> Transaction:
    """Add a public reply (Correspond), with files if any, and apply the reopen rules.

    Needs ReplyToTicket or ModifyTicket.
    """
    require_any(actor, REPLY_RIGHTS, ticket)
    content = _clean_text(content)
    if not content and not files:
        raise DomainError(_l("Le message est vide."))
    txn = _record(ticket, actor, "Correspond", content=content,
                  time_taken=_parse_minutes(time_taken), files=files)
    is_requestor = any(w.user_id == actor.id and w.role == "Requestor" for w in ticket.watchers)
    if not is_requestor:
        ticket.told = txn.created
    target = lifecycle.status_after_reply(ticket.status, by_requestor=is_requestor)
    if auto_open and target:
        _change_status(ticket, actor, target)
    return txn


def comment(ticket: Ticket, actor: User, content: str, time_taken=0, files=()) -> Transaction:
    """Add a private comment, never shown to requesters (CommentOnTicket or ModifyTicket)."""
    require_any(actor, COMMENT_RIGHTS, ticket)
    content = _clean_text(content)
    if not content and not files:
        raise DomainError(_l("Le commentaire est vide."))
    return _record(ticket, actor, "Comment", content=content,
                   time_taken=_parse_minutes(time_taken), files=files)


ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


def outside_addresses(text: str | None) -> list[str]:
    """Read addresses typed by an agent (commas or semicolons; « Nom <adresse> » accepted);
    DomainError naming the bad ones."""
    items = _addresses(text or "", separators=r"[,;]")
    addresses = [parseaddr(a)[1] if "<" in a else a for a in items]
    bad = [item for item, a in zip(items, addresses) if not ADDRESS.match(a)]
    if bad:
        raise DomainError(_l("Adresse invalide : %(address)s", address=", ".join(bad)))
    return addresses


def forward(ticket: Ticket, actor: User, to: str, content: str = "",
            transaction: Transaction | None = None, files=None) -> Transaction:
    """Forward the ticket (or one transaction) to outside addresses, with a message and
    the files chosen (None: the files of the forwarded messages).

    Needs ForwardMessage. The scrips put the mail in the outbox in the same commit.
    """
    require(actor, "ForwardMessage", ticket)
    addresses = outside_addresses(to)
    if not addresses:
        raise DomainError(_l("Indiquez au moins une adresse de destination."))
    from ..reading import can_read_transaction
    from ..ticket_files import check_forwardable
    # A message of a ticket merged into this one belongs to its history too.
    if transaction is not None and (
            ticket.id not in (transaction.ticket_id, transaction.ticket.effective_id)
            or not can_read_transaction(actor, transaction)):
        raise NotFound(_l("Transaction introuvable."))
    chosen = None if files is None else check_forwardable(ticket, actor, files)
    txn = _record(ticket, actor, "Forward", field="Transaction" if transaction else "Ticket",
                  new=transaction.id if transaction else None,
                  data=", ".join(addresses), content=_clean_text(content))
    txn.forwarded_files = chosen  # read by the Forward scrip before the commit
    return txn

