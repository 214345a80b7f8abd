"""Keyboard and drafts on the ticket page (issue 9, item 6), in Chromium."""
from playwright.sync_api import expect


def _menu(page):
    return page.locator("#ticket-actions")


def _focused(page) -> dict:
    return page.evaluate("""() => { const a = document.activeElement;
        return {tag: a.tagName, id: a.id, text: (a.textContent || '').trim().slice(0, 60),
                inMenu: !!a.closest('#ticket-actions'),
                last: (() => { const all = document.querySelectorAll('#ticket-history li.txn');
                               return all.length ? all[all.length - 1].id : ''; })()}; }""")


def test_after_a_reply_focus_is_on_the_new_history_entry(desk, make_ticket, log_in, page,
                                                         live_server):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    log_in(page, desk.alice)
    page.goto(f"{live_server}/tickets/{ticket.id}")
    _menu(page).get_by_role("link", name="Répondre").click()
    page.get_by_label("Message", exact=True).fill("Nous passons cet après-midi.")
    page.get_by_role("button", name="Mettre à jour le ticket").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#ticket-history")).to_contain_text("Nous passons cet après-midi.")
    page.wait_for_function("() => document.activeElement.id.startsWith('txn-')")
    focused = _focused(page)
    # The new message (the status change to « ouvert » comes after it).
    assert "Nous passons cet après-midi." in page.locator(f"#{focused['id']}").inner_text()


def test_after_take_focus_goes_back_to_the_action_menu(desk, make_ticket, log_in, page,
                                                       live_server):
    ticket = make_ticket(desk.support)
    log_in(page, desk.alice)
    page.goto(f"{live_server}/tickets/{ticket.id}")
    _menu(page).get_by_role("button", name="Prendre").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#ticket-people .owner")).to_have_text("Alice Martin")
    expect(_menu(page).get_by_role("button", name="Prendre")).to_have_count(0)
    page.wait_for_timeout(500)  # let every box refresh
    focused = _focused(page)
    assert focused["tag"] != "BODY" and focused["inMenu"], focused


def test_escape_closes_the_open_action_form(desk, make_ticket, log_in, page, live_server):
    ticket = make_ticket(desk.support)
    log_in(page, desk.alice)
    page.goto(f"{live_server}/tickets/{ticket.id}")
    _menu(page).get_by_role("link", name="Commenter").click()
    expect(page.get_by_label("Message", exact=True)).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#ticket-update form")).to_have_count(0)
    expect(_menu(page).get_by_role("link", name="Commenter")).to_be_focused()


def test_a_reply_typed_but_not_sent_survives_a_reload_until_sent(desk, make_ticket, log_in,
                                                                 page, live_server):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    log_in(page, desk.alice)
    page.goto(f"{live_server}/tickets/{ticket.id}")
    _menu(page).get_by_role("link", name="Répondre").click()
    page.get_by_label("Message", exact=True).press_sequentially("Bonjour, le technicien")
    page.reload()
    _menu(page).get_by_role("link", name="Répondre").click()
    message = page.get_by_label("Message", exact=True)
    expect(message).to_have_value("Bonjour, le technicien")
    expect(page.get_by_text("Brouillon non envoyé remis en place.")).to_be_visible()
    # A comment has its own draft: none here.
    page.keyboard.press("Escape")
    _menu(page).get_by_role("link", name="Commenter").click()
    expect(page.get_by_label("Message", exact=True)).to_have_value("")
    page.keyboard.press("Escape")
    # Back to the reply: it is still there; sending it forgets the draft.
    _menu(page).get_by_role("link", name="Répondre").click()
    message = page.get_by_label("Message", exact=True)
    expect(message).to_have_value("Bonjour, le technicien")
    message.press_sequentially(" passe à 14 h.")
    page.get_by_role("button", name="Mettre à jour le ticket").click()
    expect(page.locator("#ticket-history")).to_contain_text("le technicien passe à 14 h.")
    page.reload()
    _menu(page).get_by_role("link", name="Répondre").click()
    expect(page.get_by_label("Message", exact=True)).to_have_value("")


def test_a_draft_can_be_discarded(desk, make_ticket, log_in, page, live_server):
    ticket = make_ticket(desk.support)
    log_in(page, desk.alice)
    page.goto(f"{live_server}/tickets/{ticket.id}")
    _menu(page).get_by_role("link", name="Commenter").click()
    page.get_by_label("Message", exact=True).press_sequentially("Brouillon à jeter")
    page.goto(f"{live_server}/accueil")
    page.go_back()
    _menu(page).get_by_role("link", name="Commenter").click()
    expect(page.get_by_label("Message", exact=True)).to_have_value("Brouillon à jeter")
    page.get_by_role("button", name="Abandonner le brouillon").click()
    expect(page.get_by_label("Message", exact=True)).to_have_value("")
    page.reload()
    _menu(page).get_by_role("link", name="Commenter").click()
    expect(page.get_by_label("Message", exact=True)).to_have_value("")


def test_annuler_closes_the_form_and_drops_its_draft(desk, make_ticket, log_in, page,
                                                    live_server):
    ticket = make_ticket(desk.support)
    log_in(page, desk.alice)
    page.goto(f"{live_server}/tickets/{ticket.id}")
    _menu(page).get_by_role("link", name="Commenter").click()
    page.get_by_label("Message", exact=True).press_sequentially("Pas la peine")
    page.locator("#ticket-update").get_by_role("link", name="Annuler").click()
    expect(page.locator("#ticket-update form")).to_have_count(0)
    _menu(page).get_by_role("link", name="Commenter").click()
    expect(page.get_by_label("Message", exact=True)).to_have_value("")
