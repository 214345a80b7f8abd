"""The requesters' portal (« Mes demandes »): lists, « Nouvelle demande », a request's public
history and reply with files, « Clore ma demande » and « Rouvrir », and what never leaks
(comments, forward notes, internal changes, others' requests and mails, deleted tickets)."""
import io

import pytest
from sqlalchemy import event, select

from rtsuivi.domain import Forbidden, accounts, lifecycle
from rtsuivi.domain import tickets as domain
from rtsuivi.domain.tickets.requester import act_as_requester
from rtsuivi.domain.uploads import Upload
from rtsuivi.extensions import db
from rtsuivi.mail.inbound import receive
from rtsuivi.models import OutboxMail, Ticket, Transaction
from tests.conftest import PASSWORD
from tests.mail.conftest import mail, mail_desk, new_ticket_by_mail  # noqa: F401


def _file(name="capture.txt", data=b"journal de l'imprimante"):
    return (io.BytesIO(data), name)


def _statements(client, url) -> int:
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


# ---------------------------------------------------------------- the list

def test_list_shows_status_queue_owner_update_and_who_answered(login_as, desk, make_ticket):
    make_ticket(desk.support, requestors=[desk.denise], subject="Écran noir")
    answered = make_ticket(desk.support, requestors=[desk.denise], subject="Clavier")
    domain.take(answered, desk.alice)
    domain.reply(answered, desk.alice, "Nous arrivons.")
    db.session.commit()
    html = login_as(desk.denise).get("/demandes/").plain
    assert "Écran noir" in html and "Clavier" in html and "Support" in html
    assert "Alice Martin" in html and "nouveau" in html and "ouvert" in html
    rows = {row.split("</a>")[1].rsplit(">", 1)[-1]: row for row in html.split("<tr>")[2:]}
    assert 'class="tag tag-reply">Le support a répondu' in rows["Clavier"]
    assert "Le support a répondu" not in rows["Écran noir"]


def test_list_is_paginated_with_bounded_statements(login_as, desk, make_ticket):
    make_ticket(desk.support, requestors=[desk.denise])
    client = login_as(desk.denise)
    few = _statements(client, "/demandes/")
    for i in range(45):
        ticket = make_ticket(desk.support, requestors=[desk.denise], subject=f"Demande {i}")
        domain.reply(ticket, desk.alice, "Réponse")
    db.session.commit()
    many = _statements(client, "/demandes/")
    deep = _statements(client, "/demandes/?page=3")
    assert many <= few + 1 and deep <= few + 1, (few, many, deep)  # +1: the count query
    page1 = client.get("/demandes/").plain
    assert "46 demande(s)" in page1 and "Page 1 sur 3" in page1 and "Demande 44" in page1
    assert "Demande 0" in client.get("/demandes/?page=3").plain


@pytest.mark.parametrize("page", ["0x", "deux", "99999999999"])
def test_bad_page_numbers_are_refused(login_as, desk, page):
    assert login_as(desk.denise).get(f"/demandes/?page={page}").status_code == 400


def test_closed_tab_lists_resolved_but_never_deleted(login_as, desk, make_ticket):
    done = make_ticket(desk.support, requestors=[desk.denise], subject="Réglé")
    gone = make_ticket(desk.support, requestors=[desk.denise], subject="Spam effacé")
    domain.reply(gone, desk.alice, "Pièce", files=[Upload("efface.txt", "text/plain", b"x")])
    domain.set_status(done, desk.alice, "resolved")
    domain.set_status(gone, desk.alice, "deleted")
    db.session.commit()
    client = login_as(desk.denise)
    closed = client.get("/demandes/?etat=terminees").plain
    assert "Réglé" in closed and "Spam effacé" not in closed
    assert "Réglé" not in client.get("/demandes/").plain
    assert client.get(f"/demandes/{gone.id}").status_code == 404
    attachment = next(f for t in gone.transactions for f in t.files)
    assert client.get(f"/tickets/{gone.id}/attachments/{attachment.id}").status_code == 404
    assert client.post(f"/demandes/{gone.id}", data={"content": "Et alors ?"}).status_code == 404


def test_another_persons_request_is_neither_listed_nor_readable(
        login_as, desk, make_ticket, make_user):
    other = make_user("etienne", privileged=False)
    theirs = make_ticket(desk.support, requestors=[other], subject="Confidentiel")
    client = login_as(desk.denise)
    assert "Confidentiel" not in client.get("/demandes/").plain
    assert client.get(f"/demandes/{theirs.id}").status_code == 404
    first = db.session.scalar(select(Transaction).where(Transaction.ticket_id == theirs.id))
    domain.reply(theirs, desk.alice, "Pièce", files=[Upload("secret.txt", "text/plain", b"x")])
    db.session.commit()
    attachment = next(f for t in theirs.transactions for f in t.files)
    assert client.get(f"/tickets/{theirs.id}/attachments/{attachment.id}").status_code == 404
    assert first is not None


def test_cc_sees_a_request_only_when_a_right_grants_it(login_as, desk, make_ticket, make_user):
    other = make_user("etienne", privileged=False)
    shared = make_ticket(desk.support, requestors=[other], cc=[desk.denise], subject="Partagé")
    client = login_as(desk.denise)
    assert client.get(f"/demandes/{shared.id}").status_code == 404
    accounts.grant("role:Cc", "ShowTicket")
    db.session.commit()
    assert "Partagé" in client.get("/demandes/").plain
    page = client.get(f"/demandes/{shared.id}").plain
    assert "Partagé" in page and "Clore ma demande" not in page  # only requestors close
    with pytest.raises(Forbidden):
        act_as_requester(shared, desk.denise, "close")


# ---------------------------------------------------------------- what never leaks

def test_request_page_shows_replies_only(login_as, desk, make_ticket, make_user):
    ticket = make_ticket(desk.support, requestors=[desk.denise], content="Mon écran clignote.")
    domain.comment(ticket, desk.alice, "Note interne : carte graphique ?",
                   files=[Upload("diagnostic-interne.txt", "text/plain", b"interne")])
    domain.forward(ticket, desk.alice, "fournisseur@example.com", "Note de transfert secrète")
    domain.set_fields(ticket, desk.alice, priority=80)
    domain.reply(ticket, desk.alice, "Pouvez-vous redémarrer ?",
                 files=[Upload("procedure.txt", "text/plain", b"etapes")])
    db.session.commit()
    client = login_as(desk.denise)
    page = client.get(f"/demandes/{ticket.id}").plain
    assert "Mon écran clignote." in page and "Pouvez-vous redémarrer ?" in page
    assert "procedure.txt" in page
    for secret in ("Note interne", "diagnostic-interne.txt", "Note de transfert secrète",
                   "fournisseur@example.com", "Priorité"):
        assert secret not in page, secret
    comment_file = db.session.scalar(select(Transaction).where(
        Transaction.ticket_id == ticket.id, Transaction.type == "Comment")).files[0]
    url = f"/tickets/{ticket.id}/attachments/{comment_file.id}"
    assert client.get(url).status_code == 404  # by URL too
    public = db.session.scalar(select(Transaction).where(
        Transaction.ticket_id == ticket.id, Transaction.type == "Correspond")).files[0]
    download = client.get(f"/tickets/{ticket.id}/attachments/{public.id}")
    assert download.status_code == 200 and download.data == b"etapes"


def test_requester_cannot_read_mails_sent_to_others(login_as, desk, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise], admin_cc=[desk.bruno])
    domain.comment(ticket, desk.alice, "Avis aux AdminCc")
    db.session.commit()
    sent = db.session.scalars(select(OutboxMail).where(OutboxMail.ticket_id == ticket.id)).all()
    assert sent
    from rtsuivi.domain.reading import can_read_mail
    client = login_as(desk.denise)
    for mail_row in sent:
        assert not can_read_mail(desk.denise, mail_row)  # the rule, not only the page guard
        response = client.get(f"/tickets/{ticket.id}/mails/{mail_row.id}")
        assert response.status_code == 302 and response.location.endswith("/demandes/")
    assert "Avis aux AdminCc" not in client.get(f"/demandes/{ticket.id}").plain


def test_agent_on_the_portal_url_goes_to_the_ticket(login_as, desk, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    response = login_as(desk.alice).get(f"/demandes/{ticket.id}")
    assert response.status_code == 302 and response.location.endswith(f"/tickets/{ticket.id}")


def test_portal_link_opens_the_request_after_login(client, desk, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    first = client.get(f"/demandes/{ticket.id}")
    assert first.status_code == 302 and "/login?next=" in first.location
    client.refresh_token("/login")
    login = client.post(first.location, data={"name": "denise", "password": PASSWORD})
    assert login.status_code == 302 and login.location.endswith(f"/demandes/{ticket.id}")


# ---------------------------------------------------------------- new request

def test_new_request_offers_only_queues_with_createticket(login_as, desk):
    page = login_as(desk.denise).get("/demandes/nouvelle").plain
    assert ">Support<" in page and ">Info<" not in page


def test_new_request_with_files(login_as, desk):
    client = login_as(desk.denise)
    response = client.post("/demandes/nouvelle", data={
        "queue": desk.support.id, "subject": "Badge perdu", "content": "Je l'ai perdu hier.",
        "files": [_file("photo.txt"), _file("../../etc/pass\x07wd", b"deux")]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    ticket = db.session.scalar(select(Ticket).where(Ticket.subject == "Badge perdu"))
    assert [u.name for u in ticket.requestors] == ["denise"]
    names = sorted(f.filename for t in ticket.transactions for f in t.files)
    assert names == ["passwd", "photo.txt"]
    assert "photo.txt" in client.get(response.location).plain


def test_new_request_in_a_queue_without_createticket_is_forbidden(login_as, desk):
    response = login_as(desk.denise).post("/demandes/nouvelle", data={
        "queue": desk.info.id, "subject": "Essai", "content": "Texte"})
    assert response.status_code == 403
    assert db.session.scalar(select(Ticket.id)) is None


@pytest.mark.parametrize("data, message", [
    ({"subject": "Sujet", "content": "   "}, "Décrivez votre demande."),
    ({"subject": "Sujet", "content": "Texte", "queue": 999999}, "Choisissez le service"),
])
def test_new_request_bad_input_changes_nothing(login_as, desk, data, message):
    data = {"queue": desk.support.id, **data}
    response = login_as(desk.denise).post("/demandes/nouvelle", data=data)
    assert response.status_code == 200 and message in response.plain
    assert db.session.scalar(select(Ticket.id)) is None


def test_new_request_file_too_big_or_too_many_writes_nothing(login_as, desk, app):
    app.config["RTSUIVI_MAX_ATTACHMENT_SIZE"] = 1000
    client = login_as(desk.denise)
    base = {"queue": desk.support.id, "subject": "Gros fichier", "content": "Voici."}
    big = client.post("/demandes/nouvelle",
                      data={**base, "files": [_file("gros.bin", b"x" * 1001)]},
                      content_type="multipart/form-data")
    assert big.status_code == 200 and "« gros.bin » dépasse la taille permise" in big.plain
    many = client.post("/demandes/nouvelle",
                       data={**base, "files": [_file(f"f{i}.txt") for i in range(21)]},
                       content_type="multipart/form-data")
    assert "Trop de fichiers" in many.plain
    empty = client.post("/demandes/nouvelle", data={**base, "files": [_file("vide.txt", b"")]},
                        content_type="multipart/form-data")
    assert "« vide.txt » est vide" in empty.plain
    assert db.session.scalar(select(Ticket.id)) is None


# ---------------------------------------------------------------- reply, close, reopen

def test_reply_with_a_file_lands_in_the_history(login_as, desk, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    client = login_as(desk.denise)
    response = client.post(f"/demandes/{ticket.id}", data={
        "content": "Voici la capture.", "files": [_file("ecran.txt", b"capture")]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    txn = db.session.scalar(select(Transaction).where(
        Transaction.ticket_id == ticket.id, Transaction.type == "Correspond"))
    assert txn.creator_id == desk.denise.id and txn.files[0].filename == "ecran.txt"
    page = client.get(f"/demandes/{ticket.id}").plain
    assert "Voici la capture." in page and "ecran.txt" in page


def test_reply_too_big_is_refused_and_kept_nothing(login_as, desk, make_ticket, app):
    app.config["RTSUIVI_MAX_ATTACHMENT_SIZE"] = 10
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    response = login_as(desk.denise).post(f"/demandes/{ticket.id}", data={
        "content": "Texte", "files": [_file("gros.txt", b"y" * 11)]},
        content_type="multipart/form-data")
    assert response.status_code == 200 and "dépasse la taille permise" in response.plain
    assert db.session.scalar(select(Transaction.id).where(
        Transaction.ticket_id == ticket.id, Transaction.type == "Correspond")) is None


def test_empty_reply_is_refused(login_as, desk, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    response = login_as(desk.denise).post(f"/demandes/{ticket.id}", data={"content": " "})
    assert "Le message est vide." in response.plain


def test_requester_closes_their_request_as_resolved(login_as, desk, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    client = login_as(desk.denise)
    assert "Clore ma demande" in client.get(f"/demandes/{ticket.id}").plain
    response = client.post(f"/demandes/{ticket.id}/close", follow_redirects=True)
    assert "Demande close." in response.plain
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.status == "resolved" and ticket.resolved is not None
    last = ticket.transactions[-1]
    assert (last.type, last.new_value, last.creator_id) == ("Status", "resolved", desk.denise.id)


def test_close_refused_when_already_resolved(login_as, desk, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    domain.set_status(ticket, desk.alice, "resolved")
    db.session.commit()
    response = login_as(desk.denise).post(f"/demandes/{ticket.id}/close", follow_redirects=True)
    assert "n'est pas possible pour une demande au statut « résolu »" in response.plain
    with pytest.raises(lifecycle.TransitionRefused):
        act_as_requester(ticket, desk.denise, "close")


def test_requester_reopens_a_resolved_request(login_as, desk, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    domain.set_status(ticket, desk.alice, "resolved")
    db.session.commit()
    client = login_as(desk.denise)
    page = client.get(f"/demandes/{ticket.id}").plain
    assert "Rouvrir" in page and "Clore ma demande" not in page
    assert "Demande rouverte." in client.post(f"/demandes/{ticket.id}/reopen",
                                              follow_redirects=True).plain
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == "open"


def test_rejected_request_is_not_reopened_by_the_button(login_as, desk, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    domain.set_status(ticket, desk.alice, "rejected")
    db.session.commit()
    client = login_as(desk.denise)
    assert "Rouvrir" not in client.get(f"/demandes/{ticket.id}").plain
    client.post(f"/demandes/{ticket.id}/reopen")
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == "rejected"
    with pytest.raises(lifecycle.TransitionRefused):
        act_as_requester(ticket, desk.denise, "reopen")


def test_a_reply_reopens_a_resolved_request(login_as, desk, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    domain.set_status(ticket, desk.alice, "resolved")
    db.session.commit()
    login_as(desk.denise).post(f"/demandes/{ticket.id}", data={"content": "Ça recommence."})
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == "open"


def test_close_without_reply_right_is_forbidden(login_as, desk, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    accounts.revoke("role:Requestor", "ReplyToTicket")
    db.session.commit()
    client = login_as(desk.denise)
    assert "Clore ma demande" not in client.get(f"/demandes/{ticket.id}").plain
    assert client.post(f"/demandes/{ticket.id}/close").status_code == 403
    with pytest.raises(Forbidden):
        act_as_requester(ticket, desk.denise, "close")


def test_close_another_persons_request_is_not_found(login_as, desk, make_ticket, make_user):
    other = make_user("etienne", privileged=False)
    theirs = make_ticket(desk.support, requestors=[other])
    assert login_as(desk.denise).post(f"/demandes/{theirs.id}/close").status_code == 404
    db.session.expire_all()
    assert db.session.get(Ticket, theirs.id).status == "new"


def test_unknown_portal_action_is_not_found(login_as, desk, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    assert login_as(desk.denise).post(f"/demandes/{ticket.id}/delete").status_code == 404


def test_portal_forms_need_the_csrf_token(login_as, desk, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    client = login_as(desk.denise)
    assert client.post(f"/demandes/{ticket.id}/close", csrf=False).status_code == 400


# ---------------------------------------------------------------- mail and portal, one history

def test_mail_reply_and_portal_reply_end_in_the_same_history(
        client, mail_desk, app):  # noqa: F811
    ticket = new_ticket_by_mail()
    helene = ticket.requestors[0]
    accounts.set_password(helene, PASSWORD)
    db.session.commit()
    tag = f"[{app.config['RTSUIVI_RTNAME']} #{ticket.id}]"
    assert receive(mail(subject=f"Re: {tag} Imprimante en panne",
                        body="Réponse par courriel.\n")).status == "ok"
    client.refresh_token("/login")
    client.post("/login", data={"name": helene.name, "password": PASSWORD})
    client.refresh_token("/demandes/")
    client.post(f"/demandes/{ticket.id}", data={"content": "Réponse depuis le portail."})
    page = client.get(f"/demandes/{ticket.id}").plain
    assert page.index("elle ne marche plus") < page.index("Réponse par courriel.") \
        < page.index("Réponse depuis le portail.")
    types = [t.type for t in db.session.scalars(select(Transaction).where(
        Transaction.ticket_id == ticket.id, Transaction.type == "Correspond"))]
    assert types == ["Correspond", "Correspond"]


# ---------------------------------------------------------------- language and time zone

def test_requesters_mails_follow_their_language(mail_desk, make_user):  # noqa: F811
    from email import message_from_bytes, policy
    jane = make_user("jane", privileged=False, lang="en", email="jane@mairie.example")
    ticket = new_ticket_by_mail(sender="jane@mairie.example")
    assert ticket.requestors == [jane]
    [autoreply] = db.session.scalars(select(OutboxMail).where(
        OutboxMail.recipients == "jane@mairie.example")).all()
    body = message_from_bytes(autoreply.raw, policy=policy.default).get_body().get_content()
    assert autoreply.subject.startswith("[") and "AutoReply:" in autoreply.subject
    assert "Follow your request: " in body and f"/demandes/{ticket.id}" in body


def test_requesters_language_and_timezone_apply(client, desk, make_ticket, make_user):
    from datetime import datetime
    jane = make_user("jane", privileged=False, lang="en", timezone="America/Montreal")
    ticket = make_ticket(desk.support, requestors=[jane])
    ticket.created = datetime(2026, 7, 1, 10, 0)  # UTC
    db.session.commit()
    client.refresh_token("/login")
    client.post("/login", data={"name": "jane", "password": PASSWORD})
    page = client.get("/demandes/").plain
    assert "My requests" in page and "New request" in page and "The help desk answered" in page
    shown = client.get(f"/demandes/{ticket.id}").plain
    assert "7/1/26, 6:00" in shown  # 10:00 UTC in Montreal
