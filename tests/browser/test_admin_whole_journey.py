"""Issue 12's journey in one go, in French: the administrator creates a group, an agent and a
queue with its addresses, grants the group rights on that queue in the matrix and creates a
select custom field on it; the agent logs in, sees that queue and nothing else, sets the field
on a ticket and finds the ticket with `CF.{…} = '…'` in « Recherche avancée »."""
from playwright.sync_api import expect

from rtsuivi.extensions import db
from rtsuivi.models import Queue
from tests.conftest import PASSWORD

RIGHTS = ("SeeQueue", "ShowTicket", "OwnTicket", "SeeCustomField", "ModifyCustomField")


def test_admin_builds_a_queue_for_a_new_team_and_its_agent_works_in_it(
        desk, make_user, make_ticket, log_in, page, browser, live_server, shot):
    root = make_user("root", rights=["SuperUser"], real_name="Administratrice")
    admin_nav = page.locator("nav.admin-sections")
    log_in(page, root)

    # Groupes › Nouveau groupe
    page.get_by_role("link", name="Administration").click()
    admin_nav.get_by_role("link", name="Groupes").click()
    page.get_by_role("link", name="Nouveau groupe").click()
    page.get_by_label("Nom", exact=True).fill("Réseau N1")
    page.get_by_role("button", name="Créer").click()
    expect(page.get_by_role("heading", name="Groupe Réseau N1")).to_be_visible()

    # Utilisateurs › Nouvel utilisateur, then into the group by search as you type
    admin_nav.get_by_role("link", name="Utilisateurs").click()
    page.get_by_role("link", name="Nouvel utilisateur").click()
    page.get_by_label("Nom d'utilisateur").fill("gilles")
    page.get_by_label("Nom réel").fill("Gilles Perrin")
    page.get_by_label("Adresse électronique").fill("gilles@example.org")
    page.get_by_label("Privilégié (agent)").check()
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer").click()
    expect(page.locator("#messages")).to_contain_text("Utilisateur gilles créé.")
    admin_nav.get_by_role("link", name="Groupes").click()
    page.get_by_role("link", name="Réseau N1").click()
    page.wait_for_url("**/admin/groupes/*")
    page.wait_for_load_state()
    page.get_by_label("Ajouter un membre").press_sequentially("gil")
    page.get_by_role("button", name="Ajouter gilles").click()
    expect(page.locator("#group-members")).to_contain_text("Gilles Perrin")

    # Files › Nouvelle file, with its addresses
    admin_nav.get_by_role("link", name="Files").click()
    page.get_by_role("link", name="Nouvelle file").click()
    page.get_by_label("Nom").fill("Réseau")
    page.get_by_label("Adresse de réponse").fill("reseau@example.org")
    page.get_by_label("Adresse de commentaire").fill("reseau-commentaire@example.org")
    page.get_by_role("button", name="Créer la file").click()
    expect(page.locator("#messages")).to_contain_text("File Réseau créée.")

    # Droits de la file: the group, five rights, each applied at once
    page.get_by_role("navigation", name="File").get_by_role("link", name="Droits").click()
    page.get_by_label("Ajouter un groupe ou un utilisateur").fill("Réseau")
    page.locator("#principal-matches").get_by_role("link", name="Groupe Réseau N1").click()
    matrix = page.locator("#rights-matrix")
    for right in RIGHTS:
        matrix.get_by_label(f"{right} — Réseau N1").check()
        expect(page.locator("#messages")).to_contain_text(f"{right} accordé à Réseau N1.")

    # Champs personnalisés › Nouveau champ personnalisé, applied to Réseau
    admin_nav.get_by_role("link", name="Champs personnalisés").click()
    page.get_by_role("link", name="Nouveau champ personnalisé").click()
    page.get_by_label("Nom", exact=True).fill("Équipement")
    page.get_by_label("Type", exact=True).select_option(label="Sélection d'une valeur")
    page.get_by_role("button", name="Créer le champ").click()
    for value in ("Routeur", "Borne « Wi-Fi »"):
        page.get_by_label("Valeur", exact=True).fill(value)
        page.get_by_role("button", name="Ajouter la valeur").click()
        expect(page.get_by_label(f"Nom de la valeur {value}")).to_have_value(value)
    page.get_by_label("Réseau", exact=True).check()
    page.get_by_role("button", name="Enregistrer les files").click()
    expect(page.locator(".messages")).to_contain_text("Files enregistrées.")
    shot("admin-journee-complete")

    db.session.commit()  # see what the server wrote
    queue = db.session.scalar(db.select(Queue).where(Queue.name == "Réseau"))
    ticket = make_ticket(queue, subject="Borne du 2e étage muette")
    make_ticket(queue, subject="Autre panne")

    # The agent, in their own browser: that queue and nothing else, then the field.
    page = browser.new_context(locale="fr-FR").new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Nom d'utilisateur").fill("gilles")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/accueil")
    page.get_by_role("banner").get_by_role("link", name="Files").click()
    main = page.locator("main")
    expect(main).to_contain_text("Réseau")
    expect(main).not_to_contain_text("Support")
    expect(page.get_by_role("link", name="Administration")).to_have_count(0)

    page.goto(f"{live_server}/tickets/{ticket.id}")
    page.locator("#ticket-summary").get_by_role(
        "link", name="Modifier les champs personnalisés").click()
    page.get_by_label("Équipement").select_option("Borne « Wi-Fi »")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.locator("#ticket-summary .cf-value")).to_have_text("Borne « Wi-Fi »")

    page.get_by_role("link", name="Recherche avancée").click()
    page.get_by_role("textbox", name="Requête TicketSQL").fill(
        "CF.{Équipement} = 'Borne « Wi-Fi »'")
    page.get_by_role("button", name="Rechercher").last.click()
    expect(page.locator("#search-total")).to_have_text("1 ticket")
    expect(page.locator("#search-results")).to_contain_text("Borne du 2e étage muette")
    shot("admin-journee-agent")
