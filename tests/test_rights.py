"""The rights matrix: right x grant path x allowed/refused, on can() and on the SQL filter."""
import pytest
from sqlalchemy import select

from rtsuivi.domain import accounts
from rtsuivi.domain.rights import can, visible_queues_filter, visible_tickets_filter
from rtsuivi.extensions import db
from rtsuivi.models import Queue, Ticket

GRANT_PATHS = ["user", "group", "role-owner", "role-requestor", "role-cc", "role-admincc",
               "global-user", "everyone", "privileged", "superuser"]


def _grant(path, right, user, queue):
    if path == "user":
        accounts.grant(f"user:{user.name}", right, queue)
    elif path == "group":
        accounts.grant("group:Agents", right, queue)
    elif path.startswith("role-"):
        role = {"owner": "Owner", "requestor": "Requestor", "cc": "Cc",
                "admincc": "AdminCc"}[path[5:]]
        accounts.grant(f"role:{role}", right, queue)
    elif path == "global-user":
        accounts.grant(f"user:{user.name}", right)
    elif path == "everyone":
        accounts.grant("system:Everyone", right, queue)
    elif path == "privileged":
        accounts.grant("system:Privileged", right, queue)
    elif path == "superuser":
        accounts.grant(f"user:{user.name}", "SuperUser")
    db.session.commit()


@pytest.fixture
def setup(make_user, make_queue, make_ticket):
    user = make_user("agent", groups=["Agents"])
    other = make_user("autre")
    queue = make_queue("Q")
    elsewhere = make_queue("Ailleurs")
    requester = make_user("req", privileged=False)
    ticket = make_ticket(queue, requestors=[requester])
    other_ticket = make_ticket(elsewhere, requestors=[requester])
    return user, other, queue, elsewhere, ticket, other_ticket


def _hold_role(path, user, ticket):
    from rtsuivi.models import Watcher
    role = path[5:] if path.startswith("role-") else None
    if role == "owner":
        ticket.owner = user
    elif role:
        ticket.watchers.append(Watcher(user=user, role={"requestor": "Requestor", "cc": "Cc",
                                                         "admincc": "AdminCc"}[role]))
    db.session.commit()


@pytest.mark.parametrize("right", ["ShowTicket", "ReplyToTicket", "ModifyTicket", "OwnTicket"])
@pytest.mark.parametrize("path", GRANT_PATHS)
def test_right_granted_by_each_path_is_held(setup, path, right):
    user, other, queue, elsewhere, ticket, other_ticket = setup
    assert not can(user, right, ticket)
    _grant(path, right, user, queue)
    _hold_role(path, user, ticket)
    assert can(user, right, ticket)
    # Granted on one queue (or by a role held on one ticket), never on the other queue...
    global_path = path in ("global-user", "superuser")
    assert can(user, right, other_ticket) is global_path
    # ...and never to a user outside the path (unless it is a system group they belong to).
    assert can(other, right, ticket) is (path in ("everyone", "privileged"))


@pytest.mark.parametrize("path", GRANT_PATHS)
def test_sql_filter_agrees_with_can(setup, path):
    user, other, queue, elsewhere, ticket, other_ticket = setup
    _grant(path, "ShowTicket", user, queue)
    _hold_role(path, user, ticket)
    visible = set(db.session.scalars(select(Ticket.id).where(visible_tickets_filter(user))))
    expected = {t.id for t in (ticket, other_ticket) if can(user, "ShowTicket", t)}
    assert visible == expected
    assert ticket.id in visible


@pytest.mark.parametrize("path", GRANT_PATHS)
def test_sql_filter_narrowed_to_one_queue_agrees_with_the_full_filter(setup, path):
    user, other, queue, elsewhere, ticket, other_ticket = setup
    _grant(path, "ShowTicket", user, queue)
    _hold_role(path, user, ticket)
    for each in (queue, elsewhere):
        in_queue = Ticket.queue_id == each.id
        full = set(db.session.scalars(select(Ticket.id).where(
            in_queue, visible_tickets_filter(user))))
        narrowed = set(db.session.scalars(select(Ticket.id).where(
            in_queue, visible_tickets_filter(user, queue_id=each.id))))
        assert narrowed == full


def test_role_grant_only_applies_to_tickets_where_user_holds_the_role(setup, make_ticket):
    user, other, queue, elsewhere, ticket, other_ticket = setup
    accounts.grant("role:Requestor", "ShowTicket")
    db.session.commit()
    mine = make_ticket(queue, requestors=[user])
    assert can(user, "ShowTicket", mine)
    assert not can(user, "ShowTicket", ticket)
    visible = set(db.session.scalars(select(Ticket.id).where(visible_tickets_filter(user))))
    assert visible == {mine.id}


def test_no_right_means_no_queue_and_no_ticket(setup):
    user, *_ = setup
    assert db.session.scalars(select(Queue).where(visible_queues_filter(user))).all() == []
    assert db.session.scalars(select(Ticket).where(visible_tickets_filter(user))).all() == []


def test_disabled_user_holds_nothing(setup):
    user, other, queue, elsewhere, ticket, other_ticket = setup
    accounts.grant(f"user:{user.name}", "SuperUser")
    user.disabled = True
    db.session.commit()
    assert not can(user, "ShowTicket", ticket)


def test_revoke_removes_the_right(setup):
    user, other, queue, elsewhere, ticket, other_ticket = setup
    accounts.grant(f"user:{user.name}", "ShowTicket", queue)
    assert can(user, "ShowTicket", ticket)
    assert accounts.revoke(f"user:{user.name}", "ShowTicket", queue) == 1
    assert not can(user, "ShowTicket", ticket)


@pytest.mark.parametrize("principal, right", [
    ("user:inconnu", "ShowTicket"), ("group:Inconnu", "ShowTicket"), ("role:Boss", "ShowTicket"),
    ("user:agent", "NoSuchRight"), ("bogus", "ShowTicket")])
def test_bad_grants_are_refused(setup, principal, right):
    from rtsuivi.domain import DomainError
    with pytest.raises(DomainError):
        accounts.grant(principal, right)


def test_system_right_cannot_be_granted_on_a_queue(setup):
    from rtsuivi.domain import DomainError
    user, other, queue, *_ = setup
    with pytest.raises(DomainError):
        accounts.grant("user:agent", "SuperUser", queue)
