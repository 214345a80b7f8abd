"""Live collaboration on the ticket page (issue 15): who else has it open, what changed since.

The page asks every few seconds (htmx polling; docs/architecture.md says why not server-sent
events). A poll costs one indexed SELECT — the agents seen on the ticket within the window
and the ticket's last transaction id — plus an upsert of the poller's own row at most every
RTSUIVI_PRESENCE_WRITE_SECONDS. Presence lives in the database (`ticket_presence`), so every
worker process of every machine sees the same viewers.
"""
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Ticket, TicketPresence, Transaction, User, utcnow
from . import DomainError
from .reads import Read, read_rows


@dataclass(frozen=True, order=True)
class Viewer:
    name: str
    id: int


@dataclass
class Live:
    """What the live box shows: `since` is the state the page's history shows, `latest` the
    ticket's last transaction id, `changes` the entries by others since `since`."""
    since: int
    latest: int
    viewers: list[Viewer]
    changes: list[Transaction] = field(default_factory=list)
    described: dict = field(default_factory=dict)  # for the history macro
    unchanged: bool = False

    @property
    def who(self) -> str:
        return ",".join(str(v.id) for v in self.viewers)


class Stale(DomainError):
    """A form written on an older state of the ticket: nothing was written."""


def settings() -> dict:
    """The poll interval, the presence window and the write interval, in seconds."""
    config = current_app.config
    return {"poll": float(config.get("RTSUIVI_LIVE_POLL_SECONDS", 10)),
            "window": float(config.get("RTSUIVI_PRESENCE_SECONDS", 45)),
            "write": float(config.get("RTSUIVI_PRESENCE_WRITE_SECONDS", 15))}


# Built once (every view and every poll of a ticket asks): the last transaction's id, and
# who was seen on the ticket since the start of the presence window. On the tables'
# columns: Core, no ORM compile step per view.
_TICKETS, _SEEN, _USERS = Ticket.__table__.c, TicketPresence.__table__.c, User.__table__.c
_LOOK = (select(select(func.max(Transaction.__table__.c.id))
                .where(Transaction.__table__.c.ticket_id == bindparam("ticket_id"))
                .scalar_subquery(),
                _USERS.id, _USERS.name, _USERS.real_name, _SEEN.seen)
         .select_from(Ticket.__table__)
         .outerjoin(TicketPresence.__table__, and_(_SEEN.ticket_id == _TICKETS.id,
                                                   _SEEN.seen >= bindparam("since")))
         .outerjoin(User.__table__, _USERS.id == _SEEN.user_id)
         .where(_TICKETS.id == bindparam("ticket_id")))


def look(ticket: Ticket, user: User, write: bool = True, now=None) -> Live:
    """Read who else has the ticket open and its last transaction id (one query); note the
    user's own visit, at most once per write interval."""
    now, limits = now or utcnow(), settings()
    rows = read_rows(look_read(ticket, now))
    mine = next((row.seen for row in rows if row.id == user.id), None)
    if write and (mine is None or mine <= now - timedelta(seconds=limits["write"])):
        _note_visit(ticket.id, user.id, now)
    viewers = sorted(Viewer(row.real_name or row.name, row.id) for row in rows
                     if row.id is not None and row.id != user.id)
    latest = rows[0][0] or 0 if rows else 0
    return Live(since=latest, latest=latest, viewers=viewers)


def look_read(ticket: Ticket, now=None) -> Read:
    """look's statement, which the ticket page reads with others (reads.py). Its key leaves
    out the window's start: read a few milliseconds apart, the same viewers."""
    since = (now or utcnow()) - timedelta(seconds=settings()["window"])
    return Read(("presence", ticket.id), _LOOK, {"ticket_id": ticket.id, "since": since})


def _note_visit(ticket_id: int, user_id: int, now) -> None:
    """Upsert the (ticket, user) row in its own short transaction, committed at once.

    A heartbeat is not part of the request's work: written apart, a poll (a GET) never
    turns its read into a write, which on SQLite would fail rather than wait ("database is
    locked" when another writer committed since the read began) and on PostgreSQL would
    hold the row until the request ends. One statement, whatever other workers do.
    """
    engine = db.session.get_bind()
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(TicketPresence).values(ticket_id=ticket_id, user_id=user_id, seen=now)
    with engine.begin() as connection:
        connection.execute(statement.on_conflict_do_update(
            index_elements=["ticket_id", "user_id"], set_={"seen": now}))


def poll(ticket: Ticket, user: User, since: int, seen: int, who: str, now=None) -> Live:
    """Answer the live box's poll: `unchanged` when the page already shows the viewers
    `who` and the ticket's state `seen`; else the changes by others since `since`."""
    live = look(ticket, user, now=now)
    live.since = min(since, live.latest)
    if live.latest <= seen and live.who == who:
        live.unchanged = True
        return live
    if live.latest > since:
        live.changes = changes_since(ticket, user, since)
    return live


def changes_since(ticket: Ticket, user: User, since: int) -> list[Transaction]:
    """Return the history entries after `since` written by others that the user may read
    (domain/reading.py), oldest first."""
    from .reading import transactions_condition
    return list(db.session.scalars(
        select(Transaction).where(Transaction.ticket_id == ticket.id, Transaction.id > since,
                                  Transaction.creator_id != user.id,
                                  transactions_condition(user, ticket))
        .options(selectinload(Transaction.attachments)).order_by(Transaction.id)))


def catch_up(ticket: Ticket, user: User, since: int) -> tuple[Live, set[str]]:
    """Bring the page up to date: the live box without notice, and the page parts the
    entries since `since` changed (domain/tickets/events.py)."""
    from .tickets.events import parts_of
    live = look(ticket, user, write=False)
    entries = db.session.scalars(select(Transaction).where(
        Transaction.ticket_id == ticket.id, Transaction.id > since))
    return live, parts_of(entries, user)


def require_fresh(ticket: Ticket, actor: User, seen: int | None) -> None:
    """Refuse a form written before changes by others the actor has not seen.

    seen: the last transaction id the form showed (None: no check). Raises Stale; the form
    shows the changes and sends again with the new id (« Envoyer quand même »).
    """
    if seen is not None and changes_since(ticket, actor, seen):
        raise Stale(_l("Ce ticket a changé depuis que vous avez ouvert ce formulaire : lisez "
                       "les nouveautés ci-dessous, puis choisissez « Envoyer quand même » "
                       "ou modifiez votre message."))
