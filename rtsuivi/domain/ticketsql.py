"""TicketSQL: RT's query language, parsed by a recursive-descent parser into a tree, then
compiled into a parameterised SQLAlchemy condition on Ticket.

Grammar (keywords are case-insensitive):

    query    := [or_expr] EOF
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := factor ("AND" factor)*
    factor   := "(" or_expr ")" | clause
    clause   := field ["SHALLOW"] operator value | field "IS" ["NOT"] "NULL"
    operator := = | != | <> | < | > | <= | >= | ["NOT"] (LIKE | STARTSWITH | ENDSWITH)
    field    := word | quoted            (Owner, Requestor.EmailAddress, 'CF.{Name}')
    value    := quoted | word            ('x', "x", 42, __CurrentUser__, or another field)

A hand-written parser rather than a parsing library: the grammar is twenty lines, and every
error must name the character where it happened, in French, without a new dependency.
Every value reaches SQL as a bound parameter; nothing is ever built from the query text.
"""
from dataclasses import dataclass, field as dc_field
from datetime import datetime, timedelta
from typing import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, exists, false, func, not_, or_, select, true
from sqlalchemy.orm import aliased

from ..models import Queue, Ticket, User, Watcher, utcnow
from . import DomainError, lifecycle
from .relative_dates import BadDate, parse_date, zone_of
from .rights import visible_tickets_filter

KEYWORDS = {"AND", "OR", "NOT", "LIKE", "STARTSWITH", "ENDSWITH", "IS", "NULL", "SHALLOW"}
COMPARISONS = {"=", "!=", "<>", "<", ">", "<=", ">="}
STRING_OPS = {"LIKE", "NOT LIKE", "STARTSWITH", "NOT STARTSWITH", "ENDSWITH", "NOT ENDSWITH"}
NEGATIVE = {"!=", "NOT LIKE", "NOT STARTSWITH", "NOT ENDSWITH", "IS NOT NULL"}
MAX_LENGTH = 10000
MAX_DEPTH = 50


class TicketSQLError(DomainError):
    """The query is not valid TicketSQL; `position` is the 0-based offset of the error."""

    def __init__(self, message, position: int):
        self.message = message
        self.position = position
        super().__init__(_l("%(message)s (caractère %(position)d)", message=message,
                            position=position + 1))


class FullTextUnavailable(Exception):
    """The full-text index cannot answer now (missing, corrupt, being rebuilt)."""


# ---------------------------------------------------------------- tokens

@dataclass(frozen=True)
class Token:
    kind: str  # word, string, op, lparen, rparen, eof
    value: str
    pos: int

    @property
    def keyword(self) -> str | None:
        return self.value.upper() if self.kind == "word" and self.value.upper() in KEYWORDS \
            else None


_STOP = set(" \t\r\n()'\"=!<>")


def tokenize(text: str) -> list[Token]:
    """Cut the query into tokens; raise TicketSQLError at the first impossible character."""
    tokens, i, n = [], 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(Token("lparen" if char == "(" else "rparen", char, i))
            i += 1
        elif char in "'\"":
            start, i, chars = i, i + 1, []
            while i < n and text[i] != char:
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                chars.append(text[i])
                i += 1
            if i >= n:
                raise TicketSQLError(_l("Guillemet non fermé"), start)
            tokens.append(Token("string", "".join(chars), start))
            i += 1
        elif char in "=!<>":
            two = text[i:i + 2]
            if two in ("!=", "<>", "<=", ">="):
                tokens.append(Token("op", "!=" if two == "<>" else two, i))
                i += 2
            elif char == "!":
                raise TicketSQLError(_l("Opérateur inconnu « ! »"), i)
            else:
                tokens.append(Token("op", char, i))
                i += 1
        else:
            start = i
            while i < n and text[i] not in _STOP:
                if text[i] == "{":  # CF.{Name with spaces}
                    close = text.find("}", i)
                    if close < 0:
                        raise TicketSQLError(_l("Accolade non fermée"), i)
                    i = close
                i += 1
            tokens.append(Token("word", text[start:i], start))
    tokens.append(Token("eof", "", n))
    return tokens


# ---------------------------------------------------------------- tree

@dataclass
class Clause:
    field: str        # canonical lower-case name: "owner", "requestor", "created"...
    sub: str | None   # "name", "emailaddress", "realname", "id" for people fields
    op: str           # "=", "!=", "<", "LIKE", "NOT LIKE", "IS NULL", "IS NOT NULL"...
    value: str | None
    value_is_word: bool
    pos: int
    op_pos: int
    value_pos: int
    text: str = ""    # the field as typed, for messages and the builder


@dataclass
class BoolOp:
    op: str  # AND, OR
    items: list = dc_field(default_factory=list)


# field name -> (kind, column or role)
DATE_FIELDS = {
    "created": Ticket.created, "started": Ticket.started, "starts": Ticket.starts,
    "due": Ticket.due, "resolved": Ticket.resolved, "told": Ticket.told,
    "lastupdated": Ticket.updated, "updated": Ticket.updated,
}
INT_FIELDS = {
    "id": Ticket.id, "effectiveid": Ticket.effective_id, "priority": Ticket.priority,
    "initialpriority": Ticket.priority, "timeestimated": Ticket.time_estimated,
    "timeworked": Ticket.time_worked, "timeleft": Ticket.time_left,
}
USER_FIELDS = {"owner": Ticket.owner_id, "creator": Ticket.created_by_id,
               "lastupdatedby": Ticket.updated_by_id, "updatedby": Ticket.updated_by_id}
WATCHER_FIELDS = {"requestor": "Requestor", "requestors": "Requestor", "cc": "Cc",
                  "admincc": "AdminCc", "watcher": None}
OTHER_FIELDS = {"queue", "status", "subject", "content", "type"}
USER_SUBFIELDS = {"name", "emailaddress", "realname", "id"}
# Fields RT knows that RT-suivi has no data for yet: refused with a clear message.
NOT_YET = {"linked", "linkedto", "linkedfrom", "memberof", "hasmember", "dependson",
           "dependedonby", "refersto", "referredtoby", "sla", "lifecycle", "finalpriority",
           "contenttype", "filename", "queuecc", "queueadmincc", "queuewatcher",
           "ownergroup", "requestorgroup", "ccgroup", "adminccgroup", "watchergroup",
           "hasattribute", "hasunreadmessages", "transactiondate"}
ALL_FIELDS = set(DATE_FIELDS) | set(INT_FIELDS) | set(USER_FIELDS) | set(WATCHER_FIELDS) \
    | OTHER_FIELDS


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def next(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def fail(self, message, token: Token):
        raise TicketSQLError(message, token.pos)

    def query(self):
        if self.peek().kind == "eof":
            return None
        tree = self.or_expr()
        token = self.peek()
        if token.kind == "rparen":
            self.fail(_l("Parenthèse fermante sans ouvrante"), token)
        if token.kind != "eof":
            self.fail(_l("AND ou OR attendu"), token)
        return tree

    def or_expr(self):
        items = [self.and_expr()]
        while self.peek().keyword == "OR":
            self.next()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else BoolOp("OR", items)

    def and_expr(self):
        items = [self.factor()]
        while self.peek().keyword == "AND":
            self.next()
            items.append(self.factor())
        return items[0] if len(items) == 1 else BoolOp("AND", items)

    def factor(self):
        token = self.peek()
        if token.kind == "lparen":
            self.next()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                self.fail(_l("Trop de parenthèses imbriquées"), token)
            inner = self.or_expr()
            close = self.next()
            if close.kind != "rparen":
                self.fail(_l("Parenthèse fermante attendue"), close)
            self.depth -= 1
            return inner
        return self.clause()

    def clause(self) -> Clause:
        token = self.next()
        if token.kind not in ("word", "string") or token.keyword:
            self.fail(_l("Nom de champ attendu"), token)
        name, sub = _field_name(token)
        if self.peek().keyword == "SHALLOW":
            self.next()
        op_token = self.peek()
        op = self.operator()
        if op in ("IS NULL", "IS NOT NULL"):
            return Clause(name, sub, op, None, False, token.pos, op_token.pos,
                          op_token.pos, token.value)
        value = self.next()
        if value.kind not in ("word", "string") or (value.kind == "word" and value.keyword):
            self.fail(_l("Valeur attendue"), value)
        return Clause(name, sub, op, value.value, value.kind == "word", token.pos,
                      op_token.pos, value.pos, token.value)

    def operator(self) -> str:
        token = self.next()
        if token.kind == "op":
            return token.value
        word = token.keyword
        if word == "IS":
            negated = self.peek().keyword == "NOT"
            if negated:
                self.next()
            null = self.next()
            if null.keyword != "NULL":
                self.fail(_l("NULL attendu après IS"), null)
            return "IS NOT NULL" if negated else "IS NULL"
        if word == "NOT":
            word = self.next()
            if word.keyword not in ("LIKE", "STARTSWITH", "ENDSWITH"):
                self.fail(_l("LIKE, STARTSWITH ou ENDSWITH attendu après NOT"), word)
            return "NOT " + word.keyword
        if word in ("LIKE", "STARTSWITH", "ENDSWITH"):
            return word
        self.fail(_l("Opérateur attendu (=, !=, <, >, LIKE, IS NULL…)"), token)


def _field_name(token: Token) -> tuple[str, str | None]:
    """Check the field name; return its canonical name and sub-field."""
    raw = token.value.strip()
    base, _, sub = raw.partition(".")
    lowered = base.lower()
    if lowered in ("cf", "customfield", "txncf", "queuecf", "customrole") or \
            lowered in NOT_YET:
        raise TicketSQLError(_l("Champ %(field)s pas encore pris en charge par RT-suivi",
                                field=raw), token.pos)
    if lowered not in ALL_FIELDS:
        raise TicketSQLError(_l("Champ inconnu : %(field)s", field=raw), token.pos)
    sub = sub.lower() or None
    if sub is not None and (lowered not in USER_FIELDS and lowered not in WATCHER_FIELDS
                            or sub not in USER_SUBFIELDS):
        raise TicketSQLError(_l("Champ inconnu : %(field)s", field=raw), token.pos)
    return lowered, sub


def parse(text: str):
    """Parse TicketSQL into a tree (None for an empty query); raise TicketSQLError."""
    if len(text) > MAX_LENGTH:
        raise TicketSQLError(_l("Requête trop longue"), MAX_LENGTH)
    return _Parser(text).query()


# ---------------------------------------------------------------- compiling

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
        match = {"LIKE": lambda: column.icontains(value, autoescape=True),
                 "STARTSWITH": lambda: column.istartswith(value, autoescape=True),
                 "ENDSWITH": lambda: column.iendswith(value, autoescape=True)}.get(positive)
        if match:
            return not_(match()) if c.op.startswith("NOT ") else match()
        return self.compare(func.lower(column), c.op, value.lower())

    # -- kinds of fields
    def integer(self, c: Clause, column):
        if c.op == "IS NULL":
            return column.is_(None)
        if c.op == "IS NOT NULL":
            return column.is_not(None)
        if c.op not in COMPARISONS:
            self.refuse(c)
        if c.field == "id" and c.value == "__Bookmarked__":
            self.notices.append(_l("Les favoris ne sont pas encore disponibles : "
                                   "__Bookmarked__ ne trouve aucun ticket."))
            return false()
        other = self.other_column(c, INT_FIELDS)
        if other is not None:
            return self.compare(column, c.op, other)
        try:
            number = int(c.value)
        except ValueError:
            raise TicketSQLError(_l("Nombre attendu pour %(field)s", field=c.text),
                                 c.value_pos) from None
        if abs(number) > 2**62:
            raise TicketSQLError(_l("Nombre trop grand"), c.value_pos)
        return self.compare(column, c.op, number)

    def date(self, c: Clause, column):
        if c.op == "IS NULL":
            return column.is_(None)
        if c.op == "IS NOT NULL":
            return column.is_not(None)
        if c.op not in COMPARISONS:
            self.refuse(c)
        other = self.other_column(c, DATE_FIELDS)
        if other is not None:
            return self.compare(column, c.op, other)
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
        if sub == "id" or (sub is None and value.isdigit()):
            if not value.isdigit():
                raise TicketSQLError(_l("Nombre attendu pour %(field)s", field=c.text),
                                     c.value_pos)
            return self.compare(User.id, _positive(c.op), int(value)) \
                if c.op in COMPARISONS else self.refuse(c)
        columns = {"name": [User.name], "emailaddress": [User.email],
                   "realname": [User.real_name]}.get(sub, [User.name, User.email])
        if sub is None and c.op in STRING_OPS:
            columns = [User.name, User.email, User.real_name]
        positive = Clause(c.field, sub, _positive(c.op), value, False, c.pos, c.op_pos,
                          c.value_pos, c.text)
        return or_(*(self.text_match(col, positive) for col in columns))

    def user_field(self, c: Clause, column):
        if c.op in ("IS NULL", "IS NOT NULL"):
            return column.is_(None) if c.op == "IS NULL" else column.is_not(None)
        matching = select(User.id).where(self.people(c))
        return column.not_in(matching) if c.op in NEGATIVE else column.in_(matching)

    def watcher(self, c: Clause, role: str | None):
        holder = aliased(Watcher)
        conditions = [holder.ticket_id == Ticket.id]
        if role:
            conditions.append(holder.role == role)
        if c.op in ("IS NULL", "IS NOT NULL"):
            found = exists().where(*conditions)
            return not_(found) if c.op == "IS NULL" else found
        conditions.append(holder.user_id.in_(select(User.id).where(self.people(c))))
        found = exists().where(*conditions)
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
        self.mentions_status = True
        if c.op in ("=", "!="):
            names = STATUS_WORDS.get(c.value.lower(), (c.value.lower(),))
            match = Ticket.status.in_(names)
            return not_(match) if c.op == "!=" else match
        if c.op in STRING_OPS:
            return self.text_match(Ticket.status, c)
        return self.refuse(c)

    def field_queue(self, c: Clause):
        if c.op in ("IS NULL", "IS NOT NULL"):
            return false() if c.op == "IS NULL" else true()
        if c.op not in STRING_OPS | {"=", "!="}:
            self.refuse(c)
        positive = Clause(c.field, None, _positive(c.op), c.value, False, c.pos, c.op_pos,
                          c.value_pos, c.text)
        cond = self.text_match(Queue.name, positive)
        if c.value.isdigit() and positive.op == "=":
            cond = or_(cond, Queue.id == int(c.value))
        matching = select(Queue.id).where(cond)
        return Ticket.queue_id.not_in(matching) if c.op in NEGATIVE \
            else Ticket.queue_id.in_(matching)

    def field_content(self, c: Clause):
        if c.op not in ("=", "!=", "LIKE", "NOT LIKE"):
            self.refuse(c)
        if self.fulltext is None:
            raise FullTextUnavailable()
        try:
            hits = self.fulltext(c.value, statuses=self.statuses) if self.statuses \
                else self.fulltext(c.value)
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
        ids = sorted(getattr(hits, "ids", hits))
        # Integers from our own index, rendered inline: no parameter-count limit.
        match = Ticket.id.in_(bindparam(f"content_{c.pos}", ids, literal_execute=True)) \
            if ids else false()
        return not_(match) if c.op in NEGATIVE else match


STATUS_WORDS = {
    "__active__": lifecycle.ACTIVE, "__inactive__": lifecycle.INACTIVE,
    "nouveau": ("new",), "ouvert": ("open",), "stagnant": ("stalled",),
    "résolu": ("resolved",), "resolu": ("resolved",), "rejeté": ("rejected",),
    "rejete": ("rejected",), "effacé": ("deleted",), "efface": ("deleted",),
}


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
    return Compiled(and_(*parts), compiler.notices)
