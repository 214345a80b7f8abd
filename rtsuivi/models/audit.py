from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .users import User


class AuditEntry(db.Model):
    """One administrative change (rtsuivi/domain/audit.py): who, when, which object, and the
    fields before and after (JSON). Append-only; listed for SuperUsers under Administration."""
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_object", "object_kind", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # user, group, queue, right, custom_field, scrip, template, config, ...
    object_kind: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[int | None]
    object_name: Mapped[str] = mapped_column(String(300), default="")
    # create, update, disable, enable, grant, revoke, add_member, remove_member, ...
    action: Mapped[str] = mapped_column(String(30))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship(lazy="joined")
