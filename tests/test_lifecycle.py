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
