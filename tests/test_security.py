"""Issue 10, security: sessions that end, login throttling, password policy, headers,
who may read what, bounded requests."""
import logging
import re
from datetime import datetime, timedelta

import pytest

from rtsuivi import sessions
from rtsuivi.domain import DomainError, accounts, throttle
from rtsuivi.extensions import db

from .conftest import PASSWORD

# ---------------------------------------------------------------- item 14: sessions

def _cookie(client):
    return client.get_cookie("rtsuivi_session").value


def test_copied_cookie_fails_after_logout(client, login_as, make_user, app):
    alice = make_user("alice")
    login_as(alice)
    stolen = _cookie(client)
    assert client.get("/accueil").status_code == 200
    assert client.post("/logout").status_code == 302
    # Another browser that copied the cookie before the logout.
    thief = app.test_client()
    thief.set_cookie("rtsuivi_session", stolen)
    response = thief.get("/accueil")
    assert response.status_code == 302 and "/login" in response.location


def test_password_change_ends_other_sessions(client, login_as, make_user, app):
    alice = make_user("alice")
    login_as(alice)
    other = app.test_client()
    other.set_cookie("rtsuivi_session", _cookie(client))
    assert other.get("/accueil").status_code == 200
    accounts.set_password(db.session.get(type(alice), alice.id), "un-nouveau-secret-42")
    db.session.commit()
    assert "/login" in other.get("/accueil").location


def test_idle_session_expires(client, login_as, make_user, app, monkeypatch):
    app.config["RTSUIVI_SESSION_IDLE_MINUTES"] = 30
    login_as(make_user("alice"))
    start = sessions.now()
    monkeypatch.setattr(sessions, "now", lambda: start + 29 * 60)
    assert client.get("/accueil").status_code == 200  # used: the idle clock restarts
    monkeypatch.setattr(sessions, "now", lambda: start + 58 * 60)
    assert client.get("/accueil").status_code == 200
    monkeypatch.setattr(sessions, "now", lambda: start + 58 * 60 + 31 * 60)
    assert "/login" in client.get("/accueil").location


def test_session_has_an_absolute_lifetime(client, login_as, make_user, app, monkeypatch):
    app.config.update(RTSUIVI_SESSION_IDLE_MINUTES=60, RTSUIVI_SESSION_MAX_HOURS=2)
    login_as(make_user("alice"))
    start = sessions.now()
    for minutes in range(50, 120, 50):  # used all along, never idle
        monkeypatch.setattr(sessions, "now", lambda m=minutes: start + m * 60)
        assert client.get("/accueil").status_code == 200
    monkeypatch.setattr(sessions, "now", lambda: start + 2 * 3600 + 60)
    assert "/login" in client.get("/accueil").location


def test_the_session_cookie_is_written_only_when_the_session_changes(
        client, login_as, make_user, monkeypatch):
    """Not re-signed on every page (a tenth of a millisecond each): written when the
    session changes, at least every 30 s of use, with a new expiry date."""
    def session_cookies(response):
        return [header for header in response.headers.getlist("Set-Cookie")
                if header.startswith("rtsuivi_session=")]
    login_as(make_user("alice"))
    start = sessions.now()
    monkeypatch.setattr(sessions, "now", lambda: start + 1)
    assert client.get("/accueil").status_code == 200
    quiet = client.get("/accueil")
    assert quiet.status_code == 200 and session_cookies(quiet) == []
    monkeypatch.setattr(sessions, "now", lambda: start + 31)
    used = client.get("/accueil")
    assert used.status_code == 200 and len(session_cookies(used)) == 1
    assert "Expires=" in session_cookies(used)[0]


# ---------------------------------------------------------------- item 15: throttling

@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, moved by hand."""
    moment = [datetime(2026, 1, 5, 9, 0)]
    monkeypatch.setattr(throttle, "now", lambda: moment[0])

    def advance(seconds=0, minutes=0):
        moment[0] += timedelta(seconds=seconds, minutes=minutes)
    return advance


def _try(client, name, password, address="127.0.0.1"):
    client.token = None
    client.refresh_token("/login")
    return client.post("/login", data={"name": name, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _locked_minutes(response) -> int:
    return int(re.search(r"la connexion est bloquée pendant (\d+) minutes",
                         response.plain).group(1))


def test_sixty_wrong_passwords_then_the_right_one_is_refused(client, make_user, clock):
    make_user("alice")
    for _ in range(60):
        _try(client, "alice", "mauvais-mot-de-passe")
        clock(seconds=1)
    response = _try(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert "Trop de tentatives de connexion échouées" in response.plain


def test_failures_first_delay_the_next_try(client, make_user, clock, app):
    make_user("alice")
    for _ in range(app.config["RTSUIVI_LOGIN_FREE_ATTEMPTS"]):
        assert _try(client, "alice", "mauvais-mot-de-passe").status_code == 401
    response = _try(client, "alice", PASSWORD)
    assert response.status_code == 429 and "patientez 2 secondes" in response.plain
    clock(seconds=3)
    assert _try(client, "alice", PASSWORD).status_code == 302


def test_account_lock_is_short_and_ends_by_itself(client, make_user, clock, app):
    make_user("alice")
    for attempt in range(app.config["RTSUIVI_LOGIN_MAX_FAILURES"]):
        _try(client, "alice", "mauvais-mot-de-passe", address=f"10.0.0.{attempt}")
        clock(seconds=61)  # past every delay: only the lock stops the next try
    # The real user, from their own address, is locked out only for a few minutes.
    response = _try(client, "alice", PASSWORD, address="192.0.2.7")
    assert response.status_code == 429 and _locked_minutes(response) <= 5
    clock(minutes=2)
    assert _try(client, "alice", PASSWORD, address="192.0.2.7").status_code == 429
    clock(minutes=4)
    assert _try(client, "alice", PASSWORD, address="192.0.2.7").status_code == 302


def test_client_address_is_locked_across_accounts(client, make_user, clock, app):
    make_user("bruno")
    for attempt in range(app.config["RTSUIVI_LOGIN_MAX_FAILURES"]):
        _try(client, f"victime{attempt}", "devine-ceci-123", address="203.0.113.9")
        clock(seconds=61)
    response = _try(client, "bruno", PASSWORD, address="203.0.113.9")
    assert response.status_code == 429 and 5 < _locked_minutes(response) <= 15
    assert _try(client, "bruno", PASSWORD, address="198.51.100.1").status_code == 302


def test_tries_during_a_lock_do_not_extend_it(client, make_user, clock, app):
    make_user("alice")
    for _ in range(app.config["RTSUIVI_LOGIN_MAX_FAILURES"]):
        _try(client, "alice", "mauvais-mot-de-passe")
        clock(seconds=61)
    for _ in range(30):
        _try(client, "alice", "mauvais-mot-de-passe")
    clock(minutes=16)
    assert _try(client, "alice", PASSWORD).status_code == 302


def test_login_attempts_are_logged(client, make_user, clock, caplog):
    make_user("alice")
    with caplog.at_level(logging.INFO, logger="rtsuivi.auth"):
        _try(client, "alice", "mauvais-mot-de-passe", address="192.0.2.50")
        _try(client, "alice", PASSWORD, address="192.0.2.50")
    messages = [r.getMessage() for r in caplog.records if r.name == "rtsuivi.auth"]
    assert any("failed" in m and "alice" in m and "192.0.2.50" in m for m in messages)
    assert any("succeeded" in m and "alice" in m for m in messages)


# ---------------------------------------------------------------- item 17: passwords

@pytest.mark.parametrize("password, reason", [
    ("court", "au moins 10 caractères"),
    ("marguerite", "nom d'utilisateur"),
    ("Azertyuiop", "trop courant"),
    ("motdepasse123", "trop courant"),
])
def test_weak_password_is_refused_on_create(app, password, reason):
    with pytest.raises(DomainError, match=reason):
        accounts.create_user("marguerite", password=password)


def test_weak_password_is_refused_on_change(app, make_user):
    user = make_user("alice")
    with pytest.raises(DomainError, match="au moins 10"):
        accounts.set_password(user, "alice")


def test_cli_create_user_applies_password_policy(app):
    result = app.test_cli_runner().invoke(args=["rtsuivi", "create-user", "gaston",
                                                "--password", "1234567890"])
    assert result.exit_code != 0 and "trop courant" in result.output
    result = app.test_cli_runner().invoke(args=["rtsuivi", "create-user", "gaston",
                                                "--password", "gaston-a-un-vrai-secret"])
    assert result.exit_code == 0, result.output


def test_demo_refuses_a_weak_demo_password(app, monkeypatch):
    monkeypatch.setenv("RTSUIVI_DEMO_PASSWORD", "demo")
    result = app.test_cli_runner().invoke(args=["rtsuivi", "demo"])
    assert result.exit_code != 0 and "au moins 10 caractères" in result.output


# ---------------------------------------------------------------- item 16: headers

def test_pages_carry_security_headers(client):
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_inline_handler_or_script_in_templates():
    from pathlib import Path
    templates = Path(__file__).resolve().parent.parent / "rtsuivi" / "templates"
    for path in templates.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"\son[a-z]+=", text), path
        assert not re.search(r"<script(?![^>]*\ssrc=)", text), path
        assert not re.search(r"\sstyle=|<style", text), path


# ---------------------------------------------------------------- item 11: who reads what

from sqlalchemy import func, select  # noqa: E402

from rtsuivi.domain import reading  # noqa: E402
from rtsuivi.domain import tickets as domain  # noqa: E402
from rtsuivi.models import Attachment, OutboxMail, Transaction  # noqa: E402

from .conftest import AGENT_RIGHTS  # noqa: E402


def test_admin_comment_mail_needs_show_ticket_comments(desk, make_ticket, make_user,
                                                       login_as):
    watcher = make_user("gerard", email="gerard@example.org")
    ticket = make_ticket(desk.support, requestors=[desk.denise], admin_cc=[watcher])
    domain.comment(ticket, desk.alice, "Le mot de passe du serveur est dans le coffre.")
    db.session.commit()
    mail = db.session.scalar(select(OutboxMail).where(
        OutboxMail.ticket_id == ticket.id, OutboxMail.scrip.like("%Comment%")))
    reader = make_user("lectrice", rights=tuple(
        r for r in AGENT_RIGHTS if r != "ShowTicketComments") + ("ShowOutgoingEmail",))
    assert not reading.can_read_mail(reader, mail)
    client = login_as(reader)
    assert client.get(f"/tickets/{ticket.id}/mails/{mail.id}").status_code == 403
    assert f"/mails/{mail.id}" not in client.get(f"/tickets/{ticket.id}").plain
    # With ShowTicketComments too, the same mail is readable.
    full = make_user("complete", rights=AGENT_RIGHTS + ("ShowOutgoingEmail",))
    assert login_as(full).get(f"/tickets/{ticket.id}/mails/{mail.id}").status_code == 200


def test_the_ticket_pages_mail_list_follows_can_read_mail(desk, make_ticket, make_user):
    """reading.readable_mails (the history's sent mails, the ticket asked about once)
    answers as can_read_mail for each mail, and never lets another ticket's mail in."""
    watcher = make_user("gerard", email="gerard@example.org")
    ticket = make_ticket(desk.support, requestors=[desk.denise], admin_cc=[watcher])
    other = make_ticket(desk.support, requestors=[desk.denise])
    domain.reply(ticket, desk.alice, "Nous regardons.")
    domain.comment(ticket, desk.alice, "Le mot de passe est dans le coffre.")
    domain.reply(other, desk.alice, "Autre ticket.")
    db.session.commit()
    mails = list(db.session.scalars(select(OutboxMail).where(
        OutboxMail.ticket_id.in_((ticket.id, other.id))).order_by(OutboxMail.id)))
    reader = make_user("lectrice", rights=tuple(
        r for r in AGENT_RIGHTS if r != "ShowTicketComments") + ("ShowOutgoingEmail",))
    full = make_user("complete", rights=AGENT_RIGHTS + ("ShowOutgoingEmail",))
    for user in (reader, full, desk.denise, desk.alice):
        shown = reading.readable_mails(user, ticket, mails)
        assert shown == [m for m in mails if m.ticket_id == ticket.id
                         and reading.can_read_mail(user, m)]
    assert len(reading.readable_mails(reader, ticket, mails)) \
        < len(reading.readable_mails(full, ticket, mails))  # the comment's mail


def test_the_ticket_pages_sent_mails_cost_no_statement_each(desk, make_ticket, make_user,
                                                            login_as):
    """The history's sent mails are checked with their transactions read together: the
    page's statements do not grow with the mails (one query a mail, before), and it still
    lists each mail the reader may read, a forwarded message's included."""
    from sqlalchemy import event
    watcher = make_user("gerard", email="gerard@example.org")
    ticket = make_ticket(desk.support, requestors=[desk.denise], admin_cc=[watcher])
    first = domain.reply(ticket, desk.alice, "Nous regardons.")
    db.session.commit()
    full = make_user("complete", rights=AGENT_RIGHTS + ("ShowOutgoingEmail",))
    client = login_as(full)

    def page() -> tuple[str, int]:
        seen = []
        count = lambda *_args: seen.append(1)  # noqa: E731
        client.get(f"/tickets/{ticket.id}")  # what the process keeps, read once
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            html = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return html, len(seen)
    _html, with_one = page()
    for number in range(3):
        domain.reply(ticket, desk.alice, f"Relance {number}.")
    domain.forward(ticket, desk.alice, "expert@example.net", "Pour avis.", transaction=first)
    db.session.commit()
    html, with_more = page()
    mails = db.session.scalars(select(OutboxMail).where(OutboxMail.ticket_id == ticket.id))
    ids = [mail.id for mail in mails]
    assert len(ids) >= 5 and all(f"/mails/{mail_id}" in html for mail_id in ids)
    assert with_more <= with_one + 1  # the forward: the message it sent, read in one more


def test_requester_cannot_download_an_agents_forward_note(desk, make_ticket, login_as):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    txn = domain.forward(ticket, desk.alice, "expert@example.net",
                         "Note interne : client difficile, voir avec la direction.")
    db.session.commit()
    note = db.session.scalar(select(Attachment).where(Attachment.transaction_id == txn.id))
    assert not reading.can_read_attachment(desk.denise, note)
    client = login_as(desk.denise)
    assert client.get(f"/tickets/{ticket.id}/attachments/{note.id}").status_code == 404
    assert login_as(desk.alice).get(
        f"/tickets/{ticket.id}/attachments/{note.id}").status_code == 200


def test_requester_cannot_download_files_of_a_deleted_ticket(desk, make_ticket, login_as):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    create = db.session.scalar(select(Transaction).where(Transaction.ticket_id == ticket.id))
    file = Attachment(transaction=create, content_type="application/pdf",
                      filename="devis.pdf", content_bytes=b"%PDF-1.4 devis")
    db.session.add(file)
    db.session.commit()
    url = f"/tickets/{ticket.id}/attachments/{file.id}"
    assert login_as(desk.denise).get(url).status_code == 200
    domain.set_status(ticket, desk.alice, "deleted")
    db.session.commit()
    assert login_as(desk.denise).get(url).status_code == 404
    assert login_as(desk.alice).get(url).status_code == 200  # agents still see it


def test_forward_of_a_comment_mail_needs_show_ticket_comments(desk, make_ticket, make_user):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    note = domain.comment(ticket, desk.alice, "Code d'accès : 4321")
    db.session.flush()
    domain.forward(ticket, desk.alice, "expert@example.net", "", note)
    db.session.commit()
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.ticket_id == ticket.id,
                                                      OutboxMail.scrip.like("%Forward%")))
    reader = make_user("lectrice", rights=("ShowTicket", "ShowOutgoingEmail"),
                       on=desk.support)
    assert not reading.can_read_mail(reader, mail)


# ---------------------------------------------------------------- item 10: a busy database

import sqlite3  # noqa: E402
from contextlib import contextmanager  # noqa: E402

from .conftest import DATABASE_URL, Client, _config, _empty_all_tables  # noqa: E402


@pytest.fixture
def impatient_app(_migrated):
    """The app, waiting only 0.2 s for a database lock."""
    from rtsuivi import create_app
    app = create_app(_config(RTSUIVI_DB_LOCK_TIMEOUT=0.2))
    app.test_client_class = Client
    with app.app_context():
        _empty_all_tables()
        yield app
        db.session.remove()
        db.engine.dispose()


@contextmanager
def write_lock_held():
    """Another connection (another process) holding the lock writers need: SQLite's
    database-wide write lock; on PostgreSQL, an EXCLUSIVE lock on the tickets table."""
    if DATABASE_URL.startswith("sqlite"):
        other = sqlite3.connect(DATABASE_URL.removeprefix("sqlite:///"), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    from sqlalchemy import create_engine
    engine = create_engine(DATABASE_URL)
    with engine.connect() as other:
        other.exec_driver_sql("LOCK TABLE tickets IN EXCLUSIVE MODE")  # readers still read
        try:
            yield
        finally:
            other.rollback()
    engine.dispose()


def _busy_desk():
    alice = accounts.create_user("alice", password=PASSWORD, privileged=True)
    queue = accounts.create_queue("Support")
    for right in ("SeeQueue", "ShowTicket", "CreateTicket", "ReplyToTicket", "ModifyTicket",
                  "OwnTicket", "TakeTicket"):
        accounts.grant("user:alice", right, queue)
    ticket = domain.create(alice, domain.NewTicket(queue=queue, subject="Verrou",
                                                   content="Bonjour"))
    db.session.commit()
    return alice, ticket


def _log_in(client):
    client.refresh_token("/login")
    assert client.post("/login", data={"name": "alice", "password": PASSWORD}
                       ).status_code == 302
    client.refresh_token()


@pytest.mark.parametrize("htmx", [False, True])
def test_busy_database_answers_retry_in_a_moment(impatient_app, htmx):
    alice, ticket = _busy_desk()
    client = impatient_app.test_client()
    _log_in(client)
    before = len(ticket.transactions)
    with write_lock_held():
        response = client.post(f"/tickets/{ticket.id}/update", htmx=htmx, data={
            "action": "reply", "kind": "reply", "content": "Réponse perdue ?", "status": "open"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Réessayez dans un instant" in response.plain
    assert ("<html" in response.plain) is not htmx
    db.session.expire_all()
    assert len(db.session.get(type(ticket), ticket.id).transactions) == before  # nothing written
    assert db.session.get(type(ticket), ticket.id).status == "new"


# ---------------------------------------------------------------- item 10: bounded requests

from rtsuivi.domain import bulk  # noqa: E402


@pytest.fixture
def bulk_agent(desk):
    accounts.grant("group:N1", "ShowSearchBulkUpdate")
    db.session.commit()
    return desk.alice


def test_too_many_addresses_in_one_field_are_refused(desk, make_ticket, login_as):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    many = ", ".join(f"cc{i}@example.net" for i in range(domain.MAX_ADDRESSES + 1))
    with pytest.raises(DomainError, match="Au plus 50 adresses"):
        domain.parse_people(many)
    with pytest.raises(DomainError, match="Au plus 50 adresses"):
        domain.forward(ticket, desk.alice, many)
    db.session.rollback()
    client = login_as(desk.alice)
    response = client.post(f"/tickets/{ticket.id}/people/add", htmx=True, data={
        "role": "Cc", "person": ",".join(f"a{i}" for i in range(domain.MAX_ADDRESSES + 1))})
    assert "Au plus 50 adresses" in response.plain
    response = client.post("/tickets/new", data={
        "queue": desk.support.id, "subject": "Trop de monde", "requestors": "alice",
        "cc": many, "owner": ticket.owner_id})
    assert "Au plus 50 adresses" in response.plain
    db.session.expire_all()
    assert len(db.session.get(type(ticket), ticket.id).watchers) == 1
    assert db.session.scalar(select(func.count()).select_from(type(ticket))) == 1


def test_bulk_run_is_capped_and_says_so(desk, make_ticket, login_as, bulk_agent):
    client = login_as(bulk_agent)
    ticket = make_ticket(desk.support)
    html = client.get("/recherche/resultats?query=id>0").plain
    assert ("Au plus 100 tickets à la fois, 50 adresses par champ et 1000 ajouts ou retraits "
            "de personnes") in html
    ids = [str(ticket.id)] + [str(ticket.id + n) for n in range(1, bulk.MAX_TICKETS + 1)]
    response = client.post("/recherche/modifier", data={"ids": ids, "priority": "5"})
    assert "Au plus 100 tickets par modification groupée" in response.plain
    db.session.refresh(ticket)
    assert ticket.priority == 0
    many = ",".join(f"cc{i}@example.net" for i in range(51))
    response = client.post("/recherche/modifier", data={"ids": [str(ticket.id)],
                                                        "add_cc": many})
    assert "Au plus 50 adresses" in response.plain
    tickets = [make_ticket(desk.support, subject=f"T{n}") for n in range(21)]
    fifty = ",".join(f"cc{i}@example.net" for i in range(50))
    response = client.post("/recherche/modifier", data={"ids": [str(t.id) for t in tickets],
                                                        "add_cc": fifty})
    assert "Au plus 1000 ajouts ou retraits de personnes" in response.plain
    db.session.expire_all()
    assert not any(w.role == "Cc" for t in tickets
                   for w in db.session.get(type(t), t.id).watchers)


def test_bulk_run_commits_in_batches(desk, make_ticket, login_as, bulk_agent, monkeypatch):
    tickets = [make_ticket(desk.support, subject=f"T{n}") for n in range(bulk.BATCH + 3)]
    commits = []
    real_commit = db.session.commit
    monkeypatch.setattr(db.session, "commit", lambda: (commits.append(1), real_commit()))
    client = login_as(bulk_agent)
    commits.clear()
    client.post("/recherche/modifier", data={"ids": [str(t.id) for t in tickets],
                                             "priority": "4"})
    assert len(commits) >= len(tickets) // bulk.BATCH  # one commit per batch
    assert all(db.session.get(type(t), t.id).priority == 4 for t in tickets)


def test_many_recipients_make_several_mails(app, desk, make_ticket, make_user):
    from rtsuivi.models import OutboxMail
    app.config["RTSUIVI_MAX_RECIPIENTS_PER_MAIL"] = 3
    ccs = [make_user(f"cc{i}", privileged=False) for i in range(7)]
    ticket = make_ticket(desk.support, requestors=[desk.denise], cc=ccs)
    domain.reply(ticket, desk.alice, "Réponse à tous")
    db.session.commit()
    reply = next(t for t in ticket.transactions if t.type == "Correspond")
    mails = db.session.scalars(select(OutboxMail).where(
        OutboxMail.transaction_id == reply.id, OutboxMail.scrip.like("%Requestors and Ccs"))
    ).all()
    sent_to = [r for m in mails for r in m.recipient_list]
    assert max(len(m.recipient_list) for m in mails) <= 3
    assert sorted(sent_to) == sorted([desk.denise.email] + [c.email for c in ccs])


# ---------------------------------------------------------------- item 17: odd inputs

HUGE = "99999999999999999999999"  # past 64 bits


@pytest.mark.parametrize("url", [
    f"/tickets/{HUGE}", f"/tickets/{2**63}", f"/tickets/{2**31}", f"/tickets/{HUGE}/history",
    f"/tickets/1/attachments/{HUGE}", f"/tickets/1/mails/{HUGE}", f"/files/{HUGE}",
    f"/demandes/{HUGE}", f"/Ticket/Display.html?id={HUGE}",
])
def test_huge_ids_in_urls_are_not_found(desk, login_as, url):
    response = login_as(desk.alice).get(url, follow_redirects=True)
    assert response.status_code == 404


@pytest.mark.parametrize("page", [HUGE, str(2**63), "-5", "abc"])
def test_huge_queue_list_page_is_a_bad_request(desk, login_as, page):
    response = login_as(desk.alice).get(f"/files/{desk.support.id}?page={page}")
    assert response.status_code in (200, 400)  # a page or a refusal, never a 500
    if page in (HUGE, str(2**63)):
        assert response.status_code == 400


def test_huge_ids_in_forms_change_nothing(desk, make_ticket, login_as, bulk_agent):
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    assert client.post(f"/tickets/{ticket.id}/people/remove",
                       data={"user_id": HUGE, "role": "Cc"}).status_code == 400
    assert client.get(f"/tickets/{ticket.id}/forward?transaction={HUGE}").status_code == 200
    assert client.get(f"/tickets/new?queue={HUGE}").status_code == 200
    response = client.post("/recherche/modifier", data={"ids": [HUGE, str(ticket.id)],
                                                        "queue": HUGE, "priority": HUGE})
    assert response.status_code == 200
    assert "refusé" in response.plain
    db.session.refresh(ticket)
    assert ticket.priority == 0 and ticket.queue_id == desk.support.id


def test_bulk_priority_keeps_the_forms_range(desk, make_ticket, login_as, bulk_agent):
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    for value in ("101", "-1", "5000"):
        response = client.post("/recherche/modifier", data={"ids": [str(ticket.id)],
                                                            "priority": value})
        assert "La priorité va de 0 à 100" in response.plain
    db.session.refresh(ticket)
    assert ticket.priority == 0
    with pytest.raises(DomainError, match="priorité"):
        domain.set_fields(ticket, desk.alice, priority=250)


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
@pytest.mark.parametrize("value", ["9999-12-31T23:30", "0001-01-01T00:10", "10000-01-01T00:00",
                                   "99999-01-01T00:00"])
def test_dates_at_the_ends_of_the_calendar_are_refused(desk, make_ticket, login_as, zone,
                                                       value):
    ticket = make_ticket(desk.support)
    desk.alice.timezone = zone
    db.session.commit()
    client = login_as(desk.alice)
    response = client.post(f"/tickets/{ticket.id}/edit", data={
        "subject": ticket.subject, "priority": "0", "due": value, "starts": ""})
    assert response.status_code == 200
    db.session.refresh(ticket)
    assert ticket.due is None
    assert client.get(f"/tickets/{ticket.id}").status_code == 200


@pytest.mark.parametrize("back", ["javascript:alert(document.cookie)", " javascript:alert(1)",
                                  "JaVaScRiPt:alert(1)", "//evil.example/x", "/\\evil.example",
                                  "https://evil.example/", "data:text/html,x"])
def test_back_parameter_never_renders_a_foreign_url(desk, make_ticket, login_as, bulk_agent,
                                                    back):
    ticket = make_ticket(desk.support)
    response = login_as(desk.alice).post("/recherche/modifier", data={
        "ids": [str(ticket.id)], "priority": "3", "back": back})
    assert response.status_code == 200
    assert back not in response.get_data(as_text=True)
    assert 'href="/recherche/avancee"' in response.get_data(as_text=True)


def test_back_parameter_keeps_a_local_path(desk, make_ticket, login_as, bulk_agent):
    ticket = make_ticket(desk.support)
    response = login_as(desk.alice).post("/recherche/modifier", data={
        "ids": [str(ticket.id)], "priority": "3", "back": "/recherche/resultats?query=id%3E0"})
    assert 'href="/recherche/resultats?query=id%3E0"' in response.get_data(as_text=True)


def test_bulk_run_stopped_by_a_busy_database_reports_what_was_not_done(impatient_app,
                                                                        monkeypatch):
    alice, first = _busy_desk()
    accounts.grant("user:alice", "ShowSearchBulkUpdate")
    tickets = [first] + [domain.create(alice, domain.NewTicket(queue=first.queue,
                                                               subject=f"T{n}"))
                         for n in range(bulk.BATCH + 2)]
    db.session.commit()
    ids = sorted(t.id for t in tickets)
    client = impatient_app.test_client()
    _log_in(client)
    real_update, calls, lock = bulk.update, [], write_lock_held()

    def update_then_busy(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # someone else takes the write lock between two batches
            lock.__enter__()
        return real_update(*args, **kwargs)
    monkeypatch.setattr(bulk, "update", update_then_busy)
    try:
        response = client.post("/recherche/modifier", data={
            "ids": [str(i) for i in ids], "priority": "6"})
    finally:
        lock.__exit__(None, None, None)
    assert response.status_code == 200
    assert response.plain.count("réessayez dans un instant") == len(ids) - bulk.BATCH
    db.session.expire_all()
    priorities = [db.session.get(type(first), i).priority for i in ids]
    assert priorities == [6] * bulk.BATCH + [0] * (len(ids) - bulk.BATCH)


# ---------------------------------------------------------------- item 17: private files

def test_data_folder_and_sqlite_file_are_private(tmp_path, monkeypatch):
    import os
    import stat

    from rtsuivi import create_app
    old_umask = os.umask(0o022)  # the usual umask: files 0644, folders 0755
    try:
        data = tmp_path / "donnees"
        monkeypatch.setenv("RTSUIVI_DATA_DIR", str(data))
        monkeypatch.delenv("SECRET_KEY", raising=False)
        monkeypatch.delenv("DATABASE_URL", raising=False)
        app = create_app()  # a deployment's start: no config given
        with app.app_context():
            with db.engine.begin() as conn:
                conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
                conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in data.iterdir()}
            db.engine.dispose()
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "search_index").stat().st_mode) == 0o700
    assert files["rtsuivi.sqlite3"] == 0o600 and files["secret_key"] == 0o600
    assert all(mode == 0o600 for name, mode in files.items() if name != "search_index"), files


def test_account_lock_spares_the_users_own_browser(client, make_user, clock, app):
    make_user("alice")
    assert _try(client, "alice", PASSWORD, address="192.0.2.7").status_code == 302
    client.post("/logout")
    attacker = app.test_client()
    for attempt in range(app.config["RTSUIVI_LOGIN_MAX_FAILURES"]):
        _try(attacker, "alice", "mauvais-mot-de-passe", address=f"10.0.0.{attempt}")
        clock(seconds=61)
    assert _try(attacker, "alice", PASSWORD, address="10.9.9.9").status_code == 429
    # Alice, in the browser she used before, is not kept out.
    assert _try(client, "alice", PASSWORD, address="192.0.2.7").status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_is_throttled(client, make_user, clock,
                                                                   app):
    app.config["RTSUIVI_PROXY_COUNT"] = 1
    make_user("bruno")

    def through_proxy(name, password, client_address):
        client.token = None
        client.refresh_token("/login")
        return client.post("/login", data={"name": name, "password": password},
                           headers={"X-Forwarded-For": f"6.6.6.6, {client_address}"})
    for attempt in range(app.config["RTSUIVI_LOGIN_MAX_FAILURES"]):
        through_proxy(f"victime{attempt}", "devine-ceci-123", "203.0.113.9")
        clock(seconds=61)
    assert through_proxy("bruno", PASSWORD, "203.0.113.9").status_code == 429
    # Another user behind the same proxy is not locked out with the attacker.
    assert through_proxy("bruno", PASSWORD, "198.51.100.1").status_code == 302


def test_simultaneous_failed_logins_are_all_counted(app, make_user):
    """Parallel tries (a brute-force tool) neither crash on the new counter row nor lose
    a failure (PostgreSQL runs them truly in parallel)."""
    import threading

    from rtsuivi.models import LoginThrottle
    make_user("alice")
    clients = []
    for _ in range(6):
        client = Client(app, app.response_class, use_cookies=True)
        client.refresh_token("/login")
        clients.append(client)
    db.session.commit()
    barrier, answers = threading.Barrier(len(clients)), []

    def try_once(client):
        barrier.wait()
        try:
            answers.append(client.post("/login", data={"name": "alice",
                                                       "password": "mauvais-essai-1"}).status_code)
        except Exception as error:  # surfaced by the assertion below
            answers.append(error)
    threads = [threading.Thread(target=try_once, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    db.session.commit()
    assert len(answers) == len(clients) and all(a in (401, 429) for a in answers), answers
    row = db.session.get(LoginThrottle, "account:alice")
    assert row.failures == answers.count(401)
