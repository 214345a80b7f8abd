"""TicketSQL tree -> SQLAlchemy condition on Ticket, with bound parameters only."""
import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime, timedelta
from typing import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, false, func, not_, or_, select, true
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import NOBODY_NAME, Queue, Ticket, User, Watcher, utcnow
from .. import lifecycle
from ..bookmarks import starred_condition
from ..relative_dates import BadDate, parse_date, zone_of
from ..rights import visible_tickets_filter
from ..sql import id_in, subject_candidates
from .custom_fields import custom_field_clause
from .fulltext import FullTextRefused, check_words
from .links import LINK_FIELDS, link_condition
from .parser import (
    COMPARISONS,
    DATE_FIELDS,
    INT_FIELDS,
    NEGATIVE,
    STRING_OPS,
    USER_FIELDS,
    WATCHER_FIELDS,
    BoolOp,
    Clause,
    FullTextUnavailable,
    TicketSQLError,
    parse,
)

MAX_NUMBER = 2**63 - 1  # SQLite's INTEGER and PostgreSQL's bigint stop here
_DIGITS = re.compile(r"[0-9]+")


@dataclass
class Compiled:
    condition: object
    notices: list = dc_field(default_factory=list)


class _Compiler:
    def __init__(self, user: User, fulltext: Callable[..., set[int]] | None,
                 zone_name: str | None, now: datetime | None, statuses=None):
        self.user = user
        self.fulltext = fulltext
        self.statuses = statuses
        self.zone = zone_of(zone_name or user.timezone)
        self.now = now or utcnow()
        self.notices: list = []
        self.mentions_status = False

    def node(self, node):
        if isinstance(node, BoolOp):
            parts = [self.node(item) for item in node.items]
            return and_(*parts) if node.op == "AND" else or_(*parts)
        return self.clause(node)

    def clause(self, c: Clause):
        name = c.field
        if name in INT_FIELDS:
            return self.integer(c, INT_FIELDS[name])
        if name in DATE_FIELDS:
            return self.date(c, DATE_FIELDS[name])
        if name in USER_FIELDS:
            return self.user_field(c, USER_FIELDS[name])
        if name in WATCHER_FIELDS:
            return self.watcher(c, WATCHER_FIELDS[name])
        if name in LINK_FIELDS:
            return link_condition(c)
        if name == "cf":  # custom fields: their own module
            return custom_field_clause(self, c)
        return getattr(self, "field_" + name)(c)

    # -- helpers
    def refuse(self, c: Clause, where: str = "op"):
        position = c.op_pos if where == "op" else c.value_pos
        raise TicketSQLError(_l("Opérateur %(op)s impossible pour le champ %(field)s",
                                op=c.op, field=c.text), position)

    def other_column(self, c: Clause, columns: dict):
        """A bare word naming a field of the same kind: compare with that column."""
        if c.value_is_word and c.value.lower() in columns:
            return columns[c.value.lower()]
        return None

    @staticmethod
    def compare(column, op: str, value):
        return {"=": column == value, "!=": column != value, "<": column < value,
                ">": column > value, "<=": column <= value, ">=": column >= value}[op]

    def text_match(self, column, c: Clause):
        """String comparison, case-insensitive like RT on MySQL and PostgreSQL ILIKE."""
        value = c.value
        if c.op == "IS NULL":
            return or_(column.is_(None), column == "")
        if c.op == "IS NOT NULL":
            return and_(column.is_not(None), column != "")
        positive = c.op.removeprefix("NOT ")
        if positive in ("LIKE", "STARTSWITH", "ENDSWITH"):
            # As in RT (DBIx::SearchBuilder), the value is an SQL LIKE pattern: "%" and "_"
            # are wildcards. LIKE wraps it in "%", STARTSWITH appends one, ENDSWITH
            # prepends one.
            pattern = like_pattern(value)
            pattern = {"LIKE": f"%{pattern}%", "STARTSWITH": f"{pattern}%",
                       "ENDSWITH": f"%{pattern}"}[positive]
            match = column.ilike(pattern, escape="\\")
            if c.op.startswith("NOT "):
                return not_(match)
            candidates = subject_candidates(pattern) if column is Ticket.subject else None
            return match if candidates is None else and_(candidates, match)
        return self.compare(func.lower(column), c.op, value.lower())

    def number(self, c: Clause, value: str | None = None) -> int:
        """The clause's value as a whole number that fits the database's integers."""
        value = c.value if value is None else value
        try:
            number = int(value) if _DIGITS.fullmatch(value.lstrip("+-")) else None
        except ValueError:
            number = None
        if number is None:
            raise TicketSQLError(_l("Nombre attendu pour %(field)s", field=c.text),
                                 c.value_pos)
        if abs(number) > MAX_NUMBER:
            raise TicketSQLError(_l("Nombre trop grand"), c.value_pos)
        return number

    # -- kinds of fields
    def scalar(self, c: Clause, column, same_kind: dict):
        """IS [NOT] NULL, a refused operator, or a comparison with another column; None
        when the value must still be read."""
        if c.op in ("IS NULL", "IS NOT NULL"):
            return column.is_(None) if c.op == "IS NULL" else column.is_not(None)
        if c.op not in COMPARISONS:
            self.refuse(c)
        other = self.other_column(c, same_kind)
        return None if other is None else self.compare(column, c.op, other)

    def integer(self, c: Clause, column):
        if c.field == "id" and c.value == "__Bookmarked__" and c.op in COMPARISONS:
            if c.op not in ("=", "!="):  # as RT: the user's favourites, = or != only
                self.refuse(c)
            starred = starred_condition(self.user)
            return starred if c.op == "=" else not_(starred)
        done = self.scalar(c, column, INT_FIELDS)
        if done is not None:
            return done
        return self.compare(column, c.op, self.number(c, c.value.strip()))

    def date(self, c: Clause, column):
        done = self.scalar(c, column, DATE_FIELDS)
        if done is not None:
            return done
        try:
            when = parse_date(c.value, self.now, self.zone)
        except BadDate:
            raise TicketSQLError(_l("Date non comprise : %(value)s", value=c.value),
                                 c.value_pos) from None
        start, end = when.day_bounds(self.zone) if when.day or c.op in ("=", "!=") \
            else (when.at, when.at + timedelta(seconds=1))
        if not when.day and c.op not in ("=", "!="):
            return self.compare(column, c.op, when.at)
        return {"=": and_(column >= start, column < end),
                "!=": or_(column < start, column >= end, column.is_(None)),
                "<": column < start, "<=": column < end,
                ">": column >= end, ">=": column >= start}[c.op]

    def people(self, c: Clause):
        """A condition on User for the clause's value, always in its positive form."""
        value = c.value or ""
        if value == "__CurrentUser__":
            return User.id == self.user.id
        if value == "__CurrentUserName__":
            value = self.user.name
        sub = c.sub
        if sub == "id" or (sub is None and _DIGITS.fullmatch(value)):
            if c.op not in COMPARISONS:
                self.refuse(c)
            return self.compare(User.id, _positive(c.op), self.number(c, value))
        # Without a sub-field, a person is their login name or address, never their real
        # name ("Owner LIKE 'part'" matched every unowned ticket through "Nobody in
        # particular"); Owner.RealName asks for it.
        columns = {"name": [User.name], "emailaddress": [User.email],
                   "realname": [User.real_name]}.get(sub, [User.name, User.email])
        positive = Clause(c.field, sub, _positive(c.op), value, False, c.pos, c.op_pos,
                          c.value_pos, c.text)
        return or_(*(self.text_match(col, positive) for col in columns))

    def user_field(self, c: Clause, column):
        if c.op in ("IS NULL", "IS NOT NULL"):
            return column.is_(None) if c.op == "IS NULL" else column.is_not(None)
        matching = select(User.id).where(self.people(c))
        return column.not_in(matching) if c.op in NEGATIVE else column.in_(matching)

    def watcher(self, c: Clause, role: str | None):
        """A role's watchers; `Watcher` (role None) is every role, the Owner included, as
        in RT (Requestors, Cc, AdminCc and Owner)."""
        holder = aliased(Watcher)
        conditions = [holder.ticket_id == Ticket.id]
        if role:
            conditions.append(holder.role == role)
        if c.op in ("IS NULL", "IS NOT NULL"):
            found = exists().where(*conditions)
            if role is None:  # an owner other than Nobody watches too
                nobody = select(User.id).where(User.name == NOBODY_NAME)
                found = or_(found, and_(Ticket.owner_id.is_not(None),
                                        Ticket.owner_id.not_in(nobody)))
            return not_(found) if c.op == "IS NULL" else found
        matching = select(User.id).where(self.people(c))
        conditions.append(holder.user_id.in_(matching))
        found = exists().where(*conditions)
        if role is None:
            found = or_(found, Ticket.owner_id.in_(matching))
        return not_(found) if c.op in NEGATIVE else found

    # -- the other fields
    def field_subject(self, c: Clause):
        return self.text_match(Ticket.subject, c)

    def field_type(self, c: Clause):
        # Every RT-suivi ticket has RT's type "ticket".
        if c.op not in ("=", "!="):
            self.refuse(c)
        return true() if (c.value.lower() == "ticket") == (c.op == "=") else false()

    def field_status(self, c: Clause):
        if c.op in ("IS NULL", "IS NOT NULL"):
            # Every ticket has a status: RT answers no ticket, not an error.
            return false() if c.op == "IS NULL" else true()
        self.mentions_status = True
        if c.op in ("=", "!="):
            names = STATUS_WORDS.get(c.value.lower(), (c.value.lower(),))
            match = Ticket.status.in_(names)
            return not_(match) if c.op == "!=" else match
        if c.op in STRING_OPS:
            return self.text_match(Ticket.status, c)
        return self.refuse(c)

    def field_queue(self, c: Clause):
        """A queue by name or id. `Queue.Name` names only, `Queue.id` ids only; RT ignores
        any other sub-field (`Queue.Description = 'Support'` is the queue Support)."""
        if c.op in ("IS NULL", "IS NOT NULL"):
            return false() if c.op == "IS NULL" else true()
        if c.op not in STRING_OPS | {"=", "!="}:
            self.refuse(c)
        positive = Clause(c.field, None, _positive(c.op), c.value, False, c.pos, c.op_pos,
                          c.value_pos, c.text)
        if c.sub == "id":
            if positive.op != "=":
                self.refuse(c)
            cond = Queue.id == self.number(c, c.value.strip())
        else:
            cond = self.text_match(Queue.name, positive)
            if c.sub != "name" and positive.op == "=" and _DIGITS.fullmatch(c.value) \
                    and int(c.value) <= MAX_NUMBER:
                cond = or_(cond, Queue.id == int(c.value))
        # The queues' ids are read now: the planner sees `queue_id IN (8)` and reads that
        # queue's tickets through its index; `IN (SELECT …)` made it scan every ticket.
        matching = sorted(db.session.scalars(select(Queue.id).where(cond)))
        return Ticket.queue_id.not_in(matching) if c.op in NEGATIVE \
            else Ticket.queue_id.in_(matching)

    def field_content(self, c: Clause):
        if c.op not in ("=", "!=", "LIKE", "NOT LIKE"):
            self.refuse(c)
        if self.fulltext is None:
            raise FullTextUnavailable()
        try:
            check_words(c.value)
            hits = self.fulltext(c.value, statuses=self.statuses) if self.statuses \
                else self.fulltext(c.value)
        except FullTextRefused as refused:
            raise TicketSQLError(refused.message, c.value_pos) from None
        except FullTextUnavailable:
            self.notices.append(_l("L'index de recherche plein texte est en cours de "
                                   "reconstruction : « %(words)s » est cherché dans les "
                                   "sujets seulement.", words=c.value))
            return self.text_match(Ticket.subject, Clause(
                "subject", None, "LIKE" if c.op in ("=", "LIKE") else "NOT LIKE", c.value,
                False, c.pos, c.op_pos, c.value_pos))
        if getattr(hits, "truncated", False):
            self.notices.append(_l("La recherche plein texte a été interrompue (trop "
                                   "longue) : les résultats peuvent être incomplets."))
        match = getattr(hits, "condition", None)  # the PostgreSQL backend's: in SQL
        if match is None:
            ids = getattr(hits, "ids", hits)
            match = id_in(Ticket.id, ids, f"content_{c.pos}") if ids else false()
        return not_(match) if c.op in NEGATIVE else match


STATUS_WORDS = lifecycle.Live(lifecycle.status_words)


def _required_statuses(tree) -> tuple[str, ...] | None:
    """The statuses every match must have, when the query says so at its top level
    (`Status = '__Active__' AND …`, `(Status = 'open' OR Status = 'new') AND …`)."""
    def statuses_of(node):
        if isinstance(node, Clause) and node.field == "status" and node.op == "=":
            return set(STATUS_WORDS.get(node.value.lower(), (node.value.lower(),)))
        if isinstance(node, BoolOp) and node.op == "OR":
            parts = [statuses_of(item) for item in node.items]
            return None if None in parts else set().union(*parts)
        return None
    items = tree.items if isinstance(tree, BoolOp) and tree.op == "AND" else [tree]
    found = [s for s in (statuses_of(item) for item in items) if s is not None]
    if not found:
        return None
    return tuple(sorted(set.intersection(*found)))


def like_pattern(value: str) -> str:
    """RT's LIKE value as a pattern escaped with "\\": "%" and "_" stay wildcards, "\\x" is
    a literal x (as on RT's PostgreSQL and MySQL), a trailing "\\" a literal backslash."""
    out, i = [], 0
    while i < len(value):
        char = value[i]
        if char == "\\":
            following = value[i + 1:i + 2] or "\\"
            out.append("\\" + following if following in "%_\\" else following)
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _positive(op: str) -> str:
    return {"!=": "=", "IS NOT NULL": "IS NULL"}.get(op, op.removeprefix("NOT "))


def compile_query(text: str, user: User, fulltext: Callable[..., set[int]] | None = None,
                  zone: str | None = None, now: datetime | None = None) -> Compiled:
    """Compile TicketSQL into a condition on Ticket, ANDed with the user's rights filter.

    Raises TicketSQLError (with the position) before anything runs. Deleted tickets are
    left out unless the query names a status, as in RT. `fulltext(words[, statuses=])`
    answers Content clauses with ticket ids (it may raise FullTextUnavailable); `statuses`
    is passed when the query requires them anyway.
    """
    tree = parse(text)
    compiler = _Compiler(user, fulltext, zone, now, _required_statuses(tree))
    condition = compiler.node(tree) if tree is not None else true()
    parts = [visible_tickets_filter(user), condition]
    if not compiler.mentions_status:
        parts.append(Ticket.status != "deleted")
    if compiler.statuses is None or lifecycle.ON_MERGE in compiler.statuses:
        parts.append(Ticket.effective_id.is_(None))  # merged tickets show as their target
    return Compiled(and_(*parts), compiler.notices)
