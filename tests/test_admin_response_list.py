"""« Réponses prédéfinies » under Administration: searched as the user types and paginated
like the other administration lists (issue 12 item 1), showing only what the user may
manage (issue 14 item 3)."""
import pytest

from rtsuivi.domain import accounts, responses
from rtsuivi.extensions import db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def many(desk, make_user):
    """30 responses of Support, one of Info, one global; hugo manages Support's only."""
    boss = make_user("boss", rights=("SuperUser",))
    for i in range(30):
        responses.save(boss, None, f"Relance {i:02d}", "Suivi", "fr", "Bonjour 100%", desk.support)
    responses.save(boss, None, "Mot de passe", "Accueil", "fr", "Réinitialisez-le.", desk.info)
    responses.save(boss, None, "Globale", "", "fr", "Pour tous", None)
    db.session.commit()
    desk.boss = boss
    desk.hugo = make_user("hugo", rights=("AdminCannedResponses",), on=desk.support)
    return desk


def test_the_list_is_paginated_and_shows_only_what_one_manages(many, login_as):
    client = login_as(many.hugo)
    first = client.get("/admin/reponses").plain
    assert "30 réponses" in first and "Page 1 sur 2" in first and "Relance 00" in first
    assert "Mot de passe" not in first and "Globale" not in first
    assert "Relance 29" in client.get("/admin/reponses?page=2").plain
    assert client.get("/admin/reponses?page=x").status_code == 400
    everything = login_as(many.boss).get("/admin/reponses?page=2").plain
    assert "32 réponses" in everything


def test_search_as_you_type_swaps_the_list(many, login_as):
    client = login_as(many.boss)
    fragment = client.get("/admin/reponses?q=passe", headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.plain
    assert 'id="response-list"' in fragment.plain and "Mot de passe" in fragment.plain
    assert "1 réponse" in fragment.plain and "Relance" not in fragment.plain
    by_text = client.get("/admin/reponses?q=réinitialisez").plain
    assert "<html" in by_text and "Mot de passe" in by_text
    assert "Aucune réponse prédéfinie ne correspond." in client.get(
        "/admin/reponses?q=zzz", headers=HTMX).plain
    assert "30 réponses" in client.get("/admin/reponses?q=100%25").plain  # % taken literally


def test_the_list_is_refused_without_the_right(many, login_as):
    client = login_as(many.alice)
    assert client.get("/admin/reponses?q=a").status_code == 403
    assert client.get("/admin/reponses?q=a", headers=HTMX).status_code == 403
    assert responses.managed(many.alice).total == 0
    accounts.grant("user:alice", "AdminCannedResponses", many.info)
    db.session.commit()
    assert [r.name for r in responses.managed(many.alice).items] == ["Mot de passe"]
