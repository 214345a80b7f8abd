"""Issue 12 in the browser, in French: the administrator creates a group and an agent, adds
the agent to the group by search as you type; the agent logs in. Then every htmx control of
« Utilisateurs », « Groupes », « Journal » and « Préférences » is activated once."""
from playwright.sync_api import expect

from rtsuivi.domain import accounts, groups_admin
from rtsuivi.extensions import db
from tests.browser.test_htmx_crawler import Crawl
from tests.conftest import PASSWORD


def test_the_admin_creates_a_group_and_an_agent_who_then_logs_in(make_user, log_in, page,
                                                                 live_server, shot):
    admin = make_user("admin", rights=["SuperUser"], real_name="Administrateur")
    log_in(page, admin)
    page.get_by_role("link", name="Administration").click()
    page.locator("nav.admin-sections").get_by_role("link", name="Groupes").click()
    page.get_by_role("link", name="Nouveau groupe").click()
    page.get_by_label("Nom", exact=True).fill("Support N1")
    page.get_by_label("Description").fill("Premier niveau")
    page.get_by_role("button", name="Créer").click()
    expect(page.get_by_role("heading", name="Groupe Support N1")).to_be_visible()

    page.locator("nav.admin-sections").get_by_role("link", name="Utilisateurs").click()
    page.get_by_role("link", name="Nouvel utilisateur").click()
    page.get_by_label("Nom d'utilisateur").fill("karim")
    page.get_by_label("Nom réel").fill("Karim Benali")
    page.get_by_label("Adresse électronique").fill("karim@example.org")
    page.get_by_label("Privilégié (agent)").check()
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer").click()
    expect(page.get_by_role("heading", name="Utilisateur karim")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("Utilisateur karim créé.")
    shot("admin-utilisateur")

    # The list searches as you type.
    page.locator("nav.admin-sections").get_by_role("link", name="Utilisateurs").click()
    page.wait_for_url("**/admin/utilisateurs")
    page.wait_for_load_state()
    page.get_by_label("Rechercher").press_sequentially("benali")
    expect(page.locator("#user-list")).to_contain_text("1 utilisateur")
    expect(page.locator("#user-list")).not_to_contain_text("Administrateur")

    page.locator("nav.admin-sections").get_by_role("link", name="Groupes").click()
    page.get_by_role("link", name="Support N1").click()
    page.wait_for_url("**/admin/groupes/*")
    page.wait_for_load_state()  # htmx (a deferred script) listens before we type
    page.get_by_label("Ajouter un membre").press_sequentially("kar")
    page.get_by_role("button", name="Ajouter karim").click()
    expect(page.locator("#group-members")).to_contain_text("Karim Benali")
    expect(page.locator("#member-candidates")).not_to_contain_text("Karim")
    shot("admin-groupe")
    db.session.rollback()  # read what the server committed
    assert [u.name for u in groups_admin.find("Support N1").members] == ["karim"]

    page.get_by_role("button", name="Déconnexion").click()
    page.get_by_label("Nom d'utilisateur").fill("karim")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/accueil")
    expect(page.locator(".whoami")).to_contain_text("Karim Benali")


def test_every_htmx_control_of_the_people_pages_works(make_user, log_in, page, live_server):
    admin = make_user("admin", rights=["SuperUser"])
    zoe = make_user("zoe", real_name="Zoé Perrin", groups=["N1"])
    make_user("marc", real_name="Marc Perrin")
    accounts.grant("system:Privileged", "ModifySelf")
    db.session.commit()
    group = groups_admin.find("N1")
    log_in(page, admin)
    crawl = Crawl(page, live_server)
    for url in ("/admin/", "/admin/utilisateurs", f"/admin/utilisateurs/{zoe.id}",
                "/admin/groupes", f"/admin/groupes/{group.id}?q=perrin", "/admin/journal",
                "/preferences/"):
        crawl.crawl(url)
    assert not crawl.problems, "\n".join(crawl.problems[:30])
    activated = "\n".join(crawl.activated)
    for expected in ("Désactiver", "Définir le mot de passe", "Retirer", "Ajouter"):
        assert expected in activated, f"{expected} never activated:\n{activated}"
