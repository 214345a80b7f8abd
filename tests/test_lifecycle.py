import re

import pytest

from rtsuivi.domain import lifecycle
from rtsuivi.domain.lifecycle import TransitionRefused


def test_statuses_follow_rt_sets():
    assert lifecycle.INITIAL == ("new",)
    assert set(lifecycle.ACTIVE) == {"new", "open", "stalled"}
    assert set(lifecycle.INACTIVE) == {"resolved", "rejected", "deleted"}


@pytest.mark.parametrize("status, label", [
    ("new", "nouveau"), ("open", "ouvert"), ("stalled", "stagnant"),
    ("resolved", "résolu"), ("rejected", "rejeté"), ("deleted", "effacé")])
def test_statuses_have_the_manuals_french_names(app, status, label):
    with app.test_request_context():
        assert lifecycle.label(status) == label


@pytest.mark.parametrize("old, new, right", [
    ("new", "open", "ModifyTicket"), ("open", "resolved", "ModifyTicket"),
    ("open", "deleted", "DeleteTicket"), ("resolved", "deleted", "DeleteTicket"),
    ("stalled", "rejected", "ModifyTicket")])
def test_each_transition_needs_rts_right(old, new, right):
    assert lifecycle.right_for(old, new) == right


@pytest.mark.parametrize("old, new", [("open", "open"), ("open", "new"), ("open", "bogus")])
def test_refused_transitions(app, old, new):
    with app.test_request_context(), pytest.raises(TransitionRefused):
        lifecycle.check_transition(old, new)


def test_started_set_once_on_leaving_new_and_resolved_on_inactive():
    assert lifecycle.dates_on_change("new", "open") == {"started": "once"}
    assert lifecycle.dates_on_change("new", "resolved") == {"started": "once", "resolved": "set"}
    assert lifecycle.dates_on_change("resolved", "open") == {"resolved": "clear"}
    assert lifecycle.dates_on_change("open", "stalled") == {}


@pytest.mark.parametrize("status, by_requestor, expected", [
    ("new", False, "open"), ("resolved", False, "open"), ("rejected", True, "open"),
    ("deleted", False, "open"), ("open", True, None),
    # RT-suivi differs from RT: a requester's reply un-stalls; staff replies do not.
    ("stalled", True, "open"), ("stalled", False, None)])
def test_reply_reopen_rules(status, by_requestor, expected):
    assert lifecycle.status_after_reply(status, by_requestor) == expected


# ---------------------------------------------------------------- adding a status is data

@pytest.fixture
def on_hold(monkeypatch):
    """A test-only status « attente » and its menu action « Mettre en attente », added the
    way docs/architecture.md says: a change to the lifecycle data, nothing else."""
    monkeypatch.setitem(lifecycle.STATUSES, "onhold",
                        lifecycle.Status("onhold", "active", "attente", "attente", "stalled"))
    for old, targets in list(lifecycle.TRANSITIONS.items()):
        if old not in ("", "onhold"):
            monkeypatch.setitem(lifecycle.TRANSITIONS, old, targets + ("onhold",))
    monkeypatch.setitem(lifecycle.TRANSITIONS, "onhold", ("open", "resolved", "deleted"))
    monkeypatch.setattr(lifecycle, "ACTIONS", lifecycle.ACTIONS + (
        lifecycle.Action("hold", "Mettre en attente", ("open",), "onhold", "comment"),))


def test_an_added_status_reaches_menu_form_ticketsql_and_quick_search(
        on_hold, desk, login_as, make_ticket):
    from sqlalchemy import select

    from rtsuivi.domain import simple_search
    from rtsuivi.domain import tickets as domain
    from rtsuivi.domain.ticketsql import compile_query
    from rtsuivi.extensions import db
    from rtsuivi.models import Ticket
    ticket = make_ticket(desk.support)
    domain.set_status(ticket, desk.alice, "open")
    db.session.commit()
    client = login_as(desk.alice)
    assert "action-hold" in client.get(f"/tickets/{ticket.id}").plain
    form = client.hx_get(f"/tickets/{ticket.id}/update?action=hold").plain
    assert "Mettre en attente — #" in form
    assert re.search(r"<option selected value=\"onhold\">\s*attente", form), form
    response = client.post(f"/tickets/{ticket.id}/update", htmx=True,
                           data={"action": "hold", "kind": "comment", "status": "onhold",
                                 "content": "On attend la pièce."})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == "onhold"
    page = client.get(f"/tickets/{ticket.id}").plain
    assert 'class="status status-stalled">attente' in page  # its colour token
    assert "action-hold" not in page  # offered from open only
    compiled = compile_query("Status = 'attente' AND Status = '__Active__'", desk.alice)
    assert set(db.session.scalars(select(Ticket.id).where(compiled.condition))) == {ticket.id}
    assert "Status = 'onhold'" in simple_search.to_ticketsql("attente")


def test_a_guard_vetoes_a_transition_the_lifecycle_allows(monkeypatch, desk, make_ticket):
    from rtsuivi.domain import tickets as domain

    def no_resolving(ticket, old, new):
        if new == "resolved":
            raise TransitionRefused("un enfant n'est pas résolu")
    monkeypatch.setattr(lifecycle, "GUARDS", [no_resolving])
    ticket = make_ticket(desk.support)
    with pytest.raises(TransitionRefused, match="enfant"):
        domain.set_status(ticket, desk.alice, "resolved")
    assert ticket.status == "new"
    domain.set_status(ticket, desk.alice, "open")


def test_an_added_action_without_message_acts_at_once(monkeypatch, desk, login_as,
                                                      make_ticket):
    """An action with no message kind posts to tickets.act, with its confirmation."""
    monkeypatch.setattr(lifecycle, "ACTIONS", lifecycle.ACTIONS + (
        lifecycle.Action("quickstall", "Mettre de côté", ("new",), "stalled", None,
                         confirm="Vraiment ?"),))
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    menu = client.hx_get(f"/tickets/{ticket.id}/actions").plain
    assert f'hx-post="/tickets/{ticket.id}/act/quickstall"' in menu
    assert 'hx-confirm="Vraiment ?"' in menu
    response = client.post(f"/tickets/{ticket.id}/act/quickstall", htmx=True)
    assert response.status_code == 200 and 'id="ticket-summary"' in response.plain
    assert "stagnant" in response.plain
    assert client.post(f"/tickets/{ticket.id}/act/resolve", htmx=True).status_code == 404
