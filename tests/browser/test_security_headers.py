"""The pages work under the Content-Security-Policy: no violation, no console error, htmx
swaps boxes, and the mail lists' state filter still submits itself (it had an inline
onchange handler, which the policy forbids)."""
from playwright.sync_api import expect

from rtsuivi.domain import accounts
from rtsuivi.extensions import db


def _watch(page) -> list[str]:
    """Collect console errors and CSP violations reported by the page."""
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"{msg.text} {msg.location.get('url')}")
            if msg.type == "error" and not msg.location.get("url", "").endswith("favicon.ico")
            else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.add_init_script("""document.addEventListener("securitypolicyviolation", (e) =>
        console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI));""")
    return problems


def test_pages_and_htmx_work_under_the_csp(desk, make_ticket, log_in, page, live_server):
    problems = _watch(page)
    ticket = make_ticket(desk.support, requestors=[desk.denise], subject="Souris cassée")
    accounts.grant("user:alice", "SuperUser")
    db.session.commit()
    log_in(page, desk.alice)
    response = page.goto(f"{live_server}/tickets/{ticket.id}")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.locator("#ticket-actions").get_by_role("button", name="Prendre").click()
    expect(page.locator("#ticket-people .owner")).to_have_text("Alice Martin")
    expect(page.locator("#ticket-history")).to_contain_text("Pris par Alice Martin")
    # No inline <style> from htmx: includeIndicatorStyles is off.
    assert page.locator("head style").count() == 0

    page.goto(f"{live_server}/admin/courrier/entrant")
    page.get_by_label("État").select_option("done")
    page.wait_for_url("**status=done")
    expect(page.get_by_label("État")).to_have_value("done")
    page.goto(f"{live_server}/recherche/avancee")
    page.goto(f"{live_server}/aide")
    assert problems == []
