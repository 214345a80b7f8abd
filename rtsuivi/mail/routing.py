"""Where an incoming mail goes: the queue and action (the gateway's --queue, else the
address written to), the ticket it continues (the gateway's ticket, the subject tag, the
Message-IDs we sent), and whether a machine wrote it (then it is never answered).

Used by inbound.py; raises Refused (permanent, bounced) or TemporaryFailure (the MTA
retries), as RT answers.
"""
import re

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import InboundMail, OutboxMail, Queue, Ticket
from ..models.base import fits_id
from .message import ParsedMail

ACTIONS = ("correspond", "comment")


class Refused(Exception):
    """A permanent refusal; the sender gets a bounce with this message."""


class TemporaryFailure(Exception):
    """Try again later (unknown queue, bad action, database unavailable), as RT answers."""


def own_addresses(queues: list[Queue]) -> set[str]:
    """Every address that is ours: each queue's correspond and comment address."""
    found = {a for q in queues for a in (q.correspond_address, q.comment_address) if a}
    found.add(current_app.config["RTSUIVI_MAIL_FROM"].lower())
    return found


def route(inbound: InboundMail, parsed: ParsedMail, queues: list[Queue]) -> tuple[Queue, str]:
    """Choose the queue and action: the gateway's --queue, else the address written to."""
    action = (inbound.action or "correspond").lower()
    enabled = [q for q in queues if not q.disabled]
    if inbound.queue_name:
        if action not in ACTIONS:
            raise TemporaryFailure(f"unknown action {action}")
        name = inbound.queue_name
        queue = next((q for q in enabled if q.name == name or str(q.id) == name), None)
        if queue is None:
            raise TemporaryFailure(f"unknown queue {name}")
        return queue, action
    candidates = [a.lower() for a in (inbound.envelope_recipients or "").split(",") if a]
    candidates += parsed.delivered_to + parsed.to + parsed.cc
    for address in candidates:
        for queue in enabled:
            if address == queue.correspond_address:
                return queue, "correspond"
            if address == queue.comment_address:
                return queue, "comment"
    default = current_app.config["RTSUIVI_DEFAULT_QUEUE"]
    queue = next((q for q in enabled if q.name == default), None)
    if queue is None:
        raise TemporaryFailure(f"no queue for this address and no default queue ({default})")
    return queue, "correspond"


def find_ticket(inbound: InboundMail, parsed: ParsedMail, rtname: str,
                queues: list[Queue] | None = None) -> Ticket | None:
    """Thread: the gateway's ticket, the subject tag, then the Message-IDs we sent.

    queues: every queue, when the caller has them already (one query less per mail)."""
    ticket_id = inbound.ticket_hint
    if ticket_id is None:
        if queues is None:
            queues = db.session.scalars(select(Queue)).all()
        tags = [rtname, *(q.subject_tag for q in queues  # rtname, or a queue's tag (RT)
                          if q.subject_tag is not None)]
        match = re.search(r"\[(?:https?://)?(?:" + "|".join(map(re.escape, tags))
                          + r")\s+#(\d+)\]", parsed.subject, re.IGNORECASE)
        ticket_id = int(match.group(1)) if match else None
    if ticket_id is not None:
        # A number past any id is "not found", not a database overflow.
        ticket = db.session.get(Ticket, ticket_id) if fits_id(ticket_id) else None
        if ticket is None:
            raise Refused(_("Ticket n°%(id)s introuvable.", id=ticket_id))
        return _effective(ticket)
    return _ticket_by_references(parsed.references)


def _ticket_by_references(references: list[str]) -> Ticket | None:
    if not references:
        return None
    for ref in references:  # our own thread marker <RT-Ticket-N@domain>
        match = re.match(r"RT-Ticket-(\d+)@", ref)
        if match and fits_id(int(match.group(1))) \
                and (ticket := db.session.get(Ticket, int(match.group(1)))):
            return _effective(ticket)
    ticket_id = db.session.scalar(select(OutboxMail.ticket_id).where(
        OutboxMail.message_id.in_([f"<{r}>" for r in references]),
        OutboxMail.ticket_id.is_not(None)).limit(1))
    return _effective(db.session.get(Ticket, ticket_id)) if ticket_id else None


def _effective(ticket: Ticket) -> Ticket:
    if ticket.effective_id and ticket.effective_id != ticket.id:
        return db.session.get(Ticket, ticket.effective_id) or ticket
    return ticket


def is_auto_generated(parsed: ParsedMail, envelope_sender: str | None = None) -> bool:
    """RT's IsMachineGenerated: bounces, autoreplies, bulk mail, mailer-daemon, no sender.

    Beyond RT: X-Autoreply, X-Autorespond, X-Auto-Response-Suppress and
    Precedence: auto_reply also mark a mail that must never be answered (loop risk).
    """
    if envelope_sender == "" or parsed.header("Return-Path") == "<>":
        return True
    sender = parsed.sender or ""
    if not sender or re.match(r"(mailer-daemon|postmaster)@", sender):
        return True
    if parsed.header("Precedence").lower() in ("bulk", "junk", "auto_reply"):
        return True
    auto = parsed.header("Auto-Submitted").lower()
    if auto and auto != "no":
        return True
    # Vacation and out-of-office programs (and Exchange) mark their mail with these.
    if any(parsed.header(name) for name in
           ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress")):
        return True
    if parsed.header("X-FC-Machinegenerated").lower() == "true":
        return True
    return parsed.message.get_content_type() == "multipart/report"
