"""Mail administration: SuperUser only; failed mails re-run; outbox readable; templates."""
import pytest
from sqlalchemy import select

from rtsuivi.domain import mail_templates
from rtsuivi.domain import tickets as domain
from rtsuivi.extensions import db
from rtsuivi.mail.inbound import receive
from rtsuivi.models import InboundMail, MailTemplate, OutboxMail, Ticket
from tests.mail.conftest import mail, mail_desk  # noqa: F401  (fixture)


@pytest.fixture
def admin(make_user):
    return make_user("root", rights=["SuperUser"])


URLS = ["/admin/courrier/entrant", "/admin/courrier/sortant", "/admin/courrier/modeles",
        "/admin/courrier/modeles/Resolved/fr"]


@pytest.mark.parametrize("url", URLS)
def test_mail_admin_pages_are_for_superusers_only(url, admin, make_user, login_as):
    agent = make_user("agent", rights=["SeeQueue", "ShowTicket", "ModifyTicket"])
    assert login_as(agent).get(url).status_code == 403
    assert login_as(admin).get(url).status_code == 200


def test_a_failed_mail_is_listed_and_rerun(admin, mail_desk, login_as, monkeypatch):  # noqa: F811
    monkeypatch.setattr(domain, "create", lambda *a, **k: 1 / 0)
    receive(mail(subject="Coincé"))
    monkeypatch.undo()
    stored = db.session.scalar(select(InboundMail))
    client = login_as(admin)
    listing = client.get("/admin/courrier/entrant").plain
    assert "Coincé" in listing and "ZeroDivisionError" in listing
    assert "Relancer" in client.get(f"/admin/courrier/entrant/{stored.id}").plain
    fragment = client.post(f"/admin/courrier/entrant/{stored.id}/relancer", htmx=True)
    assert fragment.status_code == 200 and "<html" not in fragment.plain
    assert 'id="inbound-status"' in fragment.plain
    assert "HX-Trigger" not in fragment.headers  # the answer is the box; nothing else changed
    db.session.refresh(stored)
    assert stored.status == "done"
    assert db.session.get(Ticket, stored.ticket_id).subject == "Coincé"
    # Without htmx: a redirect; a mail already done cannot be re-run.
    again = client.post(f"/admin/courrier/entrant/{stored.id}/relancer")
    assert again.status_code == 302
    assert db.session.scalar(select(db.func.count(Ticket.id))) == 1


def test_rerun_refused_to_non_superusers(make_user, mail_desk, login_as):  # noqa: F811
    receive(mail())
    stored = db.session.scalar(select(InboundMail))
    assert login_as(mail_desk.alice).post(
        f"/admin/courrier/entrant/{stored.id}/relancer").status_code == 403


def test_outbox_is_readable_and_a_failed_mail_can_be_sent_again(admin, mail_desk, login_as):  # noqa: F811
    receive(mail(subject="Avis"))
    row = db.session.scalar(select(OutboxMail))
    row.status = "failed"
    db.session.commit()
    client = login_as(admin)
    listing = client.get("/admin/courrier/sortant?status=failed").plain
    assert "Avis" in listing
    assert ">en échec (1)</option>" in listing  # states are named in French
    shown = client.get(f"/admin/courrier/sortant/{row.id}").plain
    assert "X-RT-Loop-Prevention" in shown and "<dd>en échec</dd>" in shown
    response = client.post(f"/admin/courrier/sortant/{row.id}/renvoyer", htmx=True)
    assert 'id="outbox-status"' in response.plain
    db.session.refresh(row)
    assert row.status == "pending"
    assert client.get("/admin/courrier/sortant?status=bogus").status_code == 400


def test_template_edit_is_validated_saved_and_reset(admin, login_as):
    client = login_as(admin)
    assert "Résolu" in client.get("/admin/courrier/modeles/Resolved/fr").plain
    bad = client.post("/admin/courrier/modeles/Resolved/fr",
                      data={"subject": "{{ oops", "body": "x"})
    assert "Modèle invalide" in bad.plain
    assert db.session.scalar(select(MailTemplate)) is None
    ok = client.post("/admin/courrier/modeles/Resolved/fr",
                     data={"subject": "Terminé : {{ ticket.subject }}", "body": "Fini."})
    assert ok.status_code == 302
    assert mail_templates.get("Resolved", "fr").subject == "Terminé : {{ ticket.subject }}"
    assert "modifié" in client.get("/admin/courrier/modeles").plain
    client.post("/admin/courrier/modeles/Resolved/fr", data={"reset": "1"})
    assert not mail_templates.get("Resolved", "fr").stored
    assert client.get("/admin/courrier/modeles/Nope/fr").status_code == 404


def test_administration_is_in_the_header_only_for_holders_of_an_admin_right(
        admin, make_user, login_as):
    agent = make_user("agent")
    client = login_as(agent)
    assert "Administration" not in client.get("/").plain
    assert client.get("/admin/").status_code == 403
    client = login_as(admin)
    page = client.get("/admin/")
    assert page.status_code == 200 and 'href="/admin/courrier/entrant"' in page.plain
    assert ">Administration</a>" in client.get("/accueil").plain
