from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class Queue(db.Model):
    __tablename__ = "queues"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    correspond_address: Mapped[str | None] = mapped_column(String(320))
    comment_address: Mapped[str | None] = mapped_column(String(320))
    default_due_days: Mapped[int | None]
    disabled: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<Queue {self.name}>"
