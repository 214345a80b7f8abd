"""One full-text query against the index: parse, evaluate, narrow, and sort out what a
failure means (another process's commit, a refused query, a damaged index).
"""
import logging
import time

from flask_babel import lazy_gettext as _l

from ...domain.ticketsql import FullTextRefused, check_words
from .engine import _columns_of, _Engine, _TimeUp
from .schema import Hits, IndexUnavailable, parse
from .store import (
    READ_ATTEMPTS,
    READ_ERRORS,
    _forget_searcher,
    _readable,
    _searcher,
    index_dir,
    needs_rebuild,
    set_aside,
)

log = logging.getLogger(__name__)


def query_ids(text: str, fields, time_limit: float, statuses=None, hints=None,
              memo: dict | None = None) -> Hits:
    """Run the words against these fields; raise IndexUnavailable if the index is not
    usable (after setting a corrupt one aside for a rebuild).

    `statuses` and `hints` (from rights_hint) narrow the hits inside the engine to tickets
    indexed with one of those statuses and within every hint: hints only, the SQL side
    applies the real conditions (and the index may be a moment behind). Past `time_limit`
    seconds nothing is returned, marked truncated. Calls sharing a `memo` (one search on
    two sets of fields) read each term once, if the index did not change in between.
    """
    check_words(text)  # bounded before the engine: Whoosh recurses on nesting
    for attempt in range(READ_ATTEMPTS):
        try:
            return _query_ids(text, fields, time_limit, statuses, hints, memo,
                              last_attempt=attempt == READ_ATTEMPTS - 1)
        except _Changed:
            time.sleep(0.05)  # another process committed under us: read the new version
    raise AssertionError("unreachable")


class _Changed(Exception):
    """The index files changed while being read (a commit elsewhere): read again."""


def _query_ids(text, fields, time_limit, statuses, hints, memo, last_attempt) -> Hits:
    path = index_dir()
    if needs_rebuild(path):
        raise IndexUnavailable("rebuilding")
    try:
        searcher = _searcher(path)
        if memo is not None and memo.get("searcher") is not searcher:
            memo.clear()
            memo["searcher"] = searcher
        engine = _Engine(searcher, time.monotonic() + time_limit, memo=memo)
        columns = _columns_of(path, engine.leaves)
        engine.prune = lambda docs: engine.narrow(docs, columns, statuses, hints)
        query = parse(text, fields)
        try:
            found = engine.docs(query)
            found -= engine.deleted()
            found = engine.narrow(found, columns, statuses, hints)
        except _TimeUp:
            return Hits(set(), True)
        return Hits(set(map(columns[0].__getitem__, found)))
    except IndexUnavailable:
        raise
    except Exception as error:  # noqa: BLE001 - sorted out below
        _forget_searcher(path)
        if memo is not None:
            memo.clear()
        if isinstance(error, READ_ERRORS) and not last_attempt:
            raise _Changed() from error
        if not isinstance(error, READ_ERRORS) and _readable(path):
            # The files read fine: the query failed, not the index. Rebuilding would cost
            # minutes of degraded searches for nothing.
            log.warning("full-text query %r failed on a readable index: %r", text, error)
            raise FullTextRefused(_l("ces mots n'ont pas pu être traités.")) from error
        log.warning("search index unreadable: %r", error)
        set_aside(path)
        raise IndexUnavailable("corrupt") from error
