"""Issue 12 in Chromium, in French: the admin creates a queue with its addresses and grants
a group rights on it in the matrix; an agent of that group then sees that queue and nothing
else."""
from playwright.sync_api import expect

from rtsuivi.domain import accounts, rights_admin
from rtsuivi.extensions import db
from rtsuivi.models import Queue


def test_admin_creates_a_queue_and_grants_a_group_rights_in_the_matrix(
        desk, make_user, log_in, page, browser, live_server, shot):
    root = make_user("root", rights=["SuperUser"], real_name="Admin")
    gilles = make_user("gilles", groups=["Réseau N1"], real_name="Gilles Perrin")
    accounts.grant("system:Privileged", "ModifySelf")
    db.session.commit()

    log_in(page, root)
    page.get_by_role("link", name="Administration").click()
    page.locator("nav.admin-sections").get_by_role("link", name="Files").click()
    page.get_by_role("link", name="Nouvelle file").click()
    page.get_by_label("Nom").fill("Réseau")
    page.get_by_label("Adresse de réponse").fill("reseau@example.org")
    page.get_by_label("Adresse de commentaire").fill("reseau-commentaire@example.org")
    page.get_by_label("Étiquette de sujet").fill("RESEAU")
    page.get_by_role("button", name="Créer la file").click()
    expect(page.locator("#messages")).to_contain_text("File Réseau créée.")
    db.session.commit()  # end the test's read transaction: the server wrote meanwhile
    queue = db.session.scalar(db.select(Queue).where(Queue.name == "Réseau"))
    assert queue.correspond_address == "reseau@example.org"

    page.get_by_role("navigation", name="File").get_by_role("link", name="Droits").click()
    expect(page.get_by_role("heading", name="Droits de la file Réseau")).to_be_visible()
    page.get_by_label("Ajouter un groupe ou un utilisateur").fill("Réseau")
    page.locator("#principal-matches").get_by_role("link", name="Groupe Réseau N1").click()
    matrix = page.locator("#rights-matrix")
    for right in ("SeeQueue", "ShowTicket", "OwnTicket"):
        box = matrix.get_by_label(f"{right} — Réseau N1")
        box.check()
        expect(page.locator("#messages")).to_contain_text(f"{right} accordé à Réseau N1.")
        expect(matrix.get_by_label(f"{right} — Réseau N1")).to_be_checked()
    db.session.commit()
    assert {(k, r) for k, r, q in rights_admin.matrix_everywhere() if q == "Réseau"} == {
        ("group:Réseau N1", "SeeQueue"), ("group:Réseau N1", "ShowTicket"),
        ("group:Réseau N1", "OwnTicket")}
    shot("admin-droits-file")

    page = browser.new_context(locale="fr-FR").new_page()  # the agent, in their own browser
    log_in(page, gilles)
    page.get_by_role("banner").get_by_role("link", name="Files").click()
    main = page.locator("main")
    expect(main).to_contain_text("Réseau")
    expect(main).not_to_contain_text("Support")
    expect(main).not_to_contain_text("Info")
    expect(page.get_by_role("link", name="Administration")).to_have_count(0)
