"""The SMTP listener, driven over a real socket with smtplib."""
import smtplib

import pytest
from sqlalchemy import select

from rtsuivi.extensions import db
from rtsuivi.mail import inbound, smtpd
from rtsuivi.models import InboundMail, Ticket

from .conftest import free_port, mail


@pytest.fixture
def listener(app, mail_desk):
    controller = smtpd.start(app, "127.0.0.1", free_port())
    db.session.commit()
    yield controller
    controller.stop()


def _client(listener) -> smtplib.SMTP:
    return smtplib.SMTP(listener.hostname, listener.port, timeout=10)


def test_mail_to_a_queue_address_becomes_a_ticket(listener):
    with _client(listener) as smtp:
        refused = smtp.sendmail("helene.berard@mairie.example", ["support@example.org"],
                                mail(subject="Par SMTP"))
    assert refused == {}
    db.session.commit()  # end the read snapshot taken before the SMTP thread wrote
    ticket = db.session.scalar(select(Ticket).where(Ticket.subject == "Par SMTP"))
    assert ticket.queue.name == "Support"
    stored = db.session.scalar(select(InboundMail))
    assert stored.envelope_recipients == "support@example.org"
    assert stored.envelope_sender == "helene.berard@mairie.example"


def test_the_comment_address_routes_as_comment(listener, make_ticket, mail_desk):
    ticket = make_ticket(mail_desk.support)
    with _client(listener) as smtp:
        smtp.sendmail("alice@example.org", ["support-comment@example.org"],
                      mail(subject=f"[RT-suivi #{ticket.id}] interne", sender="alice@example.org",
                           to="support-comment@example.org"))
    db.session.commit()  # end the read snapshot taken before the SMTP thread wrote
    stored = db.session.scalar(select(InboundMail))
    assert stored.status == "done", stored.error
    assert db.session.get(Ticket, ticket.id).transactions[-1].type == "Comment"


def test_unknown_recipient_is_refused_with_550(listener):
    with _client(listener) as smtp:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            smtp.sendmail("x@example.net", ["personne@example.org"], mail())
    assert refused.value.recipients["personne@example.org"][0] == 550
    db.session.commit()  # end the read snapshot taken before the SMTP thread wrote
    assert db.session.scalars(select(InboundMail)).all() == []


def test_a_temporary_failure_answers_451(listener, monkeypatch):
    monkeypatch.setattr(smtpd, "receive", lambda *a, **k: inbound.Outcome("temporary failure"))
    with _client(listener) as smtp:
        with pytest.raises(smtplib.SMTPDataError) as error:
            smtp.sendmail("x@example.net", ["support@example.org"], mail())
    assert error.value.smtp_code == 451


def test_a_null_sender_bounce_is_filed_without_autoreply(listener):
    from .conftest import outbox
    with _client(listener) as smtp:
        smtp.sendmail("", ["support@example.org"],
                      mail(subject="Undelivered", sender="MAILER-DAEMON@mx.example.org"))
    db.session.commit()  # end the read snapshot taken before the SMTP thread wrote
    assert db.session.scalar(select(InboundMail)).status == "done"
    assert outbox() == []


def _big(size: int) -> bytes:
    return mail(subject="Trop gros par SMTP", body="x" * 70 + "\n") + \
        (("y" * 76 + "\r\n") * (size // 78 + 1)).encode()


@pytest.fixture
def small_listener(app, mail_desk):
    app.config["RTSUIVI_MAX_MAIL_SIZE"] = 100_000
    controller = smtpd.start(app, "127.0.0.1", free_port())
    db.session.commit()
    yield controller
    controller.stop()


def test_a_mail_over_the_maximum_declared_by_size_gets_552_and_is_listed(small_listener):
    listener = small_listener
    with _client(listener) as smtp:  # smtplib declares SIZE=…: refused at MAIL FROM
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            smtp.sendmail("helene.berard@mairie.example", ["support@example.org"],
                          _big(150_000))
    assert refused.value.smtp_code == 552  # permanent: the sending server bounces it
    db.session.commit()
    stored = db.session.scalar(select(InboundMail))
    assert stored.status == "refused" and "maximum 100000" in stored.error
    assert stored.envelope_sender == "helene.berard@mairie.example"
    assert db.session.scalar(select(db.func.count(Ticket.id))) == 0


def test_a_mail_over_the_maximum_without_size_gets_552_after_data(small_listener):
    listener = small_listener
    with _client(listener) as smtp:
        smtp.ehlo()
        smtp.esmtp_features.pop("size", None)  # a client that does not declare SIZE
        smtp.mail("helene.berard@mairie.example")
        smtp.rcpt("support@example.org")
        code, _msg = smtp.data(_big(150_000))
    assert code == 552
    db.session.commit()
    stored = db.session.scalar(select(InboundMail))
    assert stored.status == "refused" and stored.envelope_recipients == "support@example.org"
    assert db.session.scalar(select(db.func.count(Ticket.id))) == 0
