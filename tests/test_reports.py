"""Built-in reports (issue 15 item 2, RT's Reports menu): « Résolus par intervenant »,
« Résolus / créés sur une période », « Temps passé par agent », each restricted to the
tickets the viewer may see. Run on SQLite and PostgreSQL by ./test."""
from datetime import date, timedelta

import pytest

from rtsuivi import search
from rtsuivi.domain import DomainError, Forbidden, accounts, queries, reports
from rtsuivi.domain import tickets as domain
from rtsuivi.domain.chart_period import Period
from rtsuivi.extensions import db
from rtsuivi.models import utcnow


@pytest.fixture
def reportdesk(desk, make_ticket):
    """Support: alice resolves 2 and works 30 min, bruno resolves 1; Info: chloe resolves 1
    and works 45 min (alice cannot see Info)."""
    for group in ("N1", "N2"):
        accounts.grant(f"group:{group}", "ShowSearchAdvanced")
    db.session.commit()
    for agent, queue, count in ((desk.alice, desk.support, 2), (desk.bruno, desk.support, 1),
                                (desk.chloe, desk.info, 1)):
        for n in range(count):
            ticket = make_ticket(queue, subject=f"{agent.name} {n}")
            domain.take(ticket, agent)
            domain.set_status(ticket, agent, "resolved")
    make_ticket(desk.support, subject="Encore ouvert")
    support_one = make_ticket(desk.support, subject="Temps")
    domain.comment(support_one, desk.alice, "Une demi-heure.", time_taken=30)
    info_one = make_ticket(desk.info, subject="Temps Info")
    domain.comment(info_one, desk.chloe, "Trois quarts d'heure.", time_taken=45)
    db.session.commit()
    for user in (desk.alice, desk.chloe):
        user.timezone = "Europe/Paris"
    db.session.commit()
    return desk


def _period(days=7):
    today = date.today()
    return Period.parse((today - timedelta(days=days)).isoformat(),
                        (today + timedelta(days=1)).isoformat(), "day", "Europe/Paris")


def _by_key(found):
    return {report.key: data for report, _spec, data in found}


def test_resolved_by_owner_counts_what_the_viewer_sees(reportdesk):
    period = _period()
    alice = _by_key(reports.run_reports(reportdesk.alice, period))["resolved_by_owner"]
    chloe = _by_key(reports.run_reports(reportdesk.chloe, period))["resolved_by_owner"]
    assert dict(zip(alice.labels, alice.values)) == {"alice": 2, "bruno": 1}
    assert dict(zip(chloe.labels, chloe.values)) == {"chloe": 1}
    query = reports.REPORTS[0].spec(period).query
    condition = search.compile_for(query, reportdesk.alice).condition
    assert alice.total == queries.search_tickets(condition, [("id", "asc")]).total == 3


def test_created_and_resolved_over_the_period_agree_with_resolved_by_owner(reportdesk):
    found = _by_key(reports.run_reports(reportdesk.alice, _period()))
    created, resolved = found["created_resolved"].series
    assert sum(created[1]) == 5  # Support's tickets only: 3 resolved, 2 still open
    assert sum(resolved[1]) == found["resolved_by_owner"].total == 3


def test_time_by_agent_sums_the_time_entered_on_visible_tickets(reportdesk):
    alice = _by_key(reports.run_reports(reportdesk.alice, _period()))["time_by_agent"]
    chloe = _by_key(reports.run_reports(reportdesk.chloe, _period()))["time_by_agent"]
    assert (alice.labels, alice.values, alice.unit) == (["alice"], [30], "minutes")
    assert (chloe.labels, chloe.values) == (["chloe"], [45])


def test_a_period_before_the_tickets_counts_nothing(reportdesk):
    period = Period.parse("2020-01-01", "2020-01-31", "week", "Europe/Paris")
    found = _by_key(reports.run_reports(reportdesk.alice, period))
    assert [data.total for data in found.values()] == [0, 0, 0]


def test_reports_need_show_search_advanced(reportdesk, login_as):
    accounts.revoke("group:N1", "ShowSearchAdvanced")
    db.session.commit()
    with pytest.raises(Forbidden):
        reports.run_reports(reportdesk.alice, _period())
    client = login_as(reportdesk.alice)
    assert client.get("/rapports").status_code == 403
    assert client.hx_get("/rapports").status_code == 403
    assert "/rapports" not in client.get("/").get_data(True)


def test_the_reports_page_shows_each_report_as_chart_and_table(reportdesk, login_as):
    client = login_as(reportdesk.alice)
    html = client.get("/rapports").get_data(True)
    assert "<html" in html and 'href="/rapports"' in html
    for title in ("Résolus par intervenant", "Résolus / créés sur une période",
                  "Temps passé par agent"):
        assert title in html
    assert html.count("<svg") == 3 and html.count('class="chart-table"') == 3
    assert "0 h 30" not in html and "30 min" in html


def test_the_reports_period_form_answers_the_reports_box_with_htmx(reportdesk, login_as):
    client = login_as(reportdesk.alice)
    today = date.today().isoformat()
    response = client.hx_get("/rapports", query_string={"start": today, "end": today,
                                                        "step": "day"})
    html = response.get_data(True)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div id="reports"') and html.count("<svg") == 3


@pytest.mark.parametrize("args, message", [
    ({"start": "31/02/2026", "end": "2026-03-01"}, "Date de début non comprise"),
    ({"start": "2026-03-01", "end": "demain"}, "Date de fin non comprise"),
    ({"start": "2026-03-10", "end": "2026-03-01"}, "La date de fin précède la date de début."),
    ({"start": "1990-01-01", "end": "2026-01-01", "step": "month"},
     "La période ne peut pas dépasser 731 jours."),
    ({"start": "2025-01-01", "end": "2026-01-01", "step": "day"}, "Trop de points"),
])
def test_a_bad_period_is_refused_in_french_and_runs_nothing(reportdesk, login_as, args,
                                                             message):
    client = login_as(reportdesk.alice)
    html = client.hx_get("/rapports", query_string=args).get_data(True)
    assert message in html and "message-error" in html and "<svg" not in html


def test_the_default_period_is_the_last_thirty_days(reportdesk, login_as, app):
    with app.test_request_context():
        with pytest.raises(DomainError):
            Period.parse("", "", "day")
    html = login_as(reportdesk.alice).get("/rapports").get_data(True)
    today = utcnow().date()
    assert f'value="{(today - timedelta(days=29)).isoformat()}"' in html or \
        f'value="{(today - timedelta(days=28)).isoformat()}"' in html
