"""« Préférences » (issue 12): every user with ModifySelf (requesters included by the site
defaults) changes their own settings; the language rules the pages and their mails; the
password change asks the current one, applies the policy and ends the other sessions."""
import json

import pytest
from sqlalchemy import select

from rtsuivi.domain import Forbidden, accounts, preferences
from rtsuivi.domain import tickets as domain
from rtsuivi.extensions import db
from rtsuivi.models import AuditEntry, OutboxMail, User
from tests.conftest import AGENT_RIGHTS, PASSWORD


@pytest.fixture
def site(make_user, make_queue):
    alice = make_user("alice", groups=["N1"], real_name="Alice")
    denise = make_user("denise", privileged=False, real_name="Denise")
    queue = make_queue("Support", rights={"group:N1": AGENT_RIGHTS})
    accounts.grant_site_defaults([queue])
    db.session.commit()
    return type("Site", (), {"queue": queue, "alice": alice, "denise": denise})


def _user(name):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.name == name))


def _prefs(**fields):
    return {"real_name": "", "email": "", "lang": "", "timezone": "", "signature": "",
            **fields}


def test_the_header_links_to_the_preferences(site, login_as):
    page = login_as(site.denise).get("/demandes/").plain
    assert 'href="/preferences/"' in page and "Préférences" in page


def test_a_requester_sets_english_and_gets_english_pages_and_mails(site, login_as,
                                                                   make_ticket):
    client = login_as(site.denise)
    form = client.get("/preferences/").plain
    assert 'name="signature"' not in form  # agents only
    response = client.post("/preferences/", data=_prefs(
        real_name="Denise Garnier", email="denise@example.org", lang="en",
        timezone="Europe/Brussels", signature="ignorée"))
    assert response.status_code == 302
    denise = _user("denise")
    assert (denise.real_name, denise.lang, denise.timezone, denise.signature) == (
        "Denise Garnier", "en", "Europe/Brussels", "")
    assert '<html lang="en">' in client.get("/preferences/").plain
    ticket = make_ticket(site.queue, requestors=[denise], subject="Chauffage")
    domain.set_status(ticket, site.alice, "resolved")
    db.session.commit()
    subjects = db.session.scalars(select(OutboxMail.subject)).all()
    assert any("Resolved: Chauffage" in s for s in subjects), subjects
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.actor_id == denise.id)).one()
    assert json.loads(entry.after)["lang"] == "en"


def test_an_agent_sets_a_signature(site, login_as):
    client = login_as(site.alice)
    client.post("/preferences/", data=_prefs(email="alice@example.org",
                                             signature="Alice\nSupport N1"))
    assert _user("alice").signature == "Alice\nSupport N1"


@pytest.mark.parametrize("fields, message", [
    ({"timezone": "Lune/Tranquillité"}, "Fuseau horaire inconnu"),
    ({"email": "alice@example.org"}, "L'adresse alice@example.org est déjà utilisée."),
    ({"email": "sans-arobase"}, "Adresse électronique invalide"),
])
def test_bad_preferences_change_nothing(site, login_as, fields, message):
    response = login_as(site.denise).post("/preferences/", data=_prefs(
        real_name="Autre", **{"email": "denise@example.org", **fields}))
    assert response.status_code == 200 and message in response.plain
    assert _user("denise").real_name == "Denise"


def test_without_modify_self_the_domain_refuses(make_user):
    bob = make_user("bob", privileged=False)  # no site defaults: no ModifySelf
    with pytest.raises(Forbidden):
        preferences.update(bob, _prefs(real_name="Bob"))
    with pytest.raises(Forbidden):
        preferences.change_password(bob, PASSWORD, "un-mot-de-passe-long")


def test_the_page_answers_403_without_modify_self(make_user, login_as):
    bob = make_user("bob", privileged=False)
    client = login_as(bob)
    assert client.post("/preferences/", data=_prefs(real_name="Bob")).status_code == 403
    assert client.post("/preferences/mot-de-passe", data={
        "current": PASSWORD, "new": "un-mot-de-passe-long",
        "confirm": "un-mot-de-passe-long"}).status_code == 403
    assert _user("bob").real_name == ""


def test_the_password_change_ends_the_other_sessions_and_keeps_this_one(site, login_as, app):
    client = login_as(site.denise)
    second = app.test_client()
    cookies_before = {c.key: c.value for c in client._cookies.values()}
    response = client.post("/preferences/mot-de-passe", data={
        "current": PASSWORD, "new": "un-mot-de-passe-long", "confirm": "un-mot-de-passe-long"})
    assert response.status_code == 302
    assert client.get("/demandes/").status_code == 200  # this session goes on
    assert accounts.authenticate("denise", "un-mot-de-passe-long") is not None
    # A copy of the cookie from before the change (another browser) is logged out.
    for key, value in cookies_before.items():
        second.set_cookie(key, value)
    assert second.get("/demandes/").status_code == 302
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "set_password")).one()
    assert entry.actor_id == site.denise.id and entry.after is None


@pytest.mark.parametrize("current, new, confirm, message", [
    ("faux-mot-de-passe", "un-mot-de-passe-long", "un-mot-de-passe-long",
     "Le mot de passe actuel est incorrect."),
    (PASSWORD, "court", "court", "au moins 10 caractères"),
    (PASSWORD, "un-mot-de-passe-long", "un-autre-mot-de-passe", "diffèrent"),
    (PASSWORD, "denise", "denise", "au moins 10 caractères"),
    (PASSWORD, "motdepasse123", "motdepasse123", "trop courant"),
])
def test_a_refused_password_change_says_why(site, login_as, current, new, confirm, message):
    client = login_as(site.denise)
    response = client.post("/preferences/mot-de-passe",
                           data={"current": current, "new": new, "confirm": confirm})
    assert response.status_code == 200 and message in response.plain
    assert accounts.authenticate("denise", PASSWORD) is not None


def test_site_defaults_give_modify_self_to_requesters_and_agents(site):
    from rtsuivi.domain.rights import can
    assert can(site.denise, "ModifySelf") and can(site.alice, "ModifySelf")


def test_without_modify_self_the_page_is_refused_and_not_offered(make_user, login_as):
    bob = make_user("bob", privileged=False)
    client = login_as(bob)
    assert client.get("/preferences/").status_code == 403
    assert client.get("/preferences/mot-de-passe").status_code == 403
    assert 'href="/preferences/"' not in client.get("/demandes/").plain
