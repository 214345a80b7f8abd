"""The agent's own tools (issue 14): reminders on tickets, predefined responses, favourites."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .queues import Queue
from .tickets import Ticket
from .users import User


class Reminder(db.Model):
    """« Les rappels »: something to do on a ticket by someone, by a date (stored in UTC).

    status: open or done. `notified` is the mail-sent mark: the outbox worker sets it with
    a conditional UPDATE in the transaction that queues the owner's mail (one mail, ever).
    """
    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_owner_status", "owner_id", "status"),
                      Index("ix_reminders_status_due", "status", "due"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"),
                                           index=True)
    subject: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    due: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10), default="open")
    created: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    notified: Mapped[datetime | None]

    ticket: Mapped[Ticket] = relationship(lazy="joined", innerjoin=True)
    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined", innerjoin=True)


class CannedResponse(db.Model):
    """« Les réponses prédéfinies »: a text an agent inserts into a reply or a comment.

    queue_id None: offered on every queue. The text carries placeholders ({{numero}}...)
    replaced by plain text (domain/responses.py), never evaluated as a template.
    """
    __tablename__ = "canned_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(200), default="")
    lang: Mapped[str] = mapped_column(String(10), default="fr")
    text: Mapped[str] = mapped_column(Text)
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"),
                                                 index=True)
    updated: Mapped[datetime] = mapped_column(default=utcnow)

    queue: Mapped[Queue | None] = relationship(lazy="joined")


class Bookmark(db.Model):
    """« Favoris »: a star one user put on one ticket (RT's id = '__Bookmarked__')."""
    __tablename__ = "bookmarks"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)
    created: Mapped[datetime] = mapped_column(default=utcnow)
