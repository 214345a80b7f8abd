"""Full-text index, quick search, advanced search, saved searches, CSV and bulk update."""
import os
import threading
import time

import pytest
from sqlalchemy import func, select
from whoosh import index as whoosh_index

from rtsuivi import search
from rtsuivi.domain import accounts
from rtsuivi.domain import tickets as domain
from rtsuivi.extensions import db
from rtsuivi.models import SearchMark


@pytest.fixture
def indexed(app, tmp_path):
    """Index into a fresh folder, synchronously after each commit."""
    app.config.update(RTSUIVI_INDEX_DIR=str(tmp_path / "index"), RTSUIVI_INDEX_MODE="inline",
                      RTSUIVI_INDEX_LOCK_TIMEOUT=0.5)
    return tmp_path / "index"


def marks():
    db.session.commit()  # end the read snapshot: the indexer works in its own session
    return db.session.scalar(select(func.count()).select_from(SearchMark))


def find(text, user):
    return search.search(text, user).ids


# ---------------------------------------------------------------- marks

def test_a_change_marks_its_ticket_in_the_same_transaction(desk, make_ticket):
    ticket = make_ticket(desk.support)
    before = marks()
    assert before >= 1
    domain.comment(ticket, desk.alice, "Un commentaire")
    db.session.rollback()
    assert marks() == before  # the mark went away with the change
    domain.comment(ticket, desk.alice, "Un commentaire")
    db.session.commit()
    assert marks() == before + 1
    assert db.session.scalars(select(SearchMark.ticket_id)).all()[-1] == ticket.id


def test_drain_indexes_then_clears_marks(app, desk, make_ticket, tmp_path):
    app.config["RTSUIVI_INDEX_DIR"] = str(tmp_path / "index")
    ticket = make_ticket(desk.support, subject="Scanner bloqué au sous-sol")
    assert marks() >= 1
    search.drain()
    assert marks() == 0
    assert find("scanner", desk.alice) == {ticket.id}


# ---------------------------------------------------------------- freshness

def test_each_action_is_visible_in_search_after_commit(indexed, desk, make_ticket, login_as):
    ticket = make_ticket(desk.support, requestors=[desk.denise], subject="Souris cassée")
    assert find("souris", desk.alice) == {ticket.id}
    client = login_as(desk.alice)
    client.post(f"/tickets/{ticket.id}/update",
                data={"kind": "reply", "content": "Remplacement par un trackball"})
    assert find("trackball", desk.alice) == {ticket.id}
    client.post(f"/tickets/{ticket.id}/edit", data={"subject": "Souris remplacée",
                                                    "priority": "3"})
    assert find("remplacee", desk.alice) == {ticket.id}
    assert find("cassee", desk.alice) == set()
    db.session.delete(db.session.get(type(ticket), ticket.id))
    db.session.commit()
    assert find("trackball", desk.alice) == set()


def test_new_requestor_is_searchable(indexed, desk, make_ticket):
    ticket = make_ticket(desk.support)
    gaston = accounts.find_or_create_by_email("gaston.lagaffe@example.org")
    domain.add_watcher(ticket, desk.alice, "Requestor", gaston)
    db.session.commit()
    assert find("lagaffe", desk.alice) == {ticket.id}


def test_thread_mode_shows_a_reply_within_two_seconds(indexed, app, desk, make_ticket):
    app.config["RTSUIVI_INDEX_MODE"] = "thread"
    indexer = app.extensions["rtsuivi_indexer"]
    try:
        ticket = make_ticket(desk.support)
        domain.reply(ticket, desk.alice, "Le serveur zanzibar redémarre")
        db.session.commit()
        start = time.monotonic()
        while time.monotonic() - start < 2:
            try:
                if find("zanzibar", desk.alice) == {ticket.id}:
                    break
            except search.IndexUnavailable:
                pass
            time.sleep(0.05)
        assert find("zanzibar", desk.alice) == {ticket.id}
    finally:
        indexer.stop()


def test_a_held_index_lock_never_fails_the_request(indexed, desk, make_ticket, login_as):
    ticket = make_ticket(desk.support)
    search.drain()
    holder = whoosh_index.open_dir(str(indexed)).writer()  # another worker is writing
    try:
        client = login_as(desk.alice)
        response = client.post(f"/tickets/{ticket.id}/update",
                                data={"kind": "reply", "content": "Mot introuvable quokka"})
        assert response.status_code == 302
        assert marks() >= 1  # kept for later, not lost
    finally:
        holder.cancel()
    search.drain()
    assert marks() == 0
    assert find("quokka", desk.alice) == {ticket.id}


# ---------------------------------------------------------------- comments and rights

@pytest.fixture
def commented(indexed, desk, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise], subject="Poste lent",
                         content="Mon poste est lent")
    domain.comment(ticket, desk.alice, "Le disque est mort, ornithorynque")
    db.session.commit()
    return ticket


def test_agent_with_show_ticket_comments_matches_comment_text(commented, desk):
    assert find("ornithorynque", desk.alice) == {commented.id}


def test_requester_never_matches_comment_text(commented, desk):
    accounts.grant("role:Requestor", "ShowTicketComments")  # even if someone grants it
    db.session.commit()
    assert find("ornithorynque", desk.denise) == set()
    assert find("lent", desk.denise) == {commented.id}


def test_agent_without_show_ticket_comments_never_matches_comment_text(commented, make_user,
                                                                        desk):
    viewer = make_user("viewer", rights=["ShowTicket", "SeeQueue"], on=desk.support)
    assert find("ornithorynque", viewer) == set()
    assert find("ornithorynque lent", viewer) == set()  # no mixing public and comment words
    assert find("lent", viewer) == {commented.id}


def test_a_field_prefix_cannot_reach_the_comments(commented, make_user, desk):
    viewer = make_user("viewer", rights=["ShowTicket", "SeeQueue"], on=desk.support)
    assert find("comments:ornithorynque", viewer) == set()


def test_comment_right_through_a_role_applies_to_that_ticket_only(indexed, desk, make_ticket,
                                                                  make_user):
    watcher = make_user("watcher", rights=["ShowTicket", "SeeQueue"], on=desk.support)
    accounts.grant("role:AdminCc", "ShowTicketComments", desk.support)
    mine = make_ticket(desk.support, admin_cc=[watcher])
    other = make_ticket(desk.support)
    for t in (mine, other):
        domain.comment(t, desk.alice, "capybara")
    db.session.commit()
    assert find("capybara", watcher) == {mine.id}


# ---------------------------------------------------------------- damaged index

def test_corrupt_index_is_set_aside_and_rebuilt(indexed, desk, make_ticket):
    ticket = make_ticket(desk.support, subject="Photocopieuse en feu")
    assert find("photocopieuse", desk.alice) == {ticket.id}
    for name in os.listdir(indexed):
        if not name.endswith(".lock"):
            (indexed / name).write_bytes(b"\x00garbage" * 50)
    search.index._searchers.__dict__.clear()  # as a freshly started worker would
    with pytest.raises(search.IndexUnavailable):
        find("photocopieuse", desk.alice)
    search.drain()  # the indexer sees the rebuild flag
    assert find("photocopieuse", desk.alice) == {ticket.id}


def test_missing_index_is_rebuilt(indexed, desk, make_ticket, app):
    ticket = make_ticket(desk.support, subject="Badge perdu")
    app.config["RTSUIVI_INDEX_MODE"] = "off"
    import shutil
    shutil.rmtree(indexed)
    with pytest.raises(search.IndexUnavailable):
        find("badge", desk.alice)
    search.drain()
    assert find("badge", desk.alice) == {ticket.id}


def test_reindex_cli_rebuilds_with_progress(app, desk, make_ticket, tmp_path):
    app.config["RTSUIVI_INDEX_DIR"] = str(tmp_path / "index")
    tickets = [make_ticket(desk.support, subject=f"Ticket numéro {n} gnou") for n in range(3)]
    result = app.test_cli_runner().invoke(args=["rtsuivi", "reindex"])
    assert result.exit_code == 0, result.output
    assert "3 ticket(s) indexed" in result.output and "Indexing tickets" in result.output
    assert marks() == 0
    assert find("gnou", desk.alice) == {t.id for t in tickets}


def test_index_pending_cli_drains_marks(app, desk, make_ticket, tmp_path):
    app.config["RTSUIVI_INDEX_DIR"] = str(tmp_path / "index")
    make_ticket(desk.support)
    result = app.test_cli_runner().invoke(args=["rtsuivi", "index-pending"])
    assert result.exit_code == 0 and "indexed" in result.output
    assert marks() == 0
