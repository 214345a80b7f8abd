"""« Les tableaux de bord » in a real browser, in French: an agent builds a dashboard with a
chart and shares it with their group; another member opens it and sees the chart counted
over the tickets they may see, not over the author's."""
from playwright.sync_api import expect

from rtsuivi.domain import accounts, saved_searches
from rtsuivi.extensions import db


def test_build_a_dashboard_with_a_chart_and_share_it_with_a_group(
        desk, make_ticket, log_in, page, browser, live_server, shot):
    group = accounts.create_group("Équipe")
    for user in (desk.alice, desk.chloe):
        accounts.add_member(group, user)
    for right in ("SeeGroupDashboard", "CreateGroupDashboard", "ModifyGroupDashboard",
                  "LoadSavedSearch", "CreateSavedSearch", "ShowSavedSearches",
                  "ShowSearchAdvanced"):
        accounts.grant("group:Équipe", right)
    db.session.commit()
    make_ticket(desk.support, subject="Imprimante en panne")
    make_ticket(desk.support, subject="Écran noir")
    make_ticket(desk.info, subject="Question sur les congés")
    saved_searches.save(desk.alice, "Tout", "group", saved_searches.SearchSpec("id > 0"),
                        group_id=group.id)
    db.session.commit()

    log_in(page, desk.alice)
    page.get_by_role("banner").get_by_role("link", name="Tableaux de bord").click()
    page.get_by_label("Nom", exact=True).fill("Suivi équipe")
    page.get_by_label("Visibilité").select_option(label="Groupe")
    page.get_by_label("Groupe", exact=True).select_option(label="Équipe")
    page.get_by_role("button", name="Créer").click()
    expect(page.locator("#messages")).to_contain_text("Tableau de bord « Suivi équipe » créé.")
    page.get_by_label("Portlet à ajouter").select_option(label="Graphique : Tout par file")
    page.get_by_role("button", name="Ajouter").click()
    expect(page.locator("#messages")).to_contain_text("Portlet ajouté.")

    page.get_by_role("banner").get_by_role("link", name="Tableaux de bord").click()
    page.get_by_role("link", name="Suivi équipe").click()
    chart = page.locator(".chart-portlet")
    expect(chart.locator("svg")).to_be_visible()
    expect(chart.locator("table")).to_contain_text("Support")
    expect(chart.locator("table")).not_to_contain_text("Info")
    shot("dashboard-chart-alice")

    other = browser.new_context(locale="fr-FR").new_page()  # chloe, of the same group
    log_in(other, desk.chloe)
    other.get_by_role("banner").get_by_role("link", name="Tableaux de bord").click()
    other.get_by_role("link", name="Suivi équipe").click()
    chart = other.locator(".chart-portlet")
    expect(chart.locator("table")).to_contain_text("Info")
    expect(chart.locator("table")).not_to_contain_text("Support")
