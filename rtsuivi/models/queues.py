from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .users import User


class Queue(db.Model):
    __tablename__ = "queues"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    correspond_address: Mapped[str | None] = mapped_column(String(320))
    comment_address: Mapped[str | None] = mapped_column(String(320))
    default_due_days: Mapped[int | None]
    disabled: Mapped[bool] = mapped_column(default=False)
    # RT's SubjectTag: written in this queue's outgoing subjects instead of RTSUIVI_RTNAME.
    subject_tag: Mapped[str | None] = mapped_column(String(120))

    def __repr__(self) -> str:
        return f"<Queue {self.name}>"


class QueueWatcher(db.Model):
    """A queue-level Cc or AdminCc: notified for every ticket of the queue, as in RT."""
    __tablename__ = "queue_watchers"

    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"),
                                          primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(10), primary_key=True)  # "Cc" or "AdminCc"

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class ScripOff(db.Model):
    """A default notification rule switched off, everywhere (queue_id None) or in one queue."""
    __tablename__ = "scrips_off"
    __table_args__ = (UniqueConstraint("scrip", "queue_id", name="uq_scrips_off"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scrip: Mapped[str] = mapped_column(String(200))
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"))
