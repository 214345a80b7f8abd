"""The custom fields marked « Proposé aux demandeurs » on the portal's « Nouvelle demande »:
offered per service, « obligatoire » and the validation pattern enforced by the domain, a
refused value re-shows the form with its message and creates nothing."""
import pytest
from sqlalchemy import select

from rtsuivi.domain import DomainError, portal
from rtsuivi.domain import custom_fields as cf
from rtsuivi.extensions import db
from rtsuivi.models import Ticket


@pytest.fixture
def portal_fields(desk, make_user):
    """On Support: « Bâtiment » (select, for requesters, obligatoire), « Poste » (freeform,
    for requesters, pattern PC-digits), « Diagnostic » (agents only)."""
    admin = make_user("cfadmin", rights=("AdminCustomField",))
    desk.building = cf.create_field(admin, "Bâtiment", "select_one", queues=[desk.support],
                                    values=["Accueil", "L'annexe"], required=True,
                                    for_requesters=True)
    desk.post = cf.create_field(admin, "Poste", "freeform", queues=[desk.support],
                                pattern=r"^PC-\d+$", for_requesters=True,
                                pattern_message="Écrivez PC- puis le numéro.")
    desk.diag = cf.create_field(admin, "Diagnostic", "freeform", queues=[desk.support])
    db.session.commit()
    return desk


def _post(client, desk, **custom):
    data = {"queue": desk.support.id, "subject": "Imprimante", "content": "Elle bourre."}
    return client.post("/demandes/nouvelle", data={**data, **custom})


def test_new_request_offers_the_fields_marked_for_requesters(login_as, portal_fields):
    page = login_as(portal_fields.denise).get("/demandes/nouvelle").plain
    assert "Bâtiment" in page and "L'annexe" in page and "Poste" in page
    assert "(obligatoire)" in page and f'name="cf-{portal_fields.building.id}"' in page
    assert "Diagnostic" not in page


def test_new_request_stores_the_values_in_the_history(login_as, portal_fields):
    desk = portal_fields
    response = _post(login_as(desk.denise), desk, **{f"cf-{desk.building.id}": "L'annexe",
                                                    f"cf-{desk.post.id}": "PC-042"})
    assert response.status_code == 302
    ticket = db.session.scalar(select(Ticket).where(Ticket.subject == "Imprimante"))
    values = cf.values_of(ticket)
    assert cf.shown(desk.building, values[desk.building.id]) == "L'annexe"
    assert cf.shown(desk.post, values[desk.post.id]) == "PC-042"


@pytest.mark.parametrize("custom, message", [
    ({}, "obligatoire"),
    ({"building": "Accueil", "post": "poste 12"}, "Écrivez PC- puis le numéro."),
    ({"building": "Cave"}, "Cave"),
])
def test_refused_values_reshow_the_form_and_create_nothing(login_as, portal_fields, custom,
                                                           message):
    desk = portal_fields
    data = {f"cf-{getattr(desk, key).id}": value for key, value in custom.items()}
    response = _post(login_as(desk.denise), desk, **data)
    assert response.status_code == 200
    assert message in response.plain and 'aria-invalid="true"' in response.plain
    assert "Elle bourre." in response.plain  # what was typed stays
    assert db.session.scalar(select(Ticket.id)) is None


def test_a_field_for_agents_only_is_refused_from_the_portal(login_as, portal_fields):
    desk = portal_fields
    with pytest.raises(DomainError, match="Champ personnalisé inconnu"):
        portal.create_request(desk.denise, desk.support.id, "Sujet", "Texte", [], 10**6,
                              {desk.building.id: "Accueil", desk.diag.id: "x"})
    db.session.rollback()
    assert db.session.scalar(select(Ticket.id)) is None
    # by the page, the agents' field is not read at all
    _post(login_as(desk.denise), desk, **{f"cf-{desk.building.id}": "Accueil",
                                          f"cf-{desk.diag.id}": "forcé"})
    ticket = db.session.scalar(select(Ticket))
    assert set(cf.values_of(ticket)) == {desk.building.id}


def test_changing_service_rerenders_the_form_with_its_fields(login_as, portal_fields, app):
    desk = portal_fields
    client = login_as(desk.denise)
    url = f"/demandes/nouvelle?queue={desk.support.id}&subject=Mon+sujet"
    fragment = client.get(url, headers={"HX-Request": "true"}).plain
    assert "<html" not in fragment and 'id="request-fields"' in fragment
    assert "Bâtiment" in fragment and 'value="Mon sujet"' in fragment
    page = client.get(url).plain  # without JavaScript: the same, as a page
    assert "<html" in page and "Bâtiment" in page and 'value="Mon sujet"' in page
