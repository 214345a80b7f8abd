"""« Les bases »: the Modifier form saves the fields and moves the ticket to another queue
(issue 9, item 1). Moving needs ModifyTicket here and CreateTicket there, as in RT; the owner
stays only if they may own tickets in the new queue."""
import pytest
from sqlalchemy import select

from rtsuivi.domain import Forbidden, accounts
from rtsuivi.domain import tickets as domain
from rtsuivi.extensions import db
from rtsuivi.models import Ticket, Transaction


def _ticket(ticket_id) -> Ticket:
    db.session.commit()
    db.session.expire_all()
    return db.session.get(Ticket, ticket_id)


def _history(ticket_id):
    db.session.commit()
    return [(t.type, t.field, t.old_value, t.new_value) for t in db.session.scalars(
        select(Transaction).where(Transaction.ticket_id == ticket_id).order_by(Transaction.id))]


@pytest.fixture
def mover(desk, make_user):
    """An agent of Support who may also create tickets in Info (but not own them there)."""
    for right in ("SeeQueue", "CreateTicket"):
        accounts.grant("group:N1", right, desk.info)
    db.session.commit()
    return desk.alice


def test_moving_needs_create_ticket_in_the_target_queue(desk, make_ticket):
    ticket = make_ticket(desk.support)
    with pytest.raises(Forbidden):
        domain.save_basics(ticket, desk.alice, queue=desk.info, subject=ticket.subject)
    db.session.rollback()
    assert _ticket(ticket.id).queue_id == desk.support.id


def test_moving_needs_modify_ticket_in_the_current_queue(desk, make_user, make_ticket):
    creator = make_user("createur", rights=["ShowTicket", "CreateTicket"])
    ticket = make_ticket(desk.support)
    with pytest.raises(Forbidden):
        domain.set_queue(ticket, creator, desk.info)
    db.session.rollback()
    assert _ticket(ticket.id).queue_id == desk.support.id


def test_moving_records_the_queue_change(mover, desk, make_ticket):
    ticket = make_ticket(desk.support)
    domain.save_basics(ticket, mover, queue=desk.info, subject=ticket.subject)
    db.session.commit()
    assert _ticket(ticket.id).queue.name == "Info"
    assert ("Set", "Queue", "Support", "Info") in _history(ticket.id)


def test_owner_who_may_not_own_in_the_new_queue_is_replaced_by_nobody(mover, desk,
                                                                       make_ticket):
    ticket = make_ticket(desk.support)
    domain.take(ticket, desk.bruno)
    domain.set_queue(ticket, mover, desk.info)
    db.session.commit()
    moved = _ticket(ticket.id)
    assert moved.owner.is_nobody
    assert ("Give", "Owner", str(desk.bruno.id), str(moved.owner_id)) in _history(ticket.id)


def test_owner_who_may_own_in_the_new_queue_stays(mover, desk, make_ticket):
    accounts.grant("user:bruno", "OwnTicket", desk.info)
    db.session.commit()
    ticket = make_ticket(desk.support)
    domain.take(ticket, desk.bruno)
    domain.set_queue(ticket, mover, desk.info)
    db.session.commit()
    assert _ticket(ticket.id).owner_id == desk.bruno.id


def test_basics_form_offers_only_queues_where_the_agent_may_create(mover, desk, make_queue,
                                                                   make_ticket, login_as):
    make_queue("Compta", rights={"group:N1": ["SeeQueue"]})
    ticket = make_ticket(desk.support)
    html = login_as(mover).hx_get(f"/tickets/{ticket.id}/edit").plain
    assert '<option selected value="%d">Support</option>' % desk.support.id in html
    assert ">Info</option>" in html
    assert ">Compta</option>" not in html


def test_basics_form_moves_the_ticket_and_answers_the_update_box(mover, desk, make_ticket,
                                                                  login_as):
    accounts.grant("group:N1", "ShowTicket", desk.info)
    db.session.commit()
    ticket = make_ticket(desk.support)
    response = login_as(mover).post(f"/tickets/{ticket.id}/edit", htmx=True, data={
        "subject": "Imprimante en panne (déplacé)", "priority": "0",
        "queue": str(desk.info.id)})
    assert response.status_code == 200
    assert "ticket-people-changed" in response.headers["HX-Trigger"]  # a move resets rights
    moved = _ticket(ticket.id)
    assert moved.queue_id == desk.info.id and moved.subject.endswith("(déplacé)")


def test_modifier_link_fills_the_update_box_instead_of_replacing_it(desk, make_ticket,
                                                                    login_as):
    # The summary box swaps itself outerHTML; a link inside it inherits that swap unless it
    # says otherwise, and would then replace #ticket-update (htmx:targetError afterwards).
    ticket = make_ticket(desk.support)
    html = login_as(desk.alice).get(f"/tickets/{ticket.id}").plain
    link = html[html.index(f'href="/tickets/{ticket.id}/edit"'):]
    link = link[:link.index(">")]
    assert 'hx-target="#ticket-update"' in link and 'hx-swap="innerHTML"' in link


def test_moving_a_ticket_out_of_sight_sends_the_agent_home(mover, desk, make_ticket,
                                                           login_as):
    ticket = make_ticket(desk.support)
    client = login_as(mover)
    response = client.post(f"/tickets/{ticket.id}/edit", htmx=True, data={
        "subject": ticket.subject, "priority": "0", "queue": str(desk.info.id)})
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/accueil"
    assert "déplacé dans la file Info" in client.get("/accueil").plain


def test_a_refusal_answers_into_the_message_area_whatever_the_box_swap(desk, make_ticket,
                                                                       login_as, make_user):
    # The boxes swap themselves outerHTML; a 404 fragment swapped that way into #messages
    # replaced the message area for good (no later message could show).
    ticket = make_ticket(desk.info)
    response = login_as(desk.alice).hx_get(f"/tickets/{ticket.id}/summary")
    assert response.status_code == 404
    assert response.headers["HX-Retarget"] == "#messages"
    assert response.headers["HX-Reswap"] == "innerHTML"
