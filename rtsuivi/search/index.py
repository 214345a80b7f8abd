"""The Whoosh index: schema, documents, rebuilds and rights-aware full-text queries.

The only module of RT-suivi that imports whoosh. The database is the source of truth; the
index is a cache of it that can always be rebuilt (`rtsuivi reindex`).
"""
import logging
import os
import pickle
import shutil
import struct
import threading
import time
import zlib
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload
from whoosh import collectors, index, writing
from whoosh.analysis import CharsetFilter, StandardAnalyzer
from whoosh.fields import DATETIME, ID, NUMERIC, TEXT, Schema
from whoosh.qparser import FieldsPlugin, MultifieldParser
from whoosh.query import And, Phrase, Prefix, Term, Wildcard
from whoosh.reading import SegmentReader
from whoosh.support.charset import accent_map

from ..domain import lifecycle
from ..domain.ticketsql import FullTextRefused, FullTextUnavailable, check_words
from ..extensions import db
from ..models import Attachment, SearchMark, Ticket, Transaction

log = logging.getLogger(__name__)

# Accents folded so "etage" finds "étage"; no stemming (French and English mixed).
ANALYZER = StandardAnalyzer(minsize=1, stoplist=None) | CharsetFilter(accent_map)
SCHEMA = Schema(
    id=NUMERIC(int, bits=64, signed=False, stored=True, unique=True, sortable=True),
    subject=TEXT(analyzer=ANALYZER, phrase=True),
    content=TEXT(analyzer=ANALYZER, phrase=True),   # messages anyone who sees the ticket reads
    comments=TEXT(analyzer=ANALYZER, phrase=True),  # private comments: ShowTicketComments only
    requestors=TEXT(analyzer=ANALYZER),
    queue=ID, status=ID, active=ID, owner=ID, created=DATETIME, updated=DATETIME,
)
PUBLIC_FIELDS = ("subject", "content", "requestors")
ALL_FIELDS = PUBLIC_FIELDS + ("comments",)
MESSAGE_TYPES = ("Create", "Correspond", "Forward", "Comment")
REBUILDING = "REBUILDING"  # a flag file: the index is being (or must be) rebuilt
BATCH = 500


class IndexUnavailable(FullTextUnavailable):
    """The index is missing, corrupt or being rebuilt; full-text search must wait."""


@dataclass
class Hits:
    ids: set[int]
    truncated: bool = False  # the time limit stopped the query before every hit was found


# ---------------------------------------------------------------- opening

def index_dir() -> str:
    return current_app.config["RTSUIVI_INDEX_DIR"]


def _flag(path: str) -> str:
    return os.path.join(path, REBUILDING)


def needs_rebuild(path: str | None = None) -> bool:
    path = path or index_dir()
    try:
        exists = index.exists_in(path)
    except Exception:  # noqa: BLE001 - an unreadable table of contents: set it aside
        set_aside(path)
        return True
    return not exists or os.path.exists(_flag(path))


def _open(path: str, create: bool = False):
    """Open the index; create it (flagged for a rebuild) when missing and `create`."""
    if not index.exists_in(path):
        if not create:
            raise IndexUnavailable("missing")
        os.makedirs(path, exist_ok=True)
        _flag_for_rebuild(path)
        return index.create_in(path, SCHEMA)
    return index.open_dir(path)


def _flag_for_rebuild(path: str) -> None:
    open(_flag(path), "w").close()


def _schema_current(ix) -> bool:
    """An index written by an older RT-suivi lacks fields: it must be rebuilt."""
    return ix.schema.names() == SCHEMA.names()


def set_aside(path: str) -> None:
    """Move a corrupt index out of the way and start an empty one flagged for rebuild."""
    log.warning("search index at %s is unreadable; rebuilding it", path)
    _forget_searcher(path)
    target = f"{path}.corrupt-{int(time.time())}-{os.getpid()}"
    try:
        os.rename(path, target)
        shutil.rmtree(target, ignore_errors=True)
    except OSError:
        pass  # another worker moved it first
    try:
        _open(path, create=True)
    except Exception:  # noqa: BLE001 - a concurrent creation; the next search retries
        log.exception("could not recreate the search index")


# ---------------------------------------------------------------- documents

def _documents(session: Session, ticket_ids) -> dict[int, dict]:
    """Build the index documents of these tickets (three queries for the whole batch)."""
    tickets = session.scalars(select(Ticket).where(Ticket.id.in_(ticket_ids))
                                 .options(selectinload(Ticket.watchers))).all()
    texts: dict[int, dict[str, list[str]]] = {}
    rows = session.execute(
        select(Transaction.ticket_id, Transaction.type, Attachment.content)
        .join(Attachment, Attachment.transaction_id == Transaction.id)
        .where(Transaction.ticket_id.in_(ticket_ids), Transaction.type.in_(MESSAGE_TYPES),
               Attachment.content_type.like("text/%"), Attachment.filename.is_(None))
        .order_by(Transaction.id))
    for ticket_id, type_, content in rows:
        kind = "comments" if type_ == "Comment" else "content"
        texts.setdefault(ticket_id, {}).setdefault(kind, []).append(content or "")
    docs = {}
    for t in tickets:
        parts = texts.get(t.id, {})
        docs[t.id] = dict(
            id=t.id, subject=t.subject, content="\n".join(parts.get("content", [])),
            comments="\n".join(parts.get("comments", [])),
            requestors=" ".join(_person_words(u) for u in t.requestors),
            queue=str(t.queue_id), status=t.status,
            active="yes" if lifecycle.is_active(t.status) else "no", owner=str(t.owner_id),
            created=t.created, updated=t.updated)
    return docs


def _person_words(user) -> str:
    """Name and address, plus the address cut at its dots so "lagaffe" finds it."""
    address = user.email or ""
    return " ".join((user.display_name, user.name, address,
                     address.replace("@", " ").replace(".", " ")))


def index_tickets(session: Session, writer, ticket_ids) -> None:
    """Write the current version of these tickets; drop those no longer in the database."""
    docs = _documents(session, ticket_ids)
    for ticket_id in ticket_ids:
        if ticket_id in docs:
            writer.update_document(**docs[ticket_id])
        else:
            writer.delete_by_term("id", ticket_id)


def _writer(ix, timeout: float):
    """Wait up to `timeout` for the index lock (raises whoosh LockError after that)."""
    # compound=False: whoosh copies a compound segment into memory (BytesIO) in every
    # process that reads it -- 185 MB per worker at 100k tickets; plain files are read
    # through the OS page cache, shared by all workers.
    return ix.writer(timeout=timeout, delay=0.05, limitmb=128, compound=False)


SMALL_SEGMENT_DOCS = 20000  # bigger segments are never merged by everyday commits
SEGMENTS_PER_TIER = 8  # this many segments of one size tier are merged into one


def merge_small_segments(writer, segments):
    """Merge policy for incremental commits: merge segments of the same size, never a big one.

    Segments are grouped in tiers by order of magnitude of their document count; when a
    tier holds SEGMENTS_PER_TIER of them they become one segment of the next tier, so each
    document is rewritten a few times in its life, not at every commit. Whoosh's default
    (MERGE_SMALL) pulls every segment, the big one included, in once about twenty exist:
    every twentieth commit rewrote the whole index (seconds of CPU in a web worker at 100k
    tickets). Big segments are compacted only by `rtsuivi reindex`.
    """
    tiers: dict[int, list] = {}
    for segment in segments:
        docs = segment.doc_count_all()
        if docs < SMALL_SEGMENT_DOCS:
            tiers.setdefault(len(str(max(docs, 1))), []).append(segment)
    full = [tier for tier in sorted(tiers) if len(tiers[tier]) >= SEGMENTS_PER_TIER]
    if not full:
        return segments
    merging = tiers[full[0]]
    for segment in merging:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in merging]


def _commit(writer) -> None:
    writer.commit(mergetype=merge_small_segments)


def drain(timeout: float = 5.0, batch: int = BATCH) -> int:
    """Index the tickets marked stale, batch after batch; return how many were indexed.

    Marks are deleted only after the index commit, so a crash re-indexes rather than loses.
    Another process holding the index lock longer than `timeout` makes this give up
    quietly: the marks stay for the next round. Uses its own database session.
    """
    from whoosh.index import LockError
    path = index_dir()
    if needs_rebuild(path) or not _schema_current(_open(path)):
        return rebuild(timeout=timeout)
    done = 0
    with Session(db.engine) as session:
        while True:
            try:
                writer = _writer(_open(path), timeout)
            except LockError:
                return done
            try:
                marks = session.execute(select(SearchMark.id, SearchMark.ticket_id)
                                        .order_by(SearchMark.id).limit(batch)).all()
                if not marks:
                    writer.cancel()
                    return done
                ticket_ids = sorted({ticket_id for _, ticket_id in marks})
                index_tickets(session, writer, ticket_ids)
                # End the read snapshot: on SQLite a transaction that read and then writes
                # fails at once ("database is locked") if anyone committed in between; one
                # that starts by writing waits for the lock (busy_timeout).
                session.rollback()
                _commit(writer)
            except BaseException:
                writer.cancel()
                raise
            session.execute(delete(SearchMark).where(SearchMark.id.in_([m for m, _ in marks])))
            session.commit()
            done += len(ticket_ids)


def rebuild(progress=None, timeout: float = 60.0) -> int:
    """Rebuild the whole index from the database in place; return the ticket count.

    Readers keep the old version until the single final commit. `progress(n)` is called
    after each batch of n tickets. Uses its own database session.
    """
    path = index_dir()
    ix = _open(path, create=True)
    if not _schema_current(ix):
        _flag_for_rebuild(path)
        ix = index.create_in(path, SCHEMA)
    writer = _writer(ix, timeout)
    with Session(db.engine) as session:
        try:
            last_mark = session.scalar(select(func.max(SearchMark.id))) or 0
            ticket_ids = list(session.scalars(select(Ticket.id).order_by(Ticket.id)))
            for start in range(0, len(ticket_ids), BATCH):
                chunk = ticket_ids[start:start + BATCH]
                for doc in _documents(session, chunk).values():
                    writer.add_document(**doc)
                session.expunge_all()  # a long rebuild must not hold every ticket in memory
                if progress:
                    progress(len(chunk))
            session.rollback()  # end the read snapshot before writing (see drain)
            writer.commit(mergetype=writing.CLEAR)
        except BaseException:
            writer.cancel()
            raise
        session.execute(delete(SearchMark).where(SearchMark.id <= last_mark))
        session.commit()
    try:
        os.remove(_flag(path))
    except FileNotFoundError:
        pass
    _forget_searcher(path)
    return len(ticket_ids)


# ---------------------------------------------------------------- searching

_searchers = threading.local()  # index path -> open searcher, one per thread


def _searcher(path: str):
    """The thread's open searcher, reopened when the index changed.

    Not Searcher.refresh(): in whoosh3 3.54.0 a refreshed searcher that reuses segment
    readers still sees deleted documents (measured; see notes/issue5.md).
    """
    searcher = getattr(_searchers, "cache", {}).get(path)
    if searcher is not None and not searcher.up_to_date():
        searcher.close()
        searcher = None
    if searcher is None:
        ix = _open(path)
        if not _schema_current(ix):
            _flag_for_rebuild(path)
            raise IndexUnavailable("schema")
        searcher = ix.searcher()
        _searchers.__dict__.setdefault("cache", {})[path] = searcher
    return searcher


def _forget_searcher(path: str) -> None:
    cache = getattr(_searchers, "cache", {})
    searcher = cache.pop(path, None)
    if searcher is not None:
        try:
            searcher.close()
        except Exception:  # noqa: BLE001 - it was broken anyway
            pass


def parse(text: str, fields) -> object:
    """Parse the user's words for these fields only: field prefixes are not honoured, so
    nobody can aim a query at the comments field."""
    parser = MultifieldParser(list(fields), SCHEMA)
    parser.remove_plugin_class(FieldsPlugin)
    return parser.parse(text)


def is_single_unit(text: str) -> bool:
    """Whether the words parse as one term, prefix, wildcard or phrase (no AND, OR, NOT)."""
    return isinstance(parse(text, ("comments",)), (Term, Phrase, Prefix, Wildcard))


def _status_term(statuses):
    """One indexed term standing for the statuses, or None (then no narrowing).

    Measured on 100k tickets: intersecting with one term cuts a common word's query from
    100 to 70 ms; a union of three status terms made it slower (190 ms).
    """
    if not statuses:
        return None
    if set(statuses) == set(lifecycle.ACTIVE):
        return Term("active", "yes")
    if len(statuses) == 1:
        return Term("status", statuses[0])
    return None


def query_ids(text: str, fields, time_limit: float, statuses=None) -> Hits:
    """Run the words against these fields; raise IndexUnavailable if the index is not
    usable (after setting a corrupt one aside for a rebuild).

    `statuses` narrows the hits to tickets indexed with one of them: a hint only, the SQL
    side applies the real status condition.
    """
    check_words(text)  # bounded before the engine: Whoosh recurses on nesting
    path = index_dir()
    if needs_rebuild(path):
        raise IndexUnavailable("rebuilding")
    try:
        searcher = _searcher(path)
        # Unscored: the SQL side sorts; scoring 20k hits cost 175 ms, collecting them 26 ms.
        collector = collectors.TimeLimitCollector(
            collectors.UnsortedCollector(), timelimit=time_limit, use_alarm=False)
        query = parse(text, fields)
        narrowing = _status_term(statuses)
        if narrowing is not None:
            query = And([query, narrowing])
        truncated = False
        try:
            searcher.search_with_collector(query, collector)
        except collectors.TimeLimit:
            truncated = True
        results = collector.results()
        ids = results.docs()
        column = searcher.reader().column_reader("id")
        return Hits({column[docnum] for docnum in ids}, truncated)
    except IndexUnavailable:
        raise
    except Exception as error:  # noqa: BLE001 - sorted out below
        _forget_searcher(path)
        if not isinstance(error, READ_ERRORS) and _readable(path):
            # The files read fine: the query failed, not the index. Rebuilding would cost
            # minutes of degraded searches for nothing.
            log.warning("full-text query %r failed on a readable index: %r", text, error)
            raise FullTextRefused(_l("ces mots n'ont pas pu être traités.")) from error
        log.warning("search index unreadable: %r", error)
        set_aside(path)
        raise IndexUnavailable("corrupt") from error


# What reading damaged index files raises (truncated, overwritten, missing segment files).
READ_ERRORS = (OSError, EOFError, struct.error, zlib.error, pickle.UnpicklingError,
               UnicodeDecodeError, index.IndexError)


def _readable(path: str) -> bool:
    """Whether the index files still open and read: table of contents, every segment's
    documents, stored ids and terms. Only a failure here counts as corruption."""
    try:
        ix = index.open_dir(path)
        with ix.reader() as reader:
            reader.doc_count_all()
            ids = reader.column_reader("id")
            for docnum in reader.all_doc_ids():
                ids[docnum]
                break
            for name in ALL_FIELDS:
                for _ in zip(range(5), reader.lexicon(name)):
                    pass
        return True
    except Exception:  # noqa: BLE001 - anything at all while reading the files
        return False



def index_ticket(ticket_id: int, timeout: float = 10.0) -> None:
    """Write one ticket's current version to the index now (the marks do this normally)."""
    writer = _writer(_open(index_dir(), create=True), timeout)
    try:
        with Session(db.engine) as session:
            index_tickets(session, writer, [ticket_id])
    except BaseException:
        writer.cancel()
        raise
    _commit(writer)


def drop_ticket(ticket_id: int, timeout: float = 10.0) -> None:
    """Remove one ticket from the index now."""
    writer = _writer(_open(index_dir(), create=True), timeout)
    writer.delete_by_term("id", ticket_id)
    _commit(writer)
