"""Full-text search: the only package that knows the engines.

`search(text, user)` returns the tickets whose text matches, never through comment text the
user may not read; the caller still applies the visibility filter. Two backends, chosen by
RTSUIVI_SEARCH_BACKEND: "whoosh" (default, an index folder per app machine, kept by the
marks and the indexer) and "postgresql" (a tsvector per ticket written in the ticket's own
transaction, for several app machines on one PostgreSQL database).
"""
from flask import Flask, current_app
from sqlalchemy import select

from ..domain.rights import rights_of, visible_tickets_filter
from ..domain.sql import id_in
from ..domain.ticketsql import check_words
from ..extensions import db
from ..models import Ticket, User
from . import index, postgresql
from .index import (
    ALL_FIELDS,
    PUBLIC_FIELDS,
    Hits,
    IndexUnavailable,
    both,
    is_single_unit,
    query_ids,
    rights_hint,
)
from .marks import backend, indexer_of, install_session_hooks
from .query import compile_for  # the callers' one entry: TicketSQL + index

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


def _may_read_comments_somewhere(user: User) -> bool | None:
    """True everywhere, False nowhere, None on some tickets only."""
    if not user.privileged:
        return False  # as in RT, comments are never shown to requesters
    held = rights_of(user)
    if held.queues_with("ShowTicketComments") is None:
        return True
    if held.queues_with("ShowTicketComments") or held.roles_with("ShowTicketComments"):
        return None
    return False


def search(text: str, user: User, statuses=None) -> Hits:
    """Return the ids of tickets matching the words for this user.

    Comment text counts only on tickets where the user holds ShowTicketComments. Raises
    IndexUnavailable while the index is missing, corrupt or being rebuilt, FullTextRefused
    for words the engine will not run (too long, too deep, too many). `statuses`, when
    the query also asks for them, lets the index skip other tickets early (a hint).
    """
    check_words(text)
    comments = _may_read_comments_somewhere(user)
    if backend() == "postgresql":
        return postgresql.search(text, user, comments)
    indexer_of(current_app).ensure_running()
    limit = current_app.config["RTSUIVI_SEARCH_TIME_LIMIT"]
    held = rights_of(user)
    visible = rights_hint(held, "ShowTicket", user.id)
    if comments is True:
        return query_ids(text, ALL_FIELDS, limit, statuses, both(visible))
    memo = {}
    public = query_ids(text, PUBLIC_FIELDS, limit, statuses, both(visible), memo)
    if comments is False:
        return public
    # One word or one phrase matches within one field: the comments field alone tells what
    # comments add (cheap). Several words may match across fields: ask all of them.
    fields = ("comments",) if is_single_unit(text) else ALL_FIELDS
    everything = query_ids(text, fields, limit, statuses,
                           both(visible, rights_hint(held, "ShowTicketComments", user.id)),
                           memo)
    extra = everything.ids - public.ids
    if extra:
        readable = db.session.scalars(select(Ticket.id).where(
            id_in(Ticket.id, extra, "extra"),
            visible_tickets_filter(user, "ShowTicketComments")))
        public.ids |= set(readable)
    public.truncated |= everything.truncated
    return public
