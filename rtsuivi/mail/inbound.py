"""Mail in: store the raw message first, then route it to a queue, thread it to a ticket and
turn it into a Create, Correspond or Comment through the domain functions (the queue,
the ticket and the machine-written test are in routing.py).

The three doors (the mailgate command, the rt-mailgate endpoint and the SMTP listener) all
call receive(). Outcome.status is RT's: "ok", "not ok" (permanent: refused and bounced, or
kept as failed for an admin to re-run) or "temporary failure" (the MTA should retry).
"""
import logging
import re
import traceback
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ..domain import DomainError, Forbidden, notifications
from ..domain import tickets as domain
from ..domain.accounts import find_or_create_by_email
from ..extensions import db
from ..models import Attachment, InboundMail, Queue, Transaction, utcnow
from . import outbound
from .message import ParsedMail, parse
from .routing import Refused, TemporaryFailure, find_ticket, is_auto_generated, own_addresses, route

log = logging.getLogger(__name__)
MAX_NEW_CC = 20
HEAD_KEPT = 64 * 1024  # of a mail over the maximum size: enough for its headers


@dataclass
class Outcome:
    status: str  # "ok", "not ok", "temporary failure"
    message: str = ""
    ticket_id: int | None = None
    inbound_id: int | None = None

    @property
    def body(self) -> str:
        """The answer rt-mailgate expects: `ok`, `not ok - …`, `temporary failure - …`."""
        return "ok\n" if self.status == "ok" else f"{self.status} - {self.message}\n"


# ---------------------------------------------------------------- entry points

def receive(raw: bytes, queue: str | None = None, action: str | None = None,
            ticket: int | None = None, recipients: list[str] | None = None,
            envelope_sender: str | None = None) -> Outcome:
    """Store the raw message (committed), then process it; never lose it."""
    if not raw or not raw.strip():
        return Outcome("ok", "empty message")
    if len(raw) > max_size():
        return refuse_too_large(raw[:HEAD_KEPT], len(raw), queue=queue, action=action,
                                ticket=ticket, recipients=recipients,
                                envelope_sender=envelope_sender)
    # Read before storing, so the row is written once with what the list shows (sender,
    # subject) and the processing starts without an UPDATE; a parser failure only means
    # process() tries again and records the error.
    try:
        parsed = parse(raw)
    except Exception:  # noqa: BLE001  the raw mail is stored whatever happens
        parsed = None
    try:
        inbound = InboundMail(raw=raw, queue_name=queue, action=action, ticket_hint=ticket,
                              envelope_recipients=",".join(recipients or []) or None,
                              envelope_sender=envelope_sender, received=utcnow())
        if parsed is not None:
            _read_into(inbound, parsed)
        db.session.add(inbound)
        _commit_keeping_values()
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("could not store an inbound mail: %s", error)
        return Outcome("temporary failure", "could not store the message")
    return process(inbound, parsed=parsed)


def _read_into(inbound: InboundMail, parsed: ParsedMail) -> None:
    """What the admin list shows of a mail, cut to its columns: an absurd header must not
    keep the raw mail from being stored."""
    inbound.message_id = parsed.message_id[:500] if parsed.message_id else None
    inbound.sender = parsed.sender[:320] if parsed.sender else None
    inbound.subject = parsed.subject


def _commit_keeping_values() -> None:
    """Commit without expiring what the session holds: the row just written is known, and
    reading it back (raw bytes included) cost two queries and, on SQLite, opened a write
    transaction (BEGIN IMMEDIATE) before the mail was even parsed (issue 16)."""
    session = db.session()
    keep, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


def max_size() -> int:
    """The largest raw mail accepted, in bytes, on every door (RTSUIVI_MAX_MAIL_SIZE)."""
    return current_app.config["RTSUIVI_MAX_MAIL_SIZE"]


def refuse_too_large(head: bytes, size: int | None, bounce: bool = True, **door) -> Outcome:
    """Refuse a mail over the maximum size for good and list it, keeping only its head.

    `size` is None when the door stopped counting (the SMTP listener). With bounce=True the
    sender is told by mail (rt-mailgate exits 0 on "not ok", so its MTA never bounces);
    the command and the SMTP listener leave the bounce to the MTA.
    """
    limit = max_size()
    error = (f"message too large: {size} bytes (maximum {limit})" if size is not None
             else f"message too large: over {limit} bytes (maximum {limit})")
    recipients = door.get("recipients")
    inbound = InboundMail(raw=head[:HEAD_KEPT], queue_name=door.get("queue"),
                          action=door.get("action"), ticket_hint=door.get("ticket"),
                          envelope_recipients=",".join(recipients or []) or None,
                          envelope_sender=door.get("envelope_sender"), received=utcnow())
    try:
        db.session.add(inbound)
        db.session.commit()
    except SQLAlchemyError as failure:
        db.session.rollback()
        log.warning("could not list a mail too large: %s", failure)
        return Outcome("not ok", error)
    return _finish(inbound.id, "refused", error, bounce=bounce)


def process(inbound: InboundMail, counted: bool = False,
            parsed: ParsedMail | None = None) -> Outcome:
    """Process a stored message and record its result on the InboundMail row.

    counted: the attempt is already counted (and committed) by retry_stale(); otherwise
    it is counted with the result (a failure rolls the count back, as it always did).
    parsed: the message as receive() read it (stored with it), else read here.
    """
    inbound_id = inbound.id
    try:
        if parsed is None:
            parsed = parse(inbound.raw)
            _read_into(inbound, parsed)
        status, message, txn = _handle(inbound, parsed)
    except (Refused, Forbidden, DomainError) as refusal:  # permanent: the sender is told
        db.session.rollback()
        return _finish(inbound_id, "refused", str(refusal), bounce=True)
    except TemporaryFailure as failure:
        db.session.rollback()
        return _finish(inbound_id, "failed", str(failure), answer="temporary failure")
    except OperationalError as error:  # locked or unreachable database: let the MTA retry
        db.session.rollback()
        return _finish(inbound_id, "failed", str(error).splitlines()[0],
                       answer="temporary failure")
    except Exception:  # a bug: keep the raw mail and its error for an admin to re-run
        db.session.rollback()
        log.exception("inbound mail %s failed", inbound_id)
        return _finish(inbound_id, "failed", traceback.format_exc(limit=5)[-2000:])
    inbound.status, inbound.error, inbound.processed = status, message, utcnow()
    if not counted:
        inbound.attempts += 1
    if txn is not None:
        inbound.ticket_id, inbound.transaction_id = txn.ticket_id, txn.id
    ticket_id = inbound.ticket_id  # read before the commit expires it (no reload after)
    try:
        db.session.commit()
    except OperationalError as error:
        db.session.rollback()
        return _finish(inbound_id, "failed", str(error).splitlines()[0],
                       answer="temporary failure")
    return Outcome("ok", message or "", ticket_id, inbound_id)


def _finish(inbound_id: int, status: str, error: str, bounce: bool = False,
            answer: str = "not ok") -> Outcome:
    """Record a failure on the stored message (and bounce a refusal to its sender)."""
    inbound = db.session.get(InboundMail, inbound_id)
    inbound.status, inbound.error, inbound.processed = status, error, utcnow()
    parsed = parse(inbound.raw)
    _read_into(inbound, parsed)
    if bounce and parsed.sender and not is_auto_generated(parsed, inbound.envelope_sender):
        outbound.queue_bounce(parsed, error)
    try:
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        answer = "temporary failure"
    return Outcome(answer, error.splitlines()[0] if error else status, None, inbound_id)


def retry_stale(now=None, limit: int = 50) -> int:
    """Process again mails left « reçu » by a process cut off; give up after the maximum.

    A mail is stale when neither its arrival nor its last attempt is more recent than
    RTSUIVI_INBOUND_RETRY_AFTER seconds (a fresh one may be in the hands of its door right
    now). Each retry is claimed and counted by a conditional UPDATE committed before it
    runs, so two workers never take the same mail and a mail that kills its process every
    time ends « en échec » after RTSUIVI_INBOUND_MAX_ATTEMPTS retries.
    """
    config = current_app.config
    now = now or utcnow()
    cutoff = now - timedelta(seconds=config["RTSUIVI_INBOUND_RETRY_AFTER"])
    last_try = func.coalesce(InboundMail.processed, InboundMail.received)
    stale = db.session.scalars(select(InboundMail.id).where(
        InboundMail.status == "received", last_try < cutoff)
        .order_by(InboundMail.id).limit(limit)).all()
    db.session.commit()
    taken = 0
    for inbound_id in stale:
        claimed = db.session.execute(
            update(InboundMail).where(InboundMail.id == inbound_id,
                                      InboundMail.status == "received", last_try < cutoff)
            .values(attempts=InboundMail.attempts + 1, processed=now)
            .execution_options(synchronize_session=False)).rowcount
        db.session.commit()
        if claimed != 1:
            continue  # another worker has it
        taken += 1
        inbound = db.session.get(InboundMail, inbound_id)
        db.session.refresh(inbound)
        retries = config["RTSUIVI_INBOUND_MAX_ATTEMPTS"]
        if inbound.attempts > retries:
            _finish(inbound_id, "failed", f"processing was interrupted {inbound.attempts} "
                    f"times (process killed?); given up after {retries} retries "
                    "(RTSUIVI_INBOUND_MAX_ATTEMPTS)")
            continue
        log.warning("inbound mail %s left unprocessed: retry %s", inbound_id, inbound.attempts)
        process(inbound, counted=True)
    return taken


def rerun(inbound: InboundMail) -> Outcome:
    """Process a failed message again (admin action)."""
    if inbound.status not in ("failed", "received"):
        raise DomainError(_("Seul un courriel en échec peut être relancé."))
    return process(inbound)


# ---------------------------------------------------------------- the rules

def _handle(inbound: InboundMail, parsed: ParsedMail):
    """Apply RT's gateway rules; return (status, note, transaction or None)."""
    config = current_app.config
    rtname = config["RTSUIVI_RTNAME"]
    if parsed.header("X-RT-Loop-Prevention") == rtname:
        return "dropped", "our own mail (X-RT-Loop-Prevention)", None
    queues = db.session.scalars(select(Queue)).all()  # few rows: one query serves both uses
    our_addresses = own_addresses(queues)
    if parsed.sender in our_addresses:
        return "dropped", "sent from one of our own addresses", None
    if parsed.message_id and _already_done(inbound, parsed.message_id):
        return "duplicate", "already processed (same Message-ID)", None
    queue, action = route(inbound, parsed, queues)
    if not parsed.sender:
        raise Refused(_("Courriel sans expéditeur : impossible de savoir qui écrit."))
    sender = find_or_create_by_email(parsed.sender, parsed.names.get(parsed.sender, ""))
    if sender.disabled:
        raise Refused(_("Le compte %(name)s est désactivé.", name=sender.name))
    ticket = find_ticket(inbound, parsed, rtname, queues)
    autogen = is_auto_generated(parsed, inbound.envelope_sender)
    content = parsed.text.strip() or _text_of_html(parsed.html)
    if ticket is None:
        cc = _people([a for a in parsed.to + parsed.cc
                      if a not in our_addresses and a != parsed.sender][:MAX_NEW_CC],
                     parsed.names)
        new = domain.create(sender, domain.NewTicket(
            queue=queue, subject=parsed.subject or _("(sans sujet)"), content=content,
            requestors=[sender], cc=cc))
        txn = new.transactions[0]
    elif action == "comment":
        txn = domain.comment(ticket, sender, content or _placeholder(parsed))
    else:
        txn = domain.reply(ticket, sender, content or _placeholder(parsed),
                           auto_open=parsed.header("RT-Control") != "no-autoopen")
    _attach(txn, parsed)
    if autogen:
        # RT: record machine-generated mail but never answer it; tell privileged people only.
        notifications.squelch(txn, sender, privileged_only=True)
    db.session.flush()
    return "done", None, txn


def _people(addresses: list[str], names: dict[str, str]) -> list:
    """Users for the Cc addresses of a new ticket; an unusable address is skipped."""
    found = []
    for address in addresses:
        try:
            found.append(find_or_create_by_email(address, names.get(address, "")))
        except DomainError:
            continue
    return found


def _already_done(inbound: InboundMail, message_id: str) -> bool:
    """Whether this very message already went through the same door to the same place.

    Selects on the Message-ID alone so the database uses its index (SQLite otherwise picked
    the status index and read every stored mail, raw bytes included), then compares the rest.
    """
    door = (inbound.queue_name, inbound.action, inbound.envelope_recipients,
            inbound.ticket_hint)
    return any(row.id != inbound.id and row.status == "done" and tuple(row[2:]) == door
               for row in db.session.execute(select(
                   InboundMail.id, InboundMail.status, InboundMail.queue_name,
                   InboundMail.action, InboundMail.envelope_recipients,
                   InboundMail.ticket_hint).where(InboundMail.message_id == message_id)))


def _text_of_html(html: str) -> str:
    """A plain-text rendition of an HTML-only message, for history, search and replies."""
    if not html:
        return ""
    from html import unescape

    import nh3
    html = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", html)
    text = unescape(nh3.clean(html, tags=set(), clean_content_tags={"script", "style"}))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in text.splitlines()))


def _placeholder(parsed: ParsedMail) -> str:
    names = ", ".join(p.filename for p in parsed.files if p.filename)
    with force_locale("fr"):
        return _("(pièces jointes : %(names)s)", names=names) if names \
            else _("(message vide)")


def _attach(txn: Transaction, parsed: ParsedMail) -> None:
    """Store the HTML part and the files of the message on its transaction."""
    limit = current_app.config["RTSUIVI_MAX_ATTACHMENT_SIZE"]
    first = txn.attachments[0] if txn.attachments else None
    if first is not None:
        first.message_id = f"<{parsed.message_id}>" if parsed.message_id else None
        first.headers = parsed.headers
        first.size = len(first.content or "")
    if parsed.html:
        txn.attachments.append(Attachment(content_type="text/html", content=parsed.html,
                                          size=len(parsed.html)))
    for part in parsed.files:
        kept = part.data if len(part.data) <= limit else None  # the raw mail keeps it all
        txn.attachments.append(Attachment(
            content_type=part.content_type[:200], filename=part.filename,
            content_bytes=kept, size=len(part.data), content_id=part.content_id))
