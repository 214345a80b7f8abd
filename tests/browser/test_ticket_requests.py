"""How many requests each ticket action costs in the browser (issue 11 item 2).

One event per part of the page (`ticket-<part>-changed`): the acted-on box comes back in the
answer and is never fetched again; only the parts the transactions changed re-fetch
themselves. Before the change every box heard one `ticket-changed`: 1 POST + 4 GETs.
"""
from playwright.sync_api import expect

# Requests after the final click (the POST and the box refreshes it triggers).
EXPECTED = {
    "take": 4,      # POST (people box) + summary, actions, history
    "reply": 4,     # POST (empty update box) + summary, actions (new -> open), history
    "comment": 3,   # POST + summary, history
    "resolve": 4,   # POST + summary, actions, history
    "add_person": 3,  # POST (people box) + summary, history
    "edit": 3,      # POST « Modifier » + summary, history
}


def _count(page, do, done):
    """Run do(), wait for done() and for the network to settle; return the requests made."""
    seen = []

    def listener(request):
        if "/live?" not in request.url:  # the live box polls on a clock, not after an action
            seen.append(f"{request.method} {request.url.split('/', 3)[3]}")
    page.on("request", listener)
    do()
    done()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # a late trigger would show up here
    page.remove_listener("request", listener)
    return seen


def test_requests_per_ticket_action(desk, make_ticket, log_in, page, live_server):
    ticket = make_ticket(desk.support, requestors=[desk.denise], subject="Compter")
    log_in(page, desk.alice)
    page.goto(f"{live_server}/tickets/{ticket.id}")
    menu, update = page.locator("#ticket-actions"), page.get_by_role(
        "button", name="Mettre à jour le ticket")
    counts = {}

    counts["take"] = _count(page, lambda: menu.get_by_role("button", name="Prendre").click(),
                            lambda: expect(page.locator("#ticket-history"))
                            .to_contain_text("Pris par"))

    def message(link, text, status=None):
        menu.get_by_role("link", name=link).click()
        expect(page.get_by_label("Message", exact=True)).to_be_focused()
        page.get_by_label("Message", exact=True).fill(text)
        return _count(page, update.click,
                      lambda: expect(page.locator("#ticket-history")).to_contain_text(text))
    counts["reply"] = message("Répondre", "Nous passons.")
    counts["comment"] = message("Commenter", "Câble à changer.")
    counts["resolve"] = message("Résoudre", "Câble changé.")
    expect(page.locator("#ticket-summary")).to_contain_text("résolu")

    page.locator("#people-person").fill("bruno")
    counts["add_person"] = _count(
        page, lambda: page.locator("#ticket-people").get_by_role("button", name="Ajouter").click(),
        lambda: expect(page.locator("#ticket-history")).to_contain_text("ajouté comme"))

    page.locator("#ticket-summary").get_by_role("link", name="Modifier").click()
    expect(page.locator("#ticket-update input:focus")).to_have_count(1)  # autofocus done
    page.locator("#ticket-update").get_by_label("Priorité").fill("7")
    counts["edit"] = _count(
        page, lambda: page.get_by_role("button", name="Enregistrer").click(),
        lambda: expect(page.locator("#ticket-history")).to_contain_text("priority"))

    print("\nrequests per action:", {k: len(v) for k, v in counts.items()})
    for action, requests in counts.items():
        print(action, requests)
    assert {k: len(v) for k, v in counts.items()} == EXPECTED, counts
