"""« Nouvelle demande » on a 390 px phone with the custom fields marked for requesters: the
fields follow the chosen service (htmx re-renders their box, what was typed stays), a missing
« obligatoire » value is named next to its input and nothing is created, then the request is
made with its value."""
from playwright.sync_api import expect
from sqlalchemy import select

from rtsuivi.domain import accounts
from rtsuivi.domain import custom_fields as cf
from rtsuivi.extensions import db
from rtsuivi.models import Ticket
from tests.browser.conftest import phone_logged_in


def test_new_request_with_a_custom_field_on_a_phone(desk, make_user, browser, live_server):
    accounts.grant("user:denise", "CreateTicket", desk.info)
    admin = make_user("cfadmin", rights=("AdminCustomField",))
    building = cf.create_field(admin, "Bâtiment", "select_one", queues=[desk.info],
                               values=["Accueil", "L'annexe"], required=True,
                               for_requesters=True)
    db.session.commit()
    phone = phone_logged_in(browser, live_server, "denise")
    phone.goto(f"{live_server}/demandes/nouvelle")
    service = phone.get_by_label("Service concerné")
    phone.get_by_label("Sujet").fill("Prise réseau morte")
    service.select_option(label="Support")
    expect(phone.get_by_label("Bâtiment")).to_have_count(0)
    expect(phone.get_by_label("Sujet")).to_have_value("Prise réseau morte")
    phone.wait_for_function(  # the new form is settled (htmx has wired its select)
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    phone.get_by_label("Service concerné").select_option(label="Info")
    expect(phone.get_by_label("Bâtiment")).to_be_visible()
    phone.get_by_label("Votre message").fill("Bureau 12, plus de réseau depuis ce matin.")
    phone.get_by_role("button", name="Envoyer la demande").click()
    expect(phone.locator(f"#cf-{building.id}-error")).to_contain_text("obligatoire")
    db.session.rollback()  # read what the server wrote
    assert db.session.scalar(select(Ticket.id)) is None
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    phone.get_by_label("Bâtiment").select_option("L'annexe")
    phone.get_by_role("button", name="Envoyer la demande").click()
    expect(phone.locator("#messages")).to_contain_text("est enregistrée")
    db.session.rollback()
    ticket = db.session.scalar(select(Ticket))
    assert ticket.queue_id == desk.info.id
    assert cf.shown(building, cf.values_of(ticket)[building.id]) == "L'annexe"
    db.session.remove()
