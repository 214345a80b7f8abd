"""Live collaboration on the ticket page (issue 15, item 4): who else is viewing, the change
notice, the stale-form confirmation, what one poll costs."""
import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from rtsuivi.domain import presence
from rtsuivi.domain import tickets as domain
from rtsuivi.extensions import db
from rtsuivi.models import TicketPresence, Transaction, utcnow


@pytest.fixture
def ticket(desk, make_ticket):
    return make_ticket(desk.support, requestors=[desk.denise], subject="Imprimante du 2e")


def live_url(text: str) -> str:
    """The poll URL the live box carries (it changes with each swap)."""
    return html.unescape(re.search(r'id="ticket-live"[^>]*hx-get="([^"]+)"', text)
                         .group(1))


def open_page(client, ticket) -> str:
    response = client.get(f"/tickets/{ticket.id}")
    assert response.status_code == 200
    return live_url(response.get_data(as_text=True))


def move_clock(monkeypatch, seconds):
    later = utcnow() + timedelta(seconds=seconds)
    monkeypatch.setattr(presence, "utcnow", lambda: later)


def reply_as(user, ticket, text="Je passe cet après-midi."):
    domain.reply(db.session.get(type(ticket), ticket.id), user, text)
    db.session.commit()


# ---------------------------------------------------------------- presence

def test_an_agent_viewing_the_ticket_appears_to_another_then_expires(
        desk, ticket, login_as, monkeypatch):
    client = login_as(desk.bruno)
    url = open_page(client, ticket)  # bruno's page, opened while nobody else is there
    assert client.hx_get(url).status_code == 204
    client = login_as(desk.alice)
    client.hx_get(open_page(client, ticket))
    client = login_as(desk.bruno)
    answer = client.hx_get(url)
    assert answer.status_code == 200
    assert "Également sur ce ticket" in answer.plain and "Alice Martin" in answer.plain
    assert "Bruno" not in answer.plain  # never oneself
    assert client.hx_get(live_url(answer.plain)).status_code == 204  # same viewers: nothing
    assert "Alice Martin" in client.get(f"/tickets/{ticket.id}").plain  # a page opened now
    move_clock(monkeypatch, 60)  # alice closed her page a minute ago
    gone = client.hx_get(live_url(answer.plain))
    assert gone.status_code == 200 and "Alice Martin" not in gone.plain
    assert "Également sur ce ticket" not in gone.plain


def test_presence_is_written_at_most_once_per_interval(desk, ticket, login_as, monkeypatch):
    client = login_as(desk.alice)
    url = open_page(client, ticket)
    client.hx_get(url)
    first = db.session.scalar(select(TicketPresence.seen))
    client.hx_get(url)
    assert db.session.scalar(select(TicketPresence.seen)) == first  # not rewritten
    move_clock(monkeypatch, 20)
    client.hx_get(url)
    assert db.session.scalar(select(TicketPresence.seen)) > first
    assert db.session.scalar(select(db.func.count()).select_from(TicketPresence)) == 1


def test_an_agent_who_cannot_see_the_ticket_gets_404_and_leaves_no_presence(
        desk, ticket, login_as):
    client = login_as(desk.alice)
    client.hx_get(open_page(client, ticket))
    client = login_as(desk.chloe)  # queue Info only
    for path in (f"/tickets/{ticket.id}/live", f"/tickets/{ticket.id}/live/refresh"):
        answer = client.hx_get(path)
        assert answer.status_code == 404 and "Alice Martin" not in answer.plain
    assert db.session.scalars(select(TicketPresence.user_id)).all() == [desk.alice.id]


def test_the_portal_never_shows_who_is_viewing(desk, ticket, login_as):
    client = login_as(desk.alice)
    client.hx_get(open_page(client, ticket))
    client = login_as(desk.denise)
    page = client.get(f"/demandes/{ticket.id}")
    assert page.status_code == 200 and "Imprimante du 2e" in page.plain
    assert "Alice Martin" not in page.plain and "ticket-live" not in page.plain
    assert client.hx_get(f"/tickets/{ticket.id}/live").status_code == 302  # to the portal
    assert db.session.scalars(select(TicketPresence.user_id)).all() == [desk.alice.id]


# ---------------------------------------------------------------- the change notice

def test_another_agents_reply_shows_a_notice_and_refresh_announces_the_parts(
        desk, ticket, login_as):
    client = login_as(desk.alice)
    url = open_page(client, ticket)
    reply_as(desk.bruno, ticket)
    answer = client.hx_get(url)
    assert answer.status_code == 200
    assert "Nouvelle réponse de Bruno Lefèvre depuis l'ouverture de la page." in answer.plain
    refresh = html.unescape(re.search(r'hx-get="(/tickets/\d+/live/refresh[^"]+)"',
                                      answer.plain).group(1))
    assert client.hx_get(live_url(answer.plain)).status_code == 204  # still shown, no swap
    done = client.hx_get(refresh)
    assert done.status_code == 200 and "Nouvelle réponse" not in done.plain
    for part in ("history", "basics", "actions"):  # a reply reopens: the menu changes
        assert f"ticket-{part}-changed" in done.headers["HX-Trigger"]
    assert client.hx_get(live_url(done.plain)).status_code == 204


def test_ones_own_changes_bring_no_notice(desk, ticket, login_as):
    client = login_as(desk.alice)
    url = open_page(client, ticket)
    reply_as(desk.alice, ticket)
    answer = client.hx_get(url)
    assert answer.status_code == 200 and "ticket-live" in answer.plain  # new state: swap
    assert "depuis l'ouverture" not in answer.plain


def test_a_comment_the_agent_may_not_read_brings_no_notice(desk, ticket, login_as,
                                                            make_user):
    reader = make_user("emile", rights=["SeeQueue", "ShowTicket", "ReplyToTicket"],
                       on=desk.support)
    client = login_as(reader)
    url = open_page(client, ticket)
    domain.comment(db.session.get(type(ticket), ticket.id), desk.bruno, "Note interne")
    db.session.commit()
    answer = client.hx_get(url)
    assert "Note interne" not in answer.plain and "depuis l'ouverture" not in answer.plain


# ---------------------------------------------------------------- the stale form

def open_form(client, ticket) -> str:
    form = client.hx_get(f"/tickets/{ticket.id}/update?action=reply")
    return re.search(r'name="seen" value="(\d+)"', form.plain).group(1)


def send(client, ticket, seen, text="Votre imprimante est réparée."):
    data = {"action": "reply", "kind": "reply", "status": "", "content": text}
    if seen is not None:
        data["seen"] = seen
    return client.post(f"/tickets/{ticket.id}/update", data=data, htmx=True)


def replies_of(user, ticket):
    return db.session.scalars(select(Transaction.id).where(
        Transaction.ticket_id == ticket.id, Transaction.creator_id == user.id,
        Transaction.type == "Correspond")).all()


def test_a_stale_reply_shows_the_changes_and_writes_nothing_until_confirmed(
        desk, ticket, login_as):
    client = login_as(desk.alice)
    seen = open_form(client, ticket)
    reply_as(desk.bruno, ticket, "J'ai déjà changé le toner.")
    refused = send(client, ticket, seen)
    assert refused.status_code == 200
    assert "Ce ticket a changé depuis que vous avez ouvert ce formulaire" in refused.plain
    assert "J'ai déjà changé le toner." in refused.plain and "Envoyer quand même" in refused.plain
    assert replies_of(desk.alice, ticket) == []
    assert send(client, ticket, seen).status_code == 200  # the same stale form again: no
    assert replies_of(desk.alice, ticket) == []
    confirmed = re.search(r'name="seen" value="(\d+)"', refused.plain).group(1)
    assert int(confirmed) > int(seen)
    written = send(client, ticket, confirmed)
    assert written.status_code == 200 and "Ticket mis à jour." in written.plain
    assert len(replies_of(desk.alice, ticket)) == 1


def test_a_stale_form_shows_only_what_the_user_may_read(desk, ticket, login_as, make_user):
    reader = make_user("emile", rights=["SeeQueue", "ShowTicket", "ReplyToTicket"],
                       on=desk.support)
    client = login_as(reader)
    seen = open_form(client, ticket)
    domain.comment(db.session.get(type(ticket), ticket.id), desk.bruno, "Note interne")
    reply_as(desk.bruno, ticket, "Réponse publique")
    refused = send(client, ticket, seen)
    assert "Réponse publique" in refused.plain and "Note interne" not in refused.plain
    assert replies_of(reader, ticket) == []


def test_a_form_whose_ticket_did_not_change_sends_at_once(desk, ticket, login_as):
    client = login_as(desk.alice)
    seen = open_form(client, ticket)
    reply_as(desk.alice, ticket, "Ma propre réponse d'avant")  # one's own change
    assert "Ticket mis à jour." in send(client, ticket, seen).plain
    assert len(replies_of(desk.alice, ticket)) == 2


def test_a_stale_form_without_javascript_shows_the_changes_too(desk, ticket, login_as):
    client = login_as(desk.alice)
    seen = open_form(client, ticket)
    reply_as(desk.bruno, ticket, "J'ai déjà changé le toner.")
    refused = client.post(f"/tickets/{ticket.id}/update", data={
        "action": "reply", "kind": "reply", "status": "", "content": "Fait.", "seen": seen})
    assert refused.status_code == 200 and "<html" in refused.plain
    assert "J'ai déjà changé le toner." in refused.plain
    assert replies_of(desk.alice, ticket) == []


# ---------------------------------------------------------------- htmx checks and cost

@pytest.mark.parametrize("path", ["live", "live/refresh"])
def test_live_endpoints_answer_a_fragment_a_redirect_or_404(desk, ticket, login_as, path):
    client = login_as(desk.bruno)
    client.hx_get(open_page(client, ticket))
    client = login_as(desk.alice)
    fragment = client.hx_get(f"/tickets/{ticket.id}/{path}?since=0&seen=0")
    assert fragment.status_code == 200 and "<html" not in fragment.plain
    assert 'id="ticket-live"' in fragment.plain and "Bruno Lefèvre" in fragment.plain
    page = client.get(f"/tickets/{ticket.id}/{path}")
    assert page.status_code == 302 and page.location.endswith(f"/tickets/{ticket.id}")
    client = login_as(desk.chloe)
    assert client.hx_get(f"/tickets/{ticket.id}/{path}").status_code == 404


def test_a_poll_costs_a_bounded_number_of_statements(desk, ticket, login_as):
    client = login_as(desk.alice)
    url = open_page(client, ticket)
    client.hx_get(url)  # writes the presence row
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.hx_get(url).status_code == 204
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    live = [s for s in statements if "ticket_presence" in s or "transactions" in s]
    assert len(live) == 1, live  # one query: viewers and the last transaction id
    assert not any(s.lstrip().upper().startswith(("INSERT", "UPDATE")) for s in statements)
    assert len(statements) <= 6, statements


def test_the_load_script_polls_a_live_gunicorn_and_reports_its_cost(tmp_path):
    """bench/presence.py, small: 3 pages polling twice a second for 3 s under gunicorn."""
    import json
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "bench/presence.py", "--pages", "3", "--seconds", "3",
         "--interval", "0.5", "--reply-every", "1", "--workers", "2",
         "--data-dir", str(tmp_path), "--out", str(tmp_path / "presence.json")],
        cwd=root, env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads((tmp_path / "presence.json").read_text())
    assert report["polls"] >= 6 and set(report["statuses"]) <= {"200", "204"}
    assert report["statuses"].get("204", 0) > 0  # most polls find nothing new
    assert report["req_per_s"] > 0 and report["p95_ms"] >= report["mean_ms"] * 0.5
    assert report["server_cpu_s"] > 0
