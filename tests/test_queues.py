
from sqlalchemy import event

from rtsuivi.extensions import db

from .home_helpers import with_portlets


def test_home_shows_my_tickets_unowned_and_queue_counts(login_as, desk, make_ticket):
    mine = make_ticket(desk.support, subject="Le mien", owner=desk.alice)
    make_ticket(desk.support, subject="Sans intervenant")
    make_ticket(desk.info, subject="Autre file")
    html = with_portlets(login_as(desk.alice))  # each portlet is its own fragment (issue 15)
    assert "Le mien" in html and "Sans intervenant" in html
    assert "Autre file" not in html and "Info" not in html
    assert f'/tickets/{mine.id}/take' not in html  # no Prendre on my own ticket


def test_queue_of_another_group_is_invisible(login_as, desk):
    client = login_as(desk.alice)
    assert client.get(f"/files/{desk.info.id}").status_code == 404
    assert "Info" not in client.get("/files/").plain


def test_queue_list_active_by_default_and_filter(login_as, desk, make_ticket):
    make_ticket(desk.support, subject="Ouvert ici")
    make_ticket(desk.support, subject="Résolu là", status="resolved")
    client = login_as(desk.alice)
    html = client.get(f"/files/{desk.support.id}").plain
    assert "Ouvert ici" in html and "Résolu là" not in html
    html = client.get(f"/files/{desk.support.id}?status=inactive").plain
    assert "Résolu là" in html and "Ouvert ici" not in html
    html = client.get(f"/files/{desk.support.id}?status=bogus").plain  # falls back to active
    assert "Ouvert ici" in html


def test_queue_list_is_paginated_and_sortable(app, login_as, desk, make_ticket):
    app.config["TICKETS_PER_PAGE"] = 5
    for i in range(12):
        make_ticket(desk.support, subject=f"Ticket {i:02d}", priority=i)
    client = login_as(desk.alice)
    page1 = client.get(f"/files/{desk.support.id}?sort=priority&dir=desc").plain
    assert "Ticket 11" in page1 and "Ticket 06" not in page1 and "Page 1 sur 3" in page1
    page3 = client.get(f"/files/{desk.support.id}?sort=priority&dir=desc&page=3").plain
    assert "Ticket 00" in page3 and "Ticket 11" not in page3
    asc = client.get(f"/files/{desk.support.id}?sort=priority&dir=asc").plain
    assert asc.index("Ticket 00") < asc.index("Ticket 04")
    assert "12 tickets" in page1
    fragment = client.hx_get(f"/files/{desk.support.id}?status=active")
    assert 'id="ticket-list"' in fragment.plain and "<html" not in fragment.plain
    assert client.get(f"/files/{desk.support.id}?page=abc").status_code == 400


def test_queue_list_empty_state(login_as, desk):
    html = login_as(desk.alice).get(f"/files/{desk.support.id}").plain
    assert "Aucun ticket ne correspond" in html


def _count_statements(client, url) -> int:
    statements = []

    def count(*args):
        statements.append(args[2])
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_pages_issue_a_bounded_number_of_statements(login_as, desk, make_ticket):
    """No N+1: ten times more rows or history costs the same number of statements."""
    from rtsuivi.domain import tickets as domain
    client = login_as(desk.alice)
    small = make_ticket(desk.support, requestors=[desk.denise])
    domain.reply(small, desk.alice, "Réponse")
    domain.take(small, desk.alice)  # so both cases have owner entries and "my tickets"
    db.session.commit()
    urls = lambda t: [f"/tickets/{t.id}", f"/files/{desk.support.id}", "/accueil"]  # noqa
    [_count_statements(client, url) for url in urls(small)]  # the per-process caches filled
    before = [_count_statements(client, url) for url in urls(small)]
    big = make_ticket(desk.support, requestors=[desk.denise], cc=[desk.bruno])
    for i in range(10):
        make_ticket(desk.support, requestors=[desk.denise], owner=desk.alice)
        domain.reply(big, desk.alice, f"Réponse {i}")
        domain.comment(big, desk.bruno, f"Commentaire {i}")
    domain.take(big, desk.alice)
    db.session.commit()
    after = [_count_statements(client, url) for url in urls(big)]
    assert after == before, (before, after)
