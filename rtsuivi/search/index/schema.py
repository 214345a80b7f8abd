"""The index's shape: the analyzer, the fields (words, pairs of words, narrowing columns),
the status codes, and the parsing of the user's words against some of the fields.
"""
from dataclasses import dataclass

from whoosh import formats
from whoosh.analysis import CharsetFilter, Filter, StandardAnalyzer
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.qparser import FieldsPlugin, MultifieldParser
from whoosh.query import (
    AndNot,
    Not,
    Phrase,
    Prefix,
    Term,
    Wildcard,
)
from whoosh.support.charset import accent_map

from ...domain.ticketsql import FullTextUnavailable

# Accents folded so "etage" finds "étage"; no stemming (French and English mixed).
ANALYZER = StandardAnalyzer(minsize=1, stoplist=None) | CharsetFilter(accent_map)


class PairFilter(Filter):
    """Each word joined to the next one: "mot de passe" gives "mot de" and "de passe".

    A phrase of two words is then one term, and a longer phrase the intersection of its
    pairs checked on their positions: no word positions to decode for common words.
    """

    def __call__(self, tokens):
        previous = None
        position = 0
        for token in tokens:
            text = token.text
            if previous is not None:
                token.text = previous + " " + text
                token.pos = position
                position += 1
                yield token
            previous = text


def _words_field():
    """Which documents hold a word: no frequencies, no positions (fast to read whole)."""
    field = TEXT(analyzer=ANALYZER, phrase=False)
    field.format = formats.Existence()
    field.scorable = False
    return field


def _pairs_field():
    """Pairs of neighbouring words, with their positions (phrases of three words or more)."""
    field = TEXT(analyzer=ANALYZER | PairFilter(), phrase=True)
    field.scorable = False
    return field


PAIRS = "_pairs"  # suffix of each text field's pairs field
SCHEMA = Schema(
    id=NUMERIC(int, bits=64, signed=False, stored=True, unique=True, sortable=True),
    subject=_words_field(), subject_pairs=_pairs_field(),
    content=_words_field(), content_pairs=_pairs_field(),  # what anyone who sees it reads
    comments=_words_field(), comments_pairs=_pairs_field(),  # ShowTicketComments only
    custom=_words_field(), custom_pairs=_pairs_field(),  # custom field values: SeeCustomField
    requestors=_words_field(), requestors_pairs=_pairs_field(),
    # For narrowing inside the engine (hints: the database decides): the queue and status
    # of each document as columns, who holds a role as terms ("Requestor:12 Cc:40").
    queue=COLUMN(NumericColumn("I")), status=COLUMN(NumericColumn("B")),
    owner=ID, watchers=KEYWORD(lowercase=False, commas=False),
)
STATUS_CODES = {name: code for code, name in enumerate(
    ("new", "open", "stalled", "resolved", "rejected", "deleted"), start=1)}  # 0: other
PUBLIC_FIELDS = ("subject", "content", "requestors")
# Fields read only where the user holds a right on the ticket (rtsuivi/search/reading.py).
RESTRICTED = {"comments": "ShowTicketComments", "custom": "SeeCustomField"}
ALL_FIELDS = PUBLIC_FIELDS + tuple(RESTRICTED)
MESSAGE_TYPES = ("Create", "Correspond", "Forward", "Comment")
REBUILDING = "REBUILDING"  # a flag file: the index is being (or must be) rebuilt
BATCH = 500


class IndexUnavailable(FullTextUnavailable):
    """The index is missing, corrupt or being rebuilt; full-text search must wait."""


@dataclass
class Hits:
    ids: set[int]
    truncated: bool = False  # the time limit stopped the query before every hit was found


def parse(text: str, fields) -> object:
    """Parse the user's words for these fields only: field prefixes are not honoured, so
    nobody can aim a query at a restricted field (comments, custom field values)."""
    parser = MultifieldParser(list(fields), SCHEMA)
    parser.remove_plugin_class(FieldsPlugin)
    return parser.parse(text)


def is_single_unit(text: str) -> bool:
    """Whether the words parse as one term, prefix, wildcard or phrase (no AND, OR, NOT)."""
    return isinstance(parse(text, ("comments",)), (Term, Phrase, Prefix, Wildcard))


def is_monotone(text: str) -> bool:
    """Whether reading more fields can only add matches: no NOT, no AND NOT."""
    def walk(query) -> bool:
        return not isinstance(query, (Not, AndNot)) and all(map(walk, query.children()))
    return walk(parse(text, ("comments",)))
