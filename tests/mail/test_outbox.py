"""The outbox worker against a real SMTP server on 127.0.0.1: sent once, retried with
backoff while the server is down, nothing lost and nothing doubled."""
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from rtsuivi.extensions import db
from rtsuivi.mail import outbound, sending
from rtsuivi.models import OutboxMail, utcnow

from .conftest import Collector, free_port, new_ticket_by_mail, outbox


def test_pending_mail_is_sent_once_with_rt_headers(app, mail_desk, smtp_server):
    ticket = new_ticket_by_mail(subject="Envoi réel")
    assert [m.status for m in outbox()] == ["pending"]
    assert sending.send_pending() == {"sent": 1, "retry": 0, "failed": 0}
    assert sending.send_pending()["sent"] == 0  # nothing goes twice
    assert len(smtp_server.messages) == 1
    mail_from, rcpts, content = smtp_server.messages[0]
    assert rcpts == ["helene.berard@mairie.example"]
    assert mail_from == "support@example.org"
    msg = message_from_bytes(content, policy=policy.default)
    assert msg["Subject"] == f"[RT-suivi #{ticket.id}] Accusé de réception : Envoi réel"
    assert msg["X-RT-Loop-Prevention"] == "RT-suivi"
    assert msg["X-RT-Ticket"] == f"RT-suivi #{ticket.id}"
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["Precedence"] == "bulk"
    assert msg["Reply-To"] == "support@example.org"
    assert f"<RT-Ticket-{ticket.id}@example.org>" in msg["References"]
    assert msg["In-Reply-To"].startswith("<")  # the requester's own Message-ID
    row = outbox()[0]
    assert row.status == "sent" and row.sent is not None and row.attempts == 1
    assert msg["Message-ID"] == row.message_id


def test_without_smtp_settings_mail_waits_in_the_outbox(app, mail_desk):
    new_ticket_by_mail()
    assert sending.send_pending() == {"sent": 0, "retry": 0, "failed": 0}
    assert [(m.status, m.attempts) for m in outbox()] == [("pending", 0)]


def test_smtp_down_then_up_loses_nothing_and_doubles_nothing(app, mail_desk):
    port = free_port()  # nobody listens there yet
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TIMEOUT=2)
    for i in range(3):
        new_ticket_by_mail(subject=f"Panne {i}", body=f"corps {i}")
    now = utcnow()
    counts = sending.send_pending(now=now)
    assert counts["sent"] == 0 and counts["retry"] == 1  # one try, then the round stops
    rows = outbox()
    assert [r.status for r in rows] == ["pending"] * 3
    assert rows[0].attempts == 1 and rows[0].next_try > now and "Connection" in rows[0].last_error
    # Backoff: the failed row is not retried at once, the others still are (and fail).
    sending.send_pending(now=now)
    assert rows[0].attempts == 1 and rows[1].attempts == 1
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        later = now + timedelta(hours=2)
        assert sending.send_pending(now=later)["sent"] == 3
        assert sending.send_pending(now=later + timedelta(hours=5))["sent"] == 0
    finally:
        controller.stop()
        app.config["SMTP_HOST"] = ""
    ids = [message_from_bytes(c, policy=policy.default)["Message-ID"]
           for _f, _r, c in collector.messages]
    assert len(ids) == 3 and len(set(ids)) == 3
    assert sorted(ids) == sorted(r.message_id for r in outbox())
    assert {r.status for r in outbox()} == {"sent"}


def test_a_crashed_worker_leaves_sending_rows_that_are_recovered(app, mail_desk, smtp_server):
    new_ticket_by_mail()
    row = outbox()[0]
    row.status, row.claimed = "sending", utcnow() - timedelta(hours=1)
    db.session.commit()
    assert sending.send_pending()["sent"] == 0  # claimed rows are never taken twice
    assert sending.recover_stale() == 1
    assert sending.send_pending()["sent"] == 1
    assert len(smtp_server.messages) == 1


def test_a_permanently_refused_recipient_fails_without_retry(app, mail_desk, smtp_server):
    smtp_server.refuse.add("helene.berard@mairie.example")
    new_ticket_by_mail()
    assert sending.send_pending()["failed"] == 1
    row = outbox()[0]
    assert row.status == "failed" and "550" in row.last_error
    sending.retry(row)  # an admin puts it back
    db.session.commit()
    smtp_server.refuse.clear()
    assert sending.send_pending()["sent"] == 1


def test_retries_stop_after_the_maximum(app, mail_desk):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TIMEOUT=2,
                      RTSUIVI_OUTBOX_MAX_ATTEMPTS=2)
    new_ticket_by_mail()
    now = utcnow()
    sending.send_pending(now=now)
    sending.send_pending(now=now + timedelta(days=1))
    app.config["SMTP_HOST"] = ""
    assert outbox()[0].status == "failed" and outbox()[0].attempts == 2


def test_worker_command_sends_once(app, mail_desk, smtp_server):
    new_ticket_by_mail()
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["rtsuivi", "worker", "--once"])
    assert result.exit_code == 0, result.output
    db.session.commit()  # end the read snapshot taken before the SMTP thread wrote
    assert db.session.get(OutboxMail, outbox()[0].id).status == "sent"
    assert len(smtp_server.messages) == 1


# ---------------------------------------------------------------- composing

def _composed(monkeypatch, header, **fields) -> bytes:
    """outbound.compose's bytes, with the email package setting every header (`header`
    None: compose's own way); the date and Message-ID fixed so that two runs compare."""
    monkeypatch.setattr(outbound, "formatdate", lambda **kw: "Mon, 30 Nov 2026 20:00:00 -0000")
    monkeypatch.setattr(outbound, "make_msgid", lambda *a, **kw: "<fixe@example.org>")
    if header is not None:
        monkeypatch.setattr(outbound, "_header", header)
    msg = outbound.compose(**fields)
    return msg.as_bytes(policy=policy.SMTP)


@pytest.mark.parametrize("fields", [
    dict(subject="Imprimante en panne", display_name="Support via RT"),
    dict(subject="Écran noir au 3e étage, encore une fois après la mise à jour d'hier soir",
         display_name="Hélène Bérard via RT", cc=["chef.service@mairie.example"]),
    dict(subject="A plain ASCII subject that is long enough to need folding on two lines ok",
         display_name="Dupont, Jean", in_reply_to="<" + "r" * 90 + "@mail.example>"),
])
def test_composing_writes_the_same_bytes_as_the_email_package(app, monkeypatch, fields):
    """Plain short header lines skip the email package's parse: nothing on the wire changes."""
    common = dict(body="Bonjour,\nvoici la réponse.\n", to=["alice@example.org"],
                  mail_from="support@example.org", ticket_id=42, reply_to="support@example.org",
                  auto_submitted="auto-replied", originator="helene@mairie.example")
    def every_header(msg, name, value):
        msg[name] = value
    fast = _composed(monkeypatch, None, **common, **fields)
    assert fast == _composed(monkeypatch, every_header, **common, **fields)
    assert b"X-RT-Ticket: " in fast and b"Precedence: bulk" in fast


def test_a_line_break_in_a_header_is_refused(app):
    with pytest.raises(ValueError):
        outbound.compose(subject="Bonjour\r\nBcc: victime@example.net", body="x",
                         to=["alice@example.org"], mail_from="support@example.org")
