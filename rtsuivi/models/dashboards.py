"""« Tableaux de bord » and the home page (issue 15): named pages of portlets.

The home page is a dashboard too (as in RT 5): `home` True, private (a user's own layout)
or system (the default layout an administrator sets). A named dashboard is private
(owner_id: a user), shared with a group (owner_id: the group) or system (owner_id None).
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .users import User


class Dashboard(db.Model):
    __tablename__ = "dashboards"
    __table_args__ = (Index("ix_dashboards_owner", "home", "privacy", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    privacy: Mapped[str] = mapped_column(String(10))  # user, group, system
    owner_id: Mapped[int | None]  # the user's or the group's id; None for system
    home: Mapped[bool] = mapped_column(default=False)
    created: Mapped[datetime] = mapped_column(default=utcnow)

    portlets: Mapped[list["Portlet"]] = relationship(
        back_populates="dashboard", cascade="all, delete-orphan",
        order_by="(Portlet.pane, Portlet.position, Portlet.id)")


class Portlet(db.Model):
    """One box of a dashboard: a kind of domain/portlets.py, its argument (a saved search's
    id...), rows shown (1-50) and refresh interval in minutes (0: off)."""
    __tablename__ = "portlets"

    id: Mapped[int] = mapped_column(primary_key=True)
    dashboard_id: Mapped[int] = mapped_column(ForeignKey("dashboards.id", ondelete="CASCADE"),
                                              index=True)
    pane: Mapped[str] = mapped_column(String(10), default="main")  # main, side
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(40))
    argument: Mapped[str] = mapped_column(String(200), default="")
    rows: Mapped[int] = mapped_column(default=10)
    refresh: Mapped[int] = mapped_column(default=0)

    dashboard: Mapped[Dashboard] = relationship(back_populates="portlets")


class DashboardSubscription(db.Model):
    """A dashboard mailed to its subscriber (or chosen addresses): daily on some weekdays
    (0 Monday … 6 Sunday), weekly on one weekday or monthly on one day, from `hour` in
    the subscriber's timezone. `last_period` ("2026-11-30", "2026-W48", "2026-11") is
    the sent mark, set by a conditional UPDATE in the transaction that queues the mails:
    once per period, across restarts and workers."""
    __tablename__ = "dashboard_subscriptions"
    __table_args__ = (UniqueConstraint("dashboard_id", "user_id", name="uq_subscription"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dashboard_id: Mapped[int] = mapped_column(
        ForeignKey("dashboards.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    frequency: Mapped[str] = mapped_column(String(10))  # daily, weekly, monthly
    weekdays: Mapped[str] = mapped_column(String(20), default="0,1,2,3,4")
    weekday: Mapped[int] = mapped_column(default=0)
    day: Mapped[int] = mapped_column(default=1)
    hour: Mapped[int] = mapped_column(default=8)
    recipients: Mapped[str] = mapped_column(String(1000), default="")
    last_period: Mapped[str | None] = mapped_column(String(20))

    dashboard: Mapped[Dashboard] = relationship()
    user: Mapped[User] = relationship()
