"""Issue 15 item 1: « Personnaliser la page d'accueil » — portlets, each loaded on its own."""
import pytest
from sqlalchemy import event, func, select

from rtsuivi.domain import DomainError, Forbidden, layouts, portlets, saved_searches
from rtsuivi.extensions import db
from rtsuivi.models import Dashboard, Portlet

from .home_helpers import portlet_urls, with_portlets


def _kinds(dashboard) -> list[tuple[str, str]]:
    db.session.expire_all()
    dashboard = db.session.get(Dashboard, dashboard.id)
    return [(p.pane, p.kind) for p in sorted(dashboard.portlets,
                                             key=lambda p: (p.pane, p.position))]


def _save(user, name="Urgents", query="Priority > 50", privacy="user", group_id=None):
    saved = saved_searches.save(user, name, privacy, saved_searches.SearchSpec(query),
                                group_id=group_id)
    db.session.commit()
    return saved


@pytest.fixture
def searcher(desk):
    from rtsuivi.domain import accounts
    for right in ("LoadSavedSearch", "CreateSavedSearch", "ShowSavedSearches"):
        accounts.grant("group:N1", right)
    db.session.commit()
    return desk


def test_home_shows_rt_at_a_glance_each_portlet_as_a_fragment(login_as, desk, make_ticket):
    mine = make_ticket(desk.support, subject="Le mien", owner=desk.alice)
    make_ticket(desk.support, subject="Sans intervenant")
    make_ticket(desk.info, subject="Autre file")
    client = login_as(desk.alice)
    page = client.get("/accueil").plain
    assert "Le mien" not in page  # the page itself waits for nobody
    assert len(portlet_urls(page)) == len(layouts.DEFAULT_HOME)
    assert 'hx-trigger="load"' in page
    html = with_portlets(client)
    assert "Le mien" in html and "Sans intervenant" in html and "Créer le ticket" in html
    assert "Autre file" not in html
    assert f"/tickets/{mine.id}/take" not in html


def test_a_portlet_fragment_page_and_refusal(login_as, desk, make_user):
    client = login_as(desk.alice)
    url = portlet_urls(client.get("/accueil").plain)[0]
    fragment = client.hx_get(url)
    assert fragment.status_code == 200 and "<html" not in fragment.plain
    assert "Mes tickets" in fragment.plain
    page = client.get(url)  # without JavaScript: the portlet alone, as a page
    assert page.status_code == 200 and "<html" in page.plain and "Mes tickets" in page.plain
    # someone else's own layout: not theirs to know
    layouts.own_home(desk.alice)
    db.session.commit()
    own = db.session.scalar(select(Portlet.id).join(Dashboard).where(
        Dashboard.owner_id == desk.alice.id, Dashboard.privacy == "user"))
    assert login_as(desk.bruno).hx_get(f"/portlets/{own}").status_code == 404


def test_customising_copies_the_default_then_saves_changes(login_as, desk):
    client = login_as(desk.alice)
    assert client.get("/accueil/personnaliser").status_code == 200
    home = layouts.own_home(desk.alice)
    before = _kinds(home)
    response = client.post(f"/tableaux/{home.id}/portlets", htmx=True,
                           data={"choice": "my_requests", "pane": "side"})
    assert response.status_code == 200 and 'id="dashboard-layout"' in response.plain
    assert "<html" not in response.plain
    assert len(_kinds(home)) == len(before) + 1 and ("side", "my_requests") in _kinds(home)
    # other agents keep the default
    other = layouts.home_of(desk.bruno)
    assert other.privacy == "system" and ("side", "my_requests") not in _kinds(other)


def test_reorder_by_buttons_and_by_the_drag_form(login_as, desk):
    client = login_as(desk.alice)
    home = layouts.own_home(desk.alice)
    db.session.commit()
    first, second = layouts.pane_of(home, "main")[:2]
    response = client.post(f"/portlets/{second.id}/monter")  # without htmx: back to editor
    assert response.status_code == 302 and response.location.endswith("/accueil/personnaliser")
    assert [p.kind for p in layouts.pane_of(db.session.get(Dashboard, home.id), "main")][:2] \
        == [second.kind, first.kind]
    ids = [p.id for p in layouts.pane_of(db.session.get(Dashboard, home.id), "main")]
    reversed_ids = list(reversed(ids))
    response = client.post(f"/tableaux/{home.id}/ordre", htmx=True,
                           data={"pane": "main", "portlet": [str(i) for i in reversed_ids]})
    assert response.status_code == 200
    db.session.expire_all()
    assert [p.id for p in layouts.pane_of(db.session.get(Dashboard, home.id), "main")] \
        == reversed_ids


def test_a_stale_or_foreign_order_changes_nothing(login_as, desk):
    client = login_as(desk.alice)
    home = layouts.own_home(desk.alice)
    db.session.commit()
    ids = [p.id for p in layouts.pane_of(home, "main")]
    response = client.post(f"/tableaux/{home.id}/ordre", htmx=True,
                           data={"pane": "main", "portlet": [str(i) for i in ids[:-1]]})
    assert "La page a changé entre-temps" in response.plain
    db.session.expire_all()
    assert [p.id for p in layouts.pane_of(db.session.get(Dashboard, home.id), "main")] == ids


def test_rows_and_refresh_are_saved_and_bounded(login_as, desk):
    client = login_as(desk.alice)
    home = layouts.own_home(desk.alice)
    db.session.commit()
    item = layouts.pane_of(home, "main")[0]
    client.post(f"/portlets/{item.id}/options", htmx=True,
                data={f"rows-{item.id}": "25", f"refresh-{item.id}": "5"})
    db.session.expire_all()
    assert (db.session.get(Portlet, item.id).rows,
            db.session.get(Portlet, item.id).refresh) == (25, 5)
    page = client.get("/accueil").plain
    assert 'hx-trigger="load, every 300s"' in page
    for rows, refresh, message in (("0", "5", "Le nombre de lignes va de 1 à 50"),
                                   ("51", "5", "Le nombre de lignes va de 1 à 50"),
                                   ("10", "3", "Intervalle d'actualisation inconnu"),
                                   ("dix", "5", "Nombre de lignes ou intervalle invalide")):
        response = client.post(f"/portlets/{item.id}/options", htmx=True,
                               data={f"rows-{item.id}": rows, f"refresh-{item.id}": refresh})
        assert message in response.plain
    db.session.expire_all()
    assert (db.session.get(Portlet, item.id).rows,
            db.session.get(Portlet, item.id).refresh) == (25, 5)


def test_bad_portlet_input_changes_nothing(searcher, login_as, make_user):
    theirs = _save(searcher.bruno, "À Bruno")
    client = login_as(searcher.alice)
    home = layouts.own_home(searcher.alice)
    db.session.commit()
    before = _kinds(home)
    for choice, message in (("nimporte", "Type de portlet inconnu"),
                            (f"saved_search:{theirs.id}", "Recherche enregistrée introuvable"),
                            ("saved_search:abc", "Recherche enregistrée introuvable")):
        response = client.post(f"/tableaux/{home.id}/portlets", htmx=True,
                               data={"choice": choice, "pane": "main"})
        assert message in response.plain, choice
    with pytest.raises(DomainError, match="Colonne inconnue"):
        layouts.add(searcher.alice, home, "my_tickets", "milieu")
    assert _kinds(home) == before


def test_a_saved_search_portlet_then_made_unloadable_shows_a_note(searcher, login_as,
                                                                  make_ticket):
    make_ticket(searcher.support, subject="Très urgent", priority=90, owner=searcher.bruno)
    saved = _save(searcher.alice)
    client = login_as(searcher.alice)
    home = layouts.own_home(searcher.alice)
    db.session.commit()
    client.post(f"/tableaux/{home.id}/portlets", data={"choice": f"saved_search:{saved.id}"})
    html = with_portlets(client)
    assert "Urgents" in html and "Très urgent" in html
    saved_searches.delete(searcher.alice, saved)
    db.session.commit()
    html = with_portlets(client)
    assert "Cette recherche n'est plus disponible." in html and "Très urgent" not in html


def test_reset_restores_the_default(login_as, desk):
    client = login_as(desk.alice)
    home = layouts.own_home(desk.alice)
    db.session.commit()
    layouts.remove(desk.alice, layouts.pane_of(home, "main")[0])
    db.session.commit()
    response = client.post("/accueil/retablir")
    assert response.status_code == 302
    assert layouts.home_of(desk.alice).privacy == "system"
    assert "La page d'accueil par défaut est rétablie." in client.get("/accueil").plain


def test_only_an_admin_sets_the_default_layout(login_as, desk, make_user):
    admin = make_user("admin", rights=["SuperUser"])
    assert login_as(desk.alice).get("/accueil/defaut").status_code == 403
    default = layouts.default_home()
    db.session.commit()
    with pytest.raises(Forbidden):
        layouts.add(desk.alice, default, "my_requests")
    client = login_as(admin)
    assert client.get("/accueil/defaut").status_code == 200
    client.post(f"/tableaux/{default.id}/portlets", data={"choice": "my_requests"})
    assert ("main", "my_requests") in _kinds(layouts.home_of(desk.bruno))
    assert "Mes demandes" in login_as(desk.bruno).get("/accueil").plain


def test_layout_changes_refused_without_the_right(login_as, desk):
    home = layouts.own_home(desk.alice)
    db.session.commit()
    item = layouts.pane_of(home, "main")[0]
    client = login_as(desk.bruno)
    for url in (f"/portlets/{item.id}/monter", f"/portlets/{item.id}/retirer",
                f"/tableaux/{home.id}/portlets"):
        assert client.post(url, htmx=True, data={"choice": "my_tickets"}).status_code == 404
    default = layouts.default_home()
    db.session.commit()
    response = client.post(f"/tableaux/{default.id}/portlets", htmx=True,
                           data={"choice": "my_tickets"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(Portlet.id)).where(
        Portlet.dashboard_id == default.id)) == len(layouts.DEFAULT_HOME)


def _statements(client, url) -> int:
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.hx_get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


def test_each_portlet_costs_bounded_statements(searcher, login_as, make_ticket):
    from rtsuivi.domain import bookmarks, reminders
    saved = _save(searcher.alice, query="Queue = 'Support'")
    client = login_as(searcher.alice)
    home = layouts.own_home(searcher.alice)
    db.session.commit()
    for key in ("my_requests",):
        layouts.add(searcher.alice, home, key)
    layouts.add(searcher.alice, home, f"saved_search:{saved.id}")
    for item in home.portlets:
        item.rows = 50
    db.session.commit()
    urls = portlet_urls(client.get("/accueil").plain)

    def more_tickets():
        from datetime import datetime, timedelta
        for owner in (None, searcher.alice, searcher.alice):
            ticket = make_ticket(searcher.support, owner=owner, requestors=[searcher.alice])
            bookmarks.toggle(searcher.alice, ticket)
            reminders.add(ticket, searcher.alice, "Rappeler", searcher.alice,
                          datetime.utcnow() + timedelta(days=1))
        db.session.commit()
    more_tickets()
    [_statements(client, u) for u in urls]  # caches warmed up
    before = [_statements(client, u) for u in urls]
    for _ in range(4):
        more_tickets()
    assert [_statements(client, u) for u in urls] == before
    # 13: a saved search's `Queue = 'Support'` reads the queue's id first (TicketSQL's
    # compiler), so the planner sees `queue_id IN (id)` (issue 16).
    assert max(before) <= 13, before


def test_portlet_registry_takes_a_new_kind(login_as, desk):
    portlets.register_portlet("essai", "Essai", lambda u, p, c: {"note": f"vu par {u.name}"},
                              "portlets/gone.html")
    try:
        home = layouts.own_home(desk.alice)
        db.session.commit()
        client = login_as(desk.alice)
        client.post(f"/tableaux/{home.id}/portlets", data={"choice": "essai"})
        assert "vu par alice" in with_portlets(client)
    finally:
        portlets.KINDS.pop("essai")
    assert "Ce portlet n'est plus disponible." in with_portlets(client)


def test_quick_creation_goes_through_the_creation_page(login_as, desk):
    from rtsuivi.models import Ticket
    client = login_as(desk.alice)
    html = with_portlets(client)
    nobody = __import__("re").search(r'name="owner" value="(\d+)"', html).group(1)
    response = client.post("/tickets/new", data={
        "queue": str(desk.support.id), "subject": "Créé depuis l'accueil",
        "content": "Vite", "owner": nobody, "priority": "0"})
    assert response.status_code == 302
    assert db.session.scalar(select(Ticket).where(
        Ticket.subject == "Créé depuis l'accueil")).queue_id == desk.support.id


def test_a_chart_portlet_counts_a_saved_search_as_each_viewer(searcher, login_as, make_ticket):
    from rtsuivi.domain import accounts
    accounts.grant("group:N2", "LoadSavedSearch")
    accounts.grant("system:Privileged", "ShowSearchAdvanced")
    db.session.commit()
    make_ticket(searcher.support, subject="Imprimante")
    make_ticket(searcher.info, subject="Écran")
    saved = _save(searcher.alice, name="Tout", query="id > 0")
    client = login_as(searcher.alice)
    home = layouts.own_home(searcher.alice)
    db.session.commit()
    client.post(f"/tableaux/{home.id}/portlets", data={"choice": f"chart:{saved.id}:queue"})
    html = with_portlets(client)
    assert "<svg" in html and "Tout par file" in html
    assert ">Support<" in html and ">Info<" not in html  # only what alice may see
    before = _kinds(home)
    for bad in (f"chart:{saved.id}:couleur", "chart:abc:status"):
        response = client.post(f"/tableaux/{home.id}/portlets", htmx=True,
                               data={"choice": bad, "pane": "main"})
        assert "Recherche enregistrée introuvable" in response.plain, bad
    assert _kinds(home) == before
    assert "Tout par file" not in with_portlets(login_as(searcher.chloe))  # alice's only
    client = login_as(searcher.alice)
    saved_searches.delete(searcher.alice, saved)
    db.session.commit()
    assert "Ce graphique n'est plus disponible." in with_portlets(client)
