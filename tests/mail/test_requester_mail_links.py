"""Issue 13 item 1: every mail a requester (or a Cc, another requester-side person) can
receive carries the link to their request in the portal, in their language; checked on the
mails the real SMTP test server received, and on the templates the notification rules use."""
from email import message_from_bytes, policy

import pytest

from rtsuivi.domain import mail_templates, notifications
from rtsuivi.domain import tickets as domain
from rtsuivi.extensions import db
from rtsuivi.mail import sending

from .conftest import new_ticket_by_mail

REQUESTER_SIDE = {"Requestor", "Cc"}


def _templates_to_requesters() -> set[str]:
    return {scrip.action.template for scrip in notifications.SCRIPS
            if REQUESTER_SIDE & set(getattr(scrip.action, "roles", ()))}


def test_every_template_a_requester_receives_links_to_the_portal(app):
    names = _templates_to_requesters()
    assert {"Autoreply", "Correspondence", "Resolved"} <= names
    for name in names:
        for lang in mail_templates.LANGS:
            assert "ticket.portal_url" in mail_templates.get(name, lang).body, (name, lang)


@pytest.fixture
def jane(make_user):
    return make_user("jane", privileged=False, lang="en", email="jane@mairie.example")


def test_mails_received_by_the_requester_and_a_cc_carry_the_link(mail_desk, jane, app,
                                                                 smtp_server):
    ticket = new_ticket_by_mail()  # Autoreply to the requester
    domain.add_watcher(ticket, mail_desk.alice, "Cc", jane)
    domain.reply(ticket, mail_desk.alice, "Nous regardons.")  # Correspondence to both
    domain.set_status(ticket, mail_desk.alice, "resolved")  # Resolved to the requester
    db.session.commit()
    assert sending.send_pending()["sent"] >= 4
    link = f"{app.config['RTSUIVI_BASE_URL'].rstrip('/')}/demandes/{ticket.id}"
    received = {}
    for _sender, recipients, content in smtp_server.messages:
        body = message_from_bytes(content, policy=policy.default).get_body(
            ("plain",)).get_content()
        for recipient in recipients:
            received.setdefault(recipient, []).append(body)
    to_helene = received["helene.berard@mairie.example"]
    assert len(to_helene) == 3  # accusé de réception, réponse, résolution
    assert all(f"Suivre votre demande : {link}" in body for body in to_helene), to_helene
    assert [f"Follow your request: {link}" in body for body in received[jane.email]] == [True]
