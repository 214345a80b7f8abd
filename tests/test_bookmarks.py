"""« Favoris »: the star toggle (ticket page and every ticket row; htmx and not; only on
tickets one may see), « Mes favoris », TicketSQL's id = '__Bookmarked__' (= and !=), and
the stars of a whole list read in one query."""
import pytest
from sqlalchemy import event, select

from rtsuivi.domain import bookmarks
from rtsuivi.domain.ticketsql import TicketSQLError, compile_query
from rtsuivi.extensions import db
from rtsuivi.models import Bookmark, Ticket


def _starred(user):
    db.session.commit()
    return set(db.session.scalars(select(Bookmark.ticket_id).where(Bookmark.user_id == user.id)))


def _ids(query, user):
    return set(db.session.scalars(select(Ticket.id).where(
        compile_query(query, user).condition)))


def test_toggle_stars_then_unstars(desk, make_ticket):
    ticket = make_ticket(desk.support)
    assert bookmarks.toggle(desk.alice, ticket) is True
    assert bookmarks.is_starred(desk.alice, ticket)
    assert bookmarks.toggle(desk.alice, ticket) is False
    assert _starred(desk.alice) == set()


def test_star_with_htmx_answers_the_pressed_button(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    response = client.post(f"/tickets/{ticket.id}/bookmark", htmx=True)
    assert response.status_code == 200 and "<html" not in response.plain
    assert 'aria-pressed="true"' in response.plain and "★" in response.plain
    assert _starred(desk.alice) == {ticket.id}
    response = client.post(f"/tickets/{ticket.id}/bookmark", htmx=True)
    assert 'aria-pressed="false"' in response.plain and _starred(desk.alice) == set()


def test_star_without_htmx_goes_back_where_it_was_clicked(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    response = client.post(f"/tickets/{ticket.id}/bookmark", data={"next": "/accueil"})
    assert response.status_code == 302 and response.headers["Location"] == "/accueil"
    response = client.post(f"/tickets/{ticket.id}/bookmark",
                           data={"next": "https://ailleurs.example/"})
    assert response.headers["Location"] == f"/tickets/{ticket.id}"
    assert _starred(desk.alice) == set()


def test_star_on_a_ticket_one_may_not_see_is_refused(desk, login_as, make_ticket):
    ticket = make_ticket(desk.info)
    response = login_as(desk.alice).post(f"/tickets/{ticket.id}/bookmark", htmx=True)
    assert response.status_code == 404  # as every ticket door: never says it exists
    assert _starred(desk.alice) == set()
    requester = login_as(desk.denise).post(f"/tickets/{ticket.id}/bookmark", htmx=True)
    assert requester.status_code == 302  # requesters have their portal, not stars
    assert requester.headers["Location"].startswith("/demandes")
    assert _starred(desk.denise) == set()


def test_ticket_page_and_lists_show_the_star(desk, login_as, make_ticket):
    starred, plain = make_ticket(desk.support, subject="Étoilé"), make_ticket(desk.support)
    bookmarks.toggle(desk.alice, starred)
    db.session.commit()
    client = login_as(desk.alice)
    page = client.get(f"/tickets/{starred.id}").plain
    assert f'action="/tickets/{starred.id}/bookmark"' in page and 'aria-pressed="true"' in page
    queue = client.get(f"/files/{desk.support.id}").plain
    assert queue.count('class="star"') == 2
    assert queue.count('aria-pressed="true"') == 1 and f"n°{plain.id}" in queue


def test_a_list_row_draws_the_same_star_as_the_star_macro(app, desk, login_as, make_ticket):
    """ticket_table writes the star out in its rows (no macro call per row): the markup is
    the star() macro's, pressed or not, in French and in English."""
    import re

    from flask import get_template_attribute
    from flask_login import login_user
    starred, plain = make_ticket(desk.support), make_ticket(desk.support)
    bookmarks.toggle(desk.alice, starred)
    db.session.commit()
    client = login_as(desk.alice)
    token = re.compile(r'(name="csrf_token" value=")[^"]+')
    for lang in ("fr", "en"):
        desk.alice.lang = lang
        db.session.commit()
        queue = token.sub(r"\1…", client.get(f"/files/{desk.support.id}").plain)
        with app.app_context(), app.test_request_context():  # its own g: its own language
            login_user(desk.alice)
            for ticket, on in ((starred, True), (plain, False)):
                star = str(get_template_attribute("_macros.html", "star")(ticket.id, on))
                assert token.sub(r"\1…", star) in queue, (lang, on)


def test_my_bookmarks_lists_starred_tickets_i_may_see(desk, login_as, make_ticket):
    mine, other = make_ticket(desk.support, subject="Mon favori"), make_ticket(desk.support)
    hidden = make_ticket(desk.info, subject="Plus visible")
    bookmarks.toggle(desk.alice, mine)
    db.session.add(Bookmark(user_id=desk.alice.id, ticket_id=hidden.id))
    bookmarks.toggle(desk.bruno, other)
    db.session.commit()
    html = login_as(desk.alice).get("/tickets/bookmarks").plain
    assert "Mon favori" in html and "Plus visible" not in html
    assert f">{other.id}<" not in html
    assert 'href="/tickets/bookmarks"' in html  # in the header


def test_ticketsql_bookmarked_matches_my_favourites(desk, make_ticket):
    one, two, three = (make_ticket(desk.support) for _ in range(3))
    bookmarks.toggle(desk.alice, one)
    bookmarks.toggle(desk.alice, two)
    bookmarks.toggle(desk.bruno, three)
    db.session.commit()
    assert _ids("id = '__Bookmarked__'", desk.alice) == {one.id, two.id}
    assert _ids("id != '__Bookmarked__'", desk.alice) == {three.id}
    assert _ids("id = '__Bookmarked__'", desk.bruno) == {three.id}
    assert _ids("id = '__Bookmarked__' AND id != " + str(one.id), desk.alice) == {two.id}
    with pytest.raises(TicketSQLError, match="Opérateur"):
        compile_query("id > '__Bookmarked__'", desk.alice)


def test_search_results_page_finds_my_favourites(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support, subject="Trouvez-moi")
    make_ticket(desk.support, subject="Pas moi")
    bookmarks.toggle(desk.alice, ticket)
    db.session.commit()
    html = login_as(desk.alice).get("/recherche/resultats",
                                    query_string={"query": "id = '__Bookmarked__'"}).plain
    assert "Trouvez-moi" in html and "Pas moi" not in html


def _statements(client, url) -> int:
    found = []

    def count(*args):
        found.append(args[2])
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(found)


def test_a_list_with_stars_costs_the_same_statements_for_more_rows(desk, login_as, make_ticket):
    client = login_as(desk.alice)
    for owner in (None, desk.alice):  # rows in both lists of the home page
        bookmarks.toggle(desk.alice, make_ticket(desk.support, owner=owner))
    db.session.commit()
    urls = [f"/files/{desk.support.id}", "/tickets/bookmarks", "/accueil"]
    [_statements(client, url) for url in urls]  # caches of the process warmed up
    before = [_statements(client, url) for url in urls]
    for _ in range(12):
        bookmarks.toggle(desk.alice, make_ticket(desk.support, owner=desk.alice))
    db.session.commit()
    assert [_statements(client, url) for url in urls] == before


def test_a_star_put_meanwhile_by_a_double_click_is_not_an_error(desk, make_ticket,
                                                                monkeypatch):
    from sqlalchemy import delete, false
    ticket = make_ticket(desk.support)
    bookmarks.toggle(desk.alice, ticket)
    db.session.commit()
    # As if the other request of the double click had starred it after this one looked.
    monkeypatch.setattr(bookmarks, "delete", lambda model: delete(model).where(false()))
    assert bookmarks.toggle(desk.alice, ticket) is True
    db.session.commit()
    assert _starred(desk.alice) == {ticket.id}
