from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow

__all__ = ["Link"]


class Link(db.Model):
    """A relation between two tickets, as RT's Links: base --type--> target.

    DependsOn: the base depends on the target. MemberOf: the base is a child of the target
    (its parent). RefersTo: the base mentions the target. MergedInto: the base was merged
    into the target.
    """
    __tablename__ = "links"
    __table_args__ = (UniqueConstraint("base_id", "type", "target_id", name="uq_link"),
                      Index("ix_links_target_type", "target_id", "type"))

    id: Mapped[int] = mapped_column(primary_key=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created: Mapped[datetime] = mapped_column(default=utcnow)
