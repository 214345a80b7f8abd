"""Mail out, first half: compose messages into the outbox, inside the ticket's database
transaction (mail/sending.py sends the outbox afterwards).

Every message is composed once, bytes and Message-ID included, so a retry sends exactly the
same mail.
"""
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from flask import current_app

from ..domain import lifecycle, mail_templates
from ..domain.notifications import Autoreply, Mail
from ..domain.tickets.describe import describe
from ..extensions import db
from ..models import OutboxMail, Ticket, Transaction, utcnow
from .message import SMTP

# ---------------------------------------------------------------- context for templates

def ticket_url(ticket_id: int) -> str:
    return f"{current_app.config['RTSUIVI_BASE_URL'].rstrip('/')}/tickets/{ticket_id}"


def portal_url(ticket_id: int) -> str:
    """The request's page in the requesters' portal (agents are sent on to the ticket)."""
    return f"{current_app.config['RTSUIVI_BASE_URL'].rstrip('/')}/demandes/{ticket_id}"


def template_context(txn: Transaction, lang: str) -> dict:
    """Plain values only: the sandboxed templates never see ORM objects."""
    from flask_babel import force_locale
    ticket = txn.ticket
    owner = "Nobody" if ticket.owner.is_nobody else ticket.owner.display_name
    with force_locale(lang):
        status = str(lifecycle.label(ticket.status))
    return {
        "rtname": current_app.config["RTSUIVI_RTNAME"],
        "ticket": {"id": ticket.id, "subject": ticket.subject, "queue": ticket.queue.name,
                   "status": status, "owner": owner, "url": ticket_url(ticket.id),
                   "portal_url": portal_url(ticket.id), "tag": subject_tag(ticket),
                   "requestors": ", ".join(u.email or u.name for u in ticket.requestors)},
        "transaction": {"id": txn.id, "type": txn.type, "content": txn.content,
                        "creator": txn.creator.display_name,
                        "description": describe(txn).text(lang)},
        "actor": txn.creator.display_name,
    }


def _context(txn: Transaction, lang: str, cache: dict) -> dict:
    """template_context once per transaction and language in a commit (the cache), not
    once per mail: a new ticket's autoreply and notices share it."""
    key = ("template context", txn.id, lang)
    if key not in cache:
        cache[key] = template_context(txn, lang)
    return cache[key]


# ---------------------------------------------------------------- composing

def subject_tag(ticket: Ticket) -> str:
    """The word of [tag #id] in the ticket's mail: its queue's subject tag, else rtname."""
    return ticket.queue.subject_tag or current_app.config["RTSUIVI_RTNAME"]


def tag_subject(subject: str, ticket_id: int) -> str:
    """Add [tag #id] unless the subject already carries it (RT's AddSubjectTag): the tag is
    subject_tag(); a subject carrying it or rtname is left alone."""
    rtname = current_app.config["RTSUIVI_RTNAME"]
    ticket = db.session.get(Ticket, ticket_id)
    first = subject_tag(ticket) if ticket is not None else rtname
    tags = [f"[{t} #{ticket_id}]" for t in dict.fromkeys((first, rtname)) if t]
    if any(tag.lower() in subject.lower() for tag in tags):
        return subject
    return f"{tags[0]} {subject}".strip()


def _domain() -> str:
    return current_app.config["RTSUIVI_MAIL_FROM"].rpartition("@")[2] or "localhost"


def _header(msg: EmailMessage, name: str, value: str) -> None:
    """msg[name] = value, without the email package parsing a short plain-ASCII line (it
    parses every header it is given, then renders it back: a third of a notification's
    cost). A value to encode, re-encode (an encoded word, =?…?=) or fold still goes through
    it, and so does one holding a line break, which it refuses."""
    if value.isascii() and "\n" not in value and "\r" not in value and "=?" not in value \
            and len(name) + len(value) + 2 <= SMTP.max_line_length:
        msg.set_raw(name, value)
    else:
        msg[name] = value


def compose(*, subject: str, body: str, to: list[str], mail_from: str,
            display_name: str = "", cc: list[str] = (), reply_to: str | None = None,
            ticket_id: int | None = None, in_reply_to: str | None = None,
            auto_submitted: str | None = None, files=(), originator: str = "") \
        -> EmailMessage:
    """Build one message with RT's headers (loop prevention, ticket, threading)."""
    rtname = current_app.config["RTSUIVI_RTNAME"]
    msg = EmailMessage(policy=SMTP)
    _header(msg, "From", formataddr((display_name, mail_from)) if display_name else mail_from)
    if to:
        _header(msg, "To", ", ".join(to))
    if cc:
        _header(msg, "Cc", ", ".join(cc))
    if reply_to:
        _header(msg, "Reply-To", reply_to)
    _header(msg, "Subject", tag_subject(subject, ticket_id) if ticket_id else subject)
    _header(msg, "Date", formatdate(localtime=False))
    _header(msg, "Message-ID", make_msgid(f"rt-suivi-{ticket_id or 0}", domain=_domain()))
    if ticket_id:
        thread = f"<RT-Ticket-{ticket_id}@{_domain()}>"
        _header(msg, "In-Reply-To", in_reply_to or thread)
        _header(msg, "References", " ".join(r for r in (in_reply_to, thread) if r))
        _header(msg, "X-RT-Ticket", f"{rtname} #{ticket_id}")
    _header(msg, "X-RT-Loop-Prevention", rtname)
    _header(msg, "X-Managed-by", "RT-suivi")
    if originator:
        _header(msg, "X-RT-Originator", originator)
    _header(msg, "Precedence", "bulk")
    if auto_submitted:
        _header(msg, "Auto-Submitted", auto_submitted)
    msg.set_content(body)
    for attachment in files:
        data = attachment.content_bytes if attachment.content_bytes is not None \
            else (attachment.content or "").encode()
        maintype, _sep, subtype = attachment.content_type.partition("/")
        msg.add_attachment(data, maintype=maintype or "application",
                           subtype=subtype or "octet-stream", filename=attachment.filename)
    return msg


def _store(msg: EmailMessage, envelope: list[str], scrip: str, ticket_id=None,
           txn_id=None) -> OutboxMail:
    sender = Address(addr_spec=_addr_only(msg["From"])).addr_spec
    row = OutboxMail(ticket_id=ticket_id, transaction_id=txn_id, scrip=scrip,
                     mail_from=sender, recipients=",".join(envelope),
                     subject=str(msg["Subject"])[:500], message_id=str(msg["Message-ID"]),
                     raw=msg.as_bytes(policy=SMTP), created=utcnow(),
                     next_try=utcnow())
    db.session.add(row)
    return row


def _addr_only(value) -> str:
    match = re.search(r"<([^<>]+)>\s*$", str(value))
    return match.group(1) if match else str(value).strip()


def _queue_address(txn: Transaction, as_comment: bool) -> str:
    queue = txn.ticket.queue
    address = queue.comment_address if as_comment else queue.correspond_address
    return address or queue.correspond_address or current_app.config["RTSUIVI_MAIL_FROM"]


def _via(txn: Transaction) -> str:
    """The sender's name as RT writes it: « Alice Martin via suivi »."""
    return f"{txn.creator.display_name} via {current_app.config['RTSUIVI_RTNAME']}"


def _inbound_message_id(txn: Transaction) -> str | None:
    return next((a.message_id for a in txn.attachments if a.message_id), None)


def queue_notification(mail: Mail, cache: dict) -> OutboxMail:
    """Render the scrip's template for its people and put the mail in the outbox."""
    scrip, txn, people, lang = mail.scrip, mail.txn, mail.people, mail.lang
    autoreply = isinstance(scrip.action, Autoreply)
    template = scrip.action.template
    text = mail_templates.get(template, lang, cache)
    subject, body = mail_templates.render(text, _context(txn, lang, cache))
    address = _queue_address(txn, getattr(scrip.action, "as_comment", False))
    to = [p.email for p in people if not any(
        w.user_id == p.id and w.role == "Cc" for w in txn.ticket.watchers)]
    cc = [p.email for p in people if p.email not in to]
    with_files = template in ("Correspondence", "Admin Correspondence", "Admin Comment")
    msg = compose(subject=subject, body=body, to=to, cc=cc, mail_from=address,
                  display_name=_via(txn),
                  reply_to=address, ticket_id=txn.ticket_id,
                  in_reply_to=_inbound_message_id(txn),
                  auto_submitted="auto-replied" if autoreply else None,
                  files=txn.files if with_files else (), originator=txn.creator.email or "")
    return _store(msg, [p.email for p in people], scrip.name, txn.ticket_id, txn.id)


def queue_forward(txn: Transaction, cache: dict) -> OutboxMail:
    """Send a ticket (or one of its transactions) to outside addresses (Transférer)."""
    lang = txn.creator.lang if txn.creator.lang in mail_templates.LANGS else "fr"
    forwarded = db.session.get(Transaction, int(txn.new_value)) if txn.new_value else None
    history = [forwarded] if forwarded else [
        t for t in txn.ticket.transactions if t.type in ("Create", "Correspond") and t.content]
    context = template_context(txn, lang)
    context["forwarded"] = "\n\n".join(
        f"{t.creator.display_name} — {t.created:%Y-%m-%d %H:%M} UTC\n{t.content}"
        for t in history)
    text = mail_templates.get("Forward", lang, cache)
    subject, body = mail_templates.render(text, context)
    to = [a.strip() for a in (txn.data or "").split(",") if a.strip()]
    address = _queue_address(txn, as_comment=False)
    files = [f for t in history for f in t.files] if txn.forwarded_files is None \
        else txn.forwarded_files
    msg = compose(subject=subject, body=body, to=to, mail_from=address,
                  display_name=_via(txn),
                  reply_to=address, ticket_id=txn.ticket_id, files=files,
                  originator=txn.creator.email or "")
    return _store(msg, to, "On Forward Send forwarded message", txn.ticket_id, txn.id)


def queue_once(mail: Mail, cache: dict) -> OutboxMail:
    """Mail a reply's or comment's one-time Cc and Bcc (RT's UpdateCc / UpdateBcc): the Cc
    in the headers, the Bcc only in the envelope; those the rules mail already are left
    out (notifications._once_to_others)."""
    txn, action = mail.txn, mail.scrip.action
    lang = txn.creator.lang if txn.creator.lang in mail_templates.LANGS \
        else mail_templates.DEFAULT_LANG
    text = mail_templates.get(action.template, lang, cache)
    subject, body = mail_templates.render(text, _context(txn, lang, cache))
    address = _queue_address(txn, action.as_comment)
    msg = compose(subject=subject, body=body, to=[], cc=list(mail.cc), mail_from=address,
                  display_name=_via(txn),
                  reply_to=address, ticket_id=txn.ticket_id, files=txn.files,
                  originator=txn.creator.email or "")
    envelope = list(dict.fromkeys([*mail.cc, *mail.bcc]))
    return _store(msg, envelope, mail.scrip.name, txn.ticket_id, txn.id)


def queue_bounce(parsed, error: str) -> OutboxMail:
    """Tell the sender of a refused mail why (RT's "Permission Denied" / error mail)."""
    text = mail_templates.get("Error", "fr")
    subject, body = mail_templates.render(text, {"subject": parsed.subject, "error": error})
    msg = compose(subject=subject, body=body, to=[parsed.sender],
                  mail_from=current_app.config["RTSUIVI_MAIL_FROM"],
                  display_name=current_app.config["RTSUIVI_RTNAME"],
                  in_reply_to=f"<{parsed.message_id}>" if parsed.message_id else None,
                  auto_submitted="auto-replied")
    if parsed.message_id:
        msg.replace_header("References", f"<{parsed.message_id}>") \
            if "References" in msg else msg.add_header("References", f"<{parsed.message_id}>")
        if "In-Reply-To" not in msg:
            msg["In-Reply-To"] = f"<{parsed.message_id}>"
    return _store(msg, [parsed.sender], "Bounce")
