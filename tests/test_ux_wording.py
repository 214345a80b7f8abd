"""French as people write it, and what an agent reads (issue 9, item 7)."""
import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from rtsuivi.domain import DomainError, mail_templates
from rtsuivi.domain import tickets as domain
from rtsuivi.extensions import db
from rtsuivi.models import OutboxMail
from rtsuivi.templating import elides
from tests.mail.conftest import mail, mail_desk  # noqa: F401  (fixture)


def _text(html: str) -> str:
    """What a person reads: no tags, one space between words."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" '", "'").replace("' ", "'")


@pytest.mark.parametrize("word, expected", [
    ("Alice", True), ("Émile", True), ("Hélène", True), ("ouvert", True),
    ("Bruno", False), ("nouveau", False), ("", False), (None, False)])
def test_elision_before_a_vowel(word, expected):
    assert elides(word) is expected


def test_history_and_top_bar_elide_before_a_vowel(desk, make_ticket, login_as):
    ticket = make_ticket(desk.support)
    domain.reply(ticket, desk.alice, "Nous passons.")
    domain.comment(ticket, desk.alice, "Câble à changer.")
    domain.set_status(ticket, desk.alice, "resolved")  # from « ouvert »
    db.session.commit()
    text = _text(login_as(desk.alice).get(f"/tickets/{ticket.id}").plain)
    assert "Connecté en tant qu'Alice Martin" in text
    assert "de Alice" not in text and "Réponse d'Alice Martin" in text
    assert "Commentaire interne d'Alice Martin" in text
    assert "Statut changé d'ouvert à résolu" in text
    assert "Statut changé de nouveau à ouvert" in text
    text = _text(login_as(desk.bruno).get(f"/tickets/{ticket.id}").plain)
    assert "Connecté en tant que Bruno" in text


def test_steal_message_does_not_assume_a_gender(desk, make_ticket, login_as):
    ticket = make_ticket(desk.support)
    domain.take(ticket, desk.alice)
    db.session.commit()
    response = login_as(desk.bruno).post(f"/tickets/{ticket.id}/steal", htmx=True)
    assert "Vous avez volé ce ticket à Alice Martin." in response.plain
    assert "Il n'a pas" not in response.plain and "prévenu" not in response.plain


@pytest.mark.parametrize("to, refused", [
    ("jean dupont@example.org", "jean dupont@example.org"),
    ("a@example.org, pas une adresse; b@example.org", "pas une adresse"),
])
def test_forward_splits_addresses_on_commas_and_semicolons_only(desk, make_ticket, to,
                                                                refused):
    ticket = make_ticket(desk.support)
    with pytest.raises(DomainError) as error:
        domain.forward(ticket, desk.alice, to)
    assert str(error.value) == f"Adresse invalide : {refused}"


def test_forward_accepts_names_with_addresses(desk, make_ticket):
    ticket = make_ticket(desk.support)
    txn = domain.forward(ticket, desk.alice, "Jean Dupont <jean@example.org>; b@example.org")
    assert txn.data == "jean@example.org, b@example.org"


def test_untouched_mail_templates_are_not_labelled_modified(make_user, login_as):
    admin = make_user("root", rights=["SuperUser"])
    mail_templates.ensure_defaults()  # as the demo loader and `rtsuivi mail-templates` do
    db.session.commit()
    client = login_as(admin)
    assert "modifié" not in client.get("/admin/courrier/modeles").plain
    text = mail_templates.get("Resolved", "fr")
    mail_templates.save("Resolved", "fr", text.subject, text.body + "\nÀ bientôt.")
    db.session.commit()
    assert client.get("/admin/courrier/modeles").plain.count(">modifié<") == 1


def test_outbox_shows_the_decoded_text(make_user, mail_desk, login_as):  # noqa: F811
    from rtsuivi.mail.inbound import receive
    receive(mail(subject="Écran cassé"))
    row = db.session.scalars(select(OutboxMail)).first()
    admin = make_user("root", rights=["SuperUser"])
    shown = login_as(admin).get(f"/admin/courrier/sortant/{row.id}").plain
    body = shown.split('class="mail-text">')[1].split("</pre>")[0]
    assert "=C3=" not in body and "=\n" not in body
    assert "« Écran cassé »" in body  # not =C2=AB =C3=89cran cass=C3=A9 =C2=BB
    headers = shown.split('mail-readable">')[1].split('class="mail-text"')[0]
    assert "Accusé de réception : Écran cassé" in headers  # not =?utf-8?q?…


def test_file_sizes_follow_the_language(app):
    with app.test_request_context():
        size = app.jinja_env.filters["filesize"]
        with force_locale("fr"):
            assert size(1536) == "1,5 Ko" and size(3 * 1024 * 1024) == "3 Mo"
            assert size(200) == "200 o"
        with force_locale("en"):
            assert size(1536) == "1.5 KB" and size(3 * 1024 * 1024) == "3 MB"
            assert size(200) == "200 B"
