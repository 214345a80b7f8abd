"""Mail that lands on a ticket is found by search right after it is filed."""
import pytest

from rtsuivi import search
from rtsuivi.mail.inbound import receive

from .conftest import mail


@pytest.fixture
def indexed(app, tmp_path):
    app.config.update(RTSUIVI_INDEX_DIR=str(tmp_path / "index"), RTSUIVI_INDEX_MODE="inline",
                      RTSUIVI_INDEX_LOCK_TIMEOUT=0.5)


def test_a_new_mail_ticket_and_a_tagged_reply_are_searchable(indexed, mail_desk):
    first = receive(mail(subject="Photocopieuse bloquée",
                         body="Bonjour,\nla photocopieuse affiche E-203.\n"))
    assert first.status == "ok" and first.ticket_id
    assert search.search("photocopieuse", mail_desk.alice).ids == {first.ticket_id}
    reply = receive(mail(subject=f"Re: [RT-suivi #{first.ticket_id}] Photocopieuse bloquée",
                         body="Le technicien parle d'un tambour usé.\n"))
    assert reply.status == "ok" and reply.ticket_id == first.ticket_id
    assert search.search("tambour", mail_desk.alice).ids == {first.ticket_id}


def test_a_refused_mail_adds_nothing_to_the_index(indexed, mail_desk):
    assert receive(mail(subject="Écran noir", body="Rien ne s'affiche.\n")).status == "ok"
    refused = receive(mail(subject="Question interne", body="Mot introuvable zanzibar.\n",
                           to="interne@example.org"))
    assert refused.status != "ok" or refused.ticket_id is None
    assert search.search("zanzibar", mail_desk.alice).ids == set()
