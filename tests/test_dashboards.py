"""Issue 15 item 2: « Tableaux de bord » — named pages of portlets, rights as RT."""
import pytest
from sqlalchemy import func, select

from rtsuivi.domain import DomainError, Forbidden, accounts, dashboards, layouts, saved_searches
from rtsuivi.extensions import db
from rtsuivi.models import Dashboard, Group

from .home_helpers import portlet_urls, with_portlets

OWN = ("SeeOwnDashboard", "CreateOwnDashboard", "ModifyOwnDashboard", "DeleteOwnDashboard")
GROUP = ("SeeGroupDashboard", "CreateGroupDashboard", "ModifyGroupDashboard",
         "DeleteGroupDashboard")
SEARCH = ("LoadSavedSearch", "CreateSavedSearch", "ShowSavedSearches")


@pytest.fixture
def team(desk):
    """Group « Équipe »: alice (sees Support) and chloe (sees Info), both holding the group
    dashboard and saved search rights; bruno (Support) is not a member."""
    group = accounts.create_group("Équipe")
    for user in (desk.alice, desk.chloe):
        accounts.add_member(group, user)
    for right in GROUP + OWN + SEARCH:
        accounts.grant("group:Équipe", right)
    for right in OWN + SEARCH:
        accounts.grant("group:N1", right)
    db.session.commit()
    desk.group = group
    return desk


def _shared_board(team, make_ticket):
    make_ticket(team.support, subject="Panne Support")
    make_ticket(team.info, subject="Question Info")
    search = saved_searches.save(team.alice, "Nouveaux", "group",
                                 saved_searches.SearchSpec("Status = 'new'"),
                                 group_id=team.group.id)
    board = dashboards.create(team.alice, "Suivi équipe", "group", team.group.id)
    layouts.add(team.alice, board, f"saved_search:{search.id}")
    db.session.commit()
    return board


def test_a_group_dashboard_shows_each_member_only_what_they_may_see(team, login_as,
                                                                     make_ticket):
    board = _shared_board(team, make_ticket)
    alice = with_portlets(login_as(team.alice), f"/tableaux/{board.id}")
    assert "Suivi équipe" in alice and "Panne Support" in alice
    assert "Question Info" not in alice
    chloe = with_portlets(login_as(team.chloe), f"/tableaux/{board.id}")
    assert "Question Info" in chloe and "Panne Support" not in chloe


def test_a_non_member_gets_404_and_a_member_without_the_right_403(team, login_as,
                                                                    make_ticket, make_user):
    board = _shared_board(team, make_ticket)
    url = portlet_urls(login_as(team.alice).get(f"/tableaux/{board.id}").plain)[0]
    client = login_as(team.bruno)
    assert client.get(f"/tableaux/{board.id}").status_code == 404
    assert client.hx_get(url).status_code == 404
    assert "Suivi équipe" not in client.get("/tableaux").plain
    member = make_user("membre", groups=["Équipe"])
    accounts.revoke("group:Équipe", "SeeGroupDashboard")
    accounts.grant("user:alice", "SeeGroupDashboard")
    db.session.commit()
    client = login_as(member)
    assert client.get(f"/tableaux/{board.id}").status_code == 403
    assert client.hx_get(url).status_code == 403
    with pytest.raises(Forbidden):
        dashboards.load(member, board.id)


def test_the_portlet_door_fragment_page_and_refusal(team, login_as, make_ticket):
    board = _shared_board(team, make_ticket)
    client = login_as(team.alice)
    url = portlet_urls(client.get(f"/tableaux/{board.id}").plain)[0]
    fragment = client.hx_get(url)
    assert fragment.status_code == 200 and "<html" not in fragment.plain
    assert "Nouveaux" in fragment.plain
    page = client.get(url)
    assert page.status_code == 200 and "<html" in page.plain


def test_create_rename_and_delete_a_personal_dashboard(team, login_as):
    client = login_as(team.bruno)
    assert 'href="/tableaux"' in client.get("/accueil").plain  # the header's link
    response = client.post("/tableaux", data={"name": "Mon suivi", "privacy": "user"})
    assert response.status_code == 302
    board = db.session.scalar(select(Dashboard).where(Dashboard.name == "Mon suivi"))
    assert board.owner_id == team.bruno.id and not board.home
    assert "Mon suivi" in client.get("/tableaux").plain
    client.post(f"/tableaux/{board.id}/portlets", data={"choice": "my_tickets"})
    assert "Mes tickets" in with_portlets(client, f"/tableaux/{board.id}")
    client.post(f"/tableaux/{board.id}/renommer", data={"name": "Suivi de Bruno"})
    db.session.expire_all()
    assert db.session.get(Dashboard, board.id).name == "Suivi de Bruno"
    assert login_as(team.alice).get(f"/tableaux/{board.id}").status_code == 404
    client = login_as(team.bruno)
    board_id = board.id
    assert client.post(f"/tableaux/{board_id}/supprimer").status_code == 302
    db.session.expunge_all()
    assert db.session.get(Dashboard, board_id) is None


def test_bad_dashboard_input_changes_nothing(team, login_as):
    client = login_as(team.bruno)
    for data, message in (({"name": " ", "privacy": "user"}, "Donnez un nom au tableau"),
                          ({"name": "x" * 201, "privacy": "user"}, "Le nom est trop long"),
                          ({"name": "Moi", "privacy": "monde"}, "Visibilité inconnue"),
                          ({"name": "Eux", "privacy": "group", "group": str(team.group.id)},
                           "Vous n'êtes pas membre de ce groupe")):
        assert message in client.post("/tableaux", data=data).plain, data
    assert db.session.scalar(select(func.count(Dashboard.id)).where(Dashboard.home.is_(False))) == 0


def test_rights_as_rt(team, make_user):
    """(who, privacy, verb) -> allowed: Own, Group and system rights, each on its kind."""
    plain = make_user("simple", groups=["Équipe2"])
    with pytest.raises(Forbidden):
        dashboards.create(plain, "Perso", "user")
    with pytest.raises(Forbidden):
        dashboards.create(team.alice, "Pour tous", "system")
    with pytest.raises(DomainError):
        dashboards.create(team.bruno, "Pas à moi", "group",
                          db.session.scalar(select(Group.id).where(Group.name == "Équipe")))
    accounts.grant("user:alice", "CreateDashboard")
    db.session.commit()
    system = dashboards.create(team.alice, "Pour tous", "system")
    db.session.commit()
    assert not dashboards.may(team.bruno, system, "See")
    accounts.grant("system:Privileged", "SeeDashboard")
    db.session.commit()
    assert dashboards.may(team.bruno, system, "See")
    assert not dashboards.may(team.bruno, system, "Modify")
    with pytest.raises(Forbidden):
        layouts.add(team.bruno, system, "my_tickets")
    with pytest.raises(Forbidden):
        dashboards.delete(team.bruno, system)
    assert system in dashboards.visible(team.bruno)


def test_editing_a_dashboard_needs_modify(team, login_as, make_ticket):
    board = _shared_board(team, make_ticket)
    accounts.revoke("group:Équipe", "ModifyGroupDashboard")
    db.session.commit()
    client = login_as(team.chloe)
    assert client.get(f"/tableaux/{board.id}/modifier").status_code == 403
    response = client.post(f"/tableaux/{board.id}/portlets", htmx=True,
                           data={"choice": "my_tickets"})
    assert response.status_code == 403
    db.session.expire_all()
    assert len(db.session.get(Dashboard, board.id).portlets) == 1


EDITING = (("post", "/tableaux/{board}/portlets", {"choice": "my_tickets"}),
           ("post", "/portlets/{portlet}/monter", {}),
           ("post", "/portlets/{portlet}/descendre", {}),
           ("post", "/portlets/{portlet}/colonne", {}),
           ("post", "/portlets/{portlet}/options", {"rows": "5", "refresh": "2"}),
           ("post", "/tableaux/{board}/ordre", {"pane": "main"}),
           ("post", "/portlets/{portlet}/retirer", {}))


@pytest.mark.parametrize("method, url, data", EDITING)
def test_each_layout_endpoint_fragment_redirect_and_403(team, login_as, make_ticket,
                                                        method, url, data):
    board = _shared_board(team, make_ticket)
    portlet = board.portlets[0]
    url = url.format(board=board.id, portlet=portlet.id)
    if "ordre" in url:
        data = {**data, "portlet": [str(portlet.id)]}
    client = login_as(team.alice)
    response = client.post(url, htmx=True, data=data)
    assert response.status_code == 200 and 'id="dashboard-layout"' in response.plain
    assert "<html" not in response.plain
    if "retirer" not in url:
        response = client.post(url, data=data)
        assert response.status_code == 302
        assert response.location.endswith(f"/tableaux/{board.id}/modifier")
    accounts.revoke("group:Équipe", "ModifyGroupDashboard")
    db.session.commit()
    expected = 404 if "retirer" in url else 403  # a removed portlet is gone for everyone
    assert login_as(team.chloe).post(url, htmx=True, data=data).status_code == expected


def test_the_dashboards_portlet_lists_what_the_viewer_may_see(team, login_as, make_ticket):
    board = _shared_board(team, make_ticket)
    home = layouts.own_home(team.bruno)
    layouts.add(team.bruno, home, "dashboards", "side")
    db.session.commit()
    assert "Suivi équipe" not in with_portlets(login_as(team.bruno))
    home = layouts.own_home(team.chloe)
    layouts.add(team.chloe, home, "dashboards", "side")
    db.session.commit()
    assert f'/tableaux/{board.id}"' in with_portlets(login_as(team.chloe))


def test_subscribing_from_the_dashboard_page(team, login_as, make_ticket):
    from rtsuivi.domain import subscriptions
    board = _shared_board(team, make_ticket)
    accounts.grant("group:Équipe", "SubscribeDashboard")
    db.session.commit()
    client = login_as(team.chloe)
    assert "S'abonner" in client.get(f"/tableaux/{board.id}").plain
    response = client.post(f"/tableaux/{board.id}/abonnement", data={
        "frequency": "weekly", "hour": "7", "weekday": "4", "day": "1",
        "weekdays": ["0"], "recipients": ""})
    assert response.status_code == 302
    sub = subscriptions.mine(team.chloe, board)
    assert (sub.frequency, sub.hour, sub.weekday) == ("weekly", 7, 4)
    response = client.post(f"/tableaux/{board.id}/abonnement", follow_redirects=True,
                           data={"frequency": "daily", "hour": "7", "weekdays": []})
    assert "Choisissez au moins un jour de la semaine." in response.plain
    db.session.expire_all()
    assert subscriptions.mine(team.chloe, board).frequency == "weekly"  # unchanged
    client.post(f"/tableaux/{board.id}/abonnement", data={"frequency": "never"})
    db.session.expire_all()
    assert subscriptions.mine(team.chloe, board) is None
    assert login_as(team.bruno).post(f"/tableaux/{board.id}/abonnement",
                                     data={"frequency": "daily"}).status_code == 404
