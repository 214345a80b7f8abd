"""Files from the web on the agent's forms (issue 13, item 3): reply, comment, new ticket,
forward; the limits checked before anything is written; thumbnails; « Pièces jointes »."""
import io
import json
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from rtsuivi.extensions import db
from rtsuivi.models import Attachment, OutboxMail, Ticket, Transaction

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def _types(ticket_id):
    db.session.commit()
    return [t.type for t in db.session.scalars(
        select(Transaction).where(Transaction.ticket_id == ticket_id).order_by(Transaction.id))]


def _files(ticket_id):
    db.session.commit()
    return [(a.filename, a.size) for a in db.session.scalars(
        select(Attachment).join(Attachment.transaction)
        .where(Transaction.ticket_id == ticket_id, Attachment.filename.isnot(None))
        .order_by(Attachment.id))]


def _update(client, ticket, files, kind="reply", content="Voici le document.", htmx=False,
            **extra):
    data = {"action": kind, "kind": kind, "content": content, "status": "",
            "files": [(io.BytesIO(data), name) for name, data in files], **extra}
    return client.post(f"/tickets/{ticket.id}/update", data=data, htmx=htmx,
                       content_type="multipart/form-data")


# ---------------------------------------------------------------- reply, comment, create

def test_reply_with_several_files_stores_them_and_mails_them(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    client = login_as(desk.alice)
    response = _update(client, ticket, [("capture.png", PNG), ("notes.txt", b"ligne 1\n")],
                       htmx=True)
    assert response.status_code == 200 and "<html" not in response.plain
    assert {"ticket-history-changed", "ticket-files-changed"} <= set(
        json.loads(response.headers["HX-Trigger"]))
    assert _files(ticket.id) == [("capture.png", len(PNG)), ("notes.txt", 8)]
    db.session.expire_all()
    [mail] = db.session.scalars(select(OutboxMail).where(
        OutboxMail.ticket_id == ticket.id,
        OutboxMail.scrip == "On Correspond Notify Requestors and Ccs"))
    sent = message_from_bytes(mail.raw, policy=policy.default)
    attached = {part.get_filename(): part.get_content() for part in sent.iter_attachments()}
    assert attached == {"capture.png": PNG, "notes.txt": "ligne 1\n"}


def test_update_form_is_multipart_with_several_files(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    html = login_as(desk.alice).hx_get(f"/tickets/{ticket.id}/update?action=reply").plain
    assert 'enctype="multipart/form-data"' in html and 'hx-encoding="multipart/form-data"' in html
    assert 'type="file"' in html and "multiple" in html and "data-file-drop" in html


def test_comment_with_a_file_only(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    response = _update(login_as(desk.alice), ticket, [("journal.log", b"erreur 42")],
                       kind="comment", content="")
    assert response.status_code == 302
    assert _types(ticket.id) == ["Create", "Comment"]
    assert _files(ticket.id) == [("journal.log", 9)]


def test_new_ticket_with_files(desk, login_as):
    client = login_as(desk.alice)
    response = client.post("/tickets/new", content_type="multipart/form-data", data={
        "queue": desk.support.id, "owner": desk.alice.id, "requestors": "denise",
        "subject": "Scanner",
        "content": "Voir la photo", "priority": "0",
        "files": [(io.BytesIO(PNG), "photo.png"), (io.BytesIO(b"%PDF-1.4"), "devis.pdf")]})
    assert response.status_code == 302, response.plain[:2000]
    ticket = db.session.scalars(select(Ticket).where(Ticket.subject == "Scanner")).one()
    assert _files(ticket.id) == [("photo.png", len(PNG)), ("devis.pdf", 8)]


def test_file_names_with_folders_or_control_characters_are_cleaned(desk, login_as,
                                                                   make_ticket):
    ticket = make_ticket(desk.support)
    _update(login_as(desk.alice), ticket, [("../../etc/passwd", b"x"),
                                           ("fac\x1bture\x00.pdf", b"y")])
    assert _files(ticket.id) == [("passwd", 1), ("facture.pdf", 1)]


# ---------------------------------------------------------------- bad files change nothing

def test_a_file_over_the_limit_is_named_and_nothing_is_written(app, desk, login_as,
                                                               make_ticket):
    app.config["RTSUIVI_MAX_ATTACHMENT_SIZE"] = 1000
    ticket = make_ticket(desk.support)
    response = _update(login_as(desk.alice), ticket,
                       [("petit.txt", b"ok"), ("enorme.bin", b"x" * 1001)], htmx=True)
    assert response.status_code == 200
    assert "Le fichier « enorme.bin » dépasse la taille permise" in response.plain
    assert "HX-Trigger" not in response.headers
    assert _types(ticket.id) == ["Create"] and _files(ticket.id) == []


def test_an_empty_file_is_refused_and_nothing_is_written(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    response = _update(login_as(desk.alice), ticket, [("vide.txt", b"")])
    assert "Le fichier « vide.txt » est vide." in response.plain
    assert _types(ticket.id) == ["Create"]


def test_too_many_files_are_refused_and_nothing_is_written(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    response = _update(login_as(desk.alice), ticket,
                       [(f"f{i}.txt", b"x") for i in range(21)])
    assert "Trop de fichiers : 20 au plus par message." in response.plain
    assert _types(ticket.id) == ["Create"]


def test_a_new_ticket_with_a_file_too_big_is_not_created(app, desk, login_as):
    app.config["RTSUIVI_MAX_ATTACHMENT_SIZE"] = 10
    response = login_as(desk.alice).post("/tickets/new", content_type="multipart/form-data",
                                         data={"queue": desk.support.id, "subject": "Gros",
                                               "owner": desk.alice.id,
                                               "requestors": "denise", "priority": "0",
                                               "files": [(io.BytesIO(b"x" * 11), "gros.zip")]})
    assert response.status_code == 200 and "« gros.zip »" in response.plain
    assert db.session.scalars(select(Ticket).where(Ticket.subject == "Gros")).first() is None


def test_a_request_over_max_content_length_is_a_clear_413(app, desk, login_as, make_ticket):
    app.config["MAX_CONTENT_LENGTH"] = 2000
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    page = _update(client, ticket, [("gros.bin", b"x" * 5000)])
    assert page.status_code == 413 and "Envoi trop volumineux" in page.plain
    fragment = _update(client, ticket, [("gros.bin", b"x" * 5000)], htmx=True)
    assert fragment.status_code == 413 and "<html" not in fragment.plain
    assert fragment.headers["HX-Retarget"] == "#messages"
    assert "rien n'a été modifié" in fragment.plain
    assert _types(ticket.id) == ["Create"]


# ---------------------------------------------------------------- reading rule, thumbnails

def test_a_requester_cannot_download_a_comments_file(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    _update(login_as(desk.alice), ticket, [("interne.txt", b"secret")], kind="comment")
    _update(login_as(desk.alice), ticket, [("public.txt", b"bonjour")])
    db.session.commit()
    ids = dict(db.session.execute(select(Attachment.filename, Attachment.id).where(
        Attachment.filename.in_(["interne.txt", "public.txt"]))).all())
    agent = login_as(desk.alice)
    assert agent.get(f"/tickets/{ticket.id}/attachments/{ids['interne.txt']}").data == b"secret"
    requester = login_as(desk.denise)
    assert requester.get(
        f"/tickets/{ticket.id}/attachments/{ids['interne.txt']}").status_code == 404
    assert requester.get(
        f"/tickets/{ticket.id}/attachments/{ids['public.txt']}").data == b"bonjour"


def test_history_shows_a_thumbnail_for_safe_images_only(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    _update(client, ticket, [("photo.png", PNG), ("dessin.svg", b"<svg/>"),
                             ("page.html", b"<p>")])
    db.session.commit()
    ids = dict(db.session.execute(select(Attachment.filename, Attachment.id)).all())
    html = client.hx_get(f"/tickets/{ticket.id}/history").plain
    assert f'<img src="/tickets/{ticket.id}/attachments/{ids["photo.png"]}"' in html
    assert html.count("<img ") == 1
    image = client.get(f"/tickets/{ticket.id}/attachments/{ids['photo.png']}")
    assert image.mimetype == "image/png" and image.data == PNG
    assert client.get(f"/tickets/{ticket.id}/attachments/{ids['dessin.svg']}").mimetype \
        == "application/octet-stream"


# ---------------------------------------------------------------- « Pièces jointes »

def test_files_box_lists_the_tickets_files(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    assert "Aucune pièce jointe." in client.get(f"/tickets/{ticket.id}").plain
    _update(client, ticket, [("rapport.pdf", b"%PDF" * 300)])
    html = client.get(f"/tickets/{ticket.id}").plain
    assert 'id="ticket-files"' in html and "rapport.pdf" in html and "1,2 Ko" in html
    assert 'hx-trigger="ticket-files-changed from:body"' in html


def test_files_box_fragment_redirect_and_refusal(desk, login_as, make_ticket, make_user):
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    _update(client, ticket, [("rapport.pdf", b"%PDF")])
    fragment = client.hx_get(f"/tickets/{ticket.id}/files")
    assert fragment.status_code == 200 and "<html" not in fragment.plain
    assert fragment.plain.lstrip().startswith("{#") is False
    assert 'id="ticket-files"' in fragment.plain and "rapport.pdf" in fragment.plain
    page = client.get(f"/tickets/{ticket.id}/files")
    assert page.status_code == 302 and page.location.endswith(f"/tickets/{ticket.id}")
    stranger = make_user("stranger", rights=["SeeQueue"], on=desk.support)
    assert login_as(stranger).hx_get(f"/tickets/{ticket.id}/files").status_code == 404


def test_files_box_hides_comment_files_without_show_ticket_comments(desk, login_as,
                                                                    make_ticket, make_user):
    ticket = make_ticket(desk.support)
    _update(login_as(desk.alice), ticket, [("interne.txt", b"secret")], kind="comment")
    reader = make_user("lecteur", rights=["ShowTicket"], on=desk.support)
    html = login_as(reader).hx_get(f"/tickets/{ticket.id}/files").plain
    assert "interne.txt" not in html and "Aucune pièce jointe." in html
    assert "interne.txt" in login_as(desk.alice).hx_get(f"/tickets/{ticket.id}/files").plain


def _files_box(html):
    box = html[html.index('id="ticket-files"'):]
    return box[:box.index("</section>")]


def test_the_page_lists_the_same_files_as_the_files_box(desk, login_as, make_ticket,
                                                        make_user):
    """The page takes its list from the history it loaded (one query less); the box alone
    asks ticket_files(): same files, same order, for a reader without the comments and
    without the files of a ticket merged into this one."""
    from rtsuivi.domain.tickets import merge
    ticket, other = make_ticket(desk.support), make_ticket(desk.support)
    alice = login_as(desk.alice)
    _update(alice, ticket, [("b.txt", b"b"), ("a.txt", b"a")])
    _update(alice, ticket, [("interne.txt", b"secret")], kind="comment")
    _update(alice, other, [("fusion.txt", b"f")])
    merge(other, desk.alice, ticket.id)
    db.session.commit()
    reader = make_user("lecteur", rights=["ShowTicket"], on=desk.support)
    for person, seen in ((desk.alice, ["b.txt", "a.txt", "interne.txt"]),
                         (reader, ["b.txt", "a.txt"])):
        client = login_as(person)
        page = _files_box(client.get(f"/tickets/{ticket.id}").plain)
        assert page == _files_box(client.hx_get(f"/tickets/{ticket.id}/files").plain)
        assert [name for name in ("b.txt", "a.txt", "interne.txt", "fusion.txt")
                if name in page] == seen
        assert page.index("b.txt") < page.index("a.txt")


# ---------------------------------------------------------------- forward with chosen files

def _forward_mail(ticket_id):
    db.session.commit()
    db.session.expire_all()
    [mail] = db.session.scalars(select(OutboxMail).where(
        OutboxMail.ticket_id == ticket_id, OutboxMail.scrip.like("On Forward%")))
    sent = message_from_bytes(mail.raw, policy=policy.default)
    return sorted(part.get_filename() for part in sent.iter_attachments())


def test_forward_offers_the_files_and_sends_the_chosen_ones(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    _update(client, ticket, [("a.txt", b"a"), ("b.txt", b"b")])
    _update(client, ticket, [("c.txt", b"c")], kind="comment")
    db.session.commit()
    ids = dict(db.session.execute(select(Attachment.filename, Attachment.id)).all())
    form = client.hx_get(f"/tickets/{ticket.id}/forward").plain
    assert "Pièces jointes à transférer" in form
    assert f'value="{ids["a.txt"]}" checked' in form and f'value="{ids["c.txt"]}">' in form
    response = client.post(f"/tickets/{ticket.id}/forward", htmx=True, data={
        "to": "compta@example.org", "content": "Pour vous", "files_offered": "1",
        "files": [ids["b.txt"], ids["c.txt"]]})
    assert response.status_code == 200 and "HX-Trigger" in response.headers
    assert _forward_mail(ticket.id) == ["b.txt", "c.txt"]


def test_forward_with_no_file_ticked_sends_none(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    _update(client, ticket, [("a.txt", b"a")])
    client.post(f"/tickets/{ticket.id}/forward", data={
        "to": "compta@example.org", "files_offered": "1"})
    assert _forward_mail(ticket.id) == []


def test_forward_of_another_tickets_file_changes_nothing(desk, login_as, make_ticket):
    other = make_ticket(desk.info, subject="Ailleurs")
    ticket = make_ticket(desk.support)
    _update(login_as(desk.chloe), other, [("paie.xls", b"salaires")])
    db.session.commit()
    foreign = db.session.scalar(select(Attachment.id).where(Attachment.filename == "paie.xls"))
    response = login_as(desk.alice).post(f"/tickets/{ticket.id}/forward", htmx=True, data={
        "to": "compta@example.org", "files_offered": "1", "files": [foreign]})
    assert response.status_code == 200 and "Pièce jointe introuvable." in response.plain
    assert "HX-Trigger" not in response.headers and _types(ticket.id) == ["Create"]
    assert db.session.scalars(select(OutboxMail).where(
        OutboxMail.ticket_id == ticket.id, OutboxMail.scrip.like("On Forward%"))).first() is None


def test_forward_refuses_a_file_kept_only_in_the_raw_mail(desk, make_ticket):
    from rtsuivi.domain import NotFound
    from rtsuivi.domain import tickets as domain
    ticket = make_ticket(desk.support)
    txn = domain.comment(ticket, desk.alice, "Pièce trop grosse reçue par courriel")
    txn.attachments.append(Attachment(content_type="application/zip", filename="gros.zip",
                                      size=50_000_000))  # over the limit: no bytes kept
    db.session.commit()
    [kept_out] = txn.files
    with pytest.raises(NotFound, match="Pièce jointe introuvable."):
        domain.forward(ticket, desk.alice, "compta@example.org", files=[kept_out])
    db.session.rollback()
    assert _types(ticket.id) == ["Create", "Comment"]
