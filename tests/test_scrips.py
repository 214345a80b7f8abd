"""RT's default scrips: who gets which mail for each action, and never the actor."""
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from rtsuivi.domain import DomainError, Forbidden, mail_templates, notifications
from rtsuivi.domain import tickets as domain
from rtsuivi.extensions import db
from rtsuivi.models import OutboxMail

SCRIP_TEMPLATE = {s.name: s.action.template for s in notifications.SCRIPS}


@pytest.fixture
def scene(desk, make_user):
    """Ticket in Support: requestor denise, Cc etienne, AdminCc chloe, unowned."""
    etienne = make_user("etienne", privileged=False, real_name="Étienne Roux")
    ticket = domain.create(desk.denise, domain.NewTicket(
        queue=desk.support, subject="Chauffage", content="Il fait froid.",
        requestors=[desk.denise], cc=[etienne], admin_cc=[desk.chloe]))
    db.session.commit()
    desk.etienne, desk.ticket = etienne, ticket
    return desk


def _mails_after(action) -> dict[str, str]:
    """Run an action, commit, and return {recipient: template} of the mails it queued."""
    last = db.session.scalar(select(db.func.max(OutboxMail.id))) or 0
    action()
    db.session.commit()
    found = {}
    for row in db.session.scalars(select(OutboxMail).where(OutboxMail.id > last)):
        for address in row.recipient_list:
            assert address not in found, f"{address} mailed twice"
            found[address] = SCRIP_TEMPLATE.get(row.scrip, row.scrip)
    return found


def test_create_autoreplies_to_the_requestor_and_tells_cc_and_admincc(desk, make_user):
    etienne = make_user("etienne", privileged=False)
    mails = _mails_after(lambda: domain.create(desk.denise, domain.NewTicket(
        queue=desk.support, subject="Nouveau", content="Bonjour", requestors=[desk.denise],
        cc=[etienne], admin_cc=[desk.chloe], owner=None)))
    assert mails == {"denise@example.org": "Autoreply", "etienne@example.org": "Correspondence",
                     "chloe@example.org": "Transaction"}


ACTIONS = {
    "reply": lambda s: domain.reply(s.ticket, s.alice, "Nous arrivons."),
    "comment": lambda s: domain.comment(s.ticket, s.alice, "Voir le prestataire."),
    "resolve": lambda s: domain.set_status(s.ticket, s.alice, "resolved"),
    "reject": lambda s: domain.set_status(s.ticket, s.alice, "rejected"),
    "give": lambda s: domain.give(s.ticket, s.alice, s.bruno),
    "take": lambda s: domain.take(s.ticket, s.bruno),
    "stall": lambda s: domain.set_status(s.ticket, s.alice, "stalled"),
}
EXPECTED = {  # alice (an agent without a role on the ticket) acts, except for "take"
    "reply": {"denise@example.org": "Correspondence", "etienne@example.org": "Correspondence",
              "chloe@example.org": "Admin Correspondence"},
    "comment": {"chloe@example.org": "Admin Comment"},
    "resolve": {"denise@example.org": "Resolved"},
    "reject": {},
    "give": {"bruno@example.org": "Transaction"},
    "take": {},  # Prendre: the new owner is the actor, nobody is mailed
    "stall": {},
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_notification_matrix(scene, action):
    assert _mails_after(lambda: ACTIONS[action](scene)) == EXPECTED[action]


def test_owner_hears_of_replies_but_never_of_his_own(scene):
    domain.take(scene.ticket, scene.bruno)
    db.session.commit()
    by_alice = _mails_after(lambda: domain.reply(scene.ticket, scene.alice, "Réponse"))
    assert by_alice["bruno@example.org"] == "Admin Correspondence"
    by_bruno = _mails_after(lambda: domain.reply(scene.ticket, scene.bruno, "Réponse"))
    assert "bruno@example.org" not in by_bruno
    assert by_bruno["denise@example.org"] == "Correspondence"


def test_steal_mails_nobody_not_even_the_previous_owner(scene):
    domain.take(scene.ticket, scene.bruno)
    db.session.commit()
    assert _mails_after(lambda: domain.steal(scene.ticket, scene.alice)) == {}


def test_a_requestor_reply_is_not_sent_back_to_her(scene):
    mails = _mails_after(lambda: domain.reply(scene.ticket, scene.denise, "Merci"))
    assert "denise@example.org" not in mails
    assert mails["etienne@example.org"] == "Correspondence"


def test_comments_never_reach_requestors_or_cc(scene):
    domain.take(scene.ticket, scene.bruno)
    db.session.commit()
    mails = _mails_after(lambda: domain.comment(scene.ticket, scene.alice, "Interne"))
    assert set(mails) == {"chloe@example.org"}  # AdminCc only, as RT's default scrips


def test_a_refused_action_queues_nothing(scene):
    before = db.session.scalar(select(db.func.count(OutboxMail.id)))
    with pytest.raises(Forbidden):
        domain.reply(scene.ticket, scene.etienne, "Je ne suis pas demandeur")  # no right
    db.session.rollback()
    db.session.commit()
    assert db.session.scalar(select(db.func.count(OutboxMail.id))) == before


def test_reply_mail_carries_content_signature_and_threading_headers(scene):
    scene.alice.signature = "Alice Martin\nSupport N1"
    content = "Nous arrivons.\n\n-- \nAlice Martin\nSupport N1"  # the box is pre-filled
    _mails_after(lambda: domain.reply(scene.ticket, scene.alice, content))
    row = db.session.scalars(select(OutboxMail).where(
        OutboxMail.scrip == "On Correspond Notify Requestors and Ccs")).one()
    msg = message_from_bytes(row.raw, policy=policy.default)
    assert msg["Subject"] == f"[RT-suivi #{scene.ticket.id}] Chauffage"
    assert "Support N1" in msg.get_body(("plain",)).get_content()
    assert msg["From"].addresses[0].display_name == "Alice Martin via RT-suivi"
    assert msg["To"].addresses[0].addr_spec == "denise@example.org"
    assert msg["Cc"].addresses[0].addr_spec == "etienne@example.org"
    assert row.ticket_id == scene.ticket.id and row.status == "pending"


def test_english_speakers_get_the_english_template(scene):
    scene.denise.lang = "en"
    db.session.commit()
    _mails_after(lambda: domain.set_status(scene.ticket, scene.alice, "resolved"))
    row = db.session.scalars(select(OutboxMail).where(
        OutboxMail.scrip == "On Resolve Notify Requestors")).one()
    assert "Resolved: Chauffage" in row.subject


def test_an_edited_template_is_used_and_a_broken_one_falls_back(scene):
    mail_templates.save("Resolved", "fr", "Fini : {{ ticket.subject }}", "Terminé.")
    db.session.commit()
    _mails_after(lambda: domain.set_status(scene.ticket, scene.alice, "resolved"))
    assert db.session.scalars(select(OutboxMail.subject).where(
        OutboxMail.scrip == "On Resolve Notify Requestors")).one().endswith("Fini : Chauffage")
    with pytest.raises(DomainError, match="Modèle invalide"):
        mail_templates.save("Resolved", "fr", "{{ oops", "x")


def test_templates_are_sandboxed(scene):
    text = mail_templates.Text("Resolved", "fr", "{{ ''.__class__.__mro__ }}", "x", True)
    subject, _body = mail_templates.render(text, {"ticket": {"subject": "S"}, "rtname": "R"})
    assert "object" not in subject and "Résolu" in subject  # fell back to the default


def test_suspended_scrips_send_nothing(desk):
    with notifications.suspended(db.session):
        domain.create(desk.denise, domain.NewTicket(queue=desk.support, subject="Silence",
                                                    requestors=[desk.denise]))
        db.session.flush()
    db.session.commit()
    assert db.session.scalar(select(db.func.count(OutboxMail.id))) == 0
