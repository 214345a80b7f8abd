"""« Favoris »: each user's starred tickets (RT's bookmarks, `id = '__Bookmarked__'`).

A star needs only to see the ticket (the caller loads it through load_visible); lists show
starred tickets through the rights filter, so a ticket moved out of sight drops out.
"""
from sqlalchemy import bindparam, delete, exists, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Bookmark, Ticket, User
from .queries import Page, paginate
from .reads import Read, read_rows
from .rights import visible_tickets_filter


def toggle(user: User, ticket: Ticket) -> bool:
    """Star the ticket, or take its star away; return whether it is starred now."""
    removed = db.session.execute(delete(Bookmark).where(
        Bookmark.user_id == user.id, Bookmark.ticket_id == ticket.id)).rowcount
    if removed:
        return False
    try:
        with db.session.begin_nested():  # a double click's other request may insert first
            db.session.add(Bookmark(user_id=user.id, ticket_id=ticket.id))
    except IntegrityError:
        pass  # starred already: the same outcome
    return True


def is_starred(user: User, ticket: Ticket) -> bool:
    """Tell whether the user starred the ticket."""
    return read_rows(starred_read(user, ticket))[0][0]


def starred_read(user: User, ticket: Ticket) -> Read:
    """is_starred's statement, which the ticket page reads with others (reads.py)."""
    return Read(("starred", user.id, ticket.id), _STARRED,
                {"user_id": user.id, "ticket_id": ticket.id})


# Built once: the ticket page asks on every view (a get() that misses cost 80 µs).
_STARRED = select(exists().where(Bookmark.user_id == bindparam("user_id"),
                                 Bookmark.ticket_id == bindparam("ticket_id")))


def starred_among(user: User, ticket_ids) -> set[int]:
    """Which of these tickets the user starred, in one query (a list draws its stars)."""
    ids = sorted(set(ticket_ids))
    if not ids or user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(db.session.scalars(select(Bookmark.ticket_id).where(
        Bookmark.user_id == user.id, Bookmark.ticket_id.in_(ids))))


def starred_condition(user: User):
    """A SQL condition on Ticket: starred by the user (TicketSQL's __Bookmarked__)."""
    return Ticket.id.in_(select(Bookmark.ticket_id).where(Bookmark.user_id == user.id))


def starred_tickets(user: User, page: int = 1, per_page: int = 50) -> Page:
    """One page of « Mes favoris »: the starred tickets the user may see, newest change first."""
    return paginate([visible_tickets_filter(user), starred_condition(user)],
                    [("updated", "desc")], page, per_page)
