"""What a user tripped on with JavaScript on (issue 9), replayed in Chromium."""
from playwright.sync_api import expect

from rtsuivi.domain import accounts
from rtsuivi.extensions import db


def _menu(page):
    return page.locator("#ticket-actions")


def test_modifier_saves_moves_the_queue_and_leaves_the_menu_working(desk, make_ticket, log_in,
                                                                     page, live_server):
    for right in ("SeeQueue", "CreateTicket", "ShowTicket", "CommentOnTicket",
                  "ShowTicketComments"):
        accounts.grant("group:N1", right, desk.info)
    db.session.commit()
    ticket = make_ticket(desk.support, subject="Imprimante en panne")
    log_in(page, desk.alice)
    page.goto(f"{live_server}/tickets/{ticket.id}")
    page.locator("#ticket-summary").get_by_role("link", name="Modifier").click()
    page.get_by_label("Sujet").fill("Imprimante du 3e en panne")
    page.get_by_label("Priorité").fill("40")
    page.get_by_label("File").select_option(label="Info")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.locator("#messages")).to_contain_text("Modifications enregistrées.")
    summary = page.locator("#ticket-summary")
    expect(summary).to_contain_text("Info")
    expect(summary).to_contain_text("40")
    expect(page.locator("#ticket-history")).to_contain_text("Imprimante du 3e en panne")
    # The title follows the subject (carried out of band by the summary box).
    expect(page.locator("h1")).to_have_text(f"#{ticket.id} Imprimante du 3e en panne")
    # The action menu still works (it died with htmx:targetError before).
    _menu(page).get_by_role("link", name="Commenter").click()
    expect(page.locator("#ticket-update form")).to_be_visible()
    page.get_by_label("Message", exact=True).fill("Déplacé vers Info.")
    page.get_by_role("button", name="Mettre à jour le ticket").click()
    expect(page.locator("#ticket-history")).to_contain_text("Déplacé vers Info.")


def test_bulk_update_shows_its_ticket_by_ticket_report(desk, make_ticket, log_in, page,
                                                       live_server):
    accounts.grant("system:Privileged", "ShowSearchBulkUpdate")
    db.session.commit()
    first = make_ticket(desk.support, subject="Premier")
    make_ticket(desk.support, subject="Second")
    log_in(page, desk.alice)
    page.goto(f"{live_server}/recherche/resultats?query=Queue+%3D+%27Support%27")
    page.get_by_label(f"Sélectionner le ticket {first.id}").check()
    page.get_by_label("Priorité").fill("70")
    page.get_by_role("button", name="Mettre à jour les tickets sélectionnés").click()
    report = page.locator("#bulk-report")
    expect(report).to_contain_text("Résultat ticket par ticket")
    expect(report.locator(f"#bulk-{first.id}")).to_contain_text("priorité : 70")


def test_new_ticket_owner_list_follows_the_queue(desk, make_user, log_in, page, live_server):
    accounts.grant("user:alice", "SeeQueue", desk.info)
    accounts.grant("user:alice", "CreateTicket", desk.info)
    accounts.grant("user:alice", "ShowTicket", desk.info)
    accounts.grant("user:alice", "ReassignTicket", desk.info)
    db.session.commit()
    log_in(page, desk.alice)
    page.goto(f"{live_server}/tickets/new?queue={desk.support.id}")
    owner = page.get_by_label("Intervenant")
    expect(owner.locator("option", has_text="Bruno")).to_have_count(1)
    page.get_by_label("Sujet").fill("Écran qui clignote")
    page.get_by_label("File").select_option(label="Info")
    expect(owner.locator("option", has_text="Chloé")).to_have_count(1)
    expect(owner.locator("option", has_text="Bruno")).to_have_count(0)
    expect(page.get_by_label("Sujet")).to_have_value("Écran qui clignote")  # kept
    owner.select_option(label="Chloé Dubois (chloe)")
    page.get_by_role("button", name="Créer le ticket").click()
    expect(page.locator("#messages")).to_contain_text("créé dans la file Info")
    expect(page.locator("#ticket-summary")).to_contain_text("Chloé Dubois")


def test_english_browser_gets_english_and_lang_choice_sticks(browser, desk, live_server):
    page = browser.new_context(locale="en-US").new_page()
    page.goto(f"{live_server}/login")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    page.goto(f"{live_server}/login?lang=fr")
    page.goto(f"{live_server}/aide")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
