"""Issue 10 items 5 and 6: work a dead process left half-done is taken up again by the
running worker, a bounded number of times, and the admin lists say what went wrong."""
import threading
import time
from datetime import timedelta

from sqlalchemy import select

from rtsuivi.extensions import db
from rtsuivi.mail import inbound, sending
from rtsuivi.models import InboundMail, Ticket, utcnow

from .conftest import mail, new_ticket_by_mail, outbox


def _stored_unprocessed(subject: str, age: timedelta, attempts: int = 0) -> int:
    """A mail stored by the gateway whose process was killed before processing it."""
    row = InboundMail(raw=mail(subject=subject), received=utcnow() - age, attempts=attempts,
                      queue_name="Support", action="correspond")
    db.session.add(row)
    db.session.commit()
    return row.id


def test_a_mail_left_received_is_processed_again_after_the_delay(app, mail_desk):
    old = _stored_unprocessed("Coupé en route", timedelta(minutes=10))
    fresh = _stored_unprocessed("Arrive à l'instant", timedelta(seconds=5))
    assert inbound.retry_stale() == 1
    first, second = db.session.get(InboundMail, old), db.session.get(InboundMail, fresh)
    assert first.status == "done" and first.attempts == 1
    assert db.session.get(Ticket, first.ticket_id).subject == "Coupé en route"
    assert second.status == "received"  # maybe being processed right now: left alone


def test_a_mail_whose_processing_is_always_cut_ends_failed_with_the_reason(
        app, mail_desk, login_as, make_user):
    app.config["RTSUIVI_INBOUND_MAX_ATTEMPTS"] = 3
    row_id = _stored_unprocessed("Toujours coupé", timedelta(minutes=10), attempts=3)
    assert inbound.retry_stale() == 1
    row = db.session.get(InboundMail, row_id)
    assert row.status == "failed" and "3" in row.error and "interrupted" in row.error
    assert db.session.scalar(select(db.func.count(Ticket.id))) == 0
    admin = make_user("root", rights=["SuperUser"])
    listing = login_as(admin).get("/admin/courrier/entrant").plain  # the default filter
    assert "Toujours coupé" in listing and "interrupted" in listing


def test_each_retry_is_counted_before_it_runs(app, mail_desk, monkeypatch):
    row_id = _stored_unprocessed("Plante", timedelta(minutes=10))

    def killed(*args, **kwargs):  # the process dies in the middle: nothing after runs
        raise SystemExit(9)
    monkeypatch.setattr(inbound, "_handle", killed)
    try:
        inbound.retry_stale()
    except SystemExit:
        db.session.rollback()
    assert db.session.get(InboundMail, row_id).attempts == 1  # committed before processing


def test_a_mail_is_stored_with_its_sender_and_subject_before_it_is_processed(
        app, mail_desk, monkeypatch):
    """The gateway reads the mail before storing it: a process killed while handling it
    leaves a row the admin list can name (the handling then starts without an UPDATE).
    A Message-ID longer than its column is cut rather than keeping the mail from storage."""
    def killed(*args, **kwargs):
        raise SystemExit(9)
    monkeypatch.setattr(inbound, "_handle", killed)
    long_id = "x" * 600
    raw = mail(subject="Coupé net", sender="ines.morel@mairie.example",
               extra=f"Message-ID: <{long_id}@test.example>\n")
    try:
        inbound.receive(raw, queue="Support", action="correspond")
    except SystemExit:
        db.session.rollback()
    [row] = db.session.scalars(select(InboundMail).where(InboundMail.subject == "Coupé net"))
    assert (row.status, row.sender, row.attempts) == ("received", "ines.morel@mairie.example", 0)
    assert row.message_id == f"{long_id}@test.example"[:500]


def test_a_processed_mail_counts_one_attempt(app, mail_desk):
    outcome = inbound.receive(mail(subject="Une fois"), queue="Support", action="correspond")
    row = db.session.get(InboundMail, outcome.inbound_id)
    assert (row.status, row.attempts, row.subject) == ("done", 1, "Une fois")


def _worker(app):
    stop = threading.Event()
    thread = threading.Thread(target=sending.run_worker, args=(app,),
                              kwargs={"poll": 0.05, "stop": stop}, daemon=True)
    thread.start()
    return stop, thread


def _wait(predicate, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.commit()  # a fresh snapshot each look
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_running_worker_takes_up_a_mail_left_received(app, mail_desk):
    stop, thread = _worker(app)
    try:
        time.sleep(0.3)  # the worker is past its start-up
        row_id = _stored_unprocessed("Repris par le worker", timedelta(minutes=10))
        assert _wait(lambda: db.session.get(InboundMail, row_id).status == "done")
    finally:
        stop.set()
        thread.join(5)


def test_a_running_worker_reclaims_a_stale_sending_claim(app, mail_desk, smtp_server):
    new_ticket_by_mail()
    row = outbox()[0]
    row.status, row.claimed = "sending", utcnow()
    db.session.commit()
    stop, thread = _worker(app)
    try:
        time.sleep(0.3)  # running, and the claim is still fresh: not touched
        assert db.session.get(type(row), row.id).status == "sending"
        row.claimed = utcnow() - timedelta(minutes=11)  # its worker died long ago
        db.session.commit()
        assert _wait(lambda: outbox()[0].status == "sent")
    finally:
        stop.set()
        thread.join(5)
    assert len(smtp_server.messages) == 1


def test_the_failed_outbox_list_shows_each_last_error(app, mail_desk, login_as, make_user):
    new_ticket_by_mail()
    row = outbox()[0]
    row.status, row.last_error = "failed", "SMTPRecipientsRefused: 550 5.1.1 Unknown user"
    db.session.commit()
    admin = make_user("root", rights=["SuperUser"])
    listing = login_as(admin).get("/admin/courrier/sortant?status=failed").plain
    assert "550 5.1.1 Unknown user" in listing
