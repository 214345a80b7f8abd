"""Full-text index, quick search, advanced search, saved searches, CSV and bulk update."""
import os

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


def test_one_mark_per_ticket_and_transaction_but_not_across_a_savepoint(desk, make_ticket):
    """Several flushes touching a ticket in one transaction mark it once; a mark written
    inside a savepoint that is rolled back is written again by the next change."""
    ticket = make_ticket(desk.support)
    before = marks()
    domain.comment(ticket, desk.alice, "Premier")
    db.session.flush()
    domain.comment(ticket, desk.alice, "Deuxième")
    db.session.flush()
    domain.reply(ticket, desk.alice, "Troisième")
    db.session.commit()
    assert marks() == before + 1
    savepoint = db.session.begin_nested()
    domain.comment(ticket, desk.alice, "Annulé")
    db.session.flush()
    savepoint.rollback()
    domain.comment(ticket, desk.alice, "Gardé")
    db.session.commit()
    assert marks() == before + 2


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
        assert indexer.idle.wait(2), "the indexer thread did not finish its round in 2 s"
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


def test_incremental_commits_never_rewrite_the_big_segment(indexed, desk, make_ticket,
                                                          monkeypatch):
    from rtsuivi.search import index as search_index
    monkeypatch.setattr(search_index.writer, "SMALL_SEGMENT_DOCS", 3)  # read there
    tickets = [make_ticket(desk.support, subject=f"Lot {n} ornithorynque") for n in range(4)]
    search.rebuild()

    def segments():
        return {s.segment_id(): s.doc_count_all()
                for s in whoosh_index.open_dir(str(indexed))._segments()}
    big = {name for name, docs in segments().items() if docs >= 4}
    assert len(big) == 1
    for n in range(12):  # twelve small commits: the small segments merge, the big one stays
        domain.comment(tickets[0], desk.alice, f"note {n}")
        db.session.commit()
        assert big <= set(segments())
    assert len(segments()) <= 1 + 2 * search_index.SEGMENTS_PER_TIER
    assert find("ornithorynque", desk.alice) == {t.id for t in tickets}


def test_index_pending_cli_drains_marks(app, desk, make_ticket, tmp_path):
    app.config["RTSUIVI_INDEX_DIR"] = str(tmp_path / "index")
    make_ticket(desk.support)
    result = app.test_cli_runner().invoke(args=["rtsuivi", "index-pending"])
    assert result.exit_code == 0 and "indexed" in result.output
    assert marks() == 0


# ---------------------------------------------------------------- quick search (web)

@pytest.fixture
def desk_tickets(indexed, desk, make_ticket):
    """Three tickets in Support (one with a private comment), one in Info alice cannot see."""
    printer = make_ticket(desk.support, requestors=[desk.denise], subject="Imprimante bloquée",
                          content="Le toner fuit partout")
    vpn = make_ticket(desk.support, subject="VPN coupé", content="Le tunnel tombe")
    closed = make_ticket(desk.support, subject="Imprimante réparée", status="resolved")
    hidden = make_ticket(desk.info, subject="Imprimante de la direction",
                         content="Le toner fuit aussi")
    domain.comment(vpn, desk.alice, "Routeur toner?? non, pare-feu")
    db.session.commit()
    return printer, vpn, closed, hidden


def result_ids(response):
    import re
    return {int(n) for n in re.findall(r'name="ids" value="(\d+)"', response.plain)}


def test_quick_search_number_opens_the_ticket(desk, login_as, desk_tickets):
    client = login_as(desk.alice)
    response = client.get(f"/recherche?q=%23{desk_tickets[0].id}")
    assert response.status_code == 302
    assert response.location.endswith(f"/tickets/{desk_tickets[0].id}")


def test_quick_search_words_list_active_visible_tickets(desk, login_as, desk_tickets,
                                                        make_user):
    printer, vpn, closed, hidden = desk_tickets
    accounts.grant("user:alice", "ShowSearchBulkUpdate")
    db.session.commit()
    client = login_as(desk.alice)
    response = client.get("/recherche?q=imprimante", follow_redirects=True)
    assert response.status_code == 200
    assert result_ids(response) == {printer.id}  # not resolved, not another queue's
    assert "1 ticket" in response.plain and "Content LIKE 'imprimante'" in response.plain
    response = client.get("/recherche?q=toner", follow_redirects=True)
    assert result_ids(response) == {printer.id, vpn.id}  # body and alice's comment
    response = client.get("/recherche?q=imprimante+status:any", follow_redirects=True)
    assert result_ids(response) == {printer.id, closed.id}


def test_search_never_counts_a_ticket_the_user_may_not_see(desk, login_as, desk_tickets):
    client = login_as(desk.chloe)  # Info only
    response = client.get("/recherche/resultats?query=Subject+LIKE+'imprimante'")
    assert "1 ticket" in response.plain
    assert "direction" in response.plain and "bloquée" not in response.plain
    response = client.get("/recherche/resultats?query=id+%3E+0+AND+Status+!%3D+'x'")
    assert "1 ticket" in response.plain


def test_requester_cannot_use_agent_search(desk, login_as, desk_tickets):
    client = login_as(desk.denise)
    response = client.get("/recherche/resultats?query=Content+LIKE+'pare-feu'")
    assert response.status_code == 302 and response.location.startswith("/demandes")


def test_suggestions_are_a_fragment_only_for_htmx(desk, login_as, desk_tickets):
    printer, *_ = desk_tickets
    client = login_as(desk.alice)
    response = client.hx_get("/recherche/suggestions?q=impri")
    assert response.status_code == 200 and "<html" not in response.plain
    assert f"#{printer.id}" in response.plain and "direction" not in response.plain
    assert client.get("/recherche/suggestions?q=impri").status_code == 302
    assert "Aucun ticket" in client.hx_get("/recherche/suggestions?q=zzzzz").plain


def test_every_agent_page_has_the_quick_search_box(desk, login_as):
    client = login_as(desk.alice)
    for url in ("/accueil", "/files/", "/recherche/avancee"):
        assert 'id="quick-search"' in client.get(url).plain, url


# ---------------------------------------------------------------- results, errors, CSV

def test_invalid_ticketsql_shows_the_position_and_runs_nothing(desk, login_as, desk_tickets):
    client = login_as(desk.alice)
    response = client.get("/recherche/resultats?query=Status+%3D+'open'+Queue")
    assert response.status_code == 200
    assert "Requête invalide" in response.plain and "caractère 17" in response.plain
    assert "<mark>Q</mark>" in response.get_data(as_text=True)
    assert 'name="ids"' not in response.plain


def test_results_page_and_fragment(desk, login_as, desk_tickets):
    client = login_as(desk.alice)
    url = "/recherche/resultats?query=Queue+%3D+'Support'&columns=id&columns=subject&rows=10"
    page = client.get(url)
    assert "<html" in page.plain and 'id="search-results"' in page.plain
    fragment = client.hx_get(url)
    assert "<html" not in fragment.plain and 'id="search-results"' in fragment.plain
    assert "Statut" not in fragment.plain.split('id="search-results"')[1].split("</thead>")[0]


def test_results_paginate_with_total_and_sort(desk, login_as, make_ticket, indexed):
    for n in range(12):
        make_ticket(desk.support, subject=f"Lot {n:02d}", priority=n)
    client = login_as(desk.alice)
    response = client.get("/recherche/resultats?query=Subject+LIKE+'Lot'&rows=10"
                          "&order=priority:desc&columns=id&columns=subject")
    assert "12 tickets" in response.plain and "Page 1 sur 2" in response.plain
    text = response.plain
    assert text.index("Lot 11") < text.index("Lot 10") < text.index("Lot 02")
    assert "Lot 01" not in text
    second = client.get("/recherche/resultats?query=Subject+LIKE+'Lot'&rows=10"
                        "&order=priority:desc&page=2")
    assert "Lot 01" in second.plain and "Lot 00" in second.plain


def test_csv_export_holds_the_visible_results(desk, login_as, desk_tickets):
    import csv
    printer, vpn, closed, hidden = desk_tickets
    client = login_as(desk.alice)
    response = client.get("/recherche/resultats.csv?query=Requestor+%3D+'denise'"
                          "&columns=id&columns=subject&columns=requestors&order=id:asc")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(response.get_data(as_text=True).splitlines()))
    assert rows[0] == ["#", "Sujet", "Demandeurs"]
    assert rows[1:] == [[str(printer.id), "Imprimante bloquée", "denise@example.org"]]
    bad = client.get("/recherche/resultats.csv?query=Foo+%3D+1")
    assert bad.status_code == 400


# ---------------------------------------------------------------- builder

def builder_form(**extra):
    form = {"groups": "1", "join": "AND", "g-0-join": "AND",
            "g-0-field": ["Subject", "Status"], "g-0-op": ["LIKE", "="],
            "g-0-value": ["imprimante", "open"], "columns": ["id", "subject"],
            "order": ["priority:desc", ""], "rows": "25"}
    form.update(extra)
    return form


def test_builder_composes_ticketsql_and_adds_rows(desk, login_as):
    client = login_as(desk.alice)
    response = client.post("/recherche/avancee", htmx=True,
                           data=builder_form(action="add_row:0"))
    assert response.status_code == 200 and "<html" not in response.plain
    assert "Subject LIKE 'imprimante' AND Status = 'open'" in response.plain
    assert response.plain.count('name="g-0-field"') == 3
    response = client.post("/recherche/avancee", htmx=True,
                           data=builder_form(action="add_group"))
    assert 'id="group-1"' in response.plain
    page = client.post("/recherche/avancee", data=builder_form(action="to_sql"))
    assert "<html" in page.plain


def test_builder_reads_ticketsql_back_into_groups(desk, login_as):
    client = login_as(desk.alice)
    query = "(Queue = 'Support' OR Queue = 'Info') AND Priority > 3"
    response = client.post("/recherche/avancee", htmx=True,
                           data={"query": query, "action": "from_sql"})
    assert 'id="group-1"' in response.plain
    assert response.plain.count('name="g-0-value"') == 2
    assert 'value="Support"' in response.plain and 'value="3"' in response.plain
    bad = client.post("/recherche/avancee", htmx=True,
                      data={"query": "Queue = ", "action": "from_sql"})
    assert "Requête invalide" in bad.plain


def test_builder_search_goes_to_results(desk, login_as):
    client = login_as(desk.alice)
    response = client.post("/recherche/avancee", data=builder_form(action="search"))
    assert response.status_code == 302 and "/recherche/resultats" in response.location
    assert "rows=25" in response.location and "order=priority:desc" in response.location
    response = client.post("/recherche/avancee", htmx=True, data=builder_form(action="search"))
    assert response.status_code == 204 and "/recherche/resultats" in response.headers["HX-Redirect"]


# ---------------------------------------------------------------- saved searches

@pytest.fixture
def searchers(desk):
    for right in ("LoadSavedSearch", "CreateSavedSearch", "ShowSavedSearches"):
        accounts.grant("group:N1", right)
    db.session.commit()
    return desk


def test_private_saved_search_is_its_owners_only(searchers, login_as):
    desk = searchers
    client = login_as(desk.alice)
    response = client.post("/recherche/avancee", data=builder_form(
        action="save", save_name="Mes imprimantes", save_privacy="user"))
    assert response.status_code == 302
    page = client.get("/recherche/avancee")
    assert "Mes imprimantes" in page.plain and "Recherche enregistrée." in page.plain
    from rtsuivi.models import SavedSearch
    saved = db.session.scalar(select(SavedSearch))
    assert saved.query == "Subject LIKE 'imprimante' AND Status = 'open'"
    loaded = client.get(f"/recherche/avancee?saved={saved.id}")
    assert 'value="imprimante"' in loaded.plain and "Mes imprimantes" in loaded.plain
    assert client.get(f"/recherche/resultats?saved={saved.id}").status_code == 200
    bruno = login_as(desk.bruno)
    assert "Mes imprimantes" not in bruno.get("/recherche/avancee").plain
    assert bruno.get(f"/recherche/avancee?saved={saved.id}").status_code == 404
    assert bruno.post(f"/recherche/enregistrees/{saved.id}/supprimer").status_code == 404


def test_group_saved_search_is_shared_with_members(searchers, login_as):
    desk = searchers
    group = desk.alice.groups[0]
    client = login_as(desk.alice)
    client.post("/recherche/avancee", data=builder_form(
        action="save", save_name="File N1", save_privacy=f"group:{group.id}"))
    assert "File N1" in login_as(desk.bruno).get("/recherche/avancee").plain
    assert "File N1" not in login_as(desk.chloe).get("/recherche/avancee").plain
    accounts.grant("group:N2", "CreateSavedSearch")
    db.session.commit()
    chloe = login_as(desk.chloe)
    response = chloe.post("/recherche/avancee", data=builder_form(
        action="save", save_name="Pas à moi", save_privacy=f"group:{group.id}"))
    assert response.status_code == 302
    from rtsuivi.models import SavedSearch
    assert db.session.scalar(select(func.count()).select_from(SavedSearch)) == 1


def test_saving_without_the_right_is_refused(desk, login_as):
    client = login_as(desk.alice)  # no CreateSavedSearch
    response = client.post("/recherche/avancee", htmx=True, data=builder_form(
        action="save", save_name="x", save_privacy="user"))
    assert response.status_code == 403
    response = client.post("/recherche/avancee", data=builder_form(
        action="save", save_name="x", save_privacy="system"))
    assert response.status_code == 403
    from rtsuivi.domain import Forbidden, saved_searches
    from rtsuivi.domain.saved_searches import SearchSpec
    from rtsuivi.models import SavedSearch
    for privacy in ("user", "system"):  # the rule the pages hit: the domain's require()
        with pytest.raises(Forbidden):
            saved_searches.save(desk.alice, "x", privacy, SearchSpec("id > 0"))
    assert db.session.scalar(select(func.count()).select_from(SavedSearch)) == 0


def test_system_saved_search_needs_superuser(searchers, login_as, make_user):
    admin = make_user("admin", rights=["SuperUser"])
    login_as(admin).post("/recherche/avancee", data=builder_form(
        action="save", save_name="Toutes les ouvertes", save_privacy="system"))
    assert "Toutes les ouvertes" in login_as(searchers.bruno).get("/recherche/avancee").plain
    client = login_as(searchers.bruno)
    from rtsuivi.models import SavedSearch
    saved = db.session.scalar(select(SavedSearch))
    assert client.post(f"/recherche/enregistrees/{saved.id}/supprimer").status_code == 403
    response = login_as(admin).post(f"/recherche/enregistrees/{saved.id}/supprimer", htmx=True)
    assert response.status_code == 204 and response.headers["HX-Redirect"]
    assert db.session.scalar(select(func.count()).select_from(SavedSearch)) == 0


# ---------------------------------------------------------------- bulk update

@pytest.fixture
def bulk_desk(desk, make_ticket, make_user):
    accounts.grant("group:N1", "ShowSearchBulkUpdate")
    # bruno may comment in Support but not modify: refusals per ticket
    limited = make_user("limited", rights=["ShowTicket", "SeeQueue", "CommentOnTicket"],
                        on=desk.support)
    accounts.grant("user:limited", "ShowSearchBulkUpdate")
    db.session.commit()
    a = make_ticket(desk.support, subject="Premier")
    b = make_ticket(desk.support, subject="Second")
    hidden = make_ticket(desk.info, subject="Caché")
    return a, b, hidden, limited


def test_bulk_update_changes_each_ticket_and_reports_it(desk, login_as, bulk_desk):
    a, b, hidden, _ = bulk_desk
    client = login_as(desk.alice)
    response = client.post("/recherche/modifier", htmx=True, data={
        "ids": [str(a.id), str(b.id), str(hidden.id)], "owner": "bruno", "status": "open",
        "priority": "7", "add_cc": "zoe@example.org", "message_kind": "comment",
        "message": "Traitement groupé"})
    assert response.status_code == 200 and "<html" not in response.plain
    assert "search-results-changed" in response.headers["HX-Trigger"]
    for t in (a, b):
        db.session.refresh(t)
        assert (t.owner.name, t.status, t.priority) == ("bruno", "open", 7)
        assert "zoe@example.org" in [w.user.email for w in t.watchers]
        assert any(x.type == "Comment" for x in t.transactions)
    report = response.plain
    assert f"#{a.id}" in report and "intervenant : Bruno Lefèvre" in report
    assert f"#{hidden.id}" in report and "Ticket introuvable" in report  # never disclosed
    db.session.refresh(hidden)
    assert hidden.priority == 0


def test_bulk_update_refusals_are_reported_per_ticket(desk, login_as, bulk_desk):
    a, b, _, limited = bulk_desk
    domain.take(b, desk.alice)
    db.session.commit()
    client = login_as(limited)
    response = client.post("/recherche/modifier", data={
        "ids": [str(a.id), str(b.id)], "priority": "9", "message": "Vu"})
    assert response.status_code == 200 and "<html" in response.plain
    assert response.plain.count("refusé") == 2 and "ModifyTicket" in response.plain
    for t in (a, b):
        db.session.refresh(t)
        assert t.priority == 0 and not any(x.type == "Comment" for x in t.transactions)
    comment_only = client.post("/recherche/modifier", data={"ids": [str(a.id)],
                                                            "message": "Vu"})
    assert "commentaire ajouté" in comment_only.plain


def test_bulk_update_moves_queue_only_where_allowed(desk, login_as, bulk_desk):
    a, *_ = bulk_desk
    client = login_as(desk.alice)  # no CreateTicket in Info
    response = client.post("/recherche/modifier", data={"ids": [str(a.id)],
                                                        "queue": str(desk.info.id)})
    assert "refusé" in response.plain and "CreateTicket" in response.plain
    accounts.grant("group:N1", "CreateTicket", desk.info)
    db.session.commit()
    response = client.post("/recherche/modifier", data={"ids": [str(a.id)],
                                                        "queue": str(desk.info.id)})
    assert "file : Info" in response.plain
    db.session.refresh(a)
    assert a.queue_id == desk.info.id


def test_bulk_update_needs_the_bulk_right(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    response = client.post("/recherche/modifier", htmx=True,
                           data={"ids": [str(ticket.id)], "priority": "5"})
    assert response.status_code == 403
    db.session.refresh(ticket)
    assert ticket.priority == 0


def test_search_page_while_the_index_rebuilds_is_never_a_500(app, desk, login_as,
                                                            desk_tickets, indexed):
    import shutil
    app.config["RTSUIVI_INDEX_MODE"] = "off"  # nobody rebuilds it during this test
    shutil.rmtree(indexed)
    client = login_as(desk.alice)
    response = client.get("/recherche?q=imprimante", follow_redirects=True)
    assert response.status_code == 200
    assert "cherché dans les sujets seulement" in response.plain
    assert "Imprimante bloquée" in response.plain and "direction" not in response.plain
    search.drain()
    response = client.get("/recherche?q=toner", follow_redirects=True)
    assert "reconstruction" not in response.plain and "Imprimante bloquée" in response.plain


def test_an_index_with_an_older_schema_is_rebuilt(indexed, app, desk, make_ticket):
    from whoosh.fields import ID, NUMERIC, Schema
    app.config["RTSUIVI_INDEX_MODE"] = "off"
    indexed.mkdir()
    old = whoosh_index.create_in(str(indexed), Schema(id=NUMERIC(stored=True), subject=ID))
    old.writer().commit()
    ticket = make_ticket(desk.support, subject="Onduleur qui bipe")
    search.index._searchers.__dict__.clear()
    with pytest.raises(search.IndexUnavailable):
        find("onduleur", desk.alice)
    search.drain()
    assert find("onduleur", desk.alice) == {ticket.id}


def test_comment_words_for_a_partial_right_single_and_several_words(indexed, desk,
                                                                    make_ticket, make_user):
    """Comments readable in one queue only: a word, a phrase or two words from the comment
    match there; words spread over message and comment too; never in the other queue."""
    reader = make_user("reader", rights=["ShowTicket", "SeeQueue"])
    accounts.grant("user:reader", "ShowTicketComments", desk.support)
    db.session.commit()
    here = make_ticket(desk.support, content="Le clavier est mort")
    there = make_ticket(desk.info, content="Le clavier est mort")
    for t, agent in ((here, desk.alice), (there, desk.chloe)):
        domain.comment(t, agent, "Commander un clavier ergonomique chez Dupont")
    db.session.commit()
    assert find("ergonomique", reader) == {here.id}
    assert find('"clavier ergonomique"', reader) == {here.id}
    assert find("ergonomique dupont", reader) == {here.id}
    assert find("mort ergonomique", reader) == {here.id}
    assert find("ergo*", reader) == {here.id}
    assert find("clavier", reader) == {here.id, there.id}


# ---------------------------------------------------- « Rechercher » runs the box (issue 9)

def form_fields(page_html: str, form_id: str = "search-builder") -> list[tuple[str, str]]:
    """The fields a browser would submit from the builder form (no button)."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__()
            self.fields, self.select, self.options, self.textarea = [], None, [], None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
                if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                    return
                self.fields.append((a["name"], a.get("value", "")))
            elif tag == "select":
                self.select, self.options = a.get("name"), []
            elif tag == "option" and self.select:
                self.options.append((a.get("value", ""), "selected" in a))
            elif tag == "textarea":
                self.textarea, self.text = a.get("name"), ""

        def handle_data(self, data):
            if self.textarea:
                self.text += data

        def handle_endtag(self, tag):
            if tag == "select" and self.select:
                chosen = [v for v, s in self.options if s] or [self.options[0][0]]
                self.fields.append((self.select, chosen[0]))
                self.select = None
            elif tag == "textarea" and self.textarea:
                self.fields.append((self.textarea, self.text.removeprefix("\n")))
                self.textarea = None

    reader = Reader()
    reader.feed(page_html.split(f'id="{form_id}"', 1)[1])
    return reader.fields


def submit(client, page, action, **changes):
    """Post the builder form of `page` as the browser does, with some fields retyped."""
    from werkzeug.datastructures import MultiDict
    fields = MultiDict(form_fields(page.get_data(as_text=True)))
    for name, value in changes.items():
        fields.setlist(name, value if isinstance(value, list) else [value])
    fields["action"] = action
    return client.post("/recherche/avancee", data=fields)


def ran_query(response):
    from urllib.parse import parse_qs, urlsplit
    assert response.status_code == 302, response.plain[:300]
    return parse_qs(urlsplit(response.location).query).get("query", [""])[0]


COMPLEX = "((Status = 'open' OR Status = 'new') AND Priority > 3) OR Subject LIKE 'VPN'"


def test_a_query_too_deep_for_the_builder_is_what_rechercher_runs(desk, login_as):
    client = login_as(desk.alice)
    page = client.get("/recherche/avancee", query_string={"query": COMPLEX})
    assert "trop complexe pour le constructeur" in page.plain
    assert ran_query(submit(client, page, "search")) == COMPLEX
    from rtsuivi.models import SavedSearch
    accounts.grant("group:N1", "CreateSavedSearch")
    accounts.grant("group:N1", "LoadSavedSearch")
    db.session.commit()
    page = client.get("/recherche/avancee", query_string={"query": COMPLEX})
    assert submit(client, page, "save", save_name="Profonde").status_code == 302
    assert db.session.scalar(select(SavedSearch.query)) == COMPLEX


def test_an_unreadable_query_typed_in_the_box_runs_nothing_and_shows_the_error(desk,
                                                                              login_as):
    client = login_as(desk.alice)
    page = client.get("/recherche/avancee",
                      query_string={"query": "Subject LIKE 'imprimante'"})
    response = submit(client, page, "search", query="Subject LIKE 'imprimante' AND Queue =")
    assert response.status_code == 200  # not the builder's previous query
    assert "Requête invalide" in response.plain and "Aucune recherche" in response.plain
    assert "Subject LIKE 'imprimante' AND Queue =" in response.plain


def test_rechercher_runs_the_edited_box_or_the_edited_builder(desk, login_as):
    client = login_as(desk.alice)
    page = client.get("/recherche/avancee", query_string={"query": "Subject LIKE 'vpn'"})
    # The box retyped, the builder left alone: the box runs.
    assert ran_query(submit(client, page, "search", query="Status = 'open'")) == \
        "Status = 'open'"
    # The builder changed, the box left alone: the builder's query runs.
    assert ran_query(submit(client, page, "search", **{"g-0-value": "routeur"})) == \
        "Subject LIKE 'routeur'"
    # Nothing changed: the box as written.
    assert ran_query(submit(client, page, "search")) == "Subject LIKE 'vpn'"


def test_adding_a_row_keeps_a_query_the_builder_cannot_read(desk, login_as):
    client = login_as(desk.alice)
    page = client.get("/recherche/avancee", query_string={"query": COMPLEX})
    response = submit(client, page, "add_row:0")
    assert response.status_code == 200 and COMPLEX in response.plain
    assert ran_query(submit(client, response, "search")) == COMPLEX


def test_the_precedence_rule_is_explained_in_the_aide_and_the_error_help(desk, login_as):
    client = login_as(desk.alice)
    rule = "RT applique le dernier AND ou OR d'un niveau à tous ses termes"
    aide = client.get("/aide").plain
    assert rule in aide and "« Subject LIKE 'Migration%' »" in aide
    response = client.get("/recherche/resultats?query=Status+%3D+'open'+Queue")
    assert rule in response.plain and "ET avant OU" in response.plain
    # Last: ?lang=en sticks for the rest of the session.
    english = client.get("/aide?lang=en").plain
    assert "“Subject LIKE 'Migration%'”" in english


# ---------------------------------------------------------------- a GET never writes (issue 10)

def test_a_get_never_saves_a_search(searchers, login_as, make_user):
    from rtsuivi.models import SavedSearch
    admin = make_user("admin", rights=["SuperUser"])
    for user, privacy in ((searchers.alice, "user"), (admin, "system")):
        client = login_as(user)
        response = client.get("/recherche/avancee", query_string={
            "action": "save", "save_name": "Piège", "save_privacy": privacy,
            "query": "Status = 'open'"})
        assert response.status_code in (200, 405)
        assert db.session.scalar(select(func.count()).select_from(SavedSearch)) == 0
    # The same through the form's POST does save.
    response = login_as(admin).post("/recherche/avancee", data=builder_form(
        action="save", save_name="Piège", save_privacy="system"))
    assert db.session.scalar(select(func.count()).select_from(SavedSearch)) == 1


# ---------------------------------------------------- a query never deletes the index (issue 10)

def index_set_aside(indexed):
    return any(".corrupt-" in name for name in os.listdir(indexed.parent)) or \
        (indexed / "REBUILDING").exists()


def test_a_deeply_nested_quick_search_is_refused_and_keeps_the_index(desk, login_as,
                                                                     desk_tickets, indexed):
    printer, vpn, *_ = desk_tickets
    client = login_as(desk.alice)
    words = "(" * 1200 + "toner" + ")" * 1200
    response = client.get("/recherche", query_string={"q": words}, follow_redirects=True)
    assert response.status_code == 200
    assert "Recherche plein texte trop complexe" in response.plain
    assert 'name="ids"' not in response.plain
    suggestions = client.hx_get("/recherche/suggestions", query_string={"q": words})
    assert suggestions.status_code == 200
    assert not index_set_aside(indexed)
    assert find("toner", desk.alice) == {printer.id, vpn.id}  # the hidden one is not alice's


@pytest.mark.parametrize("words,limit", [
    ("(" * 11 + "toner" + ")" * 11, "parenthèses imbriquées"),
    (" ".join(f"mot{n}" for n in range(65)), "mots"),
    ("x" * 1001, "caractères"),
])
def test_full_text_words_are_bounded_before_the_engine(desk, words, limit, monkeypatch):
    from rtsuivi.domain.simple_search import quote
    from rtsuivi.domain.ticketsql import FullTextRefused, TicketSQLError, compile_query
    monkeypatch.setattr(search.index.querying, "parse", lambda *a: pytest.fail("reached Whoosh"))
    with pytest.raises(FullTextRefused) as refused:
        search.search(words, desk.alice)
    assert limit in str(refused.value)
    query = f"Content LIKE {quote(words)}"
    with pytest.raises(TicketSQLError) as error:
        compile_query(query, desk.alice, fulltext=lambda w, **hint: pytest.fail("ran"))
    assert limit in str(error.value) and error.value.position == query.index("'")


def test_the_bounds_leave_room_for_real_searches(indexed, desk, make_ticket):
    ticket = make_ticket(desk.support, subject="Imprimante du 3e étage")
    words = "(" * 10 + "imprimante" + ")" * 10 + " " + " ".join(["étage"] * 63)
    assert find(words, desk.alice) == {ticket.id}


def test_a_failing_query_is_not_taken_for_a_corrupt_index(indexed, desk, make_ticket,
                                                          monkeypatch):
    ticket = make_ticket(desk.support, subject="Photocopieuse en feu")
    assert find("photocopieuse", desk.alice) == {ticket.id}
    real = search.index._Engine.docs

    def exploding(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")
    monkeypatch.setattr(search.index._Engine, "docs", exploding)
    from rtsuivi.domain.ticketsql import FullTextRefused
    with pytest.raises(FullTextRefused):
        find("photocopieuse", desk.alice)
    assert not index_set_aside(indexed)
    monkeypatch.setattr(search.index._Engine, "docs", real)
    assert find("photocopieuse", desk.alice) == {ticket.id}  # the same index, still there


def test_an_unreadable_segment_file_still_counts_as_corruption(indexed, desk, make_ticket):
    ticket = make_ticket(desk.support, subject="Photocopieuse en feu")
    assert find("photocopieuse", desk.alice) == {ticket.id}
    segments = [n for n in os.listdir(indexed) if not n.startswith("_MAIN")
                and not n.endswith(".lock") and n != "REBUILDING"]
    assert segments
    for name in segments:
        (indexed / name).write_bytes(b"\x00garbage" * 50)
    search.index._searchers.__dict__.clear()
    with pytest.raises(search.IndexUnavailable):
        find("photocopieuse", desk.alice)
    assert index_set_aside(indexed)
    search.drain()
    assert find("photocopieuse", desk.alice) == {ticket.id}


# ---------------------------------------------------- numbers past 64 bits, CSV cells (issue 10)

HUGE = "99999999999999999999999"


def test_numbers_past_64_bits_answer_400_404_or_a_ticketsql_error(searchers, login_as,
                                                                  desk_tickets):
    accounts.grant("group:N1", "ShowSearchBulkUpdate")
    db.session.commit()
    client = login_as(searchers.alice)
    for url in (f"/recherche/resultats?query=id+%3D+{HUGE}", f"/recherche?q={HUGE}",
                f"/recherche/resultats?query=Owner.id+%3D+{HUGE}"):
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200 and "Nombre trop grand" in response.plain, url
    assert client.get(f"/recherche/resultats.csv?query=id+%3D+{HUGE}").status_code == 400
    for url in (f"/recherche/resultats?query=id+>+0&page={HUGE}",
                "/recherche/resultats?query=id+>+0&page=9223372036854775807",
                f"/recherche/resultats?saved={HUGE}", f"/recherche/resultats.csv?saved={HUGE}",
                f"/recherche/avancee?saved={HUGE}", "/recherche/avancee?saved=0"):
        assert client.get(url).status_code in (400, 404), url
    assert client.post(f"/recherche/enregistrees/{HUGE}/supprimer").status_code == 404
    response = client.post("/recherche/modifier", data={"ids": [HUGE], "priority": "3"})
    assert response.status_code == 200 and "Sélectionnez au moins un ticket" in response.plain


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(desk, login_as, make_ticket,
                                                                make_user):
    import csv
    from types import SimpleNamespace

    from rtsuivi.blueprints.search import _cell_text
    for text in ("\t=1+2", "\r=1+2"):  # subjects are stripped; other text may not be
        assert _cell_text(SimpleNamespace(subject=text), "subject") == "'" + text
    subjects = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+2", "-2+3", "@SUM(A1:A2)",
                "Normal -1"]
    formula = make_user("formula", privileged=False, email="=cmd@example.org")
    made = [make_ticket(desk.support, subject=s, requestors=[formula]) for s in subjects]
    client = login_as(desk.alice)
    response = client.get("/recherche/resultats.csv?query=Queue+%3D+'Support'"
                          "&columns=id&columns=subject&columns=requestors&order=id:asc")
    import io
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))[1:]
    assert [row[1] for row in rows] == ["'" + s for s in subjects[:-1]] + ["Normal -1"]
    assert {row[2] for row in rows} == {"'=cmd@example.org"}
    assert [row[0] for row in rows] == [str(t.id) for t in made]


def test_builder_lists_group_saved_searches_without_a_query_each(searchers, login_as):
    """No N+1: the group named beside each shared search is loaded with the list."""
    from rtsuivi.domain import saved_searches
    from rtsuivi.domain.saved_searches import SearchSpec
    from rtsuivi.models import User
    desk = searchers
    alice_id = desk.alice.id

    def share(first, count):
        alice = db.session.get(User, alice_id)
        for n in range(first, first + count):
            group = accounts.create_group(f"Equipe {n}")
            accounts.add_member(group, alice)
            db.session.flush()
            saved_searches.save(alice, f"Partagée {n}", "group", SearchSpec("id > 0"),
                                group.id)
        db.session.commit()
    def listed() -> tuple[int, list[str]]:
        from sqlalchemy import event
        db.session.remove()  # nothing cached: each group must come from the database
        alice = db.session.get(User, alice_id)
        seen = []

        def count(*args):
            seen.append(args[2])
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            names = [s.group.name for s in saved_searches.visible(alice)]
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen), names
    share(0, 1)
    one, _names = listed()
    share(1, 9)
    ten, names = listed()
    assert sorted(names) == sorted(f"Equipe {n}" for n in range(10))
    assert ten == one
    page = login_as(db.session.get(User, alice_id)).get("/recherche/avancee").plain
    assert all(f"(groupe Equipe {n})" in page for n in range(10))


def test_one_function_compiles_a_query_with_its_content_clauses(desk, desk_tickets):
    """The CLI and an API call search.compile_for, as the views do: no wiring of their own."""
    from rtsuivi.domain import queries
    printer, vpn, closed, hidden = desk_tickets
    condition = search.compile_for("Content LIKE 'toner'", desk.alice).condition
    found = queries.search_tickets(condition, [("id", "asc")])
    # hidden's queue is not hers; vpn matches through its comment, which she may read.
    assert [t.id for t in found.items] == [printer.id, vpn.id]
    # The requester: her own ticket, never through a comment.
    condition = search.compile_for("Content LIKE 'toner'", desk.denise).condition
    assert [t.id for t in queries.search_tickets(condition, [("id", "asc")]).items] \
        == [printer.id]
