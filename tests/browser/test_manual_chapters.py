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
