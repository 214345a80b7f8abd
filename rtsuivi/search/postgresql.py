"""The PostgreSQL full-text backend (RTSUIVI_SEARCH_BACKEND=postgresql).

Each ticket's words live in ticket_texts as one tsvector: subject weighted A, messages B,
requestors C, private comments D, built by PostgreSQL itself from the tables with the
"rtsuivi" text search configuration (simple + unaccent: lower case, accents folded, no
stemming, no stop words -- as the Whoosh analyzer). The row is rewritten by the session hook
in the same transaction as the change (no marks, no indexer, no lag), so several app
machines share nothing but the database.

Words are parsed with the same Whoosh query parser as the embedded engine, then written as
a tsquery: a word of a field is `'word':B`, a phrase `'a':B <-> 'b':B` (one weight for all
its words, so a phrase never spans two fields), `prefix*` is `'prefix':*B`; AND, OR, NOT and
parentheses keep their meaning. Wildcards inside a word (`p?ece`) and `*` alone are refused.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, bindparam, delete, func, literal_column, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from whoosh.query import And, AndMaybe, AndNot, Not, NullQuery, Or, Phrase, Prefix, Term

from ..domain.rights import visible_tickets_filter
from ..domain.ticketsql import FullTextRefused
from ..extensions import db
from ..models import Ticket, TicketText
from .index import ALL_FIELDS, PUBLIC_FIELDS, parse

WEIGHTS = {"subject": "A", "content": "B", "requestors": "C", "comments": "D"}
CONFIG = literal_column("'rtsuivi'::regconfig")
BATCH = 1000

# A tsvector holds at most 1 MB: the messages' text is cut at MAX_TEXT characters so that a
# huge pasted log can never make the ticket's change fail.
MAX_TEXT = 300_000
_MESSAGES = """left(coalesce((
        SELECT string_agg(coalesce(a.content, ''), E'\\n' ORDER BY tr.id, a.id)
        FROM transactions tr JOIN attachments a ON a.transaction_id = tr.id
        WHERE tr.ticket_id = t.id AND tr.type IN ({types})
          AND a.content_type LIKE 'text/%' AND a.filename IS NULL), ''), """ + str(MAX_TEXT) + ")"
# The same text as the Whoosh documents (index._documents, _person_words).
_WRITE = text(f"""
INSERT INTO ticket_texts (ticket_id, document)
SELECT t.id,
    setweight(to_tsvector('rtsuivi', coalesce(t.subject, '')), 'A')
    || setweight(to_tsvector('rtsuivi', {_MESSAGES.format(
        types="'Create', 'Correspond', 'Forward'")}), 'B')
    || setweight(to_tsvector('rtsuivi', coalesce((
        SELECT string_agg(concat_ws(' ', coalesce(nullif(u.real_name, ''), u.name), u.name,
                                    u.email, translate(coalesce(u.email, ''), '@.', '  ')),
                          ' ' ORDER BY w.id)
        FROM watchers w JOIN users u ON u.id = w.user_id
        WHERE w.ticket_id = t.id AND w.role = 'Requestor'), '')), 'C')
    || setweight(to_tsvector('rtsuivi', {_MESSAGES.format(types="'Comment'")}), 'D')
FROM tickets t WHERE t.id = ANY(:ids)
ON CONFLICT (ticket_id) DO UPDATE SET document = EXCLUDED.document
""").bindparams(bindparam("ids", type_=ARRAY(Integer)))
_FORGET = text("""
DELETE FROM ticket_texts WHERE ticket_id = ANY(:ids)
  AND ticket_id NOT IN (SELECT id FROM tickets WHERE id = ANY(:ids))
""").bindparams(bindparam("ids", type_=ARRAY(Integer)))


def write_documents(connection, ticket_ids) -> None:
    """Rewrite these tickets' words (drop those of deleted tickets), on the caller's
    connection: inside the transaction that changed them."""
    ids = sorted(ticket_ids)
    connection.execute(_WRITE, {"ids": ids})
    connection.execute(_FORGET, {"ids": ids})


def rebuild(progress=None) -> int:
    """Write every ticket's words (after switching backend, or to repair); one commit per
    batch, so a long rebuild neither holds one huge transaction nor blocks the desk."""
    ids = list(db.session.scalars(select(Ticket.id).order_by(Ticket.id)))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        write_documents(db.session.connection(), chunk)
        db.session.commit()
        if progress:
            progress(len(chunk))
    db.session.execute(delete(TicketText).where(TicketText.ticket_id.not_in(
        select(Ticket.id))))
    db.session.commit()
    return len(ids)


# ---------------------------------------------------------------- searching

def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery(query) -> str | None:
    """A parsed Whoosh query as tsquery text; None for a query that matches nothing."""
    if isinstance(query, Term):
        return f"{_lexeme(query.text)}:{WEIGHTS[query.fieldname]}"
    if isinstance(query, Prefix):
        return f"{_lexeme(query.text)}:*{WEIGHTS[query.fieldname]}"
    if isinstance(query, Phrase):
        weight = WEIGHTS[query.fieldname]
        words = [f"{_lexeme(w)}:{weight}" for w in query.words if w is not None]
        return "(" + " <-> ".join(words) + ")" if words else None
    if isinstance(query, (And, Or)):
        parts = [tsquery(q) for q in query.subqueries]
        if isinstance(query, And):
            return None if None in parts or not parts else "(" + " & ".join(parts) + ")"
        parts = [p for p in parts if p is not None]
        return "(" + " | ".join(parts) + ")" if parts else None
    if isinstance(query, Not):
        inner = tsquery(query.query)
        if inner is None:  # "not nothing": every ticket, which tsquery cannot say
            raise FullTextRefused(_l("ces mots ne sont pas pris en charge par la "
                                     "recherche PostgreSQL."))
        return "!" + inner
    if isinstance(query, AndNot):
        a, b = tsquery(query.a), tsquery(query.b)
        return None if a is None else (a if b is None else f"({a} & !{b})")
    if isinstance(query, AndMaybe):
        return tsquery(query.a)
    if query is NullQuery or type(query).__name__ == "_NullQuery":
        return None
    raise FullTextRefused(_l("ces mots ne sont pas pris en charge par la recherche "
                             "PostgreSQL (jokers ? et * au milieu d'un mot)."))


def _matching(query_text: str | None):
    """Tickets whose words match, as a condition on Ticket.id (GIN index)."""
    if query_text is None:
        return Ticket.id.in_(select(TicketText.ticket_id).where(TicketText.ticket_id < 0))
    return Ticket.id.in_(select(TicketText.ticket_id).where(
        TicketText.document.op("@@")(func.to_tsquery(CONFIG, query_text))))


class ConditionHits:
    """Full-text hits as a SQL condition on Ticket (nothing leaves the database); `ids`
    runs it when someone asks for the numbers."""

    truncated = False

    def __init__(self, condition):
        self.condition = condition
        self._ids = None

    @property
    def ids(self) -> set[int]:
        if self._ids is None:
            self._ids = set(db.session.scalars(select(Ticket.id).where(self.condition)))
        return self._ids


def search(text_: str, user, comments) -> ConditionHits:
    """The tickets matching the words; comments count where `comments` says (True, False,
    or None: where the user holds ShowTicketComments)."""
    if comments is True:
        return ConditionHits(_matching(tsquery(parse(text_, ALL_FIELDS))))
    public = _matching(tsquery(parse(text_, PUBLIC_FIELDS)))
    if comments is False:
        return ConditionHits(public)
    return ConditionHits(or_(public, and_(
        _matching(tsquery(parse(text_, ALL_FIELDS))),
        visible_tickets_filter(user, "ShowTicketComments"))))


def missing() -> int:
    """How many tickets have no words row (a rebuild is due when the backend is new)."""
    return db.session.scalar(select(func.count(Ticket.id)).where(
        Ticket.id.not_in(select(TicketText.ticket_id))))
