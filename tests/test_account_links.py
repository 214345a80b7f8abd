"""One-time account links: « Mot de passe oublié ? », a first password for people created
by mail, log in by link (RTSUIVI_REQUESTER_LINK_LOGIN), the admin's « Envoyer un lien »,
and the portal link in every mail to a requester."""
import email
import email.policy
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from rtsuivi.domain import DomainError, Forbidden, account_links
from rtsuivi.extensions import db
from rtsuivi.mail import sending
from rtsuivi.models import AccountLink, AuditEntry, OutboxMail, User
from tests.conftest import PASSWORD
from tests.mail.conftest import mail_desk, new_ticket_by_mail, smtp_server  # noqa: F401

NEW_PASSWORD = "une-phrase-bien-longue"
LINK = re.compile(r"/compte/lien/([A-Za-z0-9_-]+)")
SAME_ANSWER = "Si cette adresse est connue, un lien vient d'y être envoyé"


def _ask(client, address, next_url=None, remote="127.0.0.1"):
    client.refresh_token("/compte/mot-de-passe-oublie")
    url = "/compte/mot-de-passe-oublie" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"address": address}, follow_redirects=True,
                       environ_base={"REMOTE_ADDR": remote})


def _parsed(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def _token_in(mail: OutboxMail) -> str:
    body = _parsed(mail.raw).get_body().get_content()
    return LINK.search(body).group(1)


def _link_mails():
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.scrip == "Account Link")
                                   .order_by(OutboxMail.id)))


def _choose(client, token, password=NEW_PASSWORD, confirm=None):
    client.refresh_token(f"/compte/lien/{token}")
    return client.post(f"/compte/lien/{token}", data={
        "password": password, "confirm": password if confirm is None else confirm})


def test_login_page_offers_forgotten_password_keeping_next(client):
    html = client.get("/login?next=/demandes/7").plain
    assert "Mot de passe oublié ?" in html
    assert "/compte/mot-de-passe-oublie?next=/demandes/7" in html


def test_same_answer_for_known_and_unknown_addresses(client, desk):
    known = _ask(client, desk.denise.email)
    unknown = _ask(client, "personne@nulle-part.example")
    assert known.status_code == unknown.status_code == 200
    assert SAME_ANSWER in known.plain and SAME_ANSWER in unknown.plain
    assert [m.recipients for m in _link_mails()] == [desk.denise.email]
    # Only the digest of the token is stored, never the token itself.
    row = db.session.scalar(select(AccountLink))
    assert row.token_hash != _token_in(_link_mails()[0]) and len(row.token_hash) == 64


def test_link_goes_through_the_real_smtp_server_and_sets_a_first_password(
        client, mail_desk, smtp_server):  # noqa: F811
    ticket = new_ticket_by_mail()  # Hélène has no password: she wrote by mail
    helene = ticket.requestors[0]
    assert helene.password_hash is None
    _ask(client, "Helene.Berard@mairie.example", next_url=f"/demandes/{ticket.id}")
    sending.send_pending()
    received = [_parsed(raw) for _f, _to, raw in smtp_server.messages]
    sent = [m for m in received if "Votre accès" in m["Subject"]]
    assert len(sent) == 1 and sent[0]["To"] == "helene.berard@mairie.example"
    token = LINK.search(sent[0].get_body().get_content()).group(1)
    response = _choose(client, token)
    assert response.status_code == 302 and response.location.endswith(f"/demandes/{ticket.id}")
    assert f"#{ticket.id}" in client.get(response.location).plain  # logged in, on her request
    db.session.expire_all()
    assert db.session.get(User, helene.id).password_hash


def test_link_is_single_use(client, desk):
    _ask(client, desk.denise.email)
    token = _token_in(_link_mails()[0])
    assert _choose(client, token).status_code == 302
    again = _choose(client, token, password="encore-une-autre-phrase")
    assert again.status_code == 410 and "n'est plus valable" in again.plain
    assert client.get(f"/compte/lien/{token}").status_code == 410


def test_link_expires_after_an_hour(client, desk, monkeypatch):
    _ask(client, desk.denise.email)
    token = _token_in(_link_mails()[0])
    later = account_links.now() + timedelta(minutes=61)
    monkeypatch.setattr(account_links, "now", lambda: later)
    response = _choose(client, token)
    assert response.status_code == 410 and "n'est plus valable" in response.plain
    db.session.expire_all()
    with pytest.raises(DomainError):
        account_links.find(token)


def test_link_still_valid_within_the_hour(client, desk, monkeypatch):
    _ask(client, desk.denise.email)
    token = _token_in(_link_mails()[0])
    later = account_links.now() + timedelta(minutes=59)
    monkeypatch.setattr(account_links, "now", lambda: later)
    assert _choose(client, token).status_code == 302


def test_setting_the_password_ends_other_sessions(client, app, desk):
    other = app.test_client()  # a second browser, logged in with the old password
    other.refresh_token("/login")
    assert other.post("/login", data={"name": "denise", "password": PASSWORD}).status_code == 302
    assert other.get("/demandes/").status_code == 200
    _ask(client, desk.denise.email)
    assert _choose(client, _token_in(_link_mails()[0])).status_code == 302
    assert other.get("/demandes/").status_code == 302  # sent back to the login page
    assert client.get("/demandes/").status_code == 200  # the one who chose it stays in


def test_password_policy_and_mismatch_are_refused_and_keep_the_link(client, desk):
    _ask(client, desk.denise.email)
    token = _token_in(_link_mails()[0])
    short = _choose(client, token, password="court")
    assert short.status_code == 200 and "au moins 10 caractères" in short.plain
    mismatch = _choose(client, token, confirm="autre-chose-de-long")
    assert "ne sont pas identiques" in mismatch.plain
    assert _choose(client, token).status_code == 302  # still usable after refusals


def test_requests_are_throttled_alike_for_known_and_unknown(client, desk, app):
    free = app.config["RTSUIVI_LOGIN_FREE_ATTEMPTS"]
    for address, remote in ((desk.denise.email, "10.0.0.1"),
                            ("inconnu@example.org", "10.0.0.2")):
        answers = [_ask(client, address, remote=remote).status_code for _ in range(free)]
        assert answers == [200] * free
        refused = _ask(client, address, remote=remote)
        assert refused.status_code == 429 and "Trop de tentatives" in refused.plain
    # Another address from a throttled client is refused too (no guessing in bulk).
    assert _ask(client, "autre@example.org", remote="10.0.0.2").status_code == 429
    assert len(_link_mails()) == free  # nothing mailed while refused


def test_disabled_user_gets_no_link(client, make_user):
    make_user("ancien", privileged=False, disabled=True)
    assert SAME_ANSWER in _ask(client, "ancien@example.org").plain
    assert _link_mails() == []


def test_next_is_kept_only_when_local(client, desk):
    _ask(client, desk.denise.email, next_url="https://evil.example/x")
    assert db.session.scalar(select(AccountLink.next_url)) is None


def test_log_in_by_link_only_when_the_setting_is_on(client, app, desk):
    _ask(client, desk.denise.email)
    token = _token_in(_link_mails()[0])
    assert "Me connecter avec ce lien" not in client.get(f"/compte/lien/{token}").plain
    client.refresh_token(f"/compte/lien/{token}")
    refused = client.post(f"/compte/lien/{token}/connexion")
    assert refused.status_code == 410 and "pas à se connecter" in refused.plain
    app.config["RTSUIVI_REQUESTER_LINK_LOGIN"] = True
    assert "Me connecter avec ce lien" in client.get(f"/compte/lien/{token}").plain
    assert client.post(f"/compte/lien/{token}/connexion").status_code == 302
    assert client.get("/demandes/").status_code == 200
    client.refresh_token("/demandes/")
    assert client.post(f"/compte/lien/{token}/connexion").status_code == 410  # used up


def test_log_in_by_link_is_never_for_agents(app, desk):
    app.config["RTSUIVI_REQUESTER_LINK_LOGIN"] = True
    issued = account_links.issue(desk.alice)
    assert issued.login is False
    with pytest.raises(DomainError):
        account_links.log_in_by_link(issued.token)


def test_admin_sends_a_link_from_the_user_page(login_as, make_user, desk):
    admin = make_user("admin", rights=["AdminUsers"])
    client = login_as(admin)
    response = client.post(f"/admin/utilisateurs/{desk.denise.id}/lien-mot-de-passe",
                           data={"back": "/admin/"})
    assert response.status_code == 302 and response.location.endswith("/admin/")
    assert [m.recipients for m in _link_mails()] == [desk.denise.email]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "password_link")) == 1


def test_admin_link_goes_back_only_to_a_local_page(login_as, make_user, desk):
    client = login_as(make_user("admin", rights=["SuperUser"]))
    response = client.post(f"/admin/utilisateurs/{desk.denise.id}/lien-mot-de-passe",
                           data={"back": "https://evil.example/"})
    assert response.status_code == 302 and response.location.endswith("/admin/")


def test_admin_link_refused_for_a_user_without_address(login_as, make_user):
    client = login_as(make_user("admin", rights=["SuperUser"]))
    mute = make_user("muet", privileged=False, email=None)
    response = client.post(f"/admin/utilisateurs/{mute.id}/lien-mot-de-passe",
                           data={"back": "/admin/"}, follow_redirects=True)
    assert "aucun lien ne peut lui être envoyé" in response.plain
    assert _link_mails() == []


def test_admin_link_refused_without_adminusers(login_as, desk):
    client = login_as(desk.alice)
    response = client.post(f"/admin/utilisateurs/{desk.denise.id}/lien-mot-de-passe")
    assert response.status_code == 403
    assert _link_mails() == []
    with pytest.raises(Forbidden):
        account_links.issue_for(desk.alice, desk.denise)


def test_admin_template_shows_the_button(app, desk):
    from flask import render_template
    with app.test_request_context("/admin/utilisateurs/1"):
        html = render_template("admin/user_password_link.html", user=desk.denise)
    assert "Envoyer un lien pour choisir le mot de passe" in html
    assert f"/admin/utilisateurs/{desk.denise.id}/lien-mot-de-passe" in html


def test_autoreply_and_replies_link_to_the_portal(mail_desk, app):  # noqa: F811
    from rtsuivi.domain import tickets as domain
    ticket = new_ticket_by_mail()
    domain.reply(ticket, mail_desk.alice, "Nous regardons.")
    db.session.commit()
    base = app.config["RTSUIVI_BASE_URL"].rstrip("/")
    to_requester = db.session.scalars(select(OutboxMail).where(
        OutboxMail.recipients == "helene.berard@mairie.example")).all()
    assert {m.scrip for m in to_requester} == {
        "On Create Autoreply To Requestors", "On Correspond Notify Requestors and Ccs"}
    for sent in to_requester:
        body = _parsed(sent.raw).get_body().get_content()
        assert f"{base}/demandes/{ticket.id}" in body


def test_link_mail_follows_the_users_language(client, make_user):
    make_user("jane", privileged=False, lang="en")
    _ask(client, "jane@example.org")
    assert _link_mails()[0].subject.startswith("Your access to")
