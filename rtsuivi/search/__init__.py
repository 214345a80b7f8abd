"""Full-text search: the only package that knows the engines.

`search(text, user)` returns the tickets whose text matches, never through comment text or
custom field values the user may not read; the caller still applies the visibility filter.
Two backends, chosen by RTSUIVI_SEARCH_BACKEND: "whoosh" (default, an index folder per app
machine, kept by the marks and the indexer) and "postgresql" (a tsvector per ticket written
in the ticket's own transaction, for several app machines on one PostgreSQL database).
"""
from flask import Flask, current_app
from sqlalchemy import not_, select

from ..domain.rights import rights_of, visible_tickets_filter
from ..domain.sql import id_in
from ..domain.ticketsql import check_words
from ..extensions import db
from ..models import Ticket, User
from . import index, postgresql
from .index import Hits, IndexUnavailable, both, query_ids, rights_hint
from .marks import backend, indexer_of, install_session_hooks
from .query import compile_for  # the callers' one entry: TicketSQL + index
from .reading import reading

__all__ = ["Hits", "IndexUnavailable", "compile_for", "drain", "init_app", "rebuild", "search"]


def init_app(app: Flask) -> None:
    app.config.setdefault("RTSUIVI_INDEX_MODE", "thread")
    app.config.setdefault("RTSUIVI_SEARCH_TIME_LIMIT", 2.0)
    app.config.setdefault("RTSUIVI_SEARCH_BACKEND", "whoosh")
    if app.config["RTSUIVI_SEARCH_BACKEND"] not in ("whoosh", "postgresql"):
        raise ValueError("RTSUIVI_SEARCH_BACKEND must be whoosh or postgresql")
    if app.config["RTSUIVI_SEARCH_BACKEND"] == "postgresql" and not str(
            app.config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        raise ValueError("RTSUIVI_SEARCH_BACKEND=postgresql needs DATABASE_URL on PostgreSQL")
    install_session_hooks()
    indexer_of(app)


def drain(timeout: float = 5.0, batch: int = index.BATCH) -> int:
    """Index the tickets marked stale (Whoosh; nothing to do on PostgreSQL)."""
    if backend() == "postgresql":
        return 0
    return index.drain(timeout, batch)


def rebuild(progress=None, timeout: float = 60.0) -> int:
    """Rebuild the current backend's words from the database; return the ticket count."""
    if backend() == "postgresql":
        return postgresql.rebuild(progress)
    return index.rebuild(progress, timeout)


def search(text: str, user: User, statuses=None) -> Hits:
    """Return the ids of tickets matching the words for this user.

    Comment text counts only on tickets where the user holds ShowTicketComments, custom
    field values only where they hold SeeCustomField (search/reading.py). Raises
    IndexUnavailable while the index is missing, corrupt or being rebuilt, FullTextRefused
    for words the engine will not run (too long, too deep, too many). `statuses`, when
    the query also asks for them, lets the index skip other tickets early (a hint).
    """
    check_words(text)
    fields = reading(user)
    if backend() == "postgresql":
        return postgresql.search(text, user, fields)
    indexer_of(current_app).ensure_running()
    limit = current_app.config["RTSUIVI_SEARCH_TIME_LIMIT"]
    held = rights_of(user)
    visible = rights_hint(held, "ShowTicket", user.id)
    memo, hits = {}, Hits(set())
    for step in fields.steps(text):
        found = query_ids(text, step.fields, limit, statuses,
                          both(visible, *(rights_hint(held, r, user.id) for r in step.needed)),
                          memo)
        hits.truncated |= found.truncated
        new = found.ids - hits.ids
        if new and (step.needed or step.lacking):  # kept where the rights say so
            new = set(db.session.scalars(select(Ticket.id).where(
                id_in(Ticket.id, new, "extra"),
                *(visible_tickets_filter(user, r) for r in step.needed),
                *(not_(visible_tickets_filter(user, r)) for r in step.lacking))))
        hits.ids |= new
    return hits
