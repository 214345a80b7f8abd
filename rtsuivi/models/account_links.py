from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .users import User


class AccountLink(db.Model):
    """A one-time link mailed to a person (rtsuivi/domain/account_links.py): choose a
    password, or log in when the site allows it. Only the SHA-256 of the token is kept."""
    __tablename__ = "account_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    next_url: Mapped[str | None] = mapped_column(String(500))  # a local path, checked
    created: Mapped[datetime] = mapped_column(default=utcnow)
    expires: Mapped[datetime]
    used: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")
