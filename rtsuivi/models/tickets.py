from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .queues import Queue
from .users import User

__all__ = ["Attachment", "Ticket", "Transaction", "Watcher", "utcnow"]


class Ticket(db.Model):
    __tablename__ = "tickets"
    __table_args__ = (
        # A queue's list by status, merged tickets left out: picked and counted on the
        # index alone (issue 16).
        Index("ix_tickets_queue_status", "queue_id", "status", "effective_id"),
        Index("ix_tickets_owner_status", "owner_id", "status"),
        # newest tickets of an owner (home's "unowned tickets": Nobody's, newest first)
        Index("ix_tickets_owner_created", "owner_id", "created"),
        # "Status = 'new' AND Priority > 50" style searches, in a queue or not: counted on
        # the index alone, the rights filter (queue_id) included (issue 16)
        Index("ix_tickets_status_queue_priority", "status", "queue_id", "priority"),
        # Only merged tickets: every list asks "effective_id IS NULL", and SQLite took a
        # full index on it for that test, reading nearly every ticket (issue 16).
        Index("ix_tickets_effective_id", "effective_id",
              sqlite_where=text("effective_id IS NOT NULL"),
              postgresql_where=text("effective_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_id: Mapped[int | None]
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"))
    subject: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(20), default="new")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    priority: Mapped[int] = mapped_column(default=0)
    created: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    starts: Mapped[datetime | None]
    started: Mapped[datetime | None]
    due: Mapped[datetime | None]
    resolved: Mapped[datetime | None]
    told: Mapped[datetime | None]
    time_estimated: Mapped[int] = mapped_column(default=0)
    time_worked: Mapped[int] = mapped_column(default=0)
    time_left: Mapped[int] = mapped_column(default=0)

    queue: Mapped[Queue] = relationship(lazy="joined", innerjoin=True)
    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined", innerjoin=True)
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    watchers: Mapped[list["Watcher"]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="Watcher.id")
    transactions: Mapped[list["Transaction"]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="Transaction.id")

    def people(self, role: str) -> list[User]:
        return [w.user for w in self.watchers if w.role == role]

    @property
    def requestors(self) -> list[User]:
        return self.people("Requestor")


class Watcher(db.Model):
    __tablename__ = "watchers"
    __table_args__ = (UniqueConstraint("ticket_id", "user_id", "role", name="uq_watcher"),
                      Index("ix_watchers_user_role", "user_id", "role"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"),
                                           index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(20))  # Requestor, Cc, AdminCc

    ticket: Mapped[Ticket] = relationship(back_populates="watchers")
    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class MessageParts:
    """What a history entry's message says: its text, its HTML part, its files, from its
    `attachments`. The Transaction model has it, and so has the history the ticket page
    reads as plain rows (domain.tickets.loading.HistoryEntry)."""
    __slots__ = ()

    def _body(self, content_type: str) -> str:
        for attachment in self.attachments:
            if attachment.content_type == content_type and not attachment.filename \
                    and attachment.content is not None:
                return attachment.content
        return ""

    @property
    def content(self) -> str:
        """The text of the message this transaction carries (the text part), if any."""
        return self._body("text/plain")

    @property
    def html_content(self) -> str:
        """The HTML part of the message, unsanitised (shown only through sanitize_html)."""
        return self._body("text/html")

    @property
    def files(self) -> list["Attachment"]:
        """Attached files and inline images (parts with a name or a Content-ID)."""
        return [a for a in self.attachments if a.filename or a.content_id]


class Transaction(MessageParts, db.Model):
    """One entry of a ticket's history; append-only."""
    __tablename__ = "transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"),
                                           index=True)
    type: Mapped[str] = mapped_column(String(30))
    field: Mapped[str | None] = mapped_column(String(50))
    old_value: Mapped[str | None] = mapped_column(String(500))
    new_value: Mapped[str | None] = mapped_column(String(500))
    data: Mapped[str | None] = mapped_column(Text)
    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created: Mapped[datetime] = mapped_column(default=utcnow)
    time_taken: Mapped[int] = mapped_column(default=0)

    ticket: Mapped[Ticket] = relationship(back_populates="transactions")
    creator: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="transaction", cascade="all, delete-orphan", order_by="Attachment.id")

    # Not stored: whom the scrips must not mail about this transaction (RT-Squelch-Replies-
    # To), and whether only privileged people may be mailed (machine-generated mail). Set by
    # domain.notifications.squelch before the commit runs the scrips.
    squelched_ids = frozenset()
    privileged_only = False
    forwarded_files = None  # Forward: the files the agent chose (domain.tickets.forward)
    once_cc = ()   # RT's UpdateCc / UpdateBcc: mailed this once, never
    once_bcc = ()  # made watchers (domain.recipients.apply)


class Attachment(db.Model):
    """A MIME part of a transaction's message (its text body, a file, the raw mail)."""
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("transactions.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    message_id: Mapped[str | None] = mapped_column(String(500), index=True)
    subject: Mapped[str | None] = mapped_column(String(500))
    headers: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(200), default="text/plain")
    filename: Mapped[str | None] = mapped_column(String(300))
    content: Mapped[str | None] = mapped_column(Text)
    # Deferred: the history lists files without loading them (a page would otherwise read
    # every attached file); `stored` says whether the bytes are kept here.
    content_bytes: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    stored: Mapped[bool] = column_property(content_bytes.isnot(None))
    content_id: Mapped[str | None] = mapped_column(String(300))  # inline images (cid:)
    size: Mapped[int] = mapped_column(default=0, server_default="0")
    created: Mapped[datetime] = mapped_column(default=utcnow)

    transaction: Mapped[Transaction] = relationship(back_populates="attachments")
