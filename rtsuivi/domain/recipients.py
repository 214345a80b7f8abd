"""Who a reply or comment will be mailed to, shown on the form before it is sent (as RT 5
does), and what the agent decides for this one message: people left out (RT's squelch)
and a one-time Cc and Bcc (RT's UpdateCc / UpdateBcc: mailed once, never made watchers).

The list is the notification rules' own (notifications.mails_for on a transaction not
written), so the form and the mails cannot disagree.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Ticket, Transaction, User
from ..models.base import fits_id
from . import DomainError
from .notifications import mails_for, squelch
from .rights import require_any

KINDS = {"reply": "Correspond", "comment": "Comment"}


@dataclass(frozen=True)
class Recipient:
    user: User
    roles: tuple[str, ...]  # Owner, Requestor, Cc, AdminCc


@dataclass
class _WouldBe:
    """A reply or comment not written yet: what the scrips' conditions and recipients read."""
    ticket: Ticket
    creator_id: int
    type: str
    field: str | None = None
    new_value: str | None = None
    squelched_ids: frozenset = frozenset()
    privileged_only: bool = False
    once_cc: tuple = ()
    once_bcc: tuple = ()


def _rights(kind: str) -> tuple[str, ...]:
    from .tickets.messages import COMMENT_RIGHTS, REPLY_RIGHTS
    return REPLY_RIGHTS if kind == "reply" else COMMENT_RIGHTS


def preview(ticket: Ticket, actor: User, kind: str) -> list[Recipient]:
    """List the people the notification rules would mail for a reply or comment by actor.

    Needs the right to write it (ReplyToTicket or CommentOnTicket, or ModifyTicket):
    Forbidden otherwise; DomainError for an unknown kind.
    """
    if kind not in KINDS:
        raise DomainError(_l("Type de message inconnu."))
    require_any(actor, _rights(kind), ticket)
    people: list[User] = []
    for mail in mails_for(_WouldBe(ticket, actor.id, KINDS[kind])):
        people += [p for p in mail.people if p not in people]
    return [Recipient(p, _roles(ticket, p)) for p in people]


def _roles(ticket: Ticket, person: User) -> tuple[str, ...]:
    owner = ("Owner",) if ticket.owner_id == person.id else ()
    return owner + tuple(w.role for w in ticket.watchers if w.user_id == person.id)


@dataclass(frozen=True)
class ThisMessage:
    """The agent's choices for one message: ids left out, one-time Cc and Bcc."""
    leave_out: frozenset = frozenset()
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()


def this_message(shown, kept, cc: str | None, bcc: str | None) -> ThisMessage:
    """Read the form's choices: people shown but not ticked are left out; Cc and Bcc are
    checked like Forward's addresses (DomainError naming a bad one)."""
    from .tickets.messages import outside_addresses
    cc_list = outside_addresses(cc)
    bcc_list = [a for a in outside_addresses(bcc) if a not in cc_list]
    leave_out = frozenset(i for i in shown if fits_id(i)) - frozenset(kept)
    return ThisMessage(leave_out, tuple(dict.fromkeys(cc_list)), tuple(dict.fromkeys(bcc_list)))


def apply(txns: list[Transaction], choice: ThisMessage | None) -> None:
    """Leave the unticked people out of every mail of this update (a resolution mail
    too, as RT's squelch) and give the message its one-time Cc and Bcc.

    DomainError when Cc or Bcc are given without a message to send them.
    """
    if choice is None:
        return
    message = next((t for t in txns if t.type in KINDS.values()), None)
    if message is None and (choice.cc or choice.bcc):
        raise DomainError(_l("Écrivez un message pour l'envoyer en Cc ou en Cci."))
    if choice.leave_out:
        for person in db.session.scalars(select(User).where(User.id.in_(choice.leave_out))):
            for txn in txns:
                squelch(txn, person)
    if message is not None:
        message.once_cc, message.once_bcc = choice.cc, choice.bcc
