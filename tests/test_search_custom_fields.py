"""Quick search finds a ticket by a custom field value only where the user may see the
values (SeeCustomField), on both full-text backends: never for a user who sees the ticket
without them, never for a requester they are hidden from, never a disabled field's."""
import os

import pytest

from rtsuivi import search
from rtsuivi.domain import accounts, queries
from rtsuivi.domain import custom_fields as cf
from rtsuivi.domain.simple_search import to_ticketsql
from rtsuivi.domain.tickets import add_watcher
from rtsuivi.domain.ticketsql import compile_query
from rtsuivi.extensions import db


@pytest.fixture(params=["whoosh", "postgresql"])
def backend(request, app, tmp_path):
    if request.param == "postgresql" and not os.environ.get(
            "RTSUIVI_TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("the PostgreSQL full-text backend needs PostgreSQL (./test runs it)")
    app.config.update(RTSUIVI_INDEX_DIR=str(tmp_path / "index"), RTSUIVI_INDEX_MODE="inline",
                      RTSUIVI_INDEX_LOCK_TIMEOUT=0.5, RTSUIVI_SEARCH_BACKEND=request.param)
    yield request.param
    app.config["RTSUIVI_SEARCH_BACKEND"] = "whoosh"


@pytest.fixture
def valued(backend, desk, make_user, make_ticket):
    """Two Support tickets whose « Référence » holds « Orchidée », one a requester's; the
    agents of N1 (alice) may see the values, a mere viewer may not."""
    boss = make_user("patron", rights=["SuperUser"])
    accounts.grant("group:N1", "SeeCustomField", desk.support)
    field = cf.create_field(boss, "Référence", "freeform", applies_globally=True)
    db.session.commit()
    mine = make_ticket(desk.support, requestors=[desk.denise], subject="Poste lent",
                       content="Mon poste est lent")
    other = make_ticket(desk.support, subject="Écran noir", content="Écran noir ce matin")
    cf.set_values(mine, boss, {field.id: "Orchidée 42"})
    cf.set_values(other, boss, {field.id: "Orchidée bleue"})
    db.session.commit()
    desk.boss, desk.field, desk.mine, desk.other = boss, field, mine, other
    return desk


def find(words, user) -> set[int]:
    return search.search(words, user).ids


def quick_search(words, user) -> tuple[set[int], int]:
    """What the quick search lists (every page) and the count it shows."""
    compiled = compile_query(to_ticketsql(words), user, fulltext=lambda w, statuses=None:
                             search.search(w, user, statuses))
    page = queries.search_tickets(compiled.condition, [("id", "asc")], 1, 10_000)
    return {t.id for t in page.items}, page.total


def test_with_see_custom_field_a_value_finds_its_tickets(valued):
    both = {valued.mine.id, valued.other.id}
    assert quick_search("orchidée", valued.alice) == (both, 2)
    assert quick_search("orchidée lent", valued.alice) == ({valued.mine.id}, 1)
    assert quick_search('"orchidée bleue"', valued.alice) == ({valued.other.id}, 1)


def test_without_see_custom_field_a_value_finds_nothing(valued, make_user):
    viewer = make_user("viewer", rights=["ShowTicket", "SeeQueue"], on=valued.support)
    assert quick_search("orchidée", viewer) == (set(), 0)
    assert quick_search("orchidée lent", viewer) == (set(), 0)  # not with a public word
    assert quick_search('"orchidée bleue"', viewer) == (set(), 0)
    assert quick_search("orch*", viewer) == (set(), 0)
    assert quick_search("lent", viewer) == ({valued.mine.id}, 1)  # the ticket is visible


def test_see_custom_field_through_a_role_applies_to_that_ticket_only(valued, make_user):
    viewer = make_user("viewer", rights=["ShowTicket", "SeeQueue"], on=valued.support)
    accounts.grant("role:AdminCc", "SeeCustomField", valued.support)
    add_watcher(valued.other, valued.boss, "AdminCc", viewer)
    db.session.commit()
    assert quick_search("orchidée", viewer) == ({valued.other.id}, 1)
    assert quick_search("orchidée noir", viewer) == ({valued.other.id}, 1)
    assert quick_search("orchidée lent", viewer) == (set(), 0)


def test_requester_never_finds_a_value_hidden_from_them(valued):
    assert quick_search("lent", valued.denise) == ({valued.mine.id}, 1)
    assert quick_search("orchidée", valued.denise) == (set(), 0)
    assert quick_search("orchidée lent", valued.denise) == (set(), 0)
    accounts.grant("role:Requestor", "SeeCustomField", valued.support)  # now shown to them
    db.session.commit()
    assert quick_search("orchidée lent", valued.denise) == ({valued.mine.id}, 1)
    assert quick_search("orchidée", valued.denise) == ({valued.mine.id}, 1)


def test_a_disabled_field_is_found_by_nobody(valued):
    both = {valued.mine.id, valued.other.id}
    cf.set_disabled(valued.boss, valued.field, True)
    db.session.commit()
    assert quick_search("orchidée", valued.boss) == (set(), 0)
    cf.set_disabled(valued.boss, valued.field, False)
    db.session.commit()
    assert quick_search("orchidée", valued.boss) == (both, 2)
