"""Custom fields (RT's CustomFields): the field, its ordered values (for selects), the queues
it applies to, and each ticket's values (RT's ObjectCustomFieldValues).

A ticket's select value is stored as the id of the value row, never as its text: renaming
a value (« Matériel » -> « Matériel informatique ») keeps every ticket that had it, with
no rewrite of ticket rows. Other types store their text in `content`: dates as
"YYYY-MM-DD", datetimes as "YYYY-MM-DD HH:MM:SS" in UTC, so that comparing the text
compares the dates (as RT does with its Content column).
"""
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db

TYPES = ("select_one", "select_many", "freeform", "text", "date", "datetime")
SELECT_TYPES = ("select_one", "select_many")
DATE_TYPES = ("date", "datetime")


class CustomField(db.Model):
    __tablename__ = "custom_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    type: Mapped[str] = mapped_column(String(20), default="freeform")
    required: Mapped[bool] = mapped_column(default=False)
    pattern: Mapped[str | None] = mapped_column(String(500))
    pattern_message: Mapped[str | None] = mapped_column(String(300))
    for_requesters: Mapped[bool] = mapped_column(default=False)
    applies_globally: Mapped[bool] = mapped_column(default=False)
    disabled: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)

    values: Mapped[list["CustomFieldValue"]] = relationship(
        back_populates="field", cascade="all, delete-orphan",
        order_by=lambda: (CustomFieldValue.sort_order, CustomFieldValue.id))
    queue_links: Mapped[list["CustomFieldQueue"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")

    @property
    def is_select(self) -> bool:
        return self.type in SELECT_TYPES

    @property
    def queue_ids(self) -> set[int]:
        return {link.queue_id for link in self.queue_links}

    def __repr__(self) -> str:
        return f"<CustomField {self.name}>"


class CustomFieldValue(db.Model):
    """One value a select field offers, in its order."""
    __tablename__ = "custom_field_values"
    __table_args__ = (UniqueConstraint("field_id", "name", name="uq_custom_field_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    field_id: Mapped[int] = mapped_column(ForeignKey("custom_fields.id", ondelete="CASCADE"),
                                          index=True)
    name: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(default=0)
    disabled: Mapped[bool] = mapped_column(default=False)

    field: Mapped[CustomField] = relationship(back_populates="values")


class CustomFieldQueue(db.Model):
    """A queue the field applies to (when it does not apply globally)."""
    __tablename__ = "custom_field_queues"

    field_id: Mapped[int] = mapped_column(
        ForeignKey("custom_fields.id", ondelete="CASCADE"), primary_key=True)
    queue_id: Mapped[int] = mapped_column(
        ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True, index=True)


class TicketCustomFieldValue(db.Model):
    """One value of a field on a ticket; a select-many field has one row per value."""
    __tablename__ = "ticket_custom_field_values"
    __table_args__ = (Index("ix_ticket_cf_ticket_field", "ticket_id", "field_id"),
                      Index("ix_ticket_cf_field_value", "field_id", "value_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    field_id: Mapped[int] = mapped_column(ForeignKey("custom_fields.id", ondelete="CASCADE"))
    value_id: Mapped[int | None] = mapped_column(
        ForeignKey("custom_field_values.id", ondelete="CASCADE"))
    content: Mapped[str | None] = mapped_column(Text)

    value: Mapped[CustomFieldValue | None] = relationship(lazy="joined")

    @property
    def text(self) -> str:
        """The value as shown: the select value's current name, or the stored text."""
        return self.value.name if self.value is not None else (self.content or "")
