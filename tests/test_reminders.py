"""« Les rappels »: add, complete, reopen on the ticket page (htmx and not), recorded in the
history, refused without ModifyTicket or with a past due date; « Mes rappels »; the owner's
mail sent exactly once through a real SMTP server, whatever the number of worker rounds."""
import json
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select, update

from rtsuivi.domain import DomainError, Forbidden, reminders
from rtsuivi.extensions import db
from rtsuivi.mail import sending
from rtsuivi.mail.reminders import queue_due_reminders
from rtsuivi.models import OutboxMail, Reminder, Transaction, utcnow
from tests.mail.conftest import smtp_server  # noqa: F401  (the real SMTP server fixture)


def _local(when) -> str:
    """A UTC date as the form takes it from a user in Europe/Paris (the default zone)."""
    from zoneinfo import ZoneInfo
    return when.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("Europe/Paris")) \
        .strftime("%Y-%m-%dT%H:%M")


def _form(owner, due, subject="Rappeler le demandeur"):
    return {"reminder-subject": subject, "reminder-owner": str(owner.id),
            "reminder-due": _local(due)}


def _reminders(ticket_id):
    db.session.commit()
    return list(db.session.scalars(select(Reminder).where(Reminder.ticket_id == ticket_id)))


def _types(ticket_id):
    db.session.commit()
    return [t.type for t in db.session.scalars(select(Transaction).where(
        Transaction.ticket_id == ticket_id).order_by(Transaction.id))]


# ---------------------------------------------------------------- domain

def test_add_complete_reopen_are_recorded_in_history(desk, make_ticket):
    ticket = make_ticket(desk.support)
    reminder = reminders.add(ticket, desk.alice, "Relancer", desk.bruno,
                             utcnow() + timedelta(days=1))
    reminders.resolve(reminder, desk.alice)
    reminders.reopen(reminder, desk.bruno)
    db.session.commit()
    assert _types(ticket.id)[-3:] == ["AddReminder", "ResolveReminder", "OpenReminder"]
    assert reminder.status == "open" and reminder.owner == desk.bruno


def test_a_reminder_in_the_past_is_refused(desk, make_ticket):
    ticket = make_ticket(desk.support)
    with pytest.raises(DomainError, match="dans le passé"):
        reminders.add(ticket, desk.alice, "Trop tard", desk.alice,
                      utcnow() - timedelta(minutes=5))
    db.session.rollback()
    assert _reminders(ticket.id) == []


def test_adding_needs_modify_ticket(desk, make_ticket, make_user):
    ticket = make_ticket(desk.support)
    reader = make_user("lecteur", rights=("ShowTicket", "OwnTicket"), on=desk.support)
    with pytest.raises(Forbidden):
        reminders.add(ticket, reader, "x", reader, utcnow() + timedelta(days=1))


def test_the_owner_must_be_able_to_own_the_ticket(desk, make_ticket):
    ticket = make_ticket(desk.support)
    with pytest.raises(DomainError, match="intervenant"):
        reminders.add(ticket, desk.alice, "x", desk.chloe, utcnow() + timedelta(days=1))


def test_someone_else_cannot_complete_without_modify_ticket(desk, make_ticket, make_user):
    ticket = make_ticket(desk.support)
    reminder = reminders.add(ticket, desk.alice, "x", desk.alice, utcnow() + timedelta(days=1))
    db.session.commit()
    reader = make_user("lecteur", rights=("ShowTicket",), on=desk.support)
    with pytest.raises(Forbidden):
        reminders.resolve(reminder, reader)


# ---------------------------------------------------------------- the box (htmx)

def test_the_form_offers_the_agents_who_may_own_the_ticket_by_their_names_of_now(
        desk, login_as, make_ticket):
    """The « Pour » options: possible_owners' people, me chosen, shown by their display
    name as it is now (kept per rights serial, which a rename bumps)."""
    import re
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)

    def options():
        html = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
        select = re.search(r'<select[^>]*name="reminder-owner".*?</select>', html, re.S)
        return re.findall(r'<option (selected )?value="(\d+)">([^<]*)</option>', select.group(0))

    first = options()
    expected = {u.id: u.display_name for u in reminders.possible_owners(ticket)}
    assert {int(value): name for _, value, name in first} == expected
    assert desk.chloe.id not in expected  # may not own tickets of this queue
    assert [int(value) for chosen, value, _ in first if chosen] == [desk.alice.id]
    desk.bruno.real_name = "Bruno Renommé"
    db.session.commit()
    assert (str(desk.bruno.id), "Bruno Renommé") in [(v, n) for _, v, n in options()]


def test_add_with_htmx_answers_the_box_and_announces_history(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    response = login_as(desk.alice).post(
        f"/tickets/{ticket.id}/reminders", htmx=True,
        data=_form(desk.bruno, utcnow() + timedelta(days=2)))
    assert response.status_code == 200
    assert 'id="ticket-reminders"' in response.plain and "<html" not in response.plain
    assert "Rappeler le demandeur" in response.plain and "Rappel ajouté." in response.plain
    assert "ticket-history-changed" in json.loads(response.headers["HX-Trigger"])
    assert [r.owner_id for r in _reminders(ticket.id)] == [desk.bruno.id]
    history = login_as(desk.alice).get(f"/tickets/{ticket.id}").plain
    assert "Rappel « Rappeler le demandeur » ajouté par <span" in history


def test_add_without_htmx_redirects_to_the_ticket(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    response = login_as(desk.alice).post(f"/tickets/{ticket.id}/reminders",
                                         data=_form(desk.alice, utcnow() + timedelta(days=2)))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/tickets/{ticket.id}#ticket-reminders")
    assert len(_reminders(ticket.id)) == 1


def test_add_without_modify_ticket_is_403(desk, login_as, make_ticket, make_user):
    ticket = make_ticket(desk.support)
    reader = make_user("lecteur", rights=("ShowTicket", "OwnTicket"), on=desk.support)
    response = login_as(reader).post(f"/tickets/{ticket.id}/reminders", htmx=True,
                                     data=_form(reader, utcnow() + timedelta(days=2)))
    assert response.status_code == 403
    assert _reminders(ticket.id) == []


def test_add_in_the_past_shows_the_message_and_changes_nothing(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    before = _types(ticket.id)
    response = login_as(desk.alice).post(
        f"/tickets/{ticket.id}/reminders", htmx=True,
        data=_form(desk.alice, utcnow() - timedelta(hours=2)))
    assert response.status_code == 200
    assert "L'échéance d'un rappel ne peut pas être dans le passé." in response.plain
    assert "HX-Trigger" not in response.headers
    assert _reminders(ticket.id) == [] and _types(ticket.id) == before


def test_complete_and_reopen_with_and_without_htmx(desk, login_as, make_ticket, make_user):
    ticket = make_ticket(desk.support)
    reminder = reminders.add(ticket, desk.alice, "Relancer", desk.alice,
                             utcnow() + timedelta(days=1))
    db.session.commit()
    client = login_as(desk.alice)
    done = client.post(f"/tickets/{ticket.id}/reminders/{reminder.id}/done", htmx=True)
    assert done.status_code == 200 and "Rouvrir" in done.plain and "<html" not in done.plain
    assert _reminders(ticket.id)[0].status == "done"
    again = client.post(f"/tickets/{ticket.id}/reminders/{reminder.id}/reopen")
    assert again.status_code == 302 and _reminders(ticket.id)[0].status == "open"
    reader = make_user("lecteur", rights=("ShowTicket",), on=desk.support)
    refused = login_as(reader).post(f"/tickets/{ticket.id}/reminders/{reminder.id}/done",
                                    htmx=True)
    assert refused.status_code == 403 and _reminders(ticket.id)[0].status == "open"


def test_a_reminder_of_another_ticket_is_404(desk, login_as, make_ticket):
    first, second = make_ticket(desk.support), make_ticket(desk.support)
    reminder = reminders.add(first, desk.alice, "x", desk.alice, utcnow() + timedelta(days=1))
    db.session.commit()
    response = login_as(desk.alice).post(
        f"/tickets/{second.id}/reminders/{reminder.id}/done", htmx=True)
    assert response.status_code == 404


def test_an_overdue_reminder_says_so_in_words(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    reminder = reminders.add(ticket, desk.alice, "Rappeler", desk.alice,
                             utcnow() + timedelta(minutes=1))
    db.session.commit()
    db.session.execute(update(Reminder).where(Reminder.id == reminder.id)
                       .values(due=utcnow() - timedelta(hours=1)))
    db.session.commit()
    html = login_as(desk.alice).get(f"/tickets/{ticket.id}").plain
    assert "En retard" in html and "reminder-late" in html
    assert "En retard" in login_as(desk.alice).get("/tickets/reminders").plain


def test_the_box_reads_rows_that_say_what_the_reminders_say(desk, login_as, make_ticket):
    """domain.reminders.on_ticket reads the box's reminders as rows (ShownReminder, with the
    owner's names as PersonRow): the same order, columns and owners as the ORM's, and the
    box draws them: subjects escaped, owners by their names with their address."""
    ticket = make_ticket(desk.support)
    later = reminders.add(ticket, desk.alice, "Plus tard", desk.alice,
                          utcnow() + timedelta(days=2))
    soon = reminders.add(ticket, desk.alice, "Bientôt <b>gras</b>", desk.bruno,
                         utcnow() + timedelta(hours=1))
    done = reminders.add(ticket, desk.alice, "Déjà fait", desk.bruno,
                         utcnow() + timedelta(hours=3))
    reminders.resolve(done, desk.alice)
    db.session.commit()
    shown = reminders.on_ticket(ticket)
    assert [r.id for r in shown] == [soon.id, later.id, done.id]
    for row, model in zip(shown, (soon, later, done)):
        assert (row.subject, row.owner_id, row.due, row.status) == \
            (model.subject, model.owner_id, model.due, model.status)
        assert (row.owner.id, row.owner.display_name, row.owner.email, row.owner.is_nobody) == \
            (model.owner.id, model.owner.display_name, model.owner.email, False)
    html = login_as(desk.alice).get(f"/tickets/{ticket.id}").get_data(as_text=True)
    box = html.split('id="ticket-reminders"')[1].split("</section>")[0]
    assert box.index("Bientôt &lt;b&gt;gras&lt;/b&gt;") < box.index("Plus tard") \
        < box.index("Déjà fait")
    assert f'title="{desk.bruno.email}">Bruno Lefèvre</span>' in box
    assert f'title="{desk.alice.email}">Alice Martin</span>' in box
    assert box.count("Marquer comme fait") == 2 and box.count("Rouvrir") == 1


# ---------------------------------------------------------------- « Mes rappels »

def test_my_reminders_lists_my_open_ones_on_tickets_i_may_see(desk, login_as, make_ticket,
                                                               make_queue):
    mine = make_ticket(desk.support, subject="Le mien")
    reminders.add(mine, desk.alice, "Ouvert", desk.alice, utcnow() + timedelta(days=1))
    closed = reminders.add(mine, desk.alice, "Fermé", desk.alice, utcnow() + timedelta(days=1))
    reminders.resolve(closed, desk.alice)
    reminders.add(mine, desk.alice, "Pour Bruno", desk.bruno, utcnow() + timedelta(days=1))
    hidden = make_queue("Cachée", rights={"user:alice": ["OwnTicket", "ModifyTicket"]})
    other = make_ticket(hidden)
    db.session.add(Reminder(ticket=other, subject="Invisible", owner=desk.alice,
                            due=utcnow() + timedelta(days=1), created_by_id=desk.alice.id))
    db.session.commit()
    assert [r.subject for r in reminders.mine(desk.alice)] == ["Ouvert"]
    html = login_as(desk.alice).get("/tickets/reminders").plain
    assert "Ouvert" in html and "Le mien" in html
    assert "Fermé" not in html and "Pour Bruno" not in html and "Invisible" not in html
    assert 'href="/tickets/reminders"' in html  # linked from the header


# ---------------------------------------------------------------- the mail, once

@pytest.fixture
def due_reminder(desk, make_ticket):
    desk.support.correspond_address = "support@example.org"
    ticket = make_ticket(desk.support, subject="Imprimante")
    reminder = reminders.add(ticket, desk.alice, "Rappeler Denise", desk.bruno,
                             utcnow() + timedelta(hours=1))
    db.session.commit()
    return reminder


def test_the_owner_gets_one_mail_when_the_reminder_falls_due(app, due_reminder,
                                                             smtp_server):  # noqa: F811
    assert queue_due_reminders() == 0  # not due yet
    later = utcnow() + timedelta(hours=2)  # the clock moved on
    assert queue_due_reminders(now=later) == 1
    assert queue_due_reminders(now=later) == 0  # a second round, or a restarted worker
    assert sending.send_pending(now=later)["sent"] == 1
    sending.run_worker(app, once=True)
    assert queue_due_reminders(now=later + timedelta(days=1)) == 0
    sending.run_worker(app, once=True)
    assert len(smtp_server.messages) == 1
    mail_from, rcpts, content = smtp_server.messages[0]
    assert rcpts == ["bruno@example.org"] and mail_from == "support@example.org"
    msg = message_from_bytes(content, policy=policy.default)
    assert "Rappel : Rappeler Denise" in msg["Subject"]
    assert f"#{due_reminder.ticket_id}]" in msg["Subject"]
    assert "Rappeler Denise" in msg.get_content() and "Imprimante" in msg.get_content()
    db.session.commit()
    assert db.session.get(Reminder, due_reminder.id).notified is not None


def test_a_second_worker_finds_the_reminder_claimed_and_sends_nothing(app, due_reminder):
    later = utcnow() + timedelta(hours=2)
    # Another worker's claim, committed on its own connection first.
    with db.engine.begin() as other:
        assert other.execute(update(Reminder).where(
            Reminder.id == due_reminder.id, Reminder.notified.is_(None))
            .values(notified=later)).rowcount == 1
    assert queue_due_reminders(now=later) == 0
    assert reminders.claim_mail(due_reminder.id, later) is False
    assert db.session.scalars(select(OutboxMail)).all() == []


def test_a_completed_reminder_sends_no_mail(app, due_reminder, desk):
    reminders.resolve(due_reminder, desk.alice)
    db.session.commit()
    assert queue_due_reminders(now=utcnow() + timedelta(hours=2)) == 0




def test_two_workers_at_once_queue_one_mail(app, due_reminder):
    import threading
    later = utcnow() + timedelta(hours=2)
    barrier, queued = threading.Barrier(2), []

    def worker():
        with app.app_context():
            barrier.wait()
            try:
                queued.append(queue_due_reminders(now=later))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    db.session.commit()
    assert sorted(queued) == [0, 1]
    assert len(db.session.scalars(select(OutboxMail)).all()) == 1
