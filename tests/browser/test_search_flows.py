"""« Recherche rapide de tickets » and « Recherche avancée » in a real browser."""
from playwright.sync_api import expect

from rtsuivi.domain import tickets as domain
from rtsuivi.extensions import db


def test_quick_search_then_advanced_search(app, desk, make_ticket, log_in, page, live_server,
                                           shot, tmp_path):
    app.config.update(RTSUIVI_INDEX_DIR=str(tmp_path / "index"), RTSUIVI_INDEX_MODE="inline")
    printer = make_ticket(desk.support, requestors=[desk.denise],
                          subject="Imprimante du 2e étage en panne", content="Bourrage papier")
    make_ticket(desk.support, subject="Écran noir", content="Plus rien ne s'affiche", priority=4)
    domain.comment(printer, desk.alice, "Rouleau d'entraînement usé")
    db.session.commit()
    log_in(page, desk.alice)

    # Recherche rapide: suggestions as one types, then the list of results.
    box = page.get_by_label("Recherche rapide")
    box.press_sequentially("bourr", delay=40)
    suggestion = page.locator("#quick-suggestions").get_by_role("link", name="Imprimante du 2e")
    expect(suggestion).to_be_visible()
    shot("quick-search-suggestions")
    suggestion.click()
    expect(page.locator("h1")).to_contain_text("Imprimante du 2e étage en panne")

    page.get_by_label("Recherche rapide").fill("rouleau")
    page.get_by_label("Recherche rapide").press("Enter")
    expect(page.locator("#search-total")).to_have_text("1 ticket")
    expect(page.locator("#search-results")).to_contain_text("Imprimante du 2e étage")
    page.get_by_label("Recherche rapide").fill(str(printer.id))
    page.get_by_label("Recherche rapide").press("Enter")
    expect(page).to_have_url(f"{live_server}/tickets/{printer.id}")

    # Recherche avancée: two criteria joined by OU, the TicketSQL follows, then results.
    page.get_by_role("link", name="Recherche avancée").click()
    expect(page.locator("h1")).to_have_text("Recherche avancée")
    page.locator("#f-0-0").select_option("Subject")
    page.locator("#o-0-0").select_option("LIKE")
    page.locator("#v-0-0").fill("imprimante")
    page.get_by_role("button", name="Ajouter un critère").click()
    expect(page.locator("#v-0-1")).to_be_visible()
    page.locator("#f-0-1").select_option("Priority")
    page.locator("#o-0-1").select_option(">")
    page.locator("#v-0-1").fill("3")
    page.locator("select[name='g-0-join']").select_option("OR")
    page.get_by_role("button", name="Mettre à jour la requête").click()
    expect(page.get_by_role("textbox", name="Requête TicketSQL")).to_have_value(
        "Subject LIKE 'imprimante' OR Priority > 3")
    shot("advanced-search-builder")

    # Edit the TicketSQL by hand: the builder follows; a mistake points at its place.
    page.get_by_role("textbox", name="Requête TicketSQL").fill("Subject LIKE 'écran' AND")
    page.get_by_role("button", name="Mettre à jour le constructeur").click()
    expect(page.locator(".query-error")).to_contain_text("caractère 25")
    page.get_by_role("textbox", name="Requête TicketSQL").fill(
        "Subject LIKE 'imprimante' OR Priority > 3")
    page.get_by_role("button", name="Mettre à jour le constructeur").click()
    expect(page.locator(".query-error")).to_have_count(0)  # the builder box was replaced
    expect(page.locator("#v-0-1")).to_have_value("3")

    page.locator("#sort-0").select_option("priority:desc")
    page.get_by_role("button", name="Rechercher").last.click()
    expect(page.locator("#search-total")).to_have_text("2 tickets")
    rows = page.locator("#search-results tbody tr")
    expect(rows.first).to_contain_text("Écran noir")
    shot("advanced-search-results")


def test_rechercher_runs_the_ticketsql_box_the_builder_cannot_read(app, desk, make_ticket,
                                                                   log_in, page, live_server):
    """A query too deep for the builder, or invalid, never runs the builder's query."""
    make_ticket(desk.support, subject="VPN coupé", priority=1)
    make_ticket(desk.support, subject="Imprimante", priority=5)
    make_ticket(desk.support, subject="Écran noir", priority=1)
    log_in(page, desk.alice)
    deep = "((Status = 'new' OR Status = 'open') AND Priority > 3) OR Subject LIKE 'VPN'"
    page.goto(f"{live_server}/recherche/avancee?query={deep.replace(' ', '+')}")
    expect(page.get_by_text("trop complexe pour le constructeur")).to_be_visible()
    page.get_by_role("button", name="Rechercher").last.click()
    expect(page.locator("#search-total")).to_have_text("2 tickets")  # not all three
    expect(page.locator("#search-results")).not_to_contain_text("Écran noir")

    page.goto(f"{live_server}/recherche/avancee?query=Subject+LIKE+'VPN'")
    box = page.get_by_role("textbox", name="Requête TicketSQL")
    box.fill("Subject LIKE 'VPN' AND Queue =")
    page.get_by_role("button", name="Rechercher").last.click()
    expect(page.locator(".query-error")).to_contain_text("Valeur attendue")
    assert "/recherche/avancee" in page.url  # no results page
    expect(box).to_have_value("Subject LIKE 'VPN' AND Queue =")
