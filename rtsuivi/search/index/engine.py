"""Queries evaluated as sets of document numbers, reading each term's postings whole, and
the numeric columns (ticket id, queue, status) read once per set of segments.
"""
import io
import pickle
import struct
import sys
import time
import zlib
from array import array
from itertools import accumulate

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
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
    Require,
    Term,
)
from whoosh.query.wrappers import WrappingQuery
from whoosh.reading import CorruptIndexError, TermNotFound

from .schema import PAIRS, STATUS_CODES


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


_columns: dict[str, tuple] = {}  # index path -> (segments, their sizes, (ids, queues, statuses))
COLUMN_TYPES = ("I", "I", "B")  # 4-byte ids (8 as stored): 9 bytes a ticket, not 13


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
    index commit), kept for the latest set only: a segment read before is sliced out of
    the previous arrays, so only new segments are read and no second copy is kept (at a
    million tickets that copy was 13 MB of each worker).
    """
    segments = tuple(reader.segment().segment_id() for reader, _ in leaves)
    cached = _columns.get(path)
    if cached and cached[0] == segments:
        return cached[2]
    known, start = {}, 0
    for segment, size in zip(*cached[:2]) if cached else ():
        known[segment] = (start, start + size)
        start += size
    merged = tuple(array(typecode) for typecode in COLUMN_TYPES)
    sizes = []
    for (reader, _), segment in zip(leaves, segments):
        if segment in known:
            begin, end = known[segment]
            parts = tuple(values[begin:end] for values in cached[2])
        else:
            parts = tuple(_column(reader, name) for name in ("id", "queue", "status"))
        sizes.append(len(parts[0]))
        merged = tuple(_joined(values, part) for values, part in zip(merged, parts))
    _columns[path] = (segments, tuple(sizes), merged)
    return merged


def _joined(values: array, part: array) -> array:
    """values with part after it, in values' type unless a number does not fit (an id
    past 4 billion: then 8 bytes, as stored)."""
    if part.typecode != values.typecode:
        try:
            part = array(values.typecode, part)
        except OverflowError:
            values = array(part.typecode, values)
    values.extend(part)
    return values
