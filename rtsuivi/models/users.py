from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

# Built-in users, as in RT: Nobody owns every unowned ticket; RT_System acts for automations.
NOBODY_NAME = "Nobody"
SYSTEM_NAME = "RT_System"


class Named:
    """How a person is shown (display_name, is_nobody), from `name` and `real_name`: the
    User model has it, and so have the people the ticket page reads as columns (PersonRow)."""
    __slots__ = ()

    @property
    def display_name(self) -> str:
        return self.name_shown(self.name, self.real_name)

    @staticmethod
    def name_shown(name: str, real_name: str | None) -> str:
        """display_name from the columns (lists that read users as columns use it too)."""
        return real_name or name

    @property
    def is_nobody(self) -> bool:
        return self.name == NOBODY_NAME


class PersonRow(Named):
    """A person read as columns with what names them (the history's authors, the reminders'
    owners), shown as a User is (person(), describe()); outside the session."""
    __slots__ = ("id", "name", "real_name", "email")

    def __init__(self, person_id: int, name: str, real_name: str, email: str | None):
        self.id, self.name, self.real_name, self.email = person_id, name, real_name, email


class User(UserMixin, Named, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    real_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(300))
    privileged: Mapped[bool] = mapped_column(default=False)
    disabled: Mapped[bool] = mapped_column(default=False)
    signature: Mapped[str] = mapped_column(Text, default="")
    lang: Mapped[str | None] = mapped_column(String(10))
    timezone: Mapped[str | None] = mapped_column(String(64))
    created: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of the login session's id: bumped at logout and password change, so every
    # session opened before (a copied cookie included) stops working (rtsuivi/sessions.py).
    session_serial: Mapped[int] = mapped_column(default=0, server_default="0")
    comments: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Set for the first administrator's one-time password: every page asks for a new one.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())

    groups: Mapped[list["Group"]] = relationship(
        secondary="group_members", back_populates="members", order_by="Group.name")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return not self.disabled

    def get_id(self) -> str:
        return f"{self.id}:{self.session_serial or 0}"

    def __repr__(self) -> str:
        return f"<User {self.name}>"


class Group(db.Model):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    # A disabled group keeps its members and grants, but its grants stop applying.
    disabled: Mapped[bool] = mapped_column(default=False, server_default=false())

    members: Mapped[list[User]] = relationship(
        secondary="group_members", back_populates="groups", order_by=User.name)


class GroupMember(db.Model):
    __tablename__ = "group_members"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"),
                                          primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)


class LoginThrottle(db.Model):
    """Failed logins counted for one account name or one client address
    (rtsuivi/domain/throttle.py): the delay, then the temporary lock, they impose."""
    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)  # "account:x", "address:y"
    failures: Mapped[int] = mapped_column(default=0)
    last_failure: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    locked_until: Mapped[datetime | None]
