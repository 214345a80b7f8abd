"""What mail puts on the ticket page: sanitised HTML, files (listed, downloadable with the
right checks), the mails sent (ShowOutgoingEmail) and Transférer actually sending."""
from email import message_from_bytes, policy
from pathlib import Path

from sqlalchemy import select

from rtsuivi.domain import tickets as domain
from rtsuivi.extensions import db
from rtsuivi.mail.inbound import receive
from rtsuivi.models import Attachment, OutboxMail, Ticket
from tests.conftest import AGENT_RIGHTS

from .conftest import outbox

CORPUS = Path(__file__).parent / "corpus"


def _file(name: str) -> Ticket:
    outcome = receive((CORPUS / name).read_bytes())
    assert outcome.status == "ok"
    return db.session.get(Ticket, outcome.ticket_id)


def test_html_only_mail_is_shown_sanitised(mail_desk, login_as):
    ticket = _file("14_html_only_with_script.eml")
    page = login_as(mail_desk.alice).get(f"/tickets/{ticket.id}")
    html = page.get_data(as_text=True)
    assert "Cliquez" in html and "<b>gras</b>" in html
    for bad in ("<script", "alert(", "onload", "onerror", "javascript:", "color:red",
                "tracker.example"):
        assert bad not in html.split("<main")[-1], bad


def test_text_part_is_preferred_and_html_kept_behind_a_toggle(mail_desk, login_as):
    ticket = _file("01_outlook_alternative_qp.eml")
    html = login_as(mail_desk.alice).get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert '<div class="txn-body">Bonjour,' in html
    assert "Version HTML" in html


def test_files_are_listed_and_downloaded_safely(mail_desk, login_as):
    ticket = _file("04_apple_mail_pdf_rfc2231.eml")
    pdf = db.session.scalar(select(Attachment).where(Attachment.filename == "facture_été.pdf"))
    client = login_as(mail_desk.alice)
    page = client.get(f"/tickets/{ticket.id}").plain
    assert "facture_été.pdf" in page and "application/pdf" in page
    response = client.get(f"/tickets/{ticket.id}/attachments/{pdf.id}")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-1.4")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''facture_%C3%A9t%C3%A9.pdf" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # The wrong ticket in the URL, or an unknown id: 404.
    assert client.get(f"/tickets/{ticket.id + 1}/attachments/{pdf.id}").status_code == 404
    assert client.get(f"/tickets/{ticket.id}/attachments/999999").status_code == 404


def test_hostile_filenames_cannot_inject_headers(mail_desk, login_as):
    raw = (b"From: x@example.net\nTo: support@example.org\nSubject: f\n"
           b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nvoir\n"
           b"--b\nContent-Type: text/html\nContent-Disposition: attachment; "
           b"filename=\"../../a\\\"b.html\"\n\n<script>alert(1)</script>\n--b--\n")
    outcome = receive(raw)
    file = db.session.scalar(select(Attachment).where(Attachment.filename.is_not(None)))
    assert "/" not in file.filename
    response = login_as(mail_desk.alice).get(
        f"/tickets/{outcome.ticket_id}/attachments/{file.id}")
    assert response.mimetype == "application/octet-stream"  # HTML never rendered inline
    assert "\n" not in response.headers["Content-Disposition"]
    assert response.headers["Content-Security-Policy"] == "sandbox"


def test_requester_downloads_her_files_but_not_others(mail_desk, login_as, make_user):
    ticket = _file("04_apple_mail_pdf_rfc2231.eml")
    pdf = db.session.scalar(select(Attachment).where(Attachment.filename == "facture_été.pdf"))
    camille = db.session.scalar(select(Ticket).where(Ticket.id == ticket.id)).requestors[0]
    from rtsuivi.domain import accounts
    accounts.set_password(camille, "mot-de-passe-test")
    other = make_user("autre", privileged=False)
    db.session.commit()
    url = f"/tickets/{ticket.id}/attachments/{pdf.id}"
    client = login_as(camille)
    assert "facture_été.pdf" in client.get(f"/demandes/{ticket.id}").plain
    assert client.get(url).status_code == 200
    assert login_as(other).get(url).status_code == 404


def test_files_of_comments_stay_hidden_from_requesters(mail_desk, login_as):
    ticket = _file("04_apple_mail_pdf_rfc2231.eml")
    raw = (f"From: alice@example.org\nTo: support-comment@example.org\n"
           f"Subject: [RT-suivi #{ticket.id}] note\nContent-Type: multipart/mixed; boundary=b\n\n"
           f"--b\nContent-Type: text/plain\n\ninterne\n--b\nContent-Type: application/pdf\n"
           f"Content-Disposition: attachment; filename=interne.pdf\n\nPDF\n--b--\n").encode()
    assert receive(raw).status == "ok"
    secret = db.session.scalar(select(Attachment).where(Attachment.filename == "interne.pdf"))
    camille = ticket.requestors[0]
    from rtsuivi.domain import accounts
    accounts.set_password(camille, "mot-de-passe-test")
    db.session.commit()
    client = login_as(camille)
    assert "interne.pdf" not in client.get(f"/demandes/{ticket.id}").plain
    assert client.get(f"/tickets/{ticket.id}/attachments/{secret.id}").status_code == 404


def test_too_large_file_answers_gone(mail_desk, login_as, app):
    app.config["RTSUIVI_MAX_ATTACHMENT_SIZE"] = 10
    ticket = _file("04_apple_mail_pdf_rfc2231.eml")
    pdf = db.session.scalar(select(Attachment).where(Attachment.filename == "facture_été.pdf"))
    client = login_as(mail_desk.alice)
    assert "trop volumineux" in client.get(f"/tickets/{ticket.id}").plain
    assert client.get(f"/tickets/{ticket.id}/attachments/{pdf.id}").status_code == 410


def test_sent_mails_are_shown_to_agents_with_show_outgoing_email(mail_desk, login_as, make_user):
    ticket = _file("06_android_short.eml")
    mail = outbox(ticket_id=ticket.id)[0]
    client = login_as(mail_desk.alice)
    assert "Courriel à ines.fabre@orange.example" not in client.get(f"/tickets/{ticket.id}").plain
    viewer = make_user("lectrice", rights=AGENT_RIGHTS + ("ShowOutgoingEmail",))
    client = login_as(viewer)
    assert "Courriel à ines.fabre@orange.example" in client.get(f"/tickets/{ticket.id}").plain
    page = client.get(f"/tickets/{ticket.id}/mails/{mail.id}")
    assert page.status_code == 200 and "X-RT-Loop-Prevention: RT-suivi" in page.plain
    assert login_as(mail_desk.alice).get(
        f"/tickets/{ticket.id}/mails/{mail.id}").status_code == 403


def test_forward_ticket_sends_the_history_to_the_address(mail_desk, login_as):
    ticket = _file("04_apple_mail_pdf_rfc2231.eml")
    client = login_as(mail_desk.alice)
    response = client.post(f"/tickets/{ticket.id}/forward", htmx=True, data={
        "to": "compta@partenaire.example", "content": "Pour paiement, merci."})
    assert "Transfert envoyé" in response.plain
    row = db.session.scalars(select(OutboxMail).where(
        OutboxMail.scrip.like("On Forward%"))).one()
    assert row.recipient_list == ["compta@partenaire.example"]
    msg = message_from_bytes(row.raw, policy=policy.default)
    body = msg.get_body(("plain",)).get_content()
    assert "Pour paiement, merci." in body and "facture reçue cet été" in body
    assert [p.get_filename() for p in msg.iter_attachments()] == ["facture_été.pdf"]
    assert msg["Subject"].startswith(f"[RT-suivi #{ticket.id}] Tr : ")


def test_forward_one_transaction_sends_only_that_message(mail_desk, login_as):
    ticket = _file("06_android_short.eml")
    domain.reply(ticket, mail_desk.alice, "Nous envoyons un agent.")
    db.session.commit()
    reply = next(t for t in ticket.transactions if t.type == "Correspond")
    client = login_as(mail_desk.alice)
    form = client.get(f"/tickets/{ticket.id}/forward?transaction={reply.id}")
    assert "message n°" in form.plain
    client.post(f"/tickets/{ticket.id}/forward", data={
        "to": "gardien@example.net", "transaction": str(reply.id), "content": "Info"})
    row = db.session.scalars(select(OutboxMail).where(
        OutboxMail.scrip.like("On Forward%"))).one()
    body = message_from_bytes(row.raw, policy=policy.default).get_body(("plain",)).get_content()
    assert "Nous envoyons un agent." in body and "entrée B" not in body


def test_forward_link_is_offered_per_message(mail_desk, login_as):
    ticket = _file("06_android_short.eml")
    assert "Transférer ce message" in login_as(mail_desk.alice).get(
        f"/tickets/{ticket.id}").plain
