"""Issue 10: what comes in is kept as it was meant: machine mail is never answered, a
mislabelled windows-1252 subject is read right, senders keep their names, filenames lose
bidi controls."""
import pytest
from sqlalchemy import select

from rtsuivi.extensions import db
from rtsuivi.mail.inbound import receive
from rtsuivi.mail.message import parse, safe_filename
from rtsuivi.models import Attachment, Ticket, User

from .conftest import mail, outbox


@pytest.mark.parametrize("header", [
    "X-Autoreply: yes", "X-Autorespond: Absent du bureau", "X-Auto-Response-Suppress: All",
    "Auto-Submitted: auto-replied", "Precedence: auto_reply"])
def test_a_machine_generated_mail_gets_no_autoreply(mail_desk, header):
    outcome = receive(mail(subject="Absence", extra=f"{header}\n"))
    assert outcome.status == "ok"
    ticket = db.session.get(Ticket, outcome.ticket_id)
    assert ticket is not None  # recorded, as RT does
    assert [m.recipient_list for m in outbox(ticket_id=ticket.id)
            if "helene.berard@mairie.example" in m.recipient_list] == []


def test_an_ordinary_mail_still_gets_its_autoreply(mail_desk):
    outcome = receive(mail(subject="Bonjour", extra="Auto-Submitted: no\n"))
    assert [m.recipient_list for m in outbox(ticket_id=outcome.ticket_id)] \
        == [["helene.berard@mairie.example"]]


def test_a_latin1_subject_with_windows_1252_bytes_is_read_as_windows_1252(mail_desk):
    raw = (b"From: x@example.net\nTo: support@example.org\n"
           b"Subject: =?ISO-8859-1?Q?Devis_=80_100_=96_l=92offre?=\n\ncorps\n")
    assert parse(raw).subject == "Devis € 100 – l’offre"
    ticket = db.session.get(Ticket, receive(raw).ticket_id)
    assert ticket.subject == "Devis € 100 – l’offre"
    assert not any("\x80" <= c <= "\x9f" for c in ticket.subject)


def test_people_created_from_mail_keep_their_display_name(mail_desk):
    receive(mail(sender="=?iso-8859-1?Q?H=E9l=E8ne_B=E9rard?= <helene.berard@mairie.example>",
                 extra="Cc: \"Paul Durand\" <paul.durand@mairie.example>\n"))
    helene = db.session.scalar(select(User).where(User.email == "helene.berard@mairie.example"))
    assert helene.real_name == "Hélène Bérard"
    paul = db.session.scalar(select(User).where(User.email == "paul.durand@mairie.example"))
    assert paul.real_name == "Paul Durand"


def test_a_known_person_keeps_the_name_we_have(mail_desk):
    receive(mail(sender="Alice la pirate <alice@example.org>", to="support@example.org"))
    assert mail_desk.alice.real_name == "Alice Martin"


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_filenames_lose_bidi_control_characters():
    assert safe_filename("facture\u202efdp.exe") == "facturefdp.exe"
    assert safe_filename(f"a{BIDI}b.pdf") == "ab.pdf"


def test_a_mail_attachment_named_with_rlo_is_stored_and_downloaded_without_it(
        mail_desk, login_as):
    name = "=?utf-8?b?" + __import__("base64").b64encode(
        "photo\u202egpj.exe".encode()).decode() + "?="
    raw = (b"From: x@example.net\nTo: support@example.org\nSubject: f\n"
           b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nvoir\n"
           b"--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; "
           b"filename=\"" + name.encode() + b"\"\n\nMZ\n--b--\n")
    outcome = receive(raw)
    file = db.session.scalar(select(Attachment).where(Attachment.filename.is_not(None)))
    assert file.filename == "photogpj.exe"
    file.filename = "vieux\u202etxt.exe"  # stored before this rule: the download cleans it
    db.session.commit()
    response = login_as(mail_desk.alice).get(
        f"/tickets/{outcome.ticket_id}/attachments/{file.id}")
    disposition = response.headers["Content-Disposition"]
    assert "%E2%80%AE" not in disposition.upper() and "vieuxtxt.exe" in disposition
