from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .users import Group, User


class SearchMark(db.Model):
    """A ticket whose search index entry is stale: written in the same transaction as the
    change, deleted once the index holds the new version (rtsuivi/search/marks.py).

    Append-only rows, not one row per ticket: a change made while the indexer works adds a
    newer row, so the indexer never deletes a mark it has not honoured. No foreign key: the
    mark of a ticket removed from the database must survive to drop it from the index.
    """
    __tablename__ = "search_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(index=True)


class TicketText(db.Model):
    """A ticket's searchable words for the PostgreSQL full-text backend
    (RTSUIVI_SEARCH_BACKEND=postgresql, rtsuivi/search/postgresql.py): `public` holds
    subject, messages and requestors (weight A); `custom` the custom field values (C);
    `comments` the private comments (D); `document` all three. Rewritten in the same
    transaction as the change. Unused (empty) on SQLite and with the Whoosh backend.
    """
    __tablename__ = "ticket_texts"
    __table_args__ = (Index("ix_ticket_texts_public", "public", postgresql_using="gin"),
                      Index("ix_ticket_texts_comments", "comments", postgresql_using="gin"),
                      Index("ix_ticket_texts_custom", "custom", postgresql_using="gin"),
                      Index("ix_ticket_texts_document", "document", postgresql_using="gin"))

    ticket_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    public: Mapped[str] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
    comments: Mapped[str] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
    custom: Mapped[str] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
    document: Mapped[str] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))


class SavedSearch(db.Model):
    """A TicketSQL query with its display: private (user), shared with a group, or system."""
    __tablename__ = "saved_searches"
    __table_args__ = (Index("ix_saved_searches_owner", "privacy", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    privacy: Mapped[str] = mapped_column(String(10))  # user, group, system
    owner_id: Mapped[int | None]  # the user's or the group's id; None for system
    query: Mapped[str] = mapped_column(Text, default="")
    columns: Mapped[str] = mapped_column(String(500), default="")
    order_by: Mapped[str] = mapped_column(String(200), default="")  # "priority desc,id asc"
    rows_per_page: Mapped[int] = mapped_column(default=50)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User] = relationship()
    # The group a shared search belongs to (None otherwise). owner_id has no foreign key
    # (it names a user or a group): a read-only join, loaded with the list (no N+1).
    group: Mapped[Group | None] = relationship(
        primaryjoin="and_(foreign(SavedSearch.owner_id) == Group.id, "
                    "SavedSearch.privacy == 'group')", viewonly=True)
