"""« Champs personnalisés » in a real browser: an administrator creates a select field on a
queue; an agent sets it on a ticket with « Modifier » and finds the ticket with
`CF.{…} = '…'` in « Recherche avancée »."""
from playwright.sync_api import expect

from rtsuivi.domain import accounts
from rtsuivi.extensions import db

VALUE = "Réseau « Wi-Fi »"


def test_admin_creates_a_field_agent_sets_it_and_finds_the_ticket(
        app, desk, make_user, make_ticket, log_in, page, live_server, shot):
    admin = make_user("admin", rights=("SuperUser",), real_name="Administrateur")
    for right in ("SeeCustomField", "ModifyCustomField", "SetInitialCustomField"):
        accounts.grant("group:N1", right, desk.support)
    db.session.commit()
    ticket = make_ticket(desk.support, subject="Connexion impossible au bureau 12")
    make_ticket(desk.support, subject="Autre demande")

    # The administrator: Administration › Champs personnalisés › Nouveau champ personnalisé.
    log_in(page, admin)
    page.get_by_role("link", name="Administration").first.click()
    page.get_by_role("link", name="Champs personnalisés").first.click()
    page.get_by_role("link", name="Nouveau champ personnalisé").click()
    page.get_by_label("Nom", exact=True).fill("Type de panne")
    page.get_by_label("Type", exact=True).select_option(label="Sélection d'une valeur")
    page.get_by_label("Description").fill("Ce qui ne marche pas")
    page.get_by_role("button", name="Créer le champ").click()
    expect(page.locator(".messages")).to_contain_text("Champ personnalisé Type de panne créé.")
    for value in ("Matériel", VALUE):
        page.get_by_label("Valeur", exact=True).fill(value)
        page.get_by_role("button", name="Ajouter la valeur").click()
        expect(page.get_by_label(f"Nom de la valeur {value}")).to_have_value(value)
    page.get_by_role("button", name=f"Monter {VALUE}").click()
    expect(page.locator("#cf-values li input[name=name]").first).to_have_value(VALUE)
    page.get_by_label("Support").check()
    page.get_by_role("button", name="Enregistrer les files").click()
    expect(page.locator(".messages")).to_contain_text("Files enregistrées.")
    shot("custom-field-admin")

    # The agent sets it on the ticket from « Les bases ».
    page.context.clear_cookies()
    log_in(page, desk.alice)
    page.goto(f"{live_server}/tickets/{ticket.id}")
    summary = page.locator("#ticket-summary")
    expect(summary).to_contain_text("Type de panne")
    summary.get_by_role("link", name="Modifier les champs personnalisés").click()
    page.get_by_label("Type de panne").select_option(VALUE)
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.locator("#ticket-summary .cf-value")).to_have_text(VALUE)
    expect(page.locator("#ticket-history")).to_contain_text(
        f"Type de panne changé de « — » à « {VALUE} »")
    shot("custom-field-ticket")

    # « Recherche avancée »: CF.{Type de panne} = '…' finds that ticket only.
    page.get_by_role("link", name="Recherche avancée").click()
    page.get_by_role("textbox", name="Requête TicketSQL").fill(
        f"CF.{{Type de panne}} = '{VALUE}'")
    page.get_by_role("button", name="Rechercher").last.click()
    expect(page.locator("#search-total")).to_have_text("1 ticket")
    expect(page.locator("#search-results")).to_contain_text("Connexion impossible au bureau 12")
    shot("custom-field-search")


def test_every_htmx_control_of_the_custom_field_pages_works(app, desk, make_user, make_ticket,
                                                            log_in, page, live_server):
    """The htmx crawler (test_htmx_crawler.py) over the pages custom fields add: the admin
    page (values box) and a ticket whose « Les bases » has custom fields."""
    from rtsuivi.domain import custom_fields as cf
    from tests.browser.test_htmx_crawler import Crawl
    accounts.grant("user:alice", "SuperUser")
    db.session.commit()
    field = cf.create_field(desk.alice, "Type de panne", "select_one", queues=[desk.support],
                            values=["Matériel", VALUE])
    cf.create_field(desk.alice, "Étiquettes", "select_many", applies_globally=True,
                    values=["vip", "urgent"])
    db.session.commit()
    ticket = make_ticket(desk.support, subject="Connexion impossible")
    log_in(page, desk.alice)
    crawl = Crawl(page, live_server)
    for url in ("/admin/champs-personnalises", f"/admin/champs-personnalises/{field.id}",
                f"/tickets/{ticket.id}", "/tickets/new"):
        crawl.crawl(url)
    assert not crawl.problems, "\n".join(crawl.problems[:30])
    activated = "\n".join(crawl.activated)
    for expected in ("Renommer", "Monter", "Ajouter la valeur", "Enregistrer les modifications"):
        assert expected in activated, f"{expected} never activated:\n{activated}"
