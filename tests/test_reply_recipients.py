"""The reply form says who receives it (issue 13, item 4): the notification rules' own
recipients, each ticked (unticked: left out of this one message, RT's squelch), and a
one-time Cc and Bcc (RT's UpdateCc / UpdateBcc), checked against the mails a real SMTP
server receives."""
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select, update

from rtsuivi.domain import DomainError, Forbidden
from rtsuivi.domain import recipients as domain_recipients
from rtsuivi.domain import tickets as domain
from rtsuivi.extensions import db
from rtsuivi.mail.sending import send_pending
from rtsuivi.models import OutboxMail, Transaction, Watcher
from tests.conftest import AGENT_RIGHTS
from tests.mail.conftest import smtp_server  # noqa: F401  (the real SMTP test server)


@pytest.fixture
def scene(make_user, make_queue, make_ticket):
    """Ticket of queue Support owned by bruno; requestor denise, Cc claire, AdminCc chloe;
    alice (agent) writes."""
    alice = make_user("alice", real_name="Alice Martin")
    bruno = make_user("bruno", real_name="Bruno Lefèvre")
    chloe = make_user("chloe", real_name="Chloé Dubois")
    denise = make_user("denise", privileged=False, real_name="Denise Garnier")
    claire = make_user("claire", privileged=False, real_name="Claire Petit")
    queue = make_queue("Support", correspond_address="support@example.org",
                       comment_address="support-comment@example.org",
                       rights={f"user:{u.name}": AGENT_RIGHTS for u in (alice, bruno, chloe)})
    ticket = make_ticket(queue, requestors=[denise], owner=bruno)
    domain.add_watcher(ticket, alice, "Cc", claire)
    domain.add_watcher(ticket, alice, "AdminCc", chloe)
    db.session.commit()
    # The mails of the creation are not this test's: only what the update sends is read.
    db.session.execute(update(OutboxMail).values(status="sent"))
    db.session.commit()

    class Scene:
        pass
    s = Scene()
    s.alice, s.bruno, s.chloe, s.denise, s.claire, s.queue, s.ticket = \
        alice, bruno, chloe, denise, claire, queue, ticket
    return s


def _ids(recipients):
    return {r.user.name: r.roles for r in recipients}


def _sent(collector):
    """Send the outbox through the real SMTP server; return (envelope, message) pairs."""
    db.session.commit()
    send_pending()
    return [(rcpt, message_from_bytes(raw, policy=policy.default))
            for _sender, rcpt, raw in collector.messages]


def _post(client, s, kind="reply", notify=None, shown=None, **extra):
    shown = shown if shown is not None else [s.denise.id, s.claire.id, s.bruno.id, s.chloe.id]
    data = {"action": kind, "kind": kind, "content": "Voici la réponse.", "status": "",
            "shown": shown, "notify": notify if notify is not None else shown, **extra}
    return client.post(f"/tickets/{s.ticket.id}/update", data=data)


# ---------------------------------------------------------------- the preview

def test_preview_lists_the_rules_recipients_never_the_actor(scene):
    assert _ids(domain_recipients.preview(scene.ticket, scene.alice, "reply")) == {
        "bruno": ("Owner",), "chloe": ("AdminCc",), "denise": ("Requestor",),
        "claire": ("Cc",)}
    assert _ids(domain_recipients.preview(scene.ticket, scene.alice, "comment")) == {
        "chloe": ("AdminCc",)}
    assert "bruno" not in _ids(domain_recipients.preview(scene.ticket, scene.bruno, "reply"))


def test_preview_needs_the_right_to_write_it(scene, make_user):
    reader = make_user("lecteur", rights=["ShowTicket", "ReplyToTicket"], on=scene.queue)
    assert domain_recipients.preview(scene.ticket, reader, "reply")
    with pytest.raises(Forbidden):
        domain_recipients.preview(scene.ticket, reader, "comment")
    with pytest.raises(DomainError, match="Type de message inconnu"):
        domain_recipients.preview(scene.ticket, scene.alice, "telegramme")


def test_the_preview_is_what_the_scrips_mail(scene, smtp_server):  # noqa: F811
    shown = {r.user.email for r in domain_recipients.preview(scene.ticket, scene.alice,
                                                              "reply")}
    domain.update(scene.ticket, scene.alice, "reply", "Réponse")
    mailed = {address for rcpt, _msg in _sent(smtp_server) for address in rcpt}
    assert mailed == shown == {"bruno@example.org", "chloe@example.org",
                               "denise@example.org", "claire@example.org"}


def test_reply_and_comment_forms_show_their_recipients(scene, login_as):
    client = login_as(scene.alice)
    reply = client.hx_get(f"/tickets/{scene.ticket.id}/update?action=reply").plain
    assert "Destinataires du courriel" in reply
    for text in ("Denise Garnier <denise@example.org>", "(Demandeur)", "Claire Petit",
                 "(Intervenant)", "Chloé Dubois", 'name="update_cc"', 'name="update_bcc"'):
        assert text in reply, text
    assert f'name="notify" value="{scene.denise.id}" checked' in reply
    assert "Alice Martin <" not in reply
    comment = client.hx_get(f"/tickets/{scene.ticket.id}/update?action=comment").plain
    assert "Chloé Dubois <chloe@example.org>" in comment and "Denise Garnier" not in comment


# ---------------------------------------------------------------- the fragment (htmx)

def test_recipients_fragment_follows_the_kind(scene, login_as, make_user):
    client = login_as(scene.alice)
    fragment = client.hx_get(f"/tickets/{scene.ticket.id}/recipients?kind=comment")
    assert fragment.status_code == 200 and "<html" not in fragment.plain
    assert 'id="update-recipients"' in fragment.plain
    assert "Chloé Dubois" in fragment.plain and "Denise Garnier" not in fragment.plain
    page = client.get(f"/tickets/{scene.ticket.id}/recipients?kind=comment")
    assert page.status_code == 302
    assert page.location.endswith(f"/tickets/{scene.ticket.id}/update?action=comment")
    replier = make_user("replier", rights=["ShowTicket", "ReplyToTicket"], on=scene.queue)
    refused = login_as(replier).hx_get(f"/tickets/{scene.ticket.id}/recipients?kind=comment")
    assert refused.status_code == 403 and "CommentOnTicket" in refused.plain


def test_update_form_kind_select_asks_for_the_fragment(scene, login_as):
    html = login_as(scene.alice).hx_get(f"/tickets/{scene.ticket.id}/update?action=reply").plain
    assert f'hx-get="/tickets/{scene.ticket.id}/recipients"' in html
    assert 'hx-target="#update-recipients"' in html


# ---------------------------------------------------------------- through the SMTP server

def test_unticked_person_gets_nothing_one_time_cc_and_bcc_get_it_once(
        scene, login_as, smtp_server):  # noqa: F811
    response = _post(login_as(scene.alice), scene,
                     notify=[scene.denise.id, scene.bruno.id, scene.chloe.id],
                     update_cc="Marc Externe <marc@externe.example>",
                     update_bcc="cache@externe.example")
    assert response.status_code == 302
    sent = _sent(smtp_server)
    everyone = [address for rcpt, _msg in sent for address in rcpt]
    assert "claire@example.org" not in everyone
    assert everyone.count("marc@externe.example") == 1
    assert everyone.count("cache@externe.example") == 1
    assert {"denise@example.org", "bruno@example.org", "chloe@example.org"} <= set(everyone)
    [(rcpt, once)] = [(r, m) for r, m in sent if "marc@externe.example" in r]
    assert sorted(rcpt) == ["cache@externe.example", "marc@externe.example"]
    assert "marc@externe.example" in once["Cc"] and "Voici la réponse." in once.get_body(
        ("plain",)).get_content()
    for _rcpt, message in sent:  # Bcc: in no header of any mail
        assert "cache@externe.example" not in message.as_string().split("\n\n", 1)[0]
    db.session.expire_all()
    watchers = {w.user.email for w in db.session.scalars(select(Watcher).where(
        Watcher.ticket_id == scene.ticket.id))}
    assert not watchers & {"marc@externe.example", "cache@externe.example"}


def test_comment_one_time_cc_goes_from_the_comment_address(scene, login_as,
                                                          smtp_server):  # noqa: F811
    _post(login_as(scene.alice), scene, kind="comment", shown=[scene.chloe.id],
          notify=[], update_cc="avocat@externe.example")
    sent = _sent(smtp_server)
    assert [sorted(rcpt) for rcpt, _m in sent] == [["avocat@externe.example"]]
    assert "support-comment@example.org" in sent[0][1]["From"]


def test_leaving_the_requestor_out_also_skips_the_resolution_mail(scene, login_as,
                                                                  smtp_server):  # noqa: F811
    _post(login_as(scene.alice), scene, kind="reply", action="resolve", status="resolved",
          notify=[scene.claire.id, scene.bruno.id, scene.chloe.id])
    assert [t.type for t in db.session.scalars(select(Transaction).where(
        Transaction.ticket_id == scene.ticket.id).order_by(Transaction.id))][-2:] \
        == ["Correspond", "Status"]
    everyone = [address for rcpt, _msg in _sent(smtp_server) for address in rcpt]
    assert "denise@example.org" not in everyone and "claire@example.org" in everyone


# ---------------------------------------------------------------- bad input changes nothing

def _nothing_written(scene):
    db.session.commit()
    types = [t.type for t in db.session.scalars(select(Transaction).where(
        Transaction.ticket_id == scene.ticket.id))]
    return "Correspond" not in types and "Comment" not in types and "Status" not in types


@pytest.mark.parametrize("field", ["update_cc", "update_bcc"])
def test_a_bad_one_time_address_changes_nothing(scene, login_as, field):
    before = db.session.scalar(select(OutboxMail.id).order_by(OutboxMail.id.desc()).limit(1))
    response = _post(login_as(scene.alice), scene, **{field: "ok@externe.example, pas-une"})
    assert response.status_code == 200 and "Adresse invalide : pas-une" in response.plain
    assert _nothing_written(scene)
    assert db.session.scalar(select(OutboxMail.id).order_by(OutboxMail.id.desc()).limit(1)) \
        == before


def test_one_time_cc_without_a_message_is_refused(scene, login_as):
    response = _post(login_as(scene.alice), scene, content="", status="open",
                     update_cc="marc@externe.example")
    assert "Écrivez un message pour l'envoyer en Cc ou en Cci." in response.plain
    assert _nothing_written(scene)


def test_the_form_comes_back_with_the_ticks_it_was_sent_with(scene, login_as):
    response = _post(login_as(scene.alice), scene, notify=[scene.bruno.id],
                     update_cc="pas une adresse")
    assert f'name="notify" value="{scene.bruno.id}" checked' in response.plain
    assert f'name="notify" value="{scene.denise.id}">' in response.plain


def test_squelch_ids_from_a_forged_form_only_leave_people_out(scene):
    choice = domain_recipients.this_message([scene.denise.id, 0, 10**30], [], "", "")
    assert choice.leave_out == {scene.denise.id}
    assert domain_recipients.this_message([], [], "a@b.example; a@b.example",
                                          "a@b.example").cc == ("a@b.example",)


def test_a_watcher_typed_in_the_one_time_cc_gets_one_mail(scene, login_as,
                                                          smtp_server):  # noqa: F811
    """Claire is Cc of the ticket: typed in the one-time Cc and Bcc too, she still gets
    the one mail the rules send her; the others typed there get theirs."""
    _post(login_as(scene.alice), scene, update_cc="Claire <CLAIRE@example.org>, "
          "marc@externe.example", update_bcc="claire@example.org")
    sent = _sent(smtp_server)
    everyone = [address for rcpt, _msg in sent for address in rcpt]
    assert everyone.count("claire@example.org") == 1
    assert everyone.count("marc@externe.example") == 1
    [(rcpt, once)] = [(r, m) for r, m in sent if "marc@externe.example" in r]
    assert rcpt == ["marc@externe.example"] and "claire" not in once["Cc"].lower()


def test_a_one_time_cc_of_watchers_only_sends_nothing_more(scene, login_as,
                                                           smtp_server):  # noqa: F811
    _post(login_as(scene.alice), scene, update_cc="denise@example.org")
    sent = _sent(smtp_server)
    everyone = [address for rcpt, _msg in sent for address in rcpt]
    assert everyone.count("denise@example.org") == 1
    assert len(sent) == len({tuple(sorted(rcpt)) for rcpt, _m in sent})
