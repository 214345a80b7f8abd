from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class ACE(db.Model):
    """One access control entry: principal x right x object (the system or one queue).

    principal_kind is "user" or "group" (principal_id set), "role" (Owner, Requestor, Cc,
    AdminCc) or "system" (Everyone, Privileged, Unprivileged), named in principal_name.
    queue_id None means granted globally.
    """
    __tablename__ = "aces"
    __table_args__ = (
        UniqueConstraint("principal_kind", "principal_id", "principal_name", "right_name",
                         "queue_id", name="uq_ace"),
        Index("ix_aces_principal", "principal_kind", "principal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    principal_kind: Mapped[str] = mapped_column(String(10))
    principal_id: Mapped[int | None]
    principal_name: Mapped[str | None] = mapped_column(String(50))
    right_name: Mapped[str] = mapped_column(String(64))
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"))


class RightsSerial(db.Model):
    """One row whose number changes with every grant, revoke or membership change, in the
    same transaction: each process keeps users' rights in memory while it stays the same
    (rtsuivi/domain/rights.py)."""
    __tablename__ = "rights_serial"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    serial: Mapped[int] = mapped_column(default=0)
