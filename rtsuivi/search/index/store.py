"""The index folder: opening it, the rebuild flag, setting a damaged one aside, and each
thread's open searcher.
"""
import logging
import os
import pickle
import shutil
import struct
import threading
import time
import zlib

from flask import current_app
from whoosh import index
from whoosh.reading import CorruptIndexError

from .schema import ALL_FIELDS, REBUILDING, SCHEMA, IndexUnavailable

log = logging.getLogger(__name__)


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
