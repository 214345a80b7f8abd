"""TicketSQL tokens, tree and recursive-descent parser (grammar in __init__.py)."""
from dataclasses import dataclass
from dataclasses import field as dc_field

from flask_babel import lazy_gettext as _l

from ...models import Ticket
from .. import DomainError

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
            continue
        if char in "()":
            token, i = Token("lparen" if char == "(" else "rparen", char, i), i + 1
        elif char in "'\"":
            token, i = _quoted(text, i)
        elif char in "=!<>":
            token, i = _operator(text, i)
        else:
            token, i = _word(text, i)
        tokens.append(token)
    tokens.append(Token("eof", "", n))
    return tokens


def _quoted(text: str, start: int) -> tuple[Token, int]:
    """A quoted value from its opening quote; a backslash escapes the next character."""
    quote, i, chars = text[start], start + 1, []
    while i < len(text) and text[i] != quote:
        if text[i] == "\\" and i + 1 < len(text):
            i += 1
        chars.append(text[i])
        i += 1
    if i >= len(text):
        raise TicketSQLError(_l("Guillemet non fermé"), start)
    return Token("string", "".join(chars), start), i + 1


def _operator(text: str, i: int) -> tuple[Token, int]:
    two = text[i:i + 2]
    if two in ("!=", "<>", "<=", ">="):
        return Token("op", "!=" if two == "<>" else two, i), i + 2
    if text[i] == "!":
        raise TicketSQLError(_l("Opérateur inconnu « ! »"), i)
    return Token("op", text[i], i), i + 1


def _word(text: str, start: int) -> tuple[Token, int]:
    """A field name, keyword or bare value, up to a space, quote, parenthesis or operator."""
    i = start
    while i < len(text) and text[i] not in _STOP:
        if text[i] == "{":  # CF.{Name with spaces}
            close = text.find("}", i)
            if close < 0:
                raise TicketSQLError(_l("Accolade non fermée"), i)
            i = close
        i += 1
    return Token("word", text[start:i], start), i


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
# Links (RT's LINK fields, plus REST 2.0's Parent/Child): compiled by ticketsql/links.py.
LINK_FIELD_NAMES = {"linked", "linkedto", "linkedfrom", "memberof", "hasmember", "members",
                    "parent", "child", "dependson", "dependedonby", "dependenton",
                    "refersto", "referredtoby"}
NOT_YET = {"sla", "lifecycle", "finalpriority",
           "contenttype", "filename", "queuecc", "queueadmincc", "queuewatcher",
           "ownergroup", "requestorgroup", "ccgroup", "adminccgroup", "watchergroup",
           "hasattribute", "hasunreadmessages", "transactiondate"}
ALL_FIELDS = set(DATE_FIELDS) | set(INT_FIELDS) | set(USER_FIELDS) | set(WATCHER_FIELDS) \
    | OTHER_FIELDS | LINK_FIELD_NAMES


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
    if lowered in ("cf", "customfield") and sub.strip():
        return "cf", _custom_field_name(sub)
    if lowered in ("cf", "customfield", "txncf", "queuecf", "customrole") or \
            lowered in NOT_YET:
        raise TicketSQLError(_l("Champ %(field)s pas encore pris en charge par RT-suivi",
                                field=raw), token.pos)
    if lowered not in ALL_FIELDS:
        raise TicketSQLError(_l("Champ inconnu : %(field)s", field=raw), token.pos)
    sub = sub.lower() or None
    if sub is not None and lowered == "queue":
        # RT accepts any Queue sub-field (Queue.Name, Queue.id...); see field_queue.
        if not sub.isidentifier():
            raise TicketSQLError(_l("Champ inconnu : %(field)s", field=raw), token.pos)
        return lowered, sub
    if sub is not None and (lowered not in USER_FIELDS and lowered not in WATCHER_FIELDS
                            or sub not in USER_SUBFIELDS):
        raise TicketSQLError(_l("Champ inconnu : %(field)s", field=raw), token.pos)
    return lowered, sub


def _custom_field_name(sub: str) -> str:
    """`{Name}` or `Name` after `CF.`: the field's name (or id) as typed."""
    sub = sub.strip()
    return sub[1:-1].strip() if sub.startswith("{") and sub.endswith("}") else sub


def parse(text: str):
    """Parse TicketSQL into a tree (None for an empty query); raise TicketSQLError."""
    if len(text) > MAX_LENGTH:
        raise TicketSQLError(_l("Requête trop longue"), MAX_LENGTH)
    return _Parser(text).query()
