"""RT's own, unmodified rt-mailgate script (Debian's rt5-clients, installed by ./test)
delivers to RT-suivi over HTTP; its exit codes follow our answers."""
import shutil
import subprocess
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from rtsuivi.extensions import db
from rtsuivi.models import Ticket

from .conftest import free_port, mail

RT_MAILGATE = shutil.which("rt-mailgate")


@pytest.fixture
def live_url(app, mail_desk):
    if RT_MAILGATE is None:
        pytest.fail("rt-mailgate is missing: ./test installs Debian's rt5-clients")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    db.session.commit()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _gate(url, raw, *args):
    return subprocess.run([RT_MAILGATE, "--url", url, *args], input=raw,
                          capture_output=True, timeout=60)


def test_rt_mailgate_delivers_a_new_ticket(live_url):
    done = _gate(live_url, mail(subject="Via le vrai rt-mailgate"),
                 "--queue", "Support", "--action", "correspond")
    assert done.returncode == 0, done.stderr
    db.session.commit()
    ticket = db.session.scalar(select(Ticket).where(Ticket.subject == "Via le vrai rt-mailgate"))
    assert ticket is not None and ticket.queue.name == "Support"


def test_rt_mailgate_exit_codes(live_url):
    assert _gate(live_url, mail(), "--queue", "Inconnue").returncode == 75  # retry later
    assert _gate(live_url, mail(), "--queue", "Interne").returncode == 0  # refused, bounced
    assert _gate(f"http://127.0.0.1:{free_port()}", mail(), "--queue", "Support") \
        .returncode == 75  # server down: the MTA keeps the mail


# ------------------------------------------------------------ issue 10: bytes kept, size limits

LATIN = ("From: =?iso-8859-1?Q?H=E9l=E8ne_B=E9rard?= <helene.berard@mairie.example>\n"
         "To: support@example.org\nSubject: Imprimante du 2e =?iso-8859-1?Q?=E9tage?=\n"
         "Message-ID: <latin-8bit-{n}@mairie.example>\n"
         "MIME-Version: 1.0\nContent-Type: text/plain; charset={charset}\n"
         "Content-Transfer-Encoding: 8bit\n\n")


def _eight_bit(charset: str, n: int) -> bytes:
    euro = " ; coût estimé 12 €" if charset == "iso-8859-15" else ""  # latin-1 has no €
    body = f"Bonjour,\nl'imprimante du 2e étage ne répond plus{euro} à Noël.\n"
    return LATIN.format(charset=charset, n=n).encode("ascii") + body.encode(charset)


@pytest.mark.parametrize("charset", ["iso-8859-1", "iso-8859-15"])
def test_rt_mailgate_keeps_8bit_latin_mail_byte_for_byte(live_url, charset):
    from rtsuivi.models import InboundMail
    raw = _eight_bit(charset, len(charset))
    done = _gate(live_url, raw, "--queue", "Support")
    assert done.returncode == 0, done.stderr
    db.session.commit()
    stored = db.session.scalar(select(InboundMail).order_by(InboundMail.id.desc()))
    assert stored.raw == raw  # not one byte replaced
    assert stored.status == "done"
    ticket = db.session.get(Ticket, stored.ticket_id)
    assert "étage ne répond plus" in ticket.transactions[0].content
    assert "\ufffd" not in ticket.transactions[0].content


def _with_pdf(size: int, subject: str) -> bytes:
    from email.message import EmailMessage
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = \
        "helene.berard@mairie.example", "support@example.org", subject
    msg["Message-ID"] = f"<{subject.replace(' ', '-')}@mairie.example>"
    msg.set_content("Voici le devis en pièce jointe.\n")
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * (size // 256)
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="devis.pdf")
    return msg.as_bytes()


def test_rt_mailgate_delivers_a_mail_with_a_pdf_over_one_megabyte(live_url, app):
    from rtsuivi.models import InboundMail
    app.config["MAX_CONTENT_LENGTH"] = 1_000_000  # a web form's cap does not bind the gateway
    raw = _with_pdf(1_500_000, "Devis PDF")
    assert len(raw) > 2_000_000  # base64: well past Flask's 500 kB form-field cap
    done = _gate(live_url, raw, "--queue", "Support")
    assert done.returncode == 0, done.stderr
    db.session.commit()
    stored = db.session.scalar(select(InboundMail))
    assert stored.raw == raw and stored.status == "done"
    ticket = db.session.get(Ticket, stored.ticket_id)
    [pdf] = ticket.transactions[0].files
    assert pdf.filename == "devis.pdf" and pdf.size == 9 + 256 * (1_500_000 // 256)
    assert pdf.content_bytes.startswith(b"%PDF-1.4\n")


def test_rt_mailgate_over_the_maximum_is_refused_for_good_and_listed(live_url, app):
    from rtsuivi.models import InboundMail, OutboxMail
    app.config["RTSUIVI_MAX_MAIL_SIZE"] = 1_000_000
    raw = _with_pdf(1_500_000, "Trop gros")
    done = _gate(live_url, raw, "--queue", "Support", "--debug")
    assert done.returncode == 0, done.stderr  # not 75: the MTA must not retry for days
    assert b"not ok - " in done.stderr
    db.session.commit()
    stored = db.session.scalar(select(InboundMail))
    assert stored.status == "refused"
    assert str(len(raw)) in stored.error and "1000000" in stored.error
    assert stored.raw == raw[:len(stored.raw)] and len(stored.raw) <= 64 * 1024
    assert stored.subject == "Trop gros" and stored.sender == "helene.berard@mairie.example"
    assert db.session.scalar(select(db.func.count(Ticket.id))) == 0
    bounce = db.session.scalar(select(OutboxMail).where(OutboxMail.scrip == "Bounce"))
    assert bounce.recipient_list == ["helene.berard@mairie.example"]
