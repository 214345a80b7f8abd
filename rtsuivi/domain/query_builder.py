"""The query builder: criteria rows in groups <-> TicketSQL, both ways.

A builder is a list of groups joined by AND or OR; each group is a list of rows
(field, operator, value) joined by its own AND or OR. That covers what RT's Query Builder
composes; a deeper TicketSQL tree stays editable as text only.
"""
from dataclasses import dataclass, field

from .simple_search import quote
from .ticketsql import INT_FIELDS, Clause, parse

# The fields and operators the builder offers, in its order (their labels are the UI's:
# blueprints/search_forms.py).
FIELD_NAMES = ("Subject", "Content", "Status", "Queue", "Owner", "Requestor", "Cc", "AdminCc",
               "Watcher", "Creator", "id", "Priority", "Created", "LastUpdated", "Due",
               "Started", "Resolved", "Told", "TimeWorked")
# Relations (issue 14), offered after the other fields: a ticket number, or IS [NOT] NULL.
FIELD_NAMES += ("DependsOn", "DependedOnBy", "MemberOf", "HasMember", "RefersTo",
                "ReferredToBy", "LinkedTo", "LinkedFrom")
OPERATOR_NAMES = ("=", "!=", "LIKE", "NOT LIKE", "STARTSWITH", "ENDSWITH", "<", ">", "<=", ">=",
                  "IS NULL", "IS NOT NULL")


@dataclass
class Row:
    field: str = "Subject"
    op: str = "LIKE"
    value: str = ""


@dataclass
class Group:
    join: str = "AND"
    rows: list[Row] = field(default_factory=lambda: [Row()])


@dataclass
class Builder:
    join: str = "AND"
    groups: list[Group] = field(default_factory=lambda: [Group()])

    def to_ticketsql(self) -> str:
        """Compose TicketSQL from the non-empty rows."""
        parts = []
        for group in self.groups:
            clauses = [_clause(r) for r in group.rows if r.field and (
                r.value.strip() or r.op in ("IS NULL", "IS NOT NULL"))]
            if not clauses:
                continue
            text = f" {group.join} ".join(clauses)
            parts.append(f"( {text} )" if len(clauses) > 1 and len(self.groups) > 1 else text)
        return f" {self.join} ".join(parts)


def _clause(row: Row) -> str:
    if row.op in ("IS NULL", "IS NOT NULL"):
        return f"{row.field} {row.op}"
    value = row.value.strip()
    shown = value if row.field.lower() in INT_FIELDS and value.lstrip("-").isdigit() \
        else quote(value)
    return f"{row.field} {row.op} {shown}"


def _same(a: str | None, b: str | None) -> bool:
    """Equal queries once the browser's line ends and outer spaces are set aside."""
    def clean(text):
        return (text or "").replace("\r\n", "\n").strip()
    return clean(a) == clean(b)


def query_to_run(built: Builder, box: str, query_shown: str | None,
                 builder_shown: str | None) -> str:
    """The query « Rechercher » runs: the TicketSQL box, unless only the builder's rows
    were changed since the page was shown (then the rows' query).

    The page sends back what it showed (`query_shown`, `builder_shown`): a query the
    builder cannot read (too deep, invalid) leaves the builder empty or stale, and the box
    must still be what runs, never that builder.
    """
    composed = built.to_ticketsql()
    box_edited = query_shown is not None and not _same(box, query_shown)
    builder_edited = not _same(composed, box if builder_shown is None else builder_shown)
    return composed if builder_edited and not box_edited else box.strip()


def from_ticketsql(text: str) -> Builder | None:
    """Decompose TicketSQL into a builder; None when the tree is too deep for one.

    Raises TicketSQLError for an invalid query.
    """
    tree = parse(text)
    if tree is None:
        return Builder()
    if isinstance(tree, Clause):
        return Builder(groups=[Group(rows=[_row(tree)])])
    if all(isinstance(item, Clause) for item in tree.items):
        return Builder(groups=[Group(tree.op, [_row(c) for c in tree.items])])
    groups = []
    for item in tree.items:
        if isinstance(item, Clause):
            groups.append(Group(rows=[_row(item)]))
        elif all(isinstance(inner, Clause) for inner in item.items):
            groups.append(Group(item.op, [_row(c) for c in item.items]))
        else:
            return None
    return Builder(tree.op, groups)


def _row(clause: Clause) -> Row:
    return Row(clause.text, clause.op, clause.value or "")
