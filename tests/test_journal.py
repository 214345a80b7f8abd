"""« Journal » (issue 12): SuperUsers read every administrative change, newest first,
filtered by kind of object and by author, with the fields before → after."""
import pytest

from rtsuivi.domain import Forbidden, groups_admin, journal, people_admin
from rtsuivi.extensions import db


@pytest.fixture
def changes(make_user):
    root = make_user("root", rights=["SuperUser"])
    gerant = make_user("gerant", rights=["AdminUsers", "AdminGroups"])
    zoe = people_admin.create(gerant, {"name": "zoe", "real_name": "Zoé"})
    people_admin.update(root, zoe, {"name": "zoe", "real_name": "Zoé Perrin"})
    group = groups_admin.create(root, "N1")
    groups_admin.add_member(gerant, group, zoe)
    db.session.commit()
    return type("Changes", (), {"root": root, "gerant": gerant})


def test_the_journal_lists_changes_newest_first_with_before_and_after(changes, login_as):
    page = login_as(changes.root).get("/admin/journal").plain
    assert page.index("membre ajouté") < page.index("création")  # newest first
    assert "Zoé → Zoé Perrin" in page and "utilisateur zoe" in page and "groupe N1" in page
    assert "nom réel</span> : Zoé → Zoé Perrin" in page and "désactivé</span> : — → non" in page
    assert "4 modifications" in page


def test_the_journal_filters_by_kind_and_author(changes, login_as):
    client = login_as(changes.root)
    by_kind = client.get("/admin/journal?kind=group").plain
    assert "groupe N1" in by_kind and "utilisateur zoe" not in by_kind
    by_author = client.get(f"/admin/journal?actor={changes.gerant.id}").plain
    assert "2 modifications" in by_author and "Zoé Perrin" not in by_author
    assert '<option value="group" selected>' in by_kind
    lines = journal.read(changes.root, "user", changes.root.id).items
    assert [(line.entry.action, line.changes) for line in lines] == [
        ("update", [("real_name", "Zoé", "Zoé Perrin")])]


def test_the_journal_pages(changes):
    first = journal.read(changes.root, per_page=3)
    second = journal.read(changes.root, page=2, per_page=3)
    assert first.pages == 2 and len(first.items) == 3 and len(second.items) == 1
    assert first.items[0].entry.id > second.items[0].entry.id


@pytest.mark.parametrize("htmx", [False, True])
def test_the_journal_is_for_superusers_only(changes, login_as, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    assert login_as(changes.gerant).get("/admin/journal", headers=headers).status_code == 403
    with pytest.raises(Forbidden):
        journal.read(changes.gerant)
    assert "Journal" not in login_as(changes.gerant).get("/admin/").plain
