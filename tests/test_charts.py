"""Charts of a search (issue 15 item 2): the numbers are the search's counts, as the viewer
may see them; drawn as inline SVG the page's CSP accepts; « Graphique » on the results page.
Run on SQLite and PostgreSQL by ./test."""
import re
from datetime import datetime

import pytest

from rtsuivi import search
from rtsuivi.domain import DomainError, Forbidden, accounts, queries, reports
from rtsuivi.domain import custom_fields as cf
from rtsuivi.domain import tickets as domain
from rtsuivi.domain.chart_period import Period
from rtsuivi.domain.charts import ChartSpec, chart_data, render_svg
from rtsuivi.extensions import db


@pytest.fixture
def chartdesk(desk, make_ticket):
    """Support (alice, bruno): 3 new, 2 open (one alice's), 1 resolved; Info (chloe): 2 new."""
    for group in ("N1", "N2"):
        accounts.grant(f"group:{group}", "ShowSearchAdvanced")
    db.session.commit()
    made = [make_ticket(desk.support, subject=f"Support {n}") for n in range(6)]
    domain.take(made[3], desk.alice)
    domain.set_status(made[3], desk.alice, "open")
    domain.set_status(made[4], desk.bruno, "open")
    domain.set_status(made[5], desk.bruno, "resolved")
    domain.comment(made[3], desk.alice, "Une heure et demie.", time_taken=90)
    for n in range(2):
        make_ticket(desk.info, subject=f"Info {n}")
    db.session.commit()
    desk.made = made
    return desk


def _search_total(user, query: str) -> int:
    return queries.search_tickets(search.compile_for(query, user).condition, [("id", "asc")],
                                  1, 10).total


def test_status_counts_equal_the_search_counts(chartdesk, login_as):
    alice = chartdesk.alice
    query = "Queue = 'Support' OR Queue = 'Info'"
    data = chart_data(ChartSpec(query, "status"), alice)
    assert dict(zip(data.labels, data.values)) == {"nouveau": 3, "ouvert": 2, "résolu": 1}
    assert data.total == _search_total(alice, query) == 6
    for status, label in (("new", "nouveau"), ("open", "ouvert"), ("resolved", "résolu")):
        one = f"({query}) AND Status = '{status}'"
        assert dict(zip(data.labels, data.values))[label] == _search_total(alice, one)
    client = login_as(alice)
    page = client.get("/recherche/resultats", query_string={"query": query}).get_data(True)
    shown = re.search(r'id="search-total">(\d+)', page).group(1)
    chart = client.get("/recherche/graphique", query_string={"query": query}).get_data(True)
    assert f'<td class="number">{shown}</td></tr></tfoot>' in chart


def test_an_agent_who_cannot_see_a_queue_gets_no_counts_from_it(chartdesk):
    for group_by in ("status", "queue", "owner"):
        alice = chart_data(ChartSpec("", group_by), chartdesk.alice)
        chloe = chart_data(ChartSpec("", group_by), chartdesk.chloe)
        assert (alice.total, chloe.total) == (6, 2)
    assert chart_data(ChartSpec("", "queue"), chartdesk.alice).labels == ["Support"]
    assert chart_data(ChartSpec("Queue = 'Support'", "status"), chartdesk.chloe).total == 0


def test_queue_and_owner_groupings_count_in_one_statement(chartdesk, app):
    from sqlalchemy import event
    statements = []

    def count(*args):
        statements.append(args[2])
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        data = chart_data(ChartSpec("", "owner"), chartdesk.alice)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert dict(zip(data.labels, data.values)) == {"Nobody": 5, "alice": 1}
    assert len([s for s in statements if "GROUP BY" in s]) == 1


def test_time_worked_by_owner_sums_the_tickets_minutes(chartdesk):
    data = chart_data(ChartSpec("", "owner", measure="time_worked"), chartdesk.alice)
    assert dict(zip(data.labels, data.values))["alice"] == 90
    assert data.unit == "minutes" and data.total == 90


def test_custom_field_grouping_counts_values_the_viewer_may_see(chartdesk, make_user):
    admin = make_user("cfadmin", rights=("AdminCustomField",))
    accounts.grant("group:N1", "SeeCustomField", chartdesk.support)
    accounts.grant("group:N1", "ModifyCustomField", chartdesk.support)
    field = cf.create_field(admin, "Catégorie", "select_one", queues=[chartdesk.support],
                            values=["Réseau", "Écran"])
    tags = cf.create_field(admin, "Étiquettes", "select_many", queues=[chartdesk.support],
                           values=["vip", "urgent"])
    db.session.commit()
    first, second = chartdesk.made[:2]
    cf.set_values(first, chartdesk.alice, {field.id: "Réseau", tags.id: ["vip", "urgent"]})
    cf.set_values(second, chartdesk.alice, {field.id: "Réseau", tags.id: ["urgent"]})
    db.session.commit()
    data = chart_data(ChartSpec("Queue = 'Support'", "CF.{Catégorie}"), chartdesk.alice)
    assert dict(zip(data.labels, data.values)) == {"Réseau": 2, "(aucune valeur)": 4}
    assert data.values[data.labels.index("Réseau")] == _search_total(
        chartdesk.alice, "CF.{Catégorie} = 'Réseau'")
    tagged = chart_data(ChartSpec("Queue = 'Support'", "CF.{Étiquettes}"), chartdesk.alice)
    assert dict(zip(tagged.labels, tagged.values))["urgent"] == 2
    assert tagged.total == 6  # a ticket with two values counts once in the total
    accounts.revoke("group:N1", "SeeCustomField", chartdesk.support)
    db.session.commit()
    hidden = chart_data(ChartSpec("Queue = 'Support'", "CF.{Catégorie}"), chartdesk.alice)
    assert dict(zip(hidden.labels, hidden.values)) == {"(aucune valeur)": 6}


@pytest.mark.parametrize("spec, message", [
    (ChartSpec("", "couleur"), "Regroupement inconnu : couleur"),
    (ChartSpec("", "status", "radar"), "Style de graphique inconnu : radar"),
    (ChartSpec("", "status", measure="poids"), "Mesure inconnue : poids"),
    (ChartSpec("", "period"), "Ce graphique demande une période"),
    (ChartSpec("", "CF.{Inexistant}"), "Regroupement inconnu : CF.{Inexistant}"),
])
def test_a_bad_chart_is_refused_in_french(chartdesk, spec, message):
    with pytest.raises(DomainError, match=re.escape(message)):
        chart_data(spec, chartdesk.alice)


@pytest.mark.parametrize("start, end, step, message", [
    ("2026-13-01", "2026-12-31", "day", "Date de début non comprise"),
    ("hier", "2026-12-31", "day", "Date de début non comprise"),
    ("2026-02-01", "2026-01-01", "day", "La date de fin précède la date de début."),
    ("2000-01-01", "2026-01-01", "month", "La période ne peut pas dépasser 731 jours."),
    ("2026-01-01", "2026-12-31", "day", "Trop de points (100 au plus)"),
    ("2026-01-01", "2026-01-31", "hour", "Pas inconnu : hour"),
])
def test_a_bad_period_is_refused_in_french(start, end, step, message, app):
    with app.test_request_context():
        with pytest.raises(DomainError, match=re.escape(message)):
            Period.parse(start, end, step, "Europe/Paris")


def test_created_and_resolved_are_counted_per_local_day(chartdesk):
    first, second, _rest = chartdesk.made[0], chartdesk.made[5], None
    # 23:30 UTC on 30 March is 1:30 on 31 March in Paris (summer time from the 29th).
    first.created = datetime(2026, 3, 30, 23, 30)
    second.created = datetime(2026, 3, 28, 10, 0)
    second.resolved = datetime(2026, 4, 2, 21, 59)  # 23:59 in Paris
    db.session.commit()
    chartdesk.alice.timezone = "Europe/Paris"
    period = Period.parse("2026-03-28", "2026-04-03", "day", "Europe/Paris")
    data = chart_data(ChartSpec("", "period", period=period), chartdesk.alice)
    created = dict(zip(data.labels, data.series[0][1]))
    resolved = dict(zip(data.labels, data.series[1][1]))
    assert created["31/03/2026"] == 1 and created["28/03/2026"] == 1
    assert resolved == {**{label: 0 for label in data.labels}, "02/04/2026": 1}
    weekly = chart_data(ChartSpec("", "period", period=Period.parse(
        "2026-03-01", "2026-04-30", "week", "Europe/Paris")), chartdesk.alice)
    assert sum(weekly.series[0][1]) == 2 and weekly.labels[0] == "sem. du 23/02/2026"


def test_the_svg_has_a_title_a_description_and_no_script_or_style(chartdesk):
    data = chart_data(ChartSpec("", "status"), chartdesk.alice)
    for style in ("bar", "pie"):
        svg = str(render_svg(data, style))
        assert "<title" in svg and "Nombre de tickets par statut" in svg
        assert "<desc" in svg and "nouveau : 3" in svg and 'role="img"' in svg
        assert "<script" not in svg and "<style" not in svg and "style=" not in svg
        assert "url(#chart-" in svg  # series filled with patterns, readable without colour
    assert str(render_svg(data, "table")) == ""


def test_the_results_page_offers_graphique_with_its_query(chartdesk, login_as):
    client = login_as(chartdesk.alice)
    page = client.get("/recherche/resultats", query_string={"query": "Status = 'new'"})
    assert "Graphique" in page.get_data(True)
    assert "/recherche/graphique?query=Status" in page.get_data(True)


def test_the_chart_endpoint_answers_a_fragment_with_htmx(chartdesk, login_as):
    client = login_as(chartdesk.alice)
    response = client.hx_get("/recherche/graphique", query_string={"group_by": "queue"})
    html = response.get_data(True)
    assert response.status_code == 200 and "<html" not in html
    assert 'id="chart-box"' in html and "<svg" in html and "<table" in html


def test_the_chart_endpoint_answers_the_page_without_htmx(chartdesk, login_as):
    client = login_as(chartdesk.alice)
    response = client.get("/recherche/graphique", query_string={"style": "pie"})
    html = response.get_data(True)
    assert response.status_code == 200 and "<html" in html and "<svg" in html
    assert "<script" not in html.split('id="chart-box"')[1]


def test_the_chart_endpoint_is_refused_without_show_search_advanced(chartdesk, login_as):
    accounts.revoke("group:N1", "ShowSearchAdvanced")
    db.session.commit()
    client = login_as(chartdesk.alice)
    assert client.get("/recherche/graphique").status_code == 403
    assert client.hx_get("/recherche/graphique").status_code == 403
    with pytest.raises(Forbidden):
        reports.search_chart(ChartSpec(), chartdesk.alice)
    page = client.get("/recherche/resultats", query_string={"query": ""}).get_data(True)
    assert "/recherche/graphique" not in page


def test_bad_chart_input_shows_a_french_message_and_no_chart(chartdesk, login_as):
    client = login_as(chartdesk.alice)
    for args, message in (({"group_by": "couleur"}, "Regroupement inconnu"),
                          ({"group_by": "period", "start": "32/01/2026"},
                           "Date de début non comprise"),
                          ({"query": "Status = "}, "")):
        html = client.hx_get("/recherche/graphique", query_string=args).get_data(True)
        assert "message-error" in html and message in html and "<svg" not in html


def test_a_search_without_tickets_draws_an_empty_chart_saying_so(chartdesk):
    data = chart_data(ChartSpec("Subject = 'Introuvable'", "status"), chartdesk.alice)
    assert (data.labels, data.total) == ([], 0)
    for style in ("bar", "pie"):
        assert "Aucun ticket" in str(render_svg(data, style))
