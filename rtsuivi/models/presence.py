"""Who has a ticket page open (issue 15, live collaboration): one row per ticket and agent."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class TicketPresence(db.Model):
    """An agent seen on a ticket page at `seen` (UTC); rows older than the window are ignored
    and overwritten by the next visit (an upsert), so the table stays one row per pair."""
    __tablename__ = "ticket_presence"
    __table_args__ = (Index("ix_ticket_presence_ticket_seen", "ticket_id", "seen"),)

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"),
                                           primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    seen: Mapped[datetime]
