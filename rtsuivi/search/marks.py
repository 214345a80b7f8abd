"""Durable "needs indexing" marks, written by the database session itself, and the
per-process indexer that honours them after commit.

Every path that changes a ticket (web, mail gateway, CLI, API) goes through the ORM, so a
session hook sees it: it inserts a SearchMark in the same transaction, whatever the caller
knows about search. After the commit the indexer drains the marks; the request never waits
for the index lock.
"""
import logging
import os
import threading
import time

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..models import (
    Attachment,
    SearchMark,
    Ticket,
    TicketCustomFieldValue,
    Transaction,
    Watcher,
)

log = logging.getLogger(__name__)
POLL_SECONDS = 30  # also pick up marks left by other processes (a crash, the mail worker)


def _ticket_id(obj) -> int | None:
    if isinstance(obj, Ticket):
        return obj.id
    if isinstance(obj, (Transaction, Watcher)):
        return obj.ticket_id or (obj.ticket.id if obj.ticket is not None else None)
    if isinstance(obj, TicketCustomFieldValue):  # its words are the ticket's too
        return obj.ticket_id
    if isinstance(obj, Attachment) and obj.transaction is not None:
        return obj.transaction.ticket_id
    return None


def backend() -> str:
    """The full-text backend of the current app: "whoosh" or "postgresql"."""
    if not has_app_context():
        return "whoosh"
    return current_app.config.get("RTSUIVI_SEARCH_BACKEND", "whoosh")


def _mark_changed_tickets(session: Session, flush_context) -> None:
    """Insert a mark for every ticket this flush touched, in the flush's transaction."""
    ids = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        ticket_id = _ticket_id(obj)
        if ticket_id is not None:
            ids.add(ticket_id)
    if ids and backend() == "postgresql":
        # The words themselves, in this transaction: no mark, no indexer, no lag.
        from .postgresql import write_documents
        write_documents(session.connection(), ids)
    elif ids:
        # One mark per ticket and transaction: the indexer reads the ticket after the commit.
        # A mark made inside a savepoint may be rolled back with it, so it is not remembered;
        # the set belongs to the transaction it was made in, whatever events were missed.
        transaction = session.get_transaction()
        kept = session.info.get("search_marked_ids")
        if kept is None or kept[0] is not transaction:
            kept = session.info["search_marked_ids"] = (transaction, set())
        marked = kept[1]
        fresh = ids - marked
        if not fresh:
            return
        # Core insert on the flush's connection: no autoflush, no unit of work re-entry.
        session.connection().execute(SearchMark.__table__.insert(),
                                     [{"ticket_id": i} for i in sorted(fresh)])
        session.info["search_marked"] = True
        if not session.in_nested_transaction():
            marked |= fresh


def _after_commit(session: Session) -> None:
    if session.info.pop("search_marked", False) and has_app_context():
        indexer_of(current_app).notify()


def _forget_marks(session: Session, *args) -> None:
    session.info.pop("search_marked", None)  # rolled back with the transaction


def install_session_hooks() -> None:
    """Listen on every ORM session (idempotent)."""
    if not event.contains(Session, "after_flush", _mark_changed_tickets):
        event.listen(Session, "after_flush", _mark_changed_tickets)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _forget_marks)


class Indexer:
    """Drains the marks of one app in this process.

    RTSUIVI_INDEX_MODE: "thread" (default) wakes a background thread after each commit;
    "inline" drains at once (tests, scripts); "off" leaves the marks to `rtsuivi
    index-pending` or to another process.
    """

    def __init__(self, app: Flask):
        self.app = app
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.pid = None
        self.stopping = False
        self.start_lock = threading.Lock()
        # Set when the thread ends a round and no commit asked for another meanwhile: what
        # was committed before is searchable (tests wait on it instead of polling).
        self.idle = threading.Event()

    @property
    def mode(self) -> str:
        if self.app.config.get("RTSUIVI_SEARCH_BACKEND") == "postgresql":
            return "off"  # the words are written in each change's transaction
        return self.app.config.get("RTSUIVI_INDEX_MODE", "thread")

    def notify(self) -> None:
        if self.mode == "inline":
            self.run_once()
        elif self.mode == "thread":
            self.ensure_running()
            self.wake.set()
            self.idle.clear()

    def ensure_running(self) -> None:
        """Start the thread in this process (after a gunicorn fork the parent's is gone)."""
        if self.mode != "thread":
            return
        with self.start_lock:
            if self.thread is not None and self.thread.is_alive() and self.pid == os.getpid():
                return
            self.pid, self.stopping = os.getpid(), False
            self.thread = threading.Thread(target=self._loop, name="rtsuivi-indexer",
                                           daemon=True)
            self.thread.start()

    def stop(self) -> None:
        self.stopping = True
        self.wake.set()
        if self.thread is not None:
            self.thread.join(10)

    def _loop(self) -> None:
        from .index import BATCH
        while not self.stopping:
            self.wake.clear()
            done = 0
            try:
                # One batch, one index commit per round: under a burst (mail ingest) the
                # marks arriving meanwhile wait for the next round instead of an index
                # commit each, which took the web worker's CPU (33 -> 60 mails/s).
                done = self.run_once(rounds=1)
            except Exception:  # noqa: BLE001 - the marks stay; the next round retries
                log.exception("search indexer failed; will retry")
            else:
                if done >= BATCH // 2:
                    continue  # a backlog: the next batch at once
                if not self.wake.is_set():
                    self.idle.set()
            if self.wake.wait(POLL_SECONDS):
                # Let the changes of the next moments join this round: under a burst (mail
                # ingest, bulk update) one index commit then covers many tickets.
                time.sleep(self.app.config.get("RTSUIVI_INDEX_DELAY", 0.5))

    def run_once(self, rounds: int | None = None) -> int:
        from .index import drain
        with self.app.app_context():
            try:
                return drain(timeout=self.app.config.get("RTSUIVI_INDEX_LOCK_TIMEOUT", 10.0),
                             rounds=rounds)
            except Exception:  # noqa: BLE001 - never let indexing break the caller
                if self.mode != "thread":
                    log.exception("search indexing failed; the marks stay for a retry")
                    return 0
                raise


def indexer_of(app: Flask) -> Indexer:
    indexer = app.extensions.get("rtsuivi_indexer")
    if indexer is None:
        indexer = app.extensions["rtsuivi_indexer"] = Indexer(app)
    return indexer
