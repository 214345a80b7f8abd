import pytest

from rtsuivi.extensions import db


def test_login_page_is_in_french_by_default(client):
    html = client.get("/login").plain
    assert "Nom d'utilisateur" in html and "Mot de passe" in html and "Se connecter" in html


def test_agent_logs_in_and_lands_on_home(client, make_user):
    make_user("alice")
    client.refresh_token("/login")
    response = client.post("/login", data={"name": "alice", "password": "mot-de-passe-test"})
    assert response.status_code == 302 and response.location.endswith("/accueil")


def test_requester_lands_on_mes_demandes(login_as, make_user, desk, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise], subject="Ma demande")
    client = login_as(desk.denise)
    response = client.get("/", follow_redirects=True)
    assert "Mes demandes" in response.plain and "Ma demande" in response.plain
    # Agent pages send requesters back to their portal.
    assert client.get("/accueil").location.endswith("/demandes/")
    assert client.get(f"/tickets/{ticket.id}").location.endswith("/demandes/")


def test_requester_sees_only_own_requests(login_as, desk, make_ticket, make_user):
    other = make_user("etienne", privileged=False)
    mine = make_ticket(desk.support, requestors=[desk.denise], subject="La mienne")
    theirs = make_ticket(desk.support, requestors=[other], subject="Celle d'Étienne")
    client = login_as(desk.denise)
    html = client.get("/demandes/").plain
    assert "La mienne" in html and "Celle d'Étienne" not in html
    assert client.get(f"/demandes/{mine.id}").status_code == 200
    assert client.get(f"/demandes/{theirs.id}").status_code == 404


@pytest.mark.parametrize("name, password", [("alice", "faux"), ("inconnu", "mot-de-passe-test")])
def test_failed_login_never_says_which_part_was_wrong(client, make_user, name, password):
    make_user("alice")
    client.refresh_token("/login")
    response = client.post("/login", data={"name": name, "password": password})
    assert response.status_code == 401
    assert "Identifiant ou mot de passe incorrect." in response.plain
    assert "inconnu" not in response.plain.split("<main")[1].split("value=")[0]


def test_disabled_user_is_refused(client, make_user):
    make_user("alice", disabled=True)
    client.refresh_token("/login")
    response = client.post("/login", data={"name": "alice", "password": "mot-de-passe-test"})
    assert response.status_code == 401


def test_user_disabled_while_logged_in_is_logged_out(login_as, make_user):
    alice = make_user("alice")
    client = login_as(alice)
    alice.disabled = True
    db.session.commit()
    assert "/login" in client.get("/accueil").location


def test_login_without_csrf_token_is_refused(client, make_user):
    make_user("alice")
    response = client.post("/login", csrf=False,
                           data={"name": "alice", "password": "mot-de-passe-test"})
    assert response.status_code == 400


def test_logout(login_as, make_user):
    client = login_as(make_user("alice"))
    response = client.post("/logout")
    assert response.location.endswith("/login")
    assert "/login" in client.get("/accueil").location


def test_session_cookie_flags(client, make_user):
    make_user("alice")
    client.refresh_token("/login")
    response = client.post("/login", data={"name": "alice", "password": "mot-de-passe-test"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_next_parameter_only_follows_local_paths(client, make_user):
    make_user("alice")
    client.refresh_token("/login")
    response = client.post("/login?next=https://evil.example/x",
                           data={"name": "alice", "password": "mot-de-passe-test"})
    assert response.location.endswith("/accueil")


def test_anonymous_page_redirects_to_login(client):
    assert "/login" in client.get("/accueil").location


def test_expired_session_sends_htmx_to_login_page(client):
    response = client.hx_get("/tickets/1/people")
    assert response.status_code == 204
    assert "/login" in response.headers["HX-Redirect"]


def test_english_is_available(client):
    html = client.get("/login?lang=en").plain
    assert "Username" in html and "Log in" in html


def test_dates_shown_in_users_timezone(login_as, make_user, desk, make_ticket):
    from datetime import datetime
    ticket = make_ticket(desk.support)
    ticket.created = datetime(2026, 7, 1, 10, 0)  # UTC
    db.session.commit()
    assert "01/07/2026 12:00" in login_as(desk.alice).get(f"/tickets/{ticket.id}").plain
    desk.alice.timezone = "America/Montreal"
    db.session.commit()
    assert "01/07/2026 06:00" in login_as(desk.alice).get(f"/tickets/{ticket.id}").plain
