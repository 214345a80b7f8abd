"""TicketSQL's link fields, answered as RT's Tickets.pm _LinkLimit does.

`DependsOn = 5`: the ticket has a DependsOn link to 5; `!=`: it has none to 5; `IS NULL`:
it has no DependsOn link at all; `IS NOT NULL`: it has one. The From fields (DependedOnBy,
HasMember, ReferredToBy, LinkedFrom) read the links the other way; LinkedTo and LinkedFrom
take every type; Linked is either direction. Parent, Child and Members are the REST 2.0 and
RT 5 names (Parent = MemberOf, Child = Members = HasMember).
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, false, not_, or_, true
from sqlalchemy.orm import aliased

from ...models import Link, Ticket
from ...models.base import fits_id
from .parser import Clause, TicketSQLError

# lower-case field -> (direction, link type or None for any)
LINK_FIELDS = {
    "dependson": ("To", "DependsOn"), "dependedonby": ("From", "DependsOn"),
    "dependenton": ("From", "DependsOn"),
    "memberof": ("To", "MemberOf"), "parent": ("To", "MemberOf"),
    "hasmember": ("From", "MemberOf"), "members": ("From", "MemberOf"),
    "child": ("From", "MemberOf"),
    "refersto": ("To", "RefersTo"), "referredtoby": ("From", "RefersTo"),
    "linkedto": ("To", None), "linkedfrom": ("From", None), "linked": (None, None),
}
OPERATORS = ("=", "!=", "IS NULL", "IS NOT NULL")


def _value(c: Clause) -> int | None:
    """The ticket number the clause names; None for NULL or an empty value (as in RT)."""
    value = (c.value or "").strip()
    if c.op in ("IS NULL", "IS NOT NULL") or not value or value.lower() == "null":
        return None
    if not value.lstrip("#").isdigit():
        raise TicketSQLError(_l("Numéro de ticket attendu pour %(field)s", field=c.text),
                             c.value_pos)
    return int(value.lstrip("#"))


def _linked(direction: str, type_: str | None, number: int | None):
    """Whether the ticket has such a link (to that ticket when a number is given)."""
    link = aliased(Link)
    mine, theirs = (link.base_id, link.target_id) if direction == "To" \
        else (link.target_id, link.base_id)
    conditions = [mine == Ticket.id]
    conditions.append(link.type == type_ if type_ else link.type != "MergedInto")
    if number is not None:
        conditions.append(theirs == number)
    return exists().where(*conditions)


def link_condition(c: Clause):
    """Compile one link clause into a condition on Ticket."""
    if c.op not in OPERATORS:
        raise TicketSQLError(_l("Opérateur %(op)s impossible pour le champ %(field)s",
                                op=c.op, field=c.text), c.op_pos)
    direction, type_ = LINK_FIELDS[c.field]
    number = _value(c)
    if number is not None and not fits_id(number):
        return false() if c.op == "=" else true()
    # RT reads "= ''" and "= NULL" as IS NULL, "!= ''" as IS NOT NULL.
    negative = c.op in ("=", "IS NULL") if number is None else c.op == "!="
    directions = (direction,) if direction else ("To", "From")
    found = or_(*(_linked(d, type_, number) for d in directions))
    return not_(found) if negative else found
