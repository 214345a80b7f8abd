"""The manual's « Relations - Lier des tickets entre eux », in a real browser: a new arrival's
request (the parent) gets two children through « Créer un ticket fils »; the parent cannot
be resolved while they are not (the refusal names them with links); once they are, it can."""
from playwright.sync_api import expect


def _create_child(page, subject: str, queue_id: int) -> int:
    page.locator("#ticket-relations").get_by_role("link", name="Créer un ticket fils").click()
    expect(page.locator("h1")).to_have_text("Nouveau ticket")
    expect(page.get_by_label("Demandeurs")).to_have_value("denise@example.org")
    expect(page.get_by_label("File")).to_have_value(str(queue_id))
    page.get_by_label("Sujet").fill(subject)
    page.get_by_role("button", name="Créer le ticket").click()
    expect(page.locator("h1")).to_contain_text(subject)
    return int(page.url.rstrip("/").rsplit("/", 1)[-1])


def _resolve(page, live_server, ticket_id: int) -> None:
    page.goto(f"{live_server}/tickets/{ticket_id}")
    page.locator("#ticket-actions").get_by_role("link", name="Résoudre").click()
    expect(page.get_by_label("Statut")).to_have_value("resolved")
    page.get_by_role("button", name="Mettre à jour le ticket").click()


def test_parent_waits_for_its_children(desk, make_ticket, log_in, page, live_server, shot):
    parent = make_ticket(desk.support, requestors=[desk.denise],
                         subject="Arrivée de Paul Durand")
    log_in(page, desk.alice)
    page.goto(f"{live_server}/tickets/{parent.id}")
    first = _create_child(page, "Accès à la messagerie pour Paul", desk.support.id)
    expect(page.locator("#ticket-relations")).to_contain_text("Parents")
    expect(page.locator("#ticket-relations")).to_contain_text("Arrivée de Paul Durand")
    page.goto(f"{live_server}/tickets/{parent.id}")
    second = _create_child(page, "Poste de travail pour Paul", desk.support.id)

    page.goto(f"{live_server}/tickets/{parent.id}")
    children = page.locator('#ticket-relations ul[data-side="HasMember"]')
    expect(children).to_contain_text("Accès à la messagerie pour Paul")
    expect(children).to_contain_text("Poste de travail pour Paul")

    # Résoudre le parent: refusé, les fils sont nommés avec un lien.
    _resolve(page, live_server, parent.id)
    refusal = page.locator("#ticket-update")
    expect(refusal).to_contain_text("ses tickets fils ne sont pas tous résolus")
    expect(refusal.locator(f'a[href="/tickets/{first}"]')).to_have_text(f"#{first}")
    expect(refusal.locator(f'a[href="/tickets/{second}"]')).to_have_text(f"#{second}")
    expect(page.locator("#ticket-summary")).to_contain_text("nouveau")
    shot("relations-parent-refused")

    # Résoudre les fils, puis le parent.
    for child in (first, second):
        _resolve(page, live_server, child)
        expect(page.locator("#ticket-summary")).to_contain_text("résolu")
    _resolve(page, live_server, parent.id)
    expect(page.locator("#ticket-summary")).to_contain_text("résolu")
    expect(page.locator("#messages")).to_contain_text("Ticket mis à jour.")
    shot("relations-parent-resolved")
