"""The ticket page's small reads in one round trip on PostgreSQL (rtsuivi/domain/reads.py):
the same rows as each statement alone, served once, forgotten at a write; the page shows
the same star, viewers, links and reminders, with fewer statements."""
import difflib
import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from rtsuivi.domain import bookmarks, presence, reads, reminders
from rtsuivi.domain.tickets import links, loading
from rtsuivi.extensions import db
from rtsuivi.models import utcnow
from tests.conftest import DATABASE_URL

ON_POSTGRESQL = DATABASE_URL.startswith("postgresql")
CSRF = re.compile(r'(name="csrf_token"[^>]*value|"X-CSRFToken": )"[^"]+"')


@pytest.fixture
def busy_ticket(desk, make_ticket):
    """A ticket alice starred, with a child ticket, a reminder, and bruno looking at it."""
    ticket, child = make_ticket(desk.support), make_ticket(desk.support, subject="Fils")
    bookmarks.toggle(desk.alice, ticket)
    links.add_link(ticket, desk.alice, "HasMember", child.id)
    reminders.add(ticket, desk.alice, "Relancer le fournisseur", desk.bruno,
                  utcnow() + timedelta(days=2))
    db.session.commit()
    presence.look(ticket, desk.bruno)  # writes bruno's visit, in its own transaction
    db.session.commit()  # SQLite: the next reads see it
    return ticket, child


def _page_reads(ticket, user):
    return [bookmarks.starred_read(user, ticket), presence.look_read(ticket),
            links.links_read(ticket), reminders.on_ticket_read(ticket),
            loading.history_read(ticket, user)]


def _statements():
    seen = []

    def count(*_args):
        seen.append(1)
    return seen, count


def test_read_together_gives_each_read_the_rows_its_own_statement_gives(desk, busy_ticket):
    ticket, child = busy_ticket
    alone = [db.session.execute(read.statement, read.params).all()
             for read in _page_reads(ticket, desk.alice)]
    assert alone[0] == [(True,)] and len(alone[2]) == 1 and len(alone[3]) == 1
    assert [row.type for row in alone[4]][:1] == ["Create"]
    assert any(row.id == desk.bruno.id for row in alone[1])
    db.session.rollback()

    reads.read_together(_page_reads(ticket, desk.alice))
    seen, count = _statements()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        together = [reads.read_rows(read) for read in _page_reads(ticket, desk.alice)]
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert together == alone
    assert [list(row._mapping) for row in together[3]] == [list(row._mapping)
                                                          for row in alone[3]]
    # PostgreSQL read them already, in one round trip; SQLite reads each when asked.
    assert len(seen) == (0 if ON_POSTGRESQL else 5)
    assert together[2][0].target_id == child.id or together[2][0].base_id == child.id


def test_kept_rows_serve_once_and_a_write_forgets_them(desk, busy_ticket):
    ticket, _child = busy_ticket
    read = reminders.on_ticket_read(ticket)
    reads.read_together(_page_reads(ticket, desk.alice))
    reminders.add(ticket, desk.alice, "Deuxième rappel", desk.alice,
                  utcnow() + timedelta(days=3))  # flushes: the kept rows are stale
    assert [row.subject for row in reads.read_rows(read)] == [
        "Relancer le fournisseur", "Deuxième rappel"]
    db.session.rollback()

    reads.read_together(_page_reads(ticket, desk.alice))
    first = reads.read_rows(read)
    seen, count = _statements()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert reads.read_rows(read) == first  # asked again: read again
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(seen) == 1


def test_a_statement_whose_values_sqlalchemy_converts_runs_alone(desk, busy_ticket):
    """An IN list is expanded at execution: it never goes through the pipeline."""
    from sqlalchemy import bindparam, select

    from rtsuivi.models import User
    statement = select(User.__table__.c.name).where(
        User.__table__.c.id.in_(bindparam("ids", expanding=True)))
    dialect = db.session.connection().dialect
    assert reads._compiled(statement, dialect) is None  # noqa: SLF001
    read = reads.Read(("names",), statement, {"ids": [desk.alice.id]})
    reads.read_together([read, reminders.on_ticket_read(busy_ticket[0])])
    assert reads.read_rows(read) == [("alice",)]


def test_the_ticket_page_shows_the_same_boxes_with_fewer_statements(
        desk, busy_ticket, login_as, monkeypatch):
    ticket, child = busy_ticket
    client = login_as(desk.alice)

    def page():
        seen, count = _statements()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            html = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return CSRF.sub("", html), len(seen)
    page()  # what the process keeps (rights, owner names) read once
    together, fewer = page()
    monkeypatch.setattr(reads, "read_together", lambda _reads: None)
    alone, more = page()
    assert together == alone, "".join(difflib.unified_diff(
        alone.splitlines(True), together.splitlines(True), "alone", "together", n=1))
    assert "Retirer des favoris" in together  # alice's star
    assert "Bruno Lefèvre" in together  # bruno has it open
    assert f"/tickets/{child.id}" in together and "Relancer le fournisseur" in together
    # The history, the star, the viewers, the links, the reminders: one pipeline (with the
    # sent mails, which alice, without ShowOutgoingEmail, does not read on her own).
    assert more - fewer == (5 if ON_POSTGRESQL else 0)
