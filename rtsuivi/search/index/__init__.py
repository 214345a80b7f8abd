"""The Whoosh index: schema, documents, rebuilds and rights-aware full-text queries.

With postgresql.py (which turns the same parsed words into a tsquery), the only code of
RT-suivi that imports whoosh. The database is the source of truth; the index is a cache of
it that can always be rebuilt (`rtsuivi reindex`).

Queries are not run by whoosh's matchers (one Python call per posting, position decoding for
every phrase): `_Engine` reads each term's postings whole and combines sets of documents.
Words are indexed without positions; each text field has a pairs field ("mot de", "de
passe") with positions, so a two-word phrase is one term and a longer one the intersection
of its pairs checked on positions. Status and rights narrow the hits inside the engine
(columns and role terms: hints, the SQL decides). Issue 16's note has the measurements.

The package's modules, from the bottom: `schema` (analyzer, fields, parsing), `store` (the
folder, its rebuild flag, each thread's searcher), `writer` (documents, merges, drain,
rebuild), `bulk` (the rebuild's fast writing), `engine` (postings read whole, columns),
`narrowing` (rights hints) and `querying` (one query, and what its failure means). Callers
use the names below.
"""
from .engine import _Engine
from .narrowing import Hint, both, rights_hint
from .querying import query_ids
from .schema import (
    ALL_FIELDS,
    ANALYZER,
    BATCH,
    PUBLIC_FIELDS,
    RESTRICTED,
    SCHEMA,
    STATUS_CODES,
    Hits,
    IndexUnavailable,
    is_monotone,
    is_single_unit,
    parse,
)
from .store import _searchers, index_dir, needs_rebuild, set_aside
from .writer import (
    SEGMENTS_PER_TIER,
    SMALL_SEGMENT_DOCS,
    _commit,
    _documents,
    drain,
    index_tickets,
    merge_small_segments,
    rebuild,
)

__all__ = [
    "ALL_FIELDS", "ANALYZER", "BATCH", "PUBLIC_FIELDS", "RESTRICTED", "SCHEMA",
    "SEGMENTS_PER_TIER", "SMALL_SEGMENT_DOCS", "STATUS_CODES", "Hint", "Hits",
    "IndexUnavailable", "_Engine", "_commit", "_documents", "_searchers", "both", "drain",
    "index_dir", "index_tickets", "is_monotone", "is_single_unit", "merge_small_segments",
    "needs_rebuild", "parse", "query_ids", "rebuild", "rights_hint", "set_aside",
]
