"""The French manual's journeys, in a real browser: log in, open a ticket from the home page,
Prendre, see Voler as another agent, Répondre, Commenter, Résoudre, Rejeter, read history."""
from playwright.sync_api import expect


def _menu(page):
    return page.locator("#ticket-actions")


def test_take_from_home_then_steal_as_another_agent(desk, make_ticket, log_in, page, browser,
                                                    live_server, shot):
    ticket = make_ticket(desk.support, requestors=[desk.denise],
                         subject="Imprimante du 2e étage en panne")
    log_in(page, desk.alice)
    # 1. Cliquer sur son titre sur la page d'accueil.
    page.get_by_role("link", name="Imprimante du 2e étage en panne").first.click()
    expect(page.locator("h1")).to_contain_text("Imprimante du 2e étage en panne")
    expect(page.locator("#ticket-people .owner")).to_have_text("Nobody")
    # 2. Cliquer sur Prendre dans le menu "action" (coin haut droit).
    _menu(page).get_by_role("button", name="Prendre").click()
    expect(page.locator("#ticket-people .owner")).to_have_text("Alice Martin")
    expect(page.locator("#messages")).to_contain_text("Vous êtes maintenant l'intervenant")
    expect(_menu(page).get_by_role("button", name="Prendre")).to_have_count(0)
    expect(page.locator("#ticket-history")).to_contain_text("Pris par Alice Martin")
    shot("ticket-after-take")
    # The page is right after a refresh too (no state only in the DOM).
    page.reload()
    expect(page.locator("#ticket-people .owner")).to_have_text("Alice Martin")

    other = browser.new_context(locale="fr-FR").new_page()
    log_in(other, desk.bruno)
    other.goto(f"{live_server}/tickets/{ticket.id}")
    expect(_menu(other).get_by_role("button", name="Prendre")).to_have_count(0)
    _menu(other).get_by_role("button", name="Voler").click()
    expect(other.locator("#ticket-people .owner")).to_have_text("Bruno Lefèvre")
    expect(other.locator("#messages")).to_contain_text("Aucun message ne lui a été envoyé")
    expect(other.locator("#ticket-history")).to_contain_text("Volé à Alice Martin")


def test_reply_comment_and_resolve(desk, make_ticket, log_in, page, live_server, shot):
    ticket = make_ticket(desk.support, requestors=[desk.denise], subject="Écran noir")
    log_in(page, desk.alice)
    page.goto(f"{live_server}/tickets/{ticket.id}")

    _menu(page).get_by_role("link", name="Répondre").click()
    page.get_by_label("Message", exact=True).fill("Bonjour, nous passons cet après-midi.")
    page.get_by_role("button", name="Mettre à jour le ticket").click()
    expect(page.locator("#messages")).to_contain_text("Ticket mis à jour.")
    expect(page.locator("#ticket-history")).to_contain_text("nous passons cet après-midi")
    expect(page.locator("#ticket-summary")).to_contain_text("ouvert")
    expect(page.locator("#ticket-update form")).to_have_count(0)

    _menu(page).get_by_role("link", name="Commenter").click()
    page.get_by_label("Message", exact=True).fill("Câble vidéo à remplacer.")
    page.get_by_role("button", name="Mettre à jour le ticket").click()
    comment = page.locator("#ticket-history .txn-comment")
    expect(comment).to_contain_text("Câble vidéo à remplacer.")
    expect(comment).to_contain_text("Commentaire interne")

    # Résoudre: saisir le message, choisir le type (réponse ou commentaire), enregistrer.
    _menu(page).get_by_role("link", name="Résoudre").click()
    expect(page.get_by_label("Statut")).to_have_value("resolved")
    page.get_by_label("Type de message").select_option("reply")
    page.get_by_label("Message", exact=True).fill("Câble remplacé, tout fonctionne.")
    page.get_by_role("button", name="Mettre à jour le ticket").click()
    expect(page.locator("#ticket-summary")).to_contain_text("résolu")
    expect(_menu(page).get_by_role("link", name="Rouvrir")).to_be_visible()
    shot("ticket-resolved")


def test_reject_and_keyboard_only_take(desk, make_ticket, log_in, page, live_server):
    ticket = make_ticket(desk.support, subject="Demande hors périmètre")
    log_in(page, desk.alice)
    page.goto(f"{live_server}/tickets/{ticket.id}")
    # Keyboard: focus Prendre and press Enter.
    _menu(page).get_by_role("button", name="Prendre").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#ticket-people .owner")).to_have_text("Alice Martin")

    _menu(page).get_by_role("link", name="Rejeter").click()
    expect(page.locator("#ticket-update")).to_contain_text("Aucune réponse automatique")
    page.get_by_role("button", name="Mettre à jour le ticket").click()
    expect(page.locator("#ticket-summary")).to_contain_text("rejeté")
    expect(page.locator("#ticket-history")).to_contain_text("Statut changé de")


def test_refusal_is_shown_not_swallowed(desk, make_ticket, log_in, page, live_server):
    """Another agent takes the ticket first: the click tells who took it."""
    from rtsuivi.domain import tickets as domain
    from rtsuivi.extensions import db
    ticket = make_ticket(desk.support, subject="Course au ticket")
    log_in(page, desk.alice)
    page.goto(f"{live_server}/tickets/{ticket.id}")
    # Written as a web request writes (BEGIN IMMEDIATE on SQLite): the open page notes
    # alice's presence meanwhile, and SQLite refuses to turn a stale read into a write.
    from flask import current_app
    db.session.rollback()
    with current_app.test_request_context(method="POST"):
        domain.take(ticket, desk.bruno)
        db.session.commit()
    _menu(page).get_by_role("button", name="Prendre").click()
    expect(page.locator("#messages")).to_contain_text("vient d'être pris par Bruno Lefèvre")
    expect(page.locator("#ticket-people .owner")).to_have_text("Bruno Lefèvre")
    expect(_menu(page).get_by_role("button", name="Voler")).to_be_visible()


def test_requester_follows_own_request_on_a_phone(desk, make_ticket, browser, live_server,
                                                  log_in):
    from tests.conftest import PASSWORD
    make_ticket(desk.support, requestors=[desk.denise], subject="Badge perdu")
    phone = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 740}).new_page()
    phone.goto(f"{live_server}/login")
    phone.get_by_label("Nom d'utilisateur").fill("denise")
    phone.get_by_label("Mot de passe").fill(PASSWORD)
    phone.get_by_role("button", name="Se connecter").click()
    expect(phone.locator("h1")).to_have_text("Mes demandes")
    phone.get_by_role("link", name="Badge perdu").first.click()
    expect(phone.locator("h1")).to_contain_text("Badge perdu")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1  # no sideways scrolling on a phone
