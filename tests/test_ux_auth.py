"""Links from mails keep their ticket through the login; the language choice sticks
(issue 9, items 4 and 5)."""
import pytest

from rtsuivi import config as config_module
from tests.conftest import PASSWORD


def _login(client, next_url):
    client.refresh_token("/login")
    return client.post("/login", query_string={"next": next_url},
                       data={"name": "alice", "password": PASSWORD})


def test_next_accepts_an_absolute_url_of_our_own_origin(client, make_user):
    make_user("alice")
    response = _login(client, "http://localhost/tickets/9?x=1")
    assert response.location == "/tickets/9?x=1"


def test_next_accepts_the_configured_base_url(app, client, make_user):
    make_user("alice")
    app.config["RTSUIVI_BASE_URL"] = "https://suivi.example.org"
    assert _login(client, "https://suivi.example.org/tickets/9").location == "/tickets/9"


@pytest.mark.parametrize("target", [
    "https://evil.example/x", "javascript:alert(1)", "//evil.example/x", "/\\evil.example",
    "http://localhost.evil.example/tickets/9", "https://localhost/tickets/9",
    "http://localhost:8080/tickets/9", "JAVASCRIPT:alert(1)", "http:/\\evil.example",
    "data:text/html,x", "tickets/9"])
def test_next_refuses_other_origins_and_schemes(client, make_user, target):
    make_user("alice")
    assert _login(client, target).location.endswith("/accueil")


def test_expired_htmx_session_comes_back_to_the_page_after_login(client, make_user):
    make_user("alice")
    response = client.hx_get("/tickets/9/people",
                             headers={"HX-Current-URL": "http://localhost/tickets/9"})
    login_url = response.headers["HX-Redirect"]
    client.refresh_token(login_url)
    response = client.post(login_url, data={"name": "alice", "password": PASSWORD})
    assert response.location == "/tickets/9"


def test_mail_links_default_to_the_served_port(monkeypatch):
    monkeypatch.delenv("RTSUIVI_BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "5123")
    assert config_module.from_environment()["RTSUIVI_BASE_URL"] == "http://127.0.0.1:5123"


def test_serve_points_mail_links_at_its_own_address(app, monkeypatch):
    import werkzeug.serving
    monkeypatch.delenv("RTSUIVI_BASE_URL", raising=False)
    monkeypatch.setattr(werkzeug.serving, "run_simple", lambda *args, **kwargs: None)
    result = app.test_cli_runner().invoke(args=["rtsuivi", "serve", "--port", "5234"])
    assert result.exit_code == 0, result.output
    assert app.config["RTSUIVI_BASE_URL"] == "http://127.0.0.1:5234"


# ---------------------------------------------------------------- item 5: language

def test_language_chosen_with_lang_sticks_for_the_session(client):
    assert "Log in" in client.get("/login?lang=en").plain
    assert "Log in" in client.get("/login").plain
    assert "Help" in client.get("/aide").plain


def test_language_chosen_before_login_survives_the_login(client, make_user):
    make_user("alice")
    client.get("/login?lang=en")
    client.refresh_token("/login")
    client.post("/login", data={"name": "alice", "password": PASSWORD})
    assert "Log out" in client.get("/accueil").plain


def test_browser_language_is_honoured_when_nothing_else_is_set(client):
    assert "Log in" in client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"}).plain
    assert "Se connecter" in client.get(
        "/login", headers={"Accept-Language": "fr-FR,en;q=0.5"}).plain
    assert "Se connecter" in client.get("/login", headers={"Accept-Language": "de"}).plain


def test_user_setting_wins_over_the_browser(client, make_user, login_as):
    user = make_user("alice", lang="fr")
    login_as(user)
    assert "Déconnexion" in client.get("/accueil", headers={"Accept-Language": "en"}).plain
