"""« Personnaliser la page d'accueil » in a real browser: add a saved search portlet,
reorder by drag and drop (SortableJS) and by the keyboard (« Monter »), reload: kept."""
from playwright.sync_api import expect

from rtsuivi.domain import accounts, saved_searches
from rtsuivi.extensions import db


def _names(page) -> list[str]:
    return page.locator("form.layout-pane").first.locator(".portlet-name").all_inner_texts()


def test_customise_the_home_page(desk, make_ticket, log_in, page, live_server, shot):
    for right in ("LoadSavedSearch", "CreateSavedSearch"):
        accounts.grant("group:N1", right)
    make_ticket(desk.support, subject="Serveur arrêté", priority=90, owner=desk.bruno)
    saved_searches.save(desk.alice, "Urgents", "user",
                        saved_searches.SearchSpec("Priority > 50"))
    db.session.commit()
    log_in(page, desk.alice)
    expect(page.locator(".home-main")).to_contain_text("Mes tickets")  # loaded on its own
    page.get_by_role("link", name="Personnaliser la page d'accueil").click()
    expect(page.locator("h1")).to_have_text("Personnaliser la page d'accueil")

    # Ajouter un portlet « Recherche enregistrée : Urgents » dans la colonne principale
    page.get_by_label("Portlet à ajouter").select_option(label="Recherche enregistrée : Urgents")
    page.get_by_role("button", name="Ajouter").click()
    expect(page.locator("#messages")).to_contain_text("Portlet ajouté.")
    names = _names(page)
    assert names[-1] == "Recherche enregistrée : Urgents", names

    # Glisser-déposer : le nouveau portlet en tête de la colonne
    items = page.locator("form.layout-pane").first.locator(".portlet-item")
    items.last.locator(".drag-handle").drag_to(items.first, target_position={"x": 5, "y": 2})
    expect(page.locator("form.layout-pane").first.locator(".portlet-name").first) \
        .to_have_text("Recherche enregistrée : Urgents")
    expect(page.locator("#messages")).to_contain_text("Ordre enregistré.")

    # Au clavier : « Descendre » le premier, la touche Entrée, le focus reste sur le bouton
    first = page.locator("form.layout-pane").first.locator(".portlet-item").first
    first.get_by_role("button", name="Descendre").focus()
    page.keyboard.press("Enter")
    expect(page.locator("form.layout-pane").first.locator(".portlet-name").nth(1)) \
        .to_have_text("Recherche enregistrée : Urgents")
    expect(page.locator(":focus")).to_have_text("Descendre")
    expected = _names(page)
    shot("home_editor")

    page.reload()
    assert _names(page) == expected
    page.get_by_role("link", name="Retour à l'accueil").click()
    main = page.locator(".home-main")
    expect(main.locator("h2").nth(1)).to_have_text("Urgents")
    expect(main).to_contain_text("Serveur arrêté")
    shot("home_customised")


def test_a_button_swapped_in_works_at_once(desk, log_in, page, live_server):
    """htmx wires new content when it settles: with its default 20 ms settle delay, a click
    on a button just swapped in went past htmx (a full page post, the focus lost: CI saw it).
    With no delay, the next event loop turn already finds the button wired."""
    log_in(page, desk.alice)
    page.goto(f"{live_server}/accueil/personnaliser")
    page.evaluate("""() => {
      window.fullPosts = 0; window.htmxPosts = 0;
      window.addEventListener("beforeunload", () => { window.fullPosts += 1; });
      document.body.addEventListener("htmx:beforeRequest", () => { window.htmxPosts += 1; });
      document.body.addEventListener("htmx:afterSwap", () => {
        if (window.htmxPosts !== 1) return;
        const down = "#dashboard-layout .portlet-item button[formaction$='/descendre']";
        setTimeout(() => document.querySelector(down).click(), 0);
      });
    }""")
    first = _names(page)[0]
    page.get_by_role("button", name="Ajouter").click()
    expect(page.locator("form.layout-pane").first.locator(".portlet-name").nth(1)) \
        .to_have_text(first)  # the second click moved the first portlet down, through htmx
    assert page.evaluate("[window.fullPosts, window.htmxPosts]") == [0, 2]
