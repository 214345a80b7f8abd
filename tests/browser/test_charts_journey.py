"""« Graphique » from a search's results, in a real browser and in French: choose « par
statut », see the chart and its table; the page keeps its Content-Security-Policy (no
violation, no console error: the SVG carries no script or style)."""
import re

from playwright.sync_api import expect

from rtsuivi.domain import accounts
from rtsuivi.domain import tickets as domain
from rtsuivi.extensions import db


def test_graphique_of_a_search_by_status(desk, make_ticket, log_in, page, live_server, shot):
    accounts.grant("group:N1", "ShowSearchAdvanced")
    db.session.commit()
    made = [make_ticket(desk.support, subject=f"Poste {n}") for n in range(4)]
    domain.set_status(made[0], desk.alice, "open")
    domain.set_status(made[1], desk.alice, "resolved")
    db.session.commit()
    problems = []
    page.on("console", lambda msg: msg.type == "error" and "favicon" not in str(
        msg.location) and problems.append(msg.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, desk.alice)
    page.goto(f"{live_server}/recherche/resultats?query=Queue%20%3D%20%27Support%27")
    expect(page.locator("#search-total")).to_have_text("4 tickets")

    page.get_by_role("link", name="Graphique").click()
    expect(page.locator("h1")).to_have_text("Graphique de la recherche")
    page.get_by_label("Regrouper").select_option(label="par statut")
    page.get_by_label("Style").select_option(label="Secteurs")
    page.get_by_role("button", name="Afficher").click()

    box = page.locator("#chart-box")
    expect(box.locator("svg[role=img]")).to_be_visible()
    expect(box.locator("svg title").first).to_have_text("Nombre de tickets par statut")
    table = box.locator("table.chart-table")
    expect(table.locator("caption")).to_have_text("Nombre de tickets par statut")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.get_by_role("row", name="nouveau")).to_contain_text("2")
    expect(table.get_by_role("row", name="ouvert")).to_contain_text("1")
    expect(table.locator("tfoot")).to_contain_text("4")
    # hx-push-url: the chart's address can be shared (pushed after the swap settles)
    expect(page).to_have_url(re.compile(r"style=pie"))
    shot("charts-search-by-status")
    assert problems == []


def test_rapports_over_a_period(desk, make_ticket, log_in, page, live_server, shot):
    accounts.grant("group:N1", "ShowSearchAdvanced")
    db.session.commit()
    for n, agent in enumerate((desk.alice, desk.alice, desk.bruno)):
        ticket = make_ticket(desk.support, subject=f"Clavier {n}")
        domain.take(ticket, agent)
        domain.comment(ticket, agent, "Changé.", time_taken=20 * (n + 1))
        domain.set_status(ticket, agent, "resolved")
    db.session.commit()
    log_in(page, desk.alice)
    page.get_by_role("link", name="Rapports").click()
    expect(page.locator("h1")).to_have_text("Rapports")
    resolved = page.locator("#report-resolved_by_owner")
    expect(resolved.get_by_role("row", name="alice")).to_contain_text("2")
    expect(page.locator("#report-time_by_agent tfoot")).to_contain_text("2 h 00")
    page.get_by_label("Du", exact=True).fill("2026-02-10")
    page.get_by_label("Au", exact=True).fill("2026-02-01")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("#reports [role=alert]")).to_have_text(
        "La date de fin précède la date de début.")
    shot("charts-reports-refused")
    page.go_back()
    expect(page.locator("#report-created_resolved svg[role=img]")).to_be_visible()
    shot("charts-reports")
