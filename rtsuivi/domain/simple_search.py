"""RT's simple search (the quick search box): words and `key:value` terms -> TicketSQL.

As in RT (lib/RT/Search/Simple.pm): a number is an id; an address is a requestor; a status
name (French or English) a status; a queue name a queue; an agent's name or "me" an owner;
anything else full text. Repeated queue, owner or status terms are ORed, the others ANDed;
without a status, only active tickets.
"""
import re

from sqlalchemy import func, select

from ..extensions import db
from ..models import Queue, User
from . import lifecycle
from .ticketsql import STATUS_WORDS

_TERM = re.compile(r'''(?:([\w.{}]+):)?("([^"]*)"|'([^']*)'|\S+)''')
ME = {"me", "moi"}
STATUS_TERMS = lifecycle.Live(lambda: {**{name: name for name in lifecycle.STATUSES},
                **{word: names[0] for word, names in STATUS_WORDS.items()
                   if len(names) == 1},
                "active": "__Active__", "actif": "__Active__", "actifs": "__Active__",
                "inactive": "__Inactive__", "inactif": "__Inactive__",
                "inactifs": "__Inactive__", "any": "any", "tous": "any"})


def quote(value: str) -> str:
    """Quote a value for TicketSQL."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _terms(text: str):
    for match in _TERM.finditer(text):
        key, whole, dq, sq = match.groups()
        value = dq if dq is not None else sq if sq is not None else whole
        yield (key or "").lower(), value, dq is not None or sq is not None


def to_ticketsql(text: str) -> str:
    """Translate quick-search words into TicketSQL (full text goes in Content clauses)."""
    ored: dict[str, list[str]] = {"queue": [], "owner": [], "status": []}
    anded: list[str] = []
    words: list[str] = []
    terms = list(_terms(text))
    queues, agents = _known_names([v for _, v, _ in terms])
    for key, value, quoted in terms:
        if not value:
            continue
        where, clause = _term(key, value, quoted, queues, agents)
        {"and": anded, "words": words}.get(where, ored.get(where)).append(clause)
    if words:
        anded.append(f"Content LIKE {quote(' '.join(words))}")
    if not ored["status"]:
        ored["status"].append("Status = '__Active__'")
    clauses = [f"( {' OR '.join(items)} )" if len(items) > 1 else items[0]
               for items in ored.values() if items] + anded
    return " AND ".join(c for c in clauses if c)


def _term(key: str, value: str, quoted: bool, queues: dict, agents) -> tuple[str, str]:
    """Where one term goes ("and", "words", or the OR-ed "queue", "owner", "status") and
    its clause (or word)."""
    lowered = value.lower()
    if key == "id" or (not key and re.fullmatch(r"#?\d+", value)):
        return "and", (f"id = {int(value.lstrip('#'))}" if value.lstrip("#").isdigit()
                       else f"id = {quote(value)}")
    if key:
        return _keyed_term(key, value, quoted, lowered)
    if quoted:
        return "words", f'"{value}"'
    if "@" in value:
        return "and", (f"Requestor.EmailAddress ENDSWITH {quote(value)}"
                       if value.startswith("@") else f"Requestor.EmailAddress = {quote(value)}")
    if lowered in STATUS_TERMS:
        return "status", _status(STATUS_TERMS[lowered])
    if lowered in queues:
        return "queue", f"Queue = {quote(queues[lowered])}"
    if lowered in ME or lowered in agents:
        return "owner", _owner(value)
    return "words", value


def _keyed_term(key: str, value: str, quoted: bool, lowered: str) -> tuple[str, str]:
    """A term written key:value (subject:, queue:, owner:, status:, cf.X:...)."""
    if key == "subject":
        return "and", f"Subject LIKE {quote(value)}"
    if key in ("content", "fulltext"):
        return "words", f'"{value}"' if quoted else value
    if key in ("queue", "q"):
        return "queue", f"Queue = {quote(value)}"
    if key == "owner":
        return "owner", _owner(value)
    if key in ("requestor", "watcher"):
        return "and", f"{key.capitalize()} STARTSWITH {quote(value)}"
    if key == "status":
        return "status", _status(STATUS_TERMS.get(lowered, value))
    if key.startswith("cf."):
        return "and", f"'{key.replace(chr(39), '')}' LIKE {quote(value)}"
    return "words", f"{key}:{value}"  # not a keyword: plain words


def _status(value: str) -> str:
    if value == "any":
        return "Status != 'deleted'"
    return f"Status = {quote(value)}"


def _owner(value: str) -> str:
    if value.lower() in ME:
        return "Owner = '__CurrentUser__'"
    if "@" in value:
        return f"Owner.EmailAddress = {quote(value)}"
    return f"Owner = {quote(value)}"


def _known_names(values: list[str]) -> tuple[dict[str, str], set[str]]:
    """Which of these words name an enabled queue or a privileged user (two queries)."""
    lowered = {v.lower() for v in values if v}
    if not lowered:
        return {}, set()
    queues = {name.lower(): name for name in db.session.scalars(
        select(Queue.name).where(func.lower(Queue.name).in_(lowered),
                                 Queue.disabled.is_(False)))}
    agents = {name.lower() for name in db.session.scalars(
        select(User.name).where(func.lower(User.name).in_(lowered),
                                User.privileged.is_(True), User.disabled.is_(False)))}
    return queues, agents
