"""« Champs personnalisés »: the list is searched as the user types and paginated, like the
other administration lists (issue 12 item 1); refused without AdminCustomField."""
import pytest

from rtsuivi.domain import Forbidden
from rtsuivi.domain import custom_fields as cf
from rtsuivi.extensions import db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def many_fields(desk, make_user):
    admin = make_user("cfadmin", rights=("AdminCustomField",))
    for i in range(30):
        cf.create_field(admin, f"Champ {i:02d}", "freeform", applies_globally=True,
                        description="Numéro 100%" if i == 7 else "")
    cf.create_field(admin, "Bâtiment", "select_one", values=["Accueil"],
                    description="Où se trouve l'appareil")
    db.session.commit()
    desk.admin = admin
    return desk


def test_list_is_paginated(many_fields, login_as):
    client = login_as(many_fields.admin)
    first = client.get("/admin/champs-personnalises").plain
    assert "31 champs" in first and "Page 1 sur 2" in first
    assert "Champ 00" in first and "Champ 29" not in first
    second = client.get("/admin/champs-personnalises?page=2").plain
    assert "Champ 29" in second and "Champ 00" not in second
    assert client.get("/admin/champs-personnalises?page=deux").status_code == 400


def test_search_as_you_type_swaps_the_list(many_fields, login_as):
    client = login_as(many_fields.admin)
    fragment = client.get("/admin/champs-personnalises?q=bâti", headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.plain
    assert 'id="field-list"' in fragment.plain and "Bâtiment" in fragment.plain
    assert "1 champ" in fragment.plain and "Champ 01" not in fragment.plain
    by_description = client.get("/admin/champs-personnalises?q=appareil").plain
    assert "<html" in by_description and "Bâtiment" in by_description
    literal = client.get("/admin/champs-personnalises?q=100%25").plain  # % is not a wildcard
    assert "Champ 07" in literal and "1 champ" in literal
    none = client.get("/admin/champs-personnalises?q=zzz", headers=HTMX).plain
    assert "Aucun champ personnalisé ne correspond." in none


def test_list_refused_without_admin_custom_field(many_fields, login_as):
    client = login_as(many_fields.alice)
    assert client.get("/admin/champs-personnalises?q=a").status_code == 403
    assert client.get("/admin/champs-personnalises?q=a", headers=HTMX).status_code == 403
    with pytest.raises(Forbidden):
        cf.search_fields(many_fields.alice, "a")
