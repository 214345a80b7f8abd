"""Issue 15 item 3: a dashboard mailed to each subscriber, as they see it, once per period
(through the real SMTP test server; the clock is moved by passing `now`)."""
from datetime import datetime
from email import message_from_bytes
from email.policy import default

import pytest
from sqlalchemy import func, select

from rtsuivi.domain import (
    DomainError,
    Forbidden,
    accounts,
    dashboards,
    layouts,
    saved_searches,
    subscriptions,
)
from rtsuivi.extensions import db
from rtsuivi.mail.sending import send_pending
from rtsuivi.mail.subscriptions import queue_due_subscriptions
from rtsuivi.models import DashboardSubscription, OutboxMail


@pytest.fixture
def board(desk, make_ticket):
    """A dashboard of group « Équipe » (alice: Support, chloe: Info) with one saved search
    of new tickets; a new ticket in each queue."""
    group = accounts.create_group("Équipe")
    for user in (desk.alice, desk.chloe):
        accounts.add_member(group, user)
    for right in ("SeeGroupDashboard", "CreateGroupDashboard", "ModifyGroupDashboard",
                  "SubscribeDashboard", "LoadSavedSearch", "CreateSavedSearch",
                  "ShowSavedSearches"):
        accounts.grant("group:Équipe", right)
    db.session.commit()
    make_ticket(desk.support, subject="Panne Support")
    make_ticket(desk.info, subject="Question Info")
    search = saved_searches.save(desk.alice, "Nouveaux", "group",
                                 saved_searches.SearchSpec("Status = 'new'"),
                                 group_id=group.id)
    found = dashboards.create(desk.alice, "Suivi équipe", "group", group.id)
    layouts.add(desk.alice, found, f"saved_search:{search.id}")
    db.session.commit()
    return found


def _html(raw: bytes) -> str:
    message = message_from_bytes(raw, policy=default)
    return message.get_body(preferencelist=("html",)).get_content()


def test_each_subscriber_gets_their_own_view_once_per_day(desk, board, smtp_server):
    for user in (desk.alice, desk.chloe):
        subscriptions.subscribe(user, board, "daily", hour=8, weekdays=range(7))
    db.session.commit()
    # 07:30 in Paris (06:30 UTC): not yet
    assert queue_due_subscriptions(now=datetime(2026, 12, 1, 6, 30)) == 0
    assert queue_due_subscriptions(now=datetime(2026, 12, 1, 7, 30)) == 2
    assert queue_due_subscriptions(now=datetime(2026, 12, 1, 15, 0)) == 0  # same day: once
    send_pending()
    got = {rcpt[0]: _html(raw) for _, rcpt, raw in smtp_server.messages}
    assert set(got) == {"alice@example.org", "chloe@example.org"}
    assert "Panne Support" in got["alice@example.org"]
    assert "Question Info" not in got["alice@example.org"]
    assert "Question Info" in got["chloe@example.org"]
    assert "Panne Support" not in got["chloe@example.org"]
    assert f"/tableaux/{board.id}" in got["alice@example.org"]
    assert queue_due_subscriptions(now=datetime(2026, 12, 2, 7, 30)) == 2  # the next day


def test_weekly_and_monthly_periods(desk, board):
    weekly = subscriptions.subscribe(desk.alice, board, "weekly", hour=9, weekday=0)
    monthly = subscriptions.subscribe(desk.chloe, board, "monthly", hour=9, day=1)
    db.session.commit()
    paris = lambda *a: datetime(*a)  # noqa: E731  local times, as period() reads them
    assert subscriptions.period(weekly, paris(2026, 11, 30, 9)) == "2026-W49"
    assert subscriptions.period(weekly, paris(2026, 12, 1, 9)) is None
    assert subscriptions.period(monthly, paris(2026, 12, 1, 8)) is None
    assert subscriptions.period(monthly, paris(2026, 12, 1, 10)) == "2026-12"


def test_two_workers_claim_a_period_once(desk, board):
    sub = subscriptions.subscribe(desk.alice, board, "daily", hour=0, weekdays=range(7))
    db.session.commit()
    assert subscriptions.claim(sub.id, "2026-12-01") is True
    assert subscriptions.claim(sub.id, "2026-12-01") is False
    db.session.commit()
    assert queue_due_subscriptions(now=datetime(2026, 12, 1, 12, 0)) == 0


def test_bad_subscriptions_change_nothing(desk, board, make_user):
    for kwargs, message in (({"frequency": "hourly"}, "Fréquence inconnue"),
                            ({"frequency": "daily", "hour": 24}, "invalide"),
                            ({"frequency": "daily", "weekdays": ()}, "au moins un jour"),
                            ({"frequency": "daily", "recipients": "pas une adresse"},
                             "Adresse invalide")):
        with pytest.raises(DomainError, match=message):
            subscriptions.subscribe(desk.alice, board, **kwargs)
        db.session.rollback()
    with pytest.raises(Forbidden):  # not a member: may not see it
        subscriptions.subscribe(desk.bruno, board, "daily")
    assert db.session.scalar(select(func.count(DashboardSubscription.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMail.id))) == 0


def test_a_chart_is_mailed_as_bars_with_its_numbers_as_each_subscriber_sees_it(
        desk, board, smtp_server):
    accounts.grant("group:Équipe", "ShowSearchAdvanced")
    search = saved_searches.save(desk.alice, "Tout", "group", saved_searches.SearchSpec(
        "id > 0"), group_id=board.owner_id)
    layouts.add(desk.alice, board, f"chart:{search.id}:queue")
    db.session.commit()
    for user in (desk.alice, desk.chloe):
        subscriptions.subscribe(user, board, "daily", hour=8, weekdays=range(7))
    db.session.commit()
    assert queue_due_subscriptions(now=datetime(2026, 12, 1, 7, 30)) == 2
    send_pending()
    got = {rcpt[0]: _html(raw) for _, rcpt, raw in smtp_server.messages}
    alice, chloe = got["alice@example.org"], got["chloe@example.org"]
    assert "Tout par file" in alice and 'bgcolor="#3b5bdb"' in alice
    assert ">Support</th>" in alice and ">Info</th>" not in alice
    assert ">Info</th>" in chloe and ">Support</th>" not in chloe
    assert "<svg" not in alice and "<script" not in alice
