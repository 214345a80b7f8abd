"""Writing the index: the documents of a batch of tickets, the merge policy, draining the
marks after each index commit and the full rebuild.
"""
import os
from itertools import count

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from whoosh import index, writing
from whoosh.reading import SegmentReader

from ...domain.custom_fields import custom_field_texts
from ...extensions import db
from ...models import Attachment, SearchMark, Ticket, Transaction, User, Watcher
from .bulk import add_analysed, add_reader, use_term_pool
from .schema import ALL_FIELDS, BATCH, MESSAGE_TYPES, PAIRS, SCHEMA, STATUS_CODES
from .store import (
    _flag,
    _flag_for_rebuild,
    _forget_searcher,
    _open,
    _schema_current,
    index_dir,
    needs_rebuild,
)


def _documents(session: Session, ticket_ids) -> dict[int, dict]:
    """Build the index documents of these tickets (three queries for the whole batch).

    Plain rows, not ORM objects: loading each ticket with its queue, owner and watchers
    was a sixth of a full rebuild's CPU.
    """
    tickets = session.execute(
        select(Ticket.id, Ticket.subject, Ticket.queue_id, Ticket.status, Ticket.owner_id)
        .where(Ticket.id.in_(ticket_ids)).order_by(Ticket.id))
    watchers: dict[int, set[str]] = {}
    requestors: dict[int, list[str]] = {}
    for ticket_id, role, user_id, real_name, name, email in session.execute(
            select(Watcher.ticket_id, Watcher.role, Watcher.user_id, User.real_name, User.name,
                   User.email).join(User, User.id == Watcher.user_id)
            .where(Watcher.ticket_id.in_(ticket_ids)).order_by(Watcher.id)):
        watchers.setdefault(ticket_id, set()).add(f"{role}:{user_id}")
        if role == "Requestor":
            requestors.setdefault(ticket_id, []).append(
                _person_words(real_name or name, name, email))
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
        texts.setdefault(ticket_id, {}).setdefault("custom", []).append(text)
    docs = {}
    for ticket_id, subject, queue_id, status, owner_id in tickets:
        parts = texts.get(ticket_id, {})
        doc = dict(
            id=ticket_id, subject=subject, content="\n".join(parts.get("content", [])),
            comments="\n".join(parts.get("comments", [])),
            custom="\n".join(parts.get("custom", [])),
            requestors=" ".join(requestors.get(ticket_id, ())),
            watchers=" ".join(sorted(watchers.get(ticket_id, ()))),
            queue=queue_id, status=STATUS_CODES.get(status, 0), owner=str(owner_id))
        for name in ALL_FIELDS:
            doc[name + PAIRS] = doc[name]
        docs[ticket_id] = doc
    return docs


def _person_words(display_name: str, name: str, email: str | None) -> str:
    """Name and address, plus the address cut at its dots so "lagaffe" finds it."""
    address = email or ""
    return " ".join((display_name, name, address, address.replace("@", " ").replace(".", " ")))


def index_tickets(session: Session, writer, ticket_ids) -> None:
    """Write the current version of these tickets; drop those no longer in the database.

    The writer was given use_term_pool: the old version is deleted by its unique id (as
    whoosh's update_document does), the new one added with each text analysed once.
    """
    docs = _documents(session, ticket_ids)
    for ticket_id in ticket_ids:
        writer.delete_by_term("id", ticket_id)
        if ticket_id in docs:
            add_analysed(writer, docs[ticket_id])


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
        add_reader(writer, reader)  # whoosh's writer.add_reader, a block at a time
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
            use_term_pool(writer)
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
    use_term_pool(writer)
    with Session(db.engine) as session:
        try:
            last_mark = session.scalar(select(func.max(SearchMark.id))) or 0
            ticket_ids = list(session.scalars(select(Ticket.id).order_by(Ticket.id)))
            for start in range(0, len(ticket_ids), BATCH):
                chunk = ticket_ids[start:start + BATCH]
                for doc in _documents(session, chunk).values():
                    add_analysed(writer, doc)
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
