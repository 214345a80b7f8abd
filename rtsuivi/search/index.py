"""The Whoosh index: schema, documents, rebuilds and rights-aware full-text queries.

With postgresql.py (which turns the same parsed words into a tsquery), the only module of
RT-suivi that imports whoosh. The database is the source of truth; the index is a cache of
it that can always be rebuilt (`rtsuivi reindex`).

Queries are not run by whoosh's matchers (one Python call per posting, position decoding for
every phrase): `_Engine` reads each term's postings whole and combines sets of documents.
Words are indexed without positions; each text field has a pairs field ("mot de", "de
passe") with positions, so a two-word phrase is one term and a longer one the intersection
of its pairs checked on positions. Status and rights narrow the hits inside the engine
(columns and role terms: hints, the SQL decides). Issue 16's note has the measurements.
"""
import io
import logging
import os
import pickle
import shutil
import struct
import sys
import threading
import time
import zlib
from array import array
from dataclasses import dataclass
from itertools import accumulate, count

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload
from whoosh import formats, index, writing
from whoosh.analysis import CharsetFilter, Filter, StandardAnalyzer
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.qparser import FieldsPlugin, MultifieldParser
from whoosh.query import (
    And,
    AndMaybe,
    AndNot,
    DisjunctionMax,
    MultiTerm,
    Not,
    NullQuery,
    Or,
    Otherwise,
    Phrase,
    Prefix,
    Require,
    Term,
    Wildcard,
)
from whoosh.query.wrappers import WrappingQuery
from whoosh.reading import CorruptIndexError, SegmentReader, TermNotFound
from whoosh.support.charset import accent_map

from ..domain.custom_fields import custom_field_texts
from ..domain.ticketsql import FullTextRefused, FullTextUnavailable, check_words
from ..extensions import db
from ..models import Attachment, SearchMark, Ticket, Transaction

log = logging.getLogger(__name__)

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
    requestors=_words_field(), requestors_pairs=_pairs_field(),
    # For narrowing inside the engine (hints: the database decides): the queue and status
    # of each document as columns, who holds a role as terms ("Requestor:12 Cc:40").
    queue=COLUMN(NumericColumn("I")), status=COLUMN(NumericColumn("B")),
    owner=ID, watchers=KEYWORD(lowercase=False, commas=False),
)
STATUS_CODES = {name: code for code, name in enumerate(
    ("new", "open", "stalled", "resolved", "rejected", "deleted"), start=1)}  # 0: other
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


READ_ATTEMPTS = 3  # a commit by another process may remove the files being read


def needs_rebuild(path: str | None = None) -> bool:
    path = path or index_dir()
    for attempt in range(READ_ATTEMPTS):
        try:
            exists = index.exists_in(path)
            break
        except Exception:  # noqa: BLE001 - unreadable: another writer's commit, or damage
            if attempt == READ_ATTEMPTS - 1:
                # Still unreadable once the other writers' commits are done: set it aside.
                set_aside(path)
                return True
            time.sleep(0.05)
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
    """An index written by an older RT-suivi lacks fields or stores them otherwise: it
    must be rebuilt."""
    def shape(schema):
        return [(name, type(schema[name].format).__name__) for name in schema.names()]
    return shape(ix.schema) == shape(SCHEMA)


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
    for ticket_id, text in custom_field_texts(session, ticket_ids):  # found by quick search
        texts.setdefault(ticket_id, {}).setdefault("content", []).append(text)
    docs = {}
    for t in tickets:
        parts = texts.get(t.id, {})
        doc = dict(
            id=t.id, subject=t.subject, content="\n".join(parts.get("content", [])),
            comments="\n".join(parts.get("comments", [])),
            requestors=" ".join(_person_words(u) for u in t.requestors),
            watchers=" ".join(sorted({f"{w.role}:{w.user_id}" for w in t.watchers})),
            queue=t.queue_id, status=STATUS_CODES.get(t.status, 0), owner=str(t.owner_id))
        for name in ALL_FIELDS:
            doc[name + PAIRS] = doc[name]
        docs[t.id] = doc
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


def drain(timeout: float = 5.0, batch: int = BATCH, rounds: int | None = None) -> int:
    """Index the tickets marked stale, batch after batch (at most `rounds` batches, each
    one index commit); return how many were indexed.

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
        for _ in count() if rounds is None else range(rounds):
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
    return done


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
    readers still sees deleted documents (measured when the index was built, issue 5).
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


@dataclass
class Hint:
    """Tickets a user may see: any of the alternatives (queues or None for any queue, and a
    role term the ticket must have or None). None as a hint means every ticket."""
    alternatives: list[tuple[frozenset | None, tuple[str, str] | None]]


def rights_hint(held, right: str, user_id: int) -> Hint | None:
    """The tickets where the user holds `right`, as the index knows them (queue column,
    owner and watcher role terms), mirroring rights.visible_tickets_filter; None when that
    is every ticket.

    Only a hint: the SQL rights filter decides. It lets the engine drop, before anything
    leaves it, the hits the user may not see.
    """
    direct = held.queues_with(right)
    if direct is None:
        return None
    alternatives = [(frozenset(direct), None)] if direct else []
    for role, queues in held.roles_with(right).items():
        term = ("owner", str(user_id)) if role == "Owner" else ("watchers", f"{role}:{user_id}")
        alternatives.append((None if queues is None else frozenset(queues), term))
    return Hint(alternatives)


def both(*hints) -> list:
    """Hints that must all hold (None stands for no narrowing)."""
    return [h for h in hints if h is not None]


class _TimeUp(Exception):
    pass


_BLOCK_LENGTH = struct.Struct("!i")  # whoosh3 postings: each block starts with its length


def _postings(reader, fieldname: str, btext: bytes, values: bool = False):
    """A term's segment-local document numbers (and raw posting values), read at once.

    Whoosh's matchers decode one posting per Python call and seek the file for every block
    (ten times slower on a word found in every ticket); here the term's whole byte range is
    read in one call and its blocks (whoosh3 layout: length, pickled info, pickled and
    maybe compressed data) are decoded from memory.
    """
    terms = reader._terms
    try:
        info = terms.term_info(fieldname, btext)
    except (KeyError, TermNotFound):
        return [], []
    if info.is_inlined():  # a term of one document: its posting sits in the term info
        ids, _, inlined = info.inlined_postings()
        return list(ids), list(inlined)
    offset, length = info.extent()
    if isinstance(length, tuple):  # whoosh3 3.54.0 reads it back as struct.unpack's tuple
        length = length[0]
    raw = terms._postfile.get(offset, length)
    if raw[:len(WHOOSH3_HEADER_MAGIC)] != WHOOSH3_HEADER_MAGIC:
        raise CorruptIndexError(f"bad postings header for {fieldname}:{btext!r}")
    stream = io.BytesIO(raw)
    ids, vals, position = [], [], len(WHOOSH3_HEADER_MAGIC)
    while True:
        length = _BLOCK_LENGTH.unpack_from(raw, position)[0]
        end = position + _BLOCK_LENGTH.size + abs(length)
        stream.seek(position + _BLOCK_LENGTH.size)
        info = pickle.load(stream)
        data = raw[stream.tell():end]
        if info[3]:
            data = zlib.decompress(data)
        data = pickle.loads(data)
        ids.extend(accumulate(data[0]))  # delta-encoded document numbers
        if values:
            vals.extend(data[2])
        if length < 0 or end >= len(raw):  # a negative length marks the last block
            return ids, vals
        position = end


def _positions(value: bytes):
    """A whoosh Positions posting value (count, then pickled deltas, maybe without the
    final pickle STOP byte) as positions: formats.Positions.decode_positions, inlined."""
    if not value.endswith(b"."):
        value += b"."
    return accumulate(pickle.loads(value[_POSITIONS_HEADER:]))


_POSITIONS_HEADER = struct.calcsize("!I")


class _Engine:
    """Evaluates a parsed query as sets of document numbers, leaf by leaf.

    Words are read whole from their postings (fields without positions); a phrase of two
    words is one term of the pairs field; a longer one intersects its pairs, then checks
    their positions on the remaining documents only.
    """

    def __init__(self, searcher, deadline: float, prune=None, memo=None):
        self.prune = prune  # drops documents the caller will drop anyway (narrowing)
        self.memo = {} if memo is None else memo  # (field, term) -> documents, one search
        self.searcher = searcher
        self.leaves = searcher.reader().leaf_readers()
        self.deadline = deadline
        self.schema = searcher.schema

    def tick(self):
        if time.monotonic() > self.deadline:
            raise _TimeUp()

    def everything(self) -> set[int]:
        docs = set()
        for reader, base in self.leaves:
            docs.update(range(base, base + reader.doc_count_all()))
        return docs - self.deleted()

    def deleted(self) -> set[int]:
        gone = set()
        for reader, base in self.leaves:
            if reader.has_deletions():
                gone.update(base + d for d in reader.deleted_docs_set)
        return gone

    def narrow(self, found: set[int], columns, statuses, hints) -> set[int]:
        """Keep the documents indexed with one of these statuses and inside every hint."""
        _, queue_of, status_of = columns
        if statuses:
            codes = {STATUS_CODES.get(s, 0) for s in statuses}
            found = {d for d in found if status_of[d] in codes}
        for hint in hints or ():
            kept = set()
            for queues, term in hint.alternatives:
                if term is not None:
                    held = self.term(term[0], self._bytes(term[0], term[1])) & found
                    kept |= held if queues is None else \
                        {d for d in held if queue_of[d] in queues}
                elif queues is not None:
                    kept |= {d for d in found if queue_of[d] in queues}
            found = kept
        return found

    def term(self, fieldname: str, btext: bytes) -> set[int]:
        key = (fieldname, btext)
        if key in self.memo:
            return set(self.memo[key])
        found = set()
        for reader, base in self.leaves:
            self.tick()
            ids, _ = _postings(reader, fieldname, btext)
            found.update(ids if not base else (base + i for i in ids))
        self.memo[key] = found
        return set(found)

    def _bytes(self, fieldname: str, text) -> bytes | None:
        if fieldname not in self.schema:
            return None
        try:
            return self.schema[fieldname].to_bytes(text)
        except ValueError:
            return None

    def phrase(self, fieldname: str, words: list[str]) -> set[int]:
        if len(words) == 1:
            return self.docs(Term(fieldname, words[0]))
        pairs = fieldname + PAIRS
        if pairs not in self.schema:
            return set()
        btexts = [self._bytes(pairs, f"{a} {b}") for a, b in zip(words, words[1:])]
        if len(btexts) == 1:
            return self.term(pairs, btexts[0])
        found = set()
        for reader, base in self.leaves:
            postings = []
            for btext in btexts:
                self.tick()
                ids, vals = _postings(reader, pairs, btext, values=True)
                if not ids:
                    break
                postings.append((ids, vals))
            else:
                candidates = set(postings[0][0]).intersection(
                    *(ids for ids, _ in postings[1:]))
                if candidates and self.prune is not None:
                    # Positions cost most: check them only where a hit would be kept.
                    candidates = {d - base for d in self.prune({base + d for d in candidates})}
                if not candidates:
                    continue
                at = [{i: v for i, v in zip(ids, vals) if i in candidates}
                      for ids, vals in postings]
                for doc in candidates:
                    starts = set(_positions(at[0][doc]))
                    for offset, positions in enumerate(at[1:], 1):
                        starts.intersection_update(p - offset for p in _positions(positions[doc]))
                        if not starts:
                            break
                    if starts:
                        found.add(base + doc)
        return found

    def docs(self, q) -> set[int]:
        """The documents matching q (deleted ones included: `ids` removes them)."""
        if isinstance(q, Term):
            btext = self._bytes(q.fieldname, q.text)
            return set() if btext is None else self.term(q.fieldname, btext)
        if isinstance(q, Phrase):
            return self.phrase(q.fieldname, [w for w in q.words if w is not None])
        if isinstance(q, And) or isinstance(q, Require):
            parts = q.subqueries if isinstance(q, And) else [q.a, q.b]
            positive = [p for p in parts if not isinstance(p, Not)]
            negative = [p.query for p in parts if isinstance(p, Not)]
            found = None
            for part in positive:
                matched = self.docs(part)
                found = matched if found is None else found & matched
                if not found:
                    return set()
            if found is None:
                found = self.everything()
            for part in negative:
                found -= self.docs(part)
            return found
        if isinstance(q, (Or, DisjunctionMax)):
            found = set()
            for part in q.subqueries:
                found |= self.docs(part)
            return found
        if isinstance(q, Not):
            return self.everything() - self.docs(q.query)
        if isinstance(q, AndNot):
            return self.docs(q.a) - self.docs(q.b)
        if isinstance(q, AndMaybe):
            return self.docs(q.a)
        if isinstance(q, Otherwise):
            return self.docs(q.a) or self.docs(q.b)
        if isinstance(q, WrappingQuery):
            return self.docs(q.child)
        if q is NullQuery or type(q).__name__ == "_NullQuery":
            return set()
        if isinstance(q, MultiTerm) and q.field() in self.schema:
            found = set()
            for reader, base in self.leaves:
                for btext in q._btexts(reader):
                    self.tick()
                    ids, _ = _postings(reader, q.field(), btext)
                    found.update(ids if not base else (base + i for i in ids))
            return found
        # Anything else (Every, ...): whoosh's own matcher, exact but slower.
        return set(q.matcher(self.searcher).all_ids())


_columns: dict[str, tuple] = {}  # index path -> (segments, (ids, queues, statuses))


def _column(reader, name: str) -> array:
    """A segment's numeric column at once (its fixed-width bytes), checked against
    whoosh's own reading on a few documents; whoosh's reading of each one if they differ."""
    column = reader.column_reader(name)
    raw = getattr(column, "raw_column", lambda: column)()
    typecode = getattr(raw, "_typecode", "Q")
    try:
        values = array(typecode)
        values.frombytes(raw._dbfile.get(raw._basepos, raw._count * raw._fixedlen))
        if sys.byteorder == "little":
            values.byteswap()  # stored big-endian
        count = len(values)
        if count == raw._doccount and all(values[i] == column[i] for i in
                                          {0, count // 2, count - 1} if count):
            return values
    except Exception:  # noqa: BLE001 - another layout: the slow way below
        pass
    return array(typecode, (column[d] for d in range(reader.doc_count_all())))


def _columns_of(path: str, leaves) -> tuple[array, array, array]:
    """Ticket id, queue id and status code of every document number of the searcher.

    Read once per set of segments (a segment never changes; a new one arrives with each
    index commit), kept for the latest set only.
    """
    segments = tuple(reader.segment().segment_id() for reader, _ in leaves)
    cached = _columns.get(path)
    if cached and cached[0] == segments:
        return cached[1]
    previous = dict(zip(cached[0], cached[2])) if cached else {}
    per_segment = []
    for (reader, _), segment in zip(leaves, segments):
        per_segment.append(previous.get(segment) or tuple(
            _column(reader, name) for name in ("id", "queue", "status")))
    merged = []
    for i, typecode in enumerate(("Q", "I", "B")):
        values = array(per_segment[0][i].typecode if per_segment else typecode)
        for part in per_segment:
            values.extend(part[i])
        merged.append(values)
    merged = tuple(merged)
    _columns[path] = (segments, merged, per_segment)
    return merged


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


# What reading damaged index files raises (truncated, overwritten, missing segment files).
READ_ERRORS = (OSError, EOFError, struct.error, zlib.error, pickle.UnpicklingError,
               UnicodeDecodeError, index.IndexError, CorruptIndexError)


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
