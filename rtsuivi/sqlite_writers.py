"""SQLite: writers wait their turn in a queue the kernel keeps, not in SQLite's busy loop.

SQLite lets one writer in at a time. The others are told "busy" and sleep before trying
again (sqlite3's busy handler: 1, 2, 5, 10, 15, 20, 25… ms), so after each commit the lock
often stays free for several milliseconds while the next writer sleeps: two mail senders
went no faster than one (issue 16). Here a connection that is about to write (BEGIN
IMMEDIATE, see rtsuivi._sqlite_begin) first takes an exclusive flock on a file beside the
database, and gives it back when its transaction ends; the next writer gets it a fraction
of a millisecond later.

SQLite's own lock stays the rule: the flock only orders the writers of this site's
processes. A writer that waited the whole lock timeout for its turn goes on to BEGIN
IMMEDIATE, which waits once more at most as long as before and then says "busy"; readers
never touch the file; a process that dies lets go of its turn with its files.
"""
import fcntl
import sqlite3
import time

from sqlalchemy.engine import make_url

# How often a waiting writer looks again: short against a write (10-20 ms), long against
# a system call.
POLL_SECONDS = 0.0002


def lock_file_for(uri: str) -> str | None:
    """The turn file of a SQLite database file (None in memory: one connection writes)."""
    url = make_url(uri)
    database = url.database or ""
    if not database or database == ":memory:" or url.query.get("mode") == "memory" \
            or database.startswith("file::memory:"):
        return None
    return f"{database}.writers"


def connection_class(lock_path: str, timeout: float) -> type:
    """A sqlite3.Connection that can wait for its turn to write (sqlite3's `factory`)."""

    class WriterQueueConnection(sqlite3.Connection):
        _turn = None  # the open turn file while this connection holds the turn

        def wait_turn_to_write(self) -> None:
            """Take the writers' turn, waiting at most the lock timeout (then go on)."""
            if self._turn is not None:
                return
            turn = open(lock_path, "a+b")  # noqa: SIM115  kept open while the turn lasts
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(turn, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    self._turn = turn
                    return
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        turn.close()
                        return
                    time.sleep(POLL_SECONDS)

        def _give_turn(self) -> None:
            turn, self._turn = self._turn, None
            if turn is not None:
                turn.close()  # closing the file lets go of the flock

        def commit(self):
            try:
                return super().commit()
            finally:
                self._give_turn()

        def rollback(self):
            try:
                return super().rollback()
            finally:
                self._give_turn()

        def close(self):
            try:
                return super().close()
            finally:
                self._give_turn()

    return WriterQueueConnection
