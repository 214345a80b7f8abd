"""The PostgreSQL full-text backend (RTSUIVI_SEARCH_BACKEND=postgresql).

Each ticket's words live in ticket_texts as tsvectors: `public` (subject, messages and
requestors, weighted A), `custom` (the values of its enabled custom fields, C), `comments`
(private comments, D) and `document` (all three), built by PostgreSQL itself from the
tables with the "rtsuivi" text search configuration (simple + unaccent: lower case, accents
folded, no stemming, no stop words -- as the Whoosh analyzer). The row is rewritten by the
session hook in the same transaction as the change (no marks, no indexer, no lag), so
several app machines share nothing but the database.

Words are parsed with the same Whoosh query parser as the embedded engine, then written as
a tsquery: a word of the public fields is `'word':A`, a phrase `'a':A <-> 'b':A` (one
weight for all its words), `prefix*` is `'prefix':*A`; AND, OR, NOT and parentheses keep
their meaning. The weights tell who may read a word (A anyone who sees the ticket, C
SeeCustomField, D ShowTicketComments: search/reading.py), so `document` answers any set of
fields; an empty position between two public fields keeps a phrase inside one field.
Wildcards inside a word (`p?ece`) and `*` alone are refused.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    delete,
    func,
    literal_column,
    not_,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from whoosh.query import And, AndMaybe, AndNot, Not, NullQuery, Or, Phrase, Prefix, Term

from ..domain.rights import visible_tickets_filter
from ..domain.ticketsql import FullTextRefused
from ..extensions import db
from ..models import Ticket, TicketText
from .index import ALL_FIELDS, PUBLIC_FIELDS, parse
from .reading import Reading

WEIGHTS = {"subject": "A", "content": "A", "requestors": "A", "custom": "C", "comments": "D"}
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
# The same text as the Whoosh documents (index.writer: _documents, _person_words). GAP, put
# between two public fields and deleted afterwards, leaves an empty position.
GAP = r"""''' ''\:1'::tsvector"""  # the tsvector ' ':1 (text() reads \: as a colon)
_WRITE = text(f"""
INSERT INTO ticket_texts (ticket_id, public, custom, comments, document)
SELECT id, public, custom, comments, public || custom || comments FROM (SELECT t.id,
    ts_delete(setweight(to_tsvector('rtsuivi', coalesce(t.subject, '')), 'A') || {GAP}
    || setweight(to_tsvector('rtsuivi', {_MESSAGES.format(
        types="'Create', 'Correspond', 'Forward'")}), 'A') || {GAP}
    || setweight(to_tsvector('rtsuivi', coalesce((
        SELECT string_agg(concat_ws(' ', coalesce(nullif(u.real_name, ''), u.name), u.name,
                                    u.email, translate(coalesce(u.email, ''), '@.', '  ')),
                          ' ' ORDER BY w.id)
        FROM watchers w JOIN users u ON u.id = w.user_id
        WHERE w.ticket_id = t.id AND w.role = 'Requestor'), '')), 'A'), ' ') AS public,
    setweight(to_tsvector('rtsuivi', coalesce((
        SELECT string_agg(coalesce(v.name, c.content, ''), E'\\n' ORDER BY c.id)
        FROM ticket_custom_field_values c JOIN custom_fields f ON f.id = c.field_id
        LEFT JOIN custom_field_values v ON v.id = c.value_id
        WHERE c.ticket_id = t.id AND NOT f.disabled), '')), 'C') AS custom,
    setweight(to_tsvector('rtsuivi', {_MESSAGES.format(types="'Comment'")}), 'D') AS comments
  FROM tickets t WHERE t.id = ANY(:ids)) AS words
ON CONFLICT (ticket_id) DO UPDATE
    SET public = EXCLUDED.public, custom = EXCLUDED.custom, comments = EXCLUDED.comments,
        document = EXCLUDED.document
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
    db.session.execute(text("ANALYZE ticket_texts"))  # the planner's word frequencies
    db.session.commit()
    return len(ids)


# ---------------------------------------------------------------- searching

def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _weights(names, column) -> str:
    """The weight labels of these fields; none when they are every weight of the column."""
    wanted = {WEIGHTS[name] for name in names}
    return "" if wanted == {WEIGHTS[name] for name in column} else "".join(sorted(wanted))


def _word(query, column) -> str:
    star = ":*" if isinstance(query, Prefix) else ":"
    return f"{_lexeme(query.text)}{star}{_weights((query.fieldname,), column)}".rstrip(":")


def tsquery(query, column=ALL_FIELDS) -> str | None:
    """A parsed Whoosh query as tsquery text for the column holding the fields `column`;
    None for a query that matches nothing.

    A word or prefix asked in every field of the column (what the parser makes of a plain
    word) needs no weight: the GIN index then answers it exactly, without reading the rows.
    """
    if isinstance(query, Or) and {type(q) for q in query.subqueries} in ({Term}, {Prefix}) \
            and len({q.text for q in query.subqueries}) == 1:
        star = ":*" if isinstance(query.subqueries[0], Prefix) else ":"
        weights = _weights({q.fieldname for q in query.subqueries}, column)
        return f"{_lexeme(query.subqueries[0].text)}{star}{weights}".rstrip(":")
    if isinstance(query, (Term, Prefix)):
        return _word(query, column)
    if isinstance(query, Phrase):
        weight = _weights((query.fieldname,), column)
        words = [f"{_lexeme(w)}:{weight}".rstrip(":") for w in query.words if w is not None]
        return "(" + " <-> ".join(words) + ")" if words else None
    if isinstance(query, (And, Or)):
        parts = [tsquery(q, column) for q in query.subqueries]
        if isinstance(query, And):
            return None if None in parts or not parts else "(" + " & ".join(parts) + ")"
        parts = list(dict.fromkeys(p for p in parts if p is not None))  # fields of one weight
        return "(" + " | ".join(parts) + ")" if parts else None
    if isinstance(query, Not):
        inner = tsquery(query.query, column)
        if inner is None:  # "not nothing": every ticket, which tsquery cannot say
            raise FullTextRefused(_l("ces mots ne sont pas pris en charge par la "
                                     "recherche PostgreSQL."))
        return "!" + inner
    if isinstance(query, AndNot):
        a, b = tsquery(query.a, column), tsquery(query.b, column)
        return None if a is None else (a if b is None else f"({a} & !{b})")
    if isinstance(query, AndMaybe):
        return tsquery(query.a, column)
    if query is NullQuery or type(query).__name__ == "_NullQuery":
        return None
    raise FullTextRefused(_l("ces mots ne sont pas pris en charge par la recherche "
                             "PostgreSQL (jokers ? et * au milieu d'un mot)."))


def _matching(column, query_text: str | None):
    """Tickets whose words match, as a condition on Ticket.id (GIN index)."""
    if query_text is None:
        return Ticket.id.in_(select(TicketText.ticket_id).where(TicketText.ticket_id < 0))
    return Ticket.id.in_(select(TicketText.ticket_id).where(
        column.op("@@")(func.to_tsquery(CONFIG, query_text))))


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


def _columns():
    """Each tsvector column with the fields it holds, the smallest first."""
    return ((PUBLIC_FIELDS, TicketText.public), (("custom",), TicketText.custom),
            (("comments",), TicketText.comments), (ALL_FIELDS, TicketText.document))


def _matching_fields(text_: str, fields):
    """Tickets whose words in these fields match, on the smallest column holding them."""
    column, holder = next((names, col) for names, col in _columns() if set(fields) <= set(names))
    return _matching(holder, tsquery(parse(text_, fields), column))


def search(text_: str, user, fields: Reading) -> ConditionHits:
    """The tickets matching the words on the fields the user reads on each ticket
    (search/reading.py)."""
    # The word queries look costly to the planner, which then compiles them with JIT:
    # 10-15 ms spent before running a query that takes a few ms. Off for this transaction.
    db.session.execute(text("SET LOCAL jit = off"))
    return ConditionHits(or_(*(and_(
        _matching_fields(text_, step.fields),
        *(visible_tickets_filter(user, r) for r in step.needed),
        *(not_(visible_tickets_filter(user, r)) for r in step.lacking))
        for step in fields.steps(text_))))


def missing() -> int:
    """How many tickets have no words row (a rebuild is due when the backend is new)."""
    return db.session.scalar(select(func.count(Ticket.id)).where(
        Ticket.id.not_in(select(TicketText.ticket_id))))
