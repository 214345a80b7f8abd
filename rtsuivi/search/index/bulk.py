"""Writing many documents fast: each text analysed once, postings gathered term by term and
written a block at a time.

Whoosh's own path was ~600 tickets/s for `rtsuivi reindex` (10k bench tickets: 19 s of CPU,
1.3 million postings): each text analysed twice (words, then pairs of words) through
per-token generators; one tuple per posting in its pool, all sorted at commit and, past its
memory limit, pickled one by one to temporary runs and merged back; then one Python call per
posting into the codec. Here the analyzer runs once per text (pairs come from the same
tokens), postings are gathered by term (documents arrive in docnum order, so each term's
postings are already sorted: only the terms are sorted, and a spill writes one record per
term), and each term's postings go to the codec's block writer whole. The index files are
the same, posting for posting: tests/test_search_engine.py compares them with whoosh's own.
"""
import heapq
import io
import os
import pickle
import tempfile
import zlib
from array import array
from itertools import accumulate, groupby
from operator import itemgetter

from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

from .engine import _BLOCK_LENGTH
from .schema import ALL_FIELDS, ANALYZER, PAIRS, SCHEMA

SPILL_BYTES = 128 * 1024 * 1024  # about this much held in memory before a spill to disk
TEXT_FIELDS = frozenset(ALL_FIELDS) | {name + PAIRS for name in ALL_FIELDS}
_ONE_POSITION: dict = {}  # encoder -> {position: the encoded value of [position]}


def _tokenizer():
    """ANALYZER's tokens as a list, without its per-token generators when it is the usual
    chain (regex, lower case, accents folded); ANALYZER itself otherwise."""
    items = getattr(ANALYZER, "items", ())
    if [type(item) for item in items] == [RegexTokenizer, LowercaseFilter, CharsetFilter] \
            and not items[0].gaps:
        finditer, charmap = items[0].expression.finditer, items[2].charmap
        return lambda text: [m.group(0).lower().translate(charmap) for m in finditer(text)]
    return lambda text: [token.text for token in ANALYZER(text)]


tokens_of = _tokenizer()


class TermPool:
    """Stands in for a whoosh SegmentWriter's pool: add() postings, cleanup() the temporary
    runs; the writer's field writer gets them back term by term (write_postings).

    A term's postings are (docnums, weights or None for all 1.0, values or None for all
    empty): a word of a words field costs one docnum.
    """

    def __init__(self, limit: int = SPILL_BYTES, tempdir: str | None = None):
        self.terms: dict[tuple[str, bytes], list] = {}
        self.unordered: set[tuple[str, bytes]] = set()  # a docnum came back smaller
        self.size = 0
        self.limit = limit
        self.tempdir = tempdir
        self.runs: list[str] = []
        self.fieldnames: set[str] = set()  # as whoosh's PostingPool

    def add(self, item) -> None:
        """One posting (fieldname, btext, docnum, weight, value), as whoosh adds them."""
        fieldname, btext, docnum, weight, value = item
        key = (fieldname, btext)
        entry = self.terms.get(key)
        if entry is None:
            entry = self.terms[key] = [array("I"), None, None]
            self.fieldnames.add(fieldname)
            self.size += 200 + len(btext)
        elif docnum <= entry[0][-1]:
            self.unordered.add(key)
        count = len(entry[0])
        entry[0].append(docnum)
        if (weight != 1.0 and entry[1] is None) or (value and entry[2] is None):
            _spell_out(entry, count)
        if entry[1] is not None:
            entry[1].append(weight)
        if entry[2] is not None:
            entry[2].append(value or b"")
        self.size += 8 + (len(value) + 41 if value else 0)
        self.check_size()

    def add_words(self, docnum: int, fieldname: str, words) -> None:
        """A words field's postings (weight 1.0, no value) for one new document."""
        terms = self.terms
        for word in words:
            key = (fieldname, word.encode("utf-8"))
            entry = terms.get(key)
            if entry is None:
                entry = terms[key] = [array("I"), None, None]
                self.size += 200 + len(key[1])
            entry[0].append(docnum)
            if entry[1] is not None:
                entry[1].append(1.0)
            if entry[2] is not None:
                entry[2].append(b"")
        self.fieldnames.add(fieldname)
        self.size += 8 * len(words)

    def add_pairs(self, docnum: int, fieldname: str, positions: dict, encode) -> None:
        """A pairs field's postings (weight and value from the positions) for one document."""
        terms = self.terms
        single = _ONE_POSITION.setdefault(encode, {})
        for pair, found in positions.items():
            key = (fieldname, pair.encode("utf-8"))
            entry = terms.get(key)
            if entry is None:
                entry = terms[key] = [array("I"), array("d"), []]
                self.size += 200 + len(key[1])
            elif entry[1] is None or entry[2] is None:
                _spell_out(entry)
            if len(found) > 1:
                value = encode(found)
            else:  # most pairs occur once in a ticket
                value = single.get(found[0])
                if value is None:
                    value = encode(found)
                    if found[0] < 4096:
                        single[found[0]] = value
            entry[0].append(docnum)
            entry[1].append(float(len(found)))
            entry[2].append(value)
            self.size += 60 + len(value)
        self.fieldnames.add(fieldname)

    def check_size(self) -> None:
        if self.size > self.limit:
            self._spill()

    def _sorted_terms(self):
        for key in sorted(self.terms):
            docs, weights, values = self.terms[key]
            if key in self.unordered:
                docs, weights, values = _by_docnum([(key, docs, weights, values)])
            yield key, docs, weights, values

    def _spill(self) -> None:
        descriptor, path = tempfile.mkstemp(suffix=".run", dir=self.tempdir)
        self.runs.append(path)
        with os.fdopen(descriptor, "wb") as run:
            for key, docs, weights, values in self._sorted_terms():
                pickle.dump((key, docs, weights, values), run, pickle.HIGHEST_PROTOCOL)
        self.terms, self.unordered, self.size = {}, set(), 0

    def _read_run(self, path):
        with open(path, "rb") as run:
            while True:
                try:
                    yield pickle.load(run)
                except EOFError:
                    return

    def iter_terms(self):
        """(key, docnums, weights or None, values or None), sorted by field then term."""
        if not self.runs:
            yield from self._sorted_terms()
            return
        if self.terms:
            self._spill()
        # Runs were written in docnum order: a term's postings are their concatenation.
        merged = heapq.merge(*(self._read_run(path) for path in self.runs), key=itemgetter(0))
        for key, parts in groupby(merged, key=itemgetter(0)):
            parts = list(parts)
            if len(parts) == 1:
                yield parts[0]
            else:
                yield (key, *_by_docnum(parts))

    def iter_postings(self):
        """Whoosh's pool interface: (fieldname, btext, docnum, weight, value), sorted."""
        for (fieldname, btext), docs, weights, values in self.iter_terms():
            for i, docnum in enumerate(docs):
                yield (fieldname, btext, docnum, 1.0 if weights is None else weights[i],
                       b"" if values is None else values[i])

    def cleanup(self) -> None:
        for path in self.runs:
            try:
                os.remove(path)
            except OSError:
                pass
        self.runs = []


def _spell_out(entry, count=None) -> None:
    """Give a term's implicit weights (1.0) and values (empty) one item per posting."""
    count = len(entry[0]) if count is None else count
    if entry[1] is None:
        entry[1] = array("d", [1.0]) * count
    if entry[2] is None:
        entry[2] = [b""] * count


def _by_docnum(parts):
    """Postings of one term from several parts, as one list in docnum order."""
    rows = []
    for _, docs, weights, values in parts:
        rows.extend(zip(docs, weights if weights is not None else [1.0] * len(docs),
                        values if values is not None else [b""] * len(docs)))
    rows.sort(key=itemgetter(0))
    weights = array("d", (w for _, w, _ in rows))
    values = [v for _, _, v in rows]
    return (array("I", (d for d, _, _ in rows)),
            None if all(w == 1.0 for w in weights) else weights,
            None if not any(values) else values)


def write_postings(fieldwriter, schema, lengths, pool: TermPool) -> None:
    """FieldWriter.add_postings for a TermPool: each term's postings written a block at a
    time (fields without lengths; a scorable field goes posting by posting)."""
    current = None
    for (fieldname, btext), docs, weights, values in pool.iter_terms():
        if fieldname != current:
            if current is not None:
                fieldwriter.finish_field()
            fieldobj = schema[fieldname]
            fieldwriter.start_field(fieldname, fieldobj)
            current = fieldname
            length_of = lengths.doc_field_length_reader(fieldname) \
                if lengths is not None and fieldobj.scorable else None
        fieldwriter.start_term(btext)
        if length_of is None:
            _write_term(fieldwriter._postwriter, docs, weights, values)
        else:
            for i, docnum in enumerate(docs):
                fieldwriter.add(docnum, 1.0 if weights is None else weights[i],
                                b"" if values is None else values[i], length_of(docnum))
        fieldwriter.finish_term()
    if current is not None:
        fieldwriter.finish_field()


def _write_term(postwriter, docs, weights, values) -> None:
    """W3PostingsWriter.add_posting for a whole term (whoosh3 3.54.0): full blocks are
    written when the next posting comes, the last one by finish_postings, as there."""
    limit = postwriter._blocklimit
    for start in range(0, len(docs), limit):
        if start:
            postwriter._write_block()
        end = start + limit
        postwriter._ids.extend(docs[start:end])
        chunk = [1.0] * len(docs[start:end]) if weights is None else weights[start:end].tolist()
        postwriter._weights.fromlist(chunk)
        postwriter._maxweight = max(postwriter._maxweight, max(chunk))
        if values is not None:
            postwriter._values.extend(v for v in values[start:end] if v)


def use_term_pool(writer) -> None:
    """Give a fresh whoosh SegmentWriter the pool above, and its field writer the block
    writing (before any document is added)."""
    pool = writer.pool = TermPool(tempdir=getattr(writer.storage, "folder", None))
    fieldwriter = writer.fieldwriter
    fieldwriter.add_postings = lambda schema, lengths, items: write_postings(
        fieldwriter, schema, lengths, pool)


def add_analysed(writer, doc: dict) -> None:
    """Add one document to a writer given use_term_pool: each text analysed once."""
    writer.add_document(**{name: value for name, value in doc.items()
                           if name not in TEXT_FIELDS})
    docnum = writer.docnum - 1
    pool = writer.pool
    for name in ALL_FIELDS:
        tokens = tokens_of(doc.get(name) or "")
        pool.add_words(docnum, name, set(tokens))
        positions: dict[str, list[int]] = {}
        for position, pair in enumerate(f"{a} {b}" for a, b in zip(tokens, tokens[1:])):
            positions.setdefault(pair, []).append(position)
        pairs = name + PAIRS
        pool.add_pairs(docnum, pairs, positions, SCHEMA[pairs].format.encode)
    pool.check_size()


def add_reader(writer, reader) -> None:
    """SegmentWriter.add_reader (whoosh 3.54.0) for a writer given use_term_pool, reading
    the segment's terms in file order and each term's postings whole (issue 16).

    Whoosh's own looks every term up in the hash table, builds a matcher for it and reads
    its postings one Python call at a time: 71 % of the indexer's CPU went to merging small
    segments. Same postings, same pool, same index files (tests/test_search_bulk.py).
    """
    writer._check_state()
    basedoc, schema = writer.docnum, writer.schema
    fieldnames = set(schema.names()) | {
        name for name in reader.indexed_field_names() if name in schema}
    docmap = writer.write_per_doc(fieldnames, reader)  # stored fields, columns, lengths
    deleted = reader.deleted_docs_set or ()
    terms, add = reader._terms, writer.pool.add
    for (fieldname, btext), info in terms.items():
        if fieldname not in schema:
            continue
        for docnum, weight, value in _term_postings(
                terms._postfile, info, schema[fieldname].format.fixed_value_size()):
            if docnum not in deleted:
                add((fieldname, btext, docmap[docnum] if docmap is not None
                     else basedoc + docnum, weight, value))
    writer._added = True


def _term_postings(postfile, info, fixedsize):
    """(docnum, weight, value) of one term, as whoosh's matchers give them."""
    if info.is_inlined():  # whoosh's ListMatcher
        ids, weights, values = info.inlined_postings()
        return [(docnum, weights[i] if weights else 1.0, values[i] if values else "")
                for i, docnum in enumerate(ids)]
    offset, length = info.extent()
    if isinstance(length, tuple):
        length = length[0]
    raw = postfile.get(offset, length)
    found, position = [], len(WHOOSH3_HEADER_MAGIC)
    while True:  # whoosh3 blocks: length, pickled info, pickled (maybe zlib) data
        size = _BLOCK_LENGTH.unpack_from(raw, position)[0]
        end = position + _BLOCK_LENGTH.size + abs(size)
        unpickler = io.BytesIO(raw[position + _BLOCK_LENGTH.size:end])
        block = pickle.load(unpickler)
        data = unpickler.read()
        ids, weights, values = pickle.loads(zlib.decompress(data) if block[3] else data)
        ids = list(accumulate(ids))  # delta-encoded
        if weights is None or isinstance(weights, float):  # W3LeafMatcher's float32 array
            weights = array("f", [1.0 if weights is None else weights]) * len(ids)
        if fixedsize == 0:
            values = (None,) * len(ids)
        elif fixedsize is not None and fixedsize > 0:
            values = [values[i:i + fixedsize] for i in range(0, len(values), fixedsize)]
        found.extend(zip(ids, weights, values))
        if size < 0 or end >= len(raw):  # a negative length marks the last block
            return found
        position = end
