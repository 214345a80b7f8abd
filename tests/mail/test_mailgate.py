"""The three doors in: rt-mailgate's HTTP protocol, the `mailgate` command (stdin, exit 0/75)
and what happens when processing fails (the raw mail stays, an admin can re-run it)."""
import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from rtsuivi.domain import tickets as domain
from rtsuivi.extensions import db
from rtsuivi.mail import inbound
from rtsuivi.models import InboundMail, Ticket

from .conftest import mail, new_ticket_by_mail, outbox

URL = "/REST/1.0/NoAuth/mail-gateway"


def _rt_mailgate_body(raw: bytes, queue="Support", action="correspond") -> tuple[bytes, str]:
    """The multipart body RT's rt-mailgate (LWP, form-data) sends: the message part has no
    filename (tests/mail/test_rt_mailgate_script.py drives the real script)."""
    boundary = "xYzZY"
    parts = []
    for name, value in (("queue", queue), ("action", action), ("SessionType", "REST")):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f'{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="message"'
                 f'\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                 + raw + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), \
        f"multipart/form-data; boundary={boundary}"


def test_rt_mailgate_multipart_creates_a_ticket_and_answers_ok(client, mail_desk):
    body, content_type = _rt_mailgate_body(mail(subject="Par rt-mailgate"))
    response = client.post(URL, data=body, content_type=content_type, csrf=False)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "ok\n"
    ticket = db.session.scalar(select(Ticket).where(Ticket.subject == "Par rt-mailgate"))
    assert ticket.queue.name == "Support"
    assert [u.email for u in ticket.requestors] == ["helene.berard@mairie.example"]


def test_url_encoded_fields_work_too_and_comment_action_is_honoured(client, mail_desk):
    ticket = new_ticket_by_mail()
    response = client.post(URL, csrf=False, data={
        "queue": "Support", "action": "comment", "ticket": str(ticket.id),
        "message": mail(subject="note", body="Interne.", sender="alice@example.org").decode()})
    assert response.get_data(as_text=True) == "ok\n"
    db.session.refresh(ticket)
    assert ticket.transactions[-1].type == "Comment"


def test_unknown_queue_and_bad_action_are_temporary_failures(client, mail_desk):
    for fields in ({"queue": "Nulle part"}, {"queue": "Support", "action": "take-resolve"}):
        response = client.post(URL, csrf=False, data={**fields, "message": mail().decode()})
        assert response.get_data(as_text=True).startswith("temporary failure - ")
    assert db.session.scalar(select(db.func.count(Ticket.id))) == 0
    kept = db.session.scalars(select(InboundMail)).all()
    assert len(kept) == 2 and {m.status for m in kept} == {"failed"}


def test_refusal_answers_not_ok_and_bounces(client, mail_desk):
    response = client.post(URL, csrf=False, data={
        "queue": "Interne", "message": mail(subject="Entrer").decode()})
    assert response.get_data(as_text=True).startswith("not ok - ")
    assert [m.scrip for m in outbox()] == ["Bounce"]
    assert outbox()[0].recipient_list == ["helene.berard@mairie.example"]


def test_invalid_ticket_field_is_refused(client, mail_desk):
    response = client.post(URL, csrf=False, data={"ticket": "abc", "message": mail().decode()})
    assert response.get_data(as_text=True).startswith("not ok - ")


def test_empty_message_is_ok_and_stores_nothing(client, mail_desk):
    response = client.post(URL, csrf=False, data={"queue": "Support", "message": "  \n"})
    assert response.get_data(as_text=True) == "ok\n"
    assert db.session.scalars(select(InboundMail)).all() == []


def test_mailgate_command_reads_stdin_and_exits_like_rt_mailgate(app, mail_desk):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["rtsuivi", "mailgate", "--queue", "Support"],
                       input=mail(subject="Par la commande"))
    assert ok.exit_code == 0, ok.output
    assert db.session.scalar(select(Ticket).where(Ticket.subject == "Par la commande"))
    temp = runner.invoke(args=["rtsuivi", "mailgate", "--queue", "Inconnue"], input=mail())
    assert temp.exit_code == 75
    refused = runner.invoke(args=["rtsuivi", "mailgate", "--queue", "Interne"], input=mail())
    assert refused.exit_code == 0  # refused and bounced counts as delivered, as in RT
    empty = runner.invoke(args=["rtsuivi", "mailgate"], input=b"")
    assert empty.exit_code == 0


def test_a_failure_keeps_the_raw_mail_and_an_admin_can_rerun_it(app, mail_desk, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("bug in processing")
    monkeypatch.setattr(domain, "create", broken)
    outcome = inbound.receive(mail(subject="Perdu ?"))
    assert outcome.status == "not ok"
    stored = db.session.scalar(select(InboundMail))
    assert stored.status == "failed" and "bug in processing" in stored.error
    assert b"Perdu ?" in stored.raw
    assert db.session.scalar(select(db.func.count(Ticket.id))) == 0
    monkeypatch.undo()
    assert inbound.rerun(stored).status == "ok"
    assert stored.status == "done"
    assert db.session.get(Ticket, stored.ticket_id).subject == "Perdu ?"


def test_a_database_hiccup_is_a_temporary_failure(app, mail_desk, monkeypatch):
    def locked(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))
    monkeypatch.setattr(domain, "create", locked)
    assert inbound.receive(mail()).status == "temporary failure"
    assert db.session.scalar(select(InboundMail)).status == "failed"


def test_the_same_message_delivered_twice_is_filed_once(app, mail_desk):
    raw = mail(subject="Deux fois")
    first, second = inbound.receive(raw), inbound.receive(raw)
    assert first.status == second.status == "ok"
    assert db.session.scalar(select(db.func.count(Ticket.id))) == 1
    statuses = [m.status for m in db.session.scalars(select(InboundMail).order_by(InboundMail.id))]
    assert statuses == ["done", "duplicate"]


def test_a_reply_by_mail_reopens_a_resolved_ticket_and_unstalls(app, mail_desk):
    ticket = new_ticket_by_mail()
    domain.set_status(ticket, mail_desk.alice, "resolved")
    db.session.commit()
    tag = f"[RT-suivi #{ticket.id}]"
    assert inbound.receive(mail(subject=f"Re: {tag} x", body="Encore")).status == "ok"
    assert ticket.status == "open"
    domain.set_status(ticket, mail_desk.alice, "stalled")
    db.session.commit()
    assert inbound.receive(mail(subject=f"Re: {tag} y", body="Alors ?")).status == "ok"
    assert ticket.status == "open"


def test_a_stranger_without_reply_right_is_refused(app, mail_desk, make_ticket):
    ticket = make_ticket(mail_desk.general)  # Everyone may create there, not reply
    outcome = inbound.receive(mail(subject=f"[RT-suivi #{ticket.id}] intrus",
                                   sender="intrus@example.net", to="general@example.org"))
    assert outcome.status == "not ok"
    assert "ReplyToTicket" in outcome.message
    assert [m.recipient_list for m in outbox(scrip="Bounce")] == [["intrus@example.net"]]


# ------------------------------------------------------------ issue 10: size and access

def test_mailgate_command_refuses_a_mail_over_the_maximum_so_the_mta_bounces(app, mail_desk):
    app.config["RTSUIVI_MAX_MAIL_SIZE"] = 50_000
    raw = mail(subject="Trop gros", body="z" * 120_000)
    result = app.test_cli_runner().invoke(args=["rtsuivi", "mailgate", "--queue", "Support"],
                                          input=raw)
    assert result.exit_code == 65  # EX_DATAERR: permanent, the MTA bounces (not 75, not 0)
    stored = db.session.scalar(select(InboundMail))
    assert stored.status == "refused" and f"{len(raw)} bytes" in stored.error
    assert stored.subject == "Trop gros" and raw.startswith(stored.raw)
    assert len(stored.raw) <= min(inbound.HEAD_KEPT, 50_001) < len(raw)
    assert outbox() == []  # the MTA's bounce, not a second one from us
    assert db.session.scalar(select(db.func.count(Ticket.id))) == 0


def test_receive_refuses_a_mail_over_the_maximum_on_every_door(app, mail_desk):
    app.config["RTSUIVI_MAX_MAIL_SIZE"] = 50_000
    outcome = inbound.receive(mail(subject="Trop gros", body="z" * 60_000))
    assert outcome.status == "not ok" and "maximum 50000" in outcome.message
    assert db.session.scalar(select(InboundMail)).status == "refused"


def test_the_gateway_refuses_a_client_outside_the_allow_list(client, mail_desk, app):
    for remote in ("203.0.113.7", "10.0.0.6", "2001:db8::1"):
        response = client.post(URL, csrf=False, environ_base={"REMOTE_ADDR": remote},
                               data={"queue": "Support", "message": mail().decode()})
        assert response.status_code == 403  # rt-mailgate exits 75: the MTA keeps the mail
        assert "RTSUIVI_MAILGATE_ALLOW" in response.get_data(as_text=True)
    assert db.session.scalars(select(InboundMail)).all() == []
    app.config["RTSUIVI_MAILGATE_ALLOW"] = "127.0.0.1,::1,10.0.0.0/24"
    response = client.post(URL, csrf=False, environ_base={"REMOTE_ADDR": "10.0.0.6"},
                           data={"queue": "Support", "message": mail().decode()})
    assert response.get_data(as_text=True) == "ok\n"


@pytest.mark.parametrize("header", ["X-Forwarded-For", "Forwarded", "X-Real-IP"])
def test_the_gateway_refuses_a_request_that_came_through_a_proxy(client, mail_desk, header):
    response = client.post(URL, csrf=False, headers={header: "for=198.51.100.9"},
                           data={"queue": "Support", "message": mail().decode()})
    assert response.status_code == 403 and "proxy" in response.get_data(as_text=True)
    assert db.session.scalars(select(InboundMail)).all() == []


def test_ticket_numbers_past_any_id_are_refused_not_a_database_error(client, mail_desk):
    huge = "99999999999999999999999"
    response = client.post(URL, csrf=False, data={
        "queue": "Support", "ticket": huge, "message": mail().decode()})
    assert response.get_data(as_text=True) == f"not ok - invalid ticket id {huge}\n"
    response = client.post(URL, csrf=False, data={
        "queue": "Support", "message": mail(subject=f"[RT-suivi #{huge}] suite").decode()})
    assert response.get_data(as_text=True).startswith("not ok - ")
    assert f"{huge} introuvable" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Ticket.id))) == 0
