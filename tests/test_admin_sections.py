"""Administration's menu with « Files », « Droits », « Règles de notification » and
« Courrier »: each user sees the sections their rights open, the Courrier pages keep their
tabs inside the layout and stay SuperUser only."""
import re

import pytest

MAIL_PAGES = ["/admin/courrier/entrant", "/admin/courrier/sortant", "/admin/courrier/modeles",
              "/admin/courrier/modeles/Resolved/fr"]


def _menu(html: str) -> list[str]:
    nav = re.search(r'<nav class="tabs admin-sections"[^>]*>(.*?)</nav>', html, re.S).group(1)
    return [label.strip() for label in re.findall(r">([^<]+)</a>", nav)]


@pytest.mark.parametrize("url", MAIL_PAGES)
def test_the_mail_pages_sit_in_the_layout_with_their_tabs(url, make_user, login_as):
    page = login_as(make_user("root", rights=["SuperUser"])).get(url)
    assert page.status_code == 200
    assert {"Courrier", "Files", "Règles de notification", "Droits"} <= set(
        _menu(page.get_data(as_text=True)))  # other areas add their own sections
    for tab in ("Courriels reçus", "Courriels à envoyer", "Modèles de courriel"):
        assert tab in page.plain
    assert 'aria-current="page">Courrier<' in page.get_data(as_text=True)


def test_a_queue_admin_sees_only_the_sections_of_their_rights(make_user, make_queue,
                                                              login_as):
    queue = make_queue("Support")
    keeper = make_user("gardien", rights=["AdminQueue", "ShowACL"], on=queue)
    client = login_as(keeper)
    page = client.get("/admin/")
    menu = _menu(page.get_data(as_text=True))
    assert "Files" in menu and "Droits" in menu
    assert "Courrier" not in menu and "Règles de notification" not in menu
    for url in MAIL_PAGES:
        assert client.get(url).status_code == 403
    assert client.get("/admin/regles-notification").status_code == 403
