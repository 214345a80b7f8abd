"""Mail tables: raw inbound messages, the outbox, and the editable mail templates."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow


class InboundMail(db.Model):
    """One received message, stored raw before any processing so that nothing is lost.

    status: received (stored, not processed yet), done, failed (kept with its error, can be
    re-run), refused (a permanent refusal was bounced), dropped (our own loop), duplicate.
    """
    __tablename__ = "inbound_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    received: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    raw: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # lists skip the bytes
    envelope_sender: Mapped[str | None] = mapped_column(String(320))
    envelope_recipients: Mapped[str | None] = mapped_column(Text)
    queue_name: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str | None] = mapped_column(String(30))
    ticket_hint: Mapped[int | None]
    message_id: Mapped[str | None] = mapped_column(String(500), index=True)
    sender: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default="received", index=True)
    error: Mapped[str | None] = mapped_column(Text)
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"))
    transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("transactions.id", ondelete="SET NULL"))
    processed: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)


class Recipients:
    """recipient_list from `recipients`: the OutboxMail model has it, and so have the sent
    mails the ticket page reads as columns (SentMailRow)."""
    __slots__ = ()

    @property
    def recipient_list(self) -> list[str]:
        return [r for r in self.recipients.split(",") if r]


class SentMailRow(Recipients):
    """A sent mail as the ticket's history lists it, read as columns, outside the session."""
    __slots__ = ("id", "ticket_id", "transaction_id", "recipients", "status")
    COLUMNS = __slots__

    def __init__(self, *values):
        for name, value in zip(self.COLUMNS, values, strict=True):
            setattr(self, name, value)


class OutboxMail(Recipients, db.Model):
    """One composed message waiting for (or done with) SMTP; the bytes never change.

    status: pending, sending (claimed by a worker), sent, failed (gave up; can be retried).
    """
    __tablename__ = "outbox_mails"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_try"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), index=True)
    transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("transactions.id", ondelete="SET NULL"), index=True)
    scrip: Mapped[str] = mapped_column(String(100))
    mail_from: Mapped[str] = mapped_column(String(320))
    recipients: Mapped[str] = mapped_column(Text)  # envelope, comma-separated
    subject: Mapped[str] = mapped_column(String(500), default="")
    message_id: Mapped[str] = mapped_column(String(500), unique=True)
    raw: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # lists skip the bytes
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_try: Mapped[datetime] = mapped_column(default=utcnow)
    claimed: Mapped[datetime | None]
    sent: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class MailTemplate(db.Model):
    """The text of one notification in one language (subject and body are Jinja2)."""
    __tablename__ = "mail_templates"
    __table_args__ = (UniqueConstraint("name", "lang", name="uq_mail_template"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    lang: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    updated: Mapped[datetime] = mapped_column(default=utcnow)
