"""Refusals proven where the rule lives (issue 11, item 6).

Four web tests of tests/test_tickets.py post a value the form's choices already leave out,
so WTForms answers before the domain runs and the rule they name is never reached:
give to an agent without OwnTicket, a status the lifecycle refuses, a status change
without ModifyTicket, a ticket created in a queue without CreateTicket. Here each rule is
called directly and must raise; the web page then says why (the form's own error).
"""
import pytest
from sqlalchemy import func, select

from rtsuivi.domain import DomainError, Forbidden
from rtsuivi.domain import tickets as domain
from rtsuivi.domain.lifecycle import TransitionRefused
from rtsuivi.extensions import db
from rtsuivi.models import Ticket, Transaction


def _history(ticket) -> list[str]:
    return list(db.session.scalars(select(Transaction.type).where(
        Transaction.ticket_id == ticket.id).order_by(Transaction.id)))


def test_give_to_an_agent_without_own_ticket_is_refused_by_the_domain(desk, make_ticket):
    ticket = make_ticket(desk.support)
    with pytest.raises(DomainError, match="ne peut pas être intervenant"):
        domain.give(ticket, desk.alice, desk.chloe)  # chloe: no OwnTicket on Support
    db.session.rollback()
    assert db.session.get(Ticket, ticket.id).owner.is_nobody and _history(ticket) == ["Create"]


@pytest.mark.parametrize("start,target", [("new", "new"), ("open", "new"), ("open", "open"),
                                          ("open", "ouvert")])
def test_the_lifecycle_refuses_a_transition(desk, make_ticket, start, target):
    ticket = make_ticket(desk.support, status=start)
    db.session.commit()
    with pytest.raises(TransitionRefused):
        domain.set_status(ticket, desk.alice, target)
    db.session.rollback()
    assert db.session.get(Ticket, ticket.id).status == start


def test_status_change_without_modify_ticket_is_forbidden_by_the_domain(desk, make_ticket,
                                                                        make_user):
    replier = make_user("repondeur", rights=["ShowTicket", "ReplyToTicket"], on=desk.support)
    ticket = make_ticket(desk.support)
    with pytest.raises(Forbidden):
        domain.set_status(ticket, replier, "resolved")
    db.session.rollback()
    assert db.session.get(Ticket, ticket.id).status == "new"


def test_create_in_a_queue_without_create_ticket_is_forbidden_by_the_domain(desk):
    with pytest.raises(Forbidden):
        domain.create(desk.alice, domain.NewTicket(queue=desk.info, subject="Pas ici",
                                                   content="x"))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_the_give_page_refuses_an_owner_it_never_offered_as_a_form_error(desk, login_as,
                                                                         make_ticket):
    """The page's refusal is the form's (« N'est pas un choix valide »), not the rule's."""
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    page = client.get(f"/tickets/{ticket.id}/give").plain
    assert f'value="{desk.chloe.id}"' not in page  # never offered
    response = client.post(f"/tickets/{ticket.id}/give", data={"owner": desk.chloe.id})
    assert response.status_code == 200 and 'id="owner-error"' in response.plain
    assert "choix valide" in response.plain
    assert db.session.get(Ticket, ticket.id).owner.is_nobody
