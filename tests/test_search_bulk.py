"""The fast writing path of `rtsuivi reindex` (search/index/bulk.py) writes the index whoosh's
own path writes: same documents, same terms, same postings (docnums, weights, positions),
same stored fields and columns, with or without spills to disk."""
import io
import pickle
import random
import struct

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

from rtsuivi.search.index import ALL_FIELDS, ANALYZER, SCHEMA, bulk
from rtsuivi.search.index.schema import PAIRS


def _docs(count=300):
    """Documents as writer._documents builds them, made to reach the corners: a word in
    exactly one block (128 documents), in two, in one more, in all; repeated pairs; empty
    fields; accents, ligatures, dotted numbers; a text longer than the encoding cache."""
    rng = random.Random(7)
    vocabulary = ["mot", "de", "passe", "étage", "Écran", "pièce", "ﬁchier", "v1.2.3", "STRASSE",
                  "straße", "İstanbul", "œuvre", "a_b", "x*y", "l'imprimante", "n°3", "😀"]
    docs = []
    for n in range(count):
        words = [rng.choice(vocabulary) for _ in range(rng.randint(0, 30))]
        if n < 128:
            words.append("bloc")
        if n < 256:
            words.append("deuxblocs")
        if n < 129:
            words.append("unbloc")
        if n == 5:
            words = ["le"] * 5000 + ["chat"] + words  # positions past the cache; "le le" x 4999
        content = " ".join(words) + " mot de passe mot de passe" * (n % 3)
        doc = dict(id=1000 + n, subject=f"Sujet {n} tous", content=content,
                   comments="" if n % 2 else "commentaire interne, mot de passe",
                   custom="" if n % 3 else f"Orchidée {n} mot de passe",
                   requestors="" if n % 4 else f"Denise Garnier denise{n} d{n}@exemple.fr",
                   watchers=f"Requestor:{n % 7} Cc:{n % 5}", queue=n % 4, status=n % 7,
                   owner=str(n % 9))
        for name in ALL_FIELDS:
            doc[name + PAIRS] = doc[name]
        docs.append(doc)
    return docs


def _contents(path):
    """Everything a reader gives back: stored fields, columns, every term's postings."""
    ix = whoosh_index.open_dir(str(path))
    found = {}
    with ix.reader() as reader:
        found["stored"] = list(reader.all_stored_fields())
        for name in ("id", "queue", "status"):
            column = reader.column_reader(name)
            found[name] = [column[d] for d in range(reader.doc_count_all())]
        for fieldname in SCHEMA.names():
            if SCHEMA[fieldname].format is None:
                continue  # a column only
            for btext in reader.lexicon(fieldname):
                postings = reader.postings(fieldname, btext)
                items = []
                while postings.is_active():
                    items.append((postings.id(), postings.weight(), postings.value()))
                    postings.next()
                found[(fieldname, btext)] = items
                found[("blocks", fieldname, btext)] = _blocks(reader, fieldname, btext)
    return found


def _blocks(reader, fieldname, btext):
    """The term's statistics and each block's header (count, last id, maximum weight,
    compression, lengths), as whoosh3 wrote them."""
    info = reader._terms.term_info(fieldname, btext)
    stats = (info.weight(), info.doc_frequency(), info.max_weight(), info.min_id(),
             info.max_id(), info.min_length(), info.max_length())
    if info.is_inlined():
        return stats
    offset, length = info.extent()
    raw = reader._terms._postfile.get(offset, length[0] if isinstance(length, tuple) else length)
    stream, headers, position = io.BytesIO(raw), [], len(WHOOSH3_HEADER_MAGIC)
    while position < len(raw):
        size = struct.unpack_from("!i", raw, position)[0]
        stream.seek(position + 4)
        headers.append(pickle.load(stream))
        position += 4 + abs(size)
    return stats, headers


def _write(path, docs, fast: bool, limit: int = bulk.SPILL_BYTES):
    path.mkdir()
    writer = whoosh_index.create_in(str(path), SCHEMA).writer(compound=False)
    spills = []
    if fast:
        bulk.use_term_pool(writer)
        writer.pool.limit = limit
        spill = writer.pool._spill
        writer.pool._spill = lambda: (spills.append(1), spill())
        for doc in docs:
            bulk.add_analysed(writer, doc)
    else:
        for doc in docs:
            writer.add_document(**doc)
    writer.commit()
    return len(spills)


@pytest.mark.parametrize("limit", [bulk.SPILL_BYTES, 20_000])
def test_the_fast_path_writes_whoosh_s_own_index(tmp_path, limit):
    docs = _docs()
    _write(tmp_path / "whoosh", docs, fast=False)
    spills = _write(tmp_path / "fast", docs, fast=True, limit=limit)
    assert (spills > 5) == (limit == 20_000)
    expected, written = _contents(tmp_path / "whoosh"), _contents(tmp_path / "fast")
    assert len(expected[("content", b"bloc")]) == 128  # the corners are there
    assert len(expected[("blocks", "content", b"deuxblocs")][1]) == 2
    assert len(expected[("blocks", "content", b"unbloc")][1]) == 2
    (_, _, value), = expected[("content_pairs", b"le chat")]
    assert SCHEMA["content_pairs"].format.decode_positions(value) == [4999]
    assert written.keys() == expected.keys()
    assert [k for k in expected if written[k] != expected[k]] == []


@pytest.mark.parametrize("text", [
    "Mot de PASSE, étage 3e ; l'écran", "ﬁchier Straße STRASSE İstanbul œuvre", "v1.2.3 a_b x*y",
    "n°3 — «guillemets» 😀 e\u0301tage", "", "   ", "日本語のテキスト", "mot.\nde..passe",
])
def test_the_fast_tokenizer_gives_the_analyzer_s_tokens(text):
    assert bulk.tokens_of(text) == [t.text for t in ANALYZER(text)]


def test_postings_added_out_of_order_come_back_sorted(tmp_path):
    pool = bulk.TermPool(limit=10_000, tempdir=str(tmp_path))
    for docnum in (5, 3, 9, 1):
        pool.add(("owner", b"7", docnum, 1.0, b""))
        pool.add(("content_pairs", b"mot de", docnum, 2.0, b"v%d" % docnum))
    pool.add(("owner", b"7", 0, 1.5, b""))
    assert list(pool.iter_postings()) == [
        ("content_pairs", b"mot de", d, 2.0, b"v%d" % d) for d in (1, 3, 5, 9)] + [
        ("owner", b"7", 0, 1.5, b"")] + [("owner", b"7", d, 1.0, b"") for d in (1, 3, 5, 9)]
    pool.cleanup()


def _merge_blockwise(writer, segments):
    """whoosh's OPTIMIZE merge type with bulk.add_reader (as merge_small_segments uses it)."""
    from whoosh.reading import SegmentReader
    for segment in segments:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        bulk.add_reader(writer, reader)
        reader.close()
    return []


def _write_in_rounds(path, docs, fast: bool, blockwise: bool = False):
    """As drain does: several commits, each replacing some documents, the last one merging
    every segment (whoosh's add_reader feeds the pool posting by posting; blockwise:
    bulk.add_reader reads each term's postings whole)."""
    from whoosh import writing
    path.mkdir()
    ix = whoosh_index.create_in(str(path), SCHEMA)
    rounds = [docs[:100], docs[50:150], docs[140:200] + docs[:10]]
    for n, batch in enumerate(rounds):
        writer = ix.writer(compound=False)
        if fast:
            bulk.use_term_pool(writer)
        for doc in batch:
            if fast:
                writer.delete_by_term("id", doc["id"])
                bulk.add_analysed(writer, doc)
            else:
                writer.update_document(**doc)
        last = _merge_blockwise if blockwise else writing.OPTIMIZE
        writer.commit(mergetype=last if n == len(rounds) - 1 else writing.NO_MERGE)


@pytest.mark.parametrize("blockwise", [False, True])
def test_updates_and_merges_write_whoosh_s_own_index(tmp_path, blockwise):
    docs = _docs(200)
    _write_in_rounds(tmp_path / "whoosh", docs, fast=False)
    _write_in_rounds(tmp_path / "fast", docs, fast=True, blockwise=blockwise)
    expected, written = _contents(tmp_path / "whoosh"), _contents(tmp_path / "fast")
    assert len(expected["id"]) == 200  # merged: the replaced versions are gone
    assert written.keys() == expected.keys()
    assert [k for k in expected if written[k] != expected[k]] == []
