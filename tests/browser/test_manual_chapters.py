"""The manual's chapters « Les rappels », « Les réponses prédéfinies » and « Favoris », in a
real browser, in French."""
from datetime import timedelta

from playwright.sync_api import expect

from rtsuivi.models import utcnow


def test_add_a_reminder_then_find_it_in_my_reminders(desk, make_ticket, log_in, page,
                                                     live_server):
    ticket = make_ticket(desk.support, subject="Badge d'accès")
    log_in(page, desk.alice)
    page.goto(f"{live_server}/tickets/{ticket.id}")
    box = page.locator("#ticket-reminders")
    box.get_by_label("Objet").fill("Relancer le service badges")
    box.get_by_label("Pour").select_option(label="Alice Martin")
    due = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    box.get_by_label("Échéance").fill(due)
    box.get_by_role("button", name="Ajouter le rappel").click()
    expect(page.locator("#messages")).to_contain_text("Rappel ajouté.")
    expect(box.locator(".reminder")).to_contain_text("Relancer le service badges")
    expect(page.locator("#ticket-history")).to_contain_text(
        "Rappel « Relancer le service badges » ajouté par Alice Martin")
    page.get_by_role("link", name="Mes rappels").click()
    expect(page.locator("#my-reminders")).to_contain_text("Relancer le service badges")
    page.get_by_role("link", name=f"#{ticket.id} Badge d'accès").click()
    page.locator("#ticket-reminders").get_by_role("button", name="Marquer comme fait").click()
    expect(page.locator("#ticket-reminders .reminder-done")).to_contain_text("Fait")


def test_star_a_ticket_and_find_it_in_my_bookmarks(desk, make_ticket, log_in, page,
                                                    live_server):
    ticket = make_ticket(desk.support, subject="Poste de travail à livrer")
    other = make_ticket(desk.support, subject="Autre demande")
    log_in(page, desk.alice)
    page.goto(f"{live_server}/tickets/{ticket.id}")
    star = page.locator(".ticket-head .star")
    expect(star).to_have_attribute("aria-pressed", "false")
    star.click()
    expect(page.locator(".ticket-head .star")).to_have_attribute("aria-pressed", "true")
    # From a list, with the keyboard: the star of another row, focused, then Space.
    page.goto(f"{live_server}/files/{desk.support.id}")
    row_star = page.get_by_role("button", name=f"Favori : ticket n°{other.id}")
    row_star.focus()
    page.keyboard.press("Space")
    expect(page.get_by_role("button", name=f"Favori : ticket n°{other.id}")) \
        .to_have_attribute("aria-pressed", "true")
    page.get_by_role("link", name="Mes favoris").click()
    expect(page.locator("#bookmark-list")).to_contain_text("Poste de travail à livrer")
    expect(page.locator("#bookmark-list")).to_contain_text("Autre demande")
    page.goto(f"{live_server}/recherche/resultats?query=id+%3D+%27__Bookmarked__%27")
    expect(page.locator("table.tickets")).to_contain_text("Poste de travail à livrer")


def test_insert_a_predefined_response_into_a_reply_and_edit_it(desk, make_ticket, log_in,
                                                               page, live_server):
    from rtsuivi.domain import accounts, responses
    from rtsuivi.extensions import db
    accounts.grant("user:RT_System", "SuperUser")
    system = accounts.find_user("RT_System")
    responses.save(system, None, "Accusé de réception", "Accueil", "fr",
                   "Bonjour {{demandeur}},\nvotre demande n°{{numero}} est prise en charge "
                   "par {{agent}}.", None)
    responses.save(system, None, "Clôture", "Fin", "fr", "Nous clôturons.", desk.support)
    db.session.commit()
    ticket = make_ticket(desk.support, requestors=[desk.denise], subject="Souris cassée")
    log_in(page, desk.alice)
    page.goto(f"{live_server}/tickets/{ticket.id}")
    page.locator("#ticket-actions").get_by_role("link", name="Répondre").click()
    message = page.get_by_label("Message", exact=True)
    message.fill("Bonjour,")
    # Taper une partie du nom filtre la liste, un clic insère la réponse.
    page.get_by_label("Chercher par nom").fill("récep")
    expect(page.locator("#response-list")).not_to_contain_text("Clôture")
    page.get_by_label("Chercher par nom").press("Enter")  # sends nothing
    expect(page.locator("#ticket-update form.update-form")).to_be_visible()
    expect(page.locator("#messages")).not_to_contain_text("Ticket mis à jour.")
    page.locator("#response-list").get_by_role("button", name="Accusé de réception").click()
    message = page.get_by_label("Message", exact=True)
    expect(message).to_have_value(
        "Bonjour,\n\nBonjour Denise Garnier,\nvotre demande n°"
        f"{ticket.id} est prise en charge par Alice Martin.")
    message.press("Control+End")
    message.type(" Passage demain matin.")
    page.get_by_role("button", name="Mettre à jour le ticket").click()
    expect(page.locator("#messages")).to_contain_text("Ticket mis à jour.")
    expect(page.locator("#ticket-history")).to_contain_text(
        "est prise en charge par Alice Martin. Passage demain matin.")
