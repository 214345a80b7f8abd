"""« Tableaux de bord » and the home page (issue 15): named pages of portlets.

The home page is a dashboard too (as in RT 5): `home` True, private (a user's own layout)
or system (the default layout an administrator sets). A named dashboard is private
(owner_id: a user), shared with a group (owner_id: the group) or system (owner_id None).
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow


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
