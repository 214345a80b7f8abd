"""Issue 15, item 4, in a real browser: two agents on one ticket. Bruno sees that Alice is
on the page; after Alice replies, Bruno's page says so and refreshes its history in one
click; Bruno's reply, written before he saw hers, asks « Envoyer quand même » first."""
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS


def test_two_agents_on_one_ticket(desk, make_ticket, log_in, page, browser,
                                  browser_context_args, live_server, app):
    app.config.update(RTSUIVI_LIVE_POLL_SECONDS=0.5, RTSUIVI_PRESENCE_WRITE_SECONDS=0)
    ticket = make_ticket(desk.support, requestors=[desk.denise],
                         subject="Imprimante du 2e étage")
    url = f"{live_server}/tickets/{ticket.id}"
    SCREENSHOTS.mkdir(exist_ok=True)
    log_in(page, desk.alice)  # la première : Alice
    page.goto(url)
    second = browser.new_context(**browser_context_args).new_page()
    log_in(second, desk.bruno)  # le second : Bruno
    second.goto(url)

    # Qui d'autre consulte ce ticket.
    expect(second.locator("#ticket-live")).to_contain_text(
        "Également sur ce ticket : Alice Martin")
    expect(page.locator("#ticket-live")).to_contain_text("Bruno Lefèvre")

    # Bruno commence une réponse sans l'envoyer.
    second.locator("#ticket-actions").get_by_role("link", name="Répondre").click()
    second.get_by_label("Message", exact=True).fill("Bonjour, je passe changer le toner.")

    # Alice répond.
    page.locator("#ticket-actions").get_by_role("link", name="Répondre").click()
    page.get_by_label("Message", exact=True).fill("Bonjour, le technicien passe à 14 h.")
    page.get_by_role("button", name="Mettre à jour le ticket").click()
    expect(page.locator("#messages")).to_contain_text("Ticket mis à jour.")

    # La page de Bruno le signale ; un clic actualise l'historique.
    notice = second.locator("#ticket-live .live-notice")
    expect(notice).to_contain_text(
        "Nouvelle réponse d'Alice Martin depuis l'ouverture de la page.")
    expect(second.locator("#ticket-history")).not_to_contain_text("le technicien passe")
    second.screenshot(path=str(SCREENSHOTS / "live-notice.png"), full_page=True)
    notice.get_by_role("link", name="Actualiser l'historique").click()
    expect(second.locator("#ticket-history")).to_contain_text(
        "Bonjour, le technicien passe à 14 h.")
    expect(second.locator("#ticket-live .live-notice")).to_have_count(0)

    # Envoyer la réponse écrite avant : les nouveautés sont montrées, rien n'est écrit.
    second.get_by_role("button", name="Mettre à jour le ticket").click()
    update = second.locator("#ticket-update")
    expect(update).to_contain_text("Ce ticket a changé depuis que vous avez ouvert ce formulaire")
    expect(update.locator(".stale-changes")).to_contain_text("le technicien passe à 14 h")
    expect(second.get_by_label("Message", exact=True)).to_have_value(
        "Bonjour, je passe changer le toner.")
    second.screenshot(path=str(SCREENSHOTS / "live-stale-confirmation.png"), full_page=True)
    second.get_by_role("button", name="Envoyer quand même").click()
    expect(second.locator("#messages")).to_contain_text("Ticket mis à jour.")
    expect(second.locator("#ticket-history")).to_contain_text("je passe changer le toner")
    second.context.close()


def test_a_hidden_tab_does_not_poll_and_asks_once_shown(desk, make_ticket, log_in, page,
                                                         live_server, app):
    """Polls every 3 s: one as the page opens, the one at 3 s is skipped while hidden, and
    showing the tab again asks at once, well before the 6 s tick."""
    app.config.update(RTSUIVI_LIVE_POLL_SECONDS=3)
    ticket = make_ticket(desk.support, subject="Onglet en arrière-plan")
    log_in(page, desk.alice)
    polls = []
    page.on("request", lambda request: "/live?" in request.url and polls.append(request.url))
    page.goto(f"{live_server}/tickets/{ticket.id}")
    page.wait_for_timeout(500)  # polling is timed: plain waits
    assert len(polls) == 1  # the first look, as the page opens

    def show(shown: bool):
        page.evaluate("""(shown) => {
            Object.defineProperty(document, "hidden", {value: !shown, configurable: true});
            document.dispatchEvent(new Event("visibilitychange"));
        }""", shown)
    show(False)
    page.wait_for_timeout(3500)
    assert len(polls) == 1  # hidden: the 3 s poll was not sent
    show(True)
    page.wait_for_timeout(1000)
    assert len(polls) == 2  # shown again: it asked at once
