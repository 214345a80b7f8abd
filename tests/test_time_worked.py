"""Time worked (issue 14, item 6): minutes with each reply or comment (« Temps passé »)
added to the ticket's total; estimated and remaining time in « Les bases »; shown on the
ticket with the children's time (« dont fils »); TicketSQL's TimeWorked & co follow."""
import pytest
from sqlalchemy import select

from rtsuivi.domain import DomainError
from rtsuivi.domain import tickets as domain
from rtsuivi.domain.ticketsql import compile_query
from rtsuivi.extensions import db
from rtsuivi.models import Ticket, Transaction


@pytest.fixture
def ticket(desk, make_ticket):
    return make_ticket(desk.support, requestors=[desk.denise], subject="Poste lent")


def _found(query, user) -> set[int]:
    return set(db.session.scalars(select(Ticket.id).where(compile_query(query, user).condition)))


def test_minutes_of_replies_and_comments_add_up(desk, ticket):
    domain.reply(ticket, desk.alice, "Je regarde.", time_taken=20)
    domain.comment(ticket, desk.alice, "Disque plein.", time_taken="15")
    db.session.commit()
    assert ticket.time_worked == 35
    assert [t.time_taken for t in db.session.scalars(select(Transaction).where(
        Transaction.ticket_id == ticket.id, Transaction.type.in_(("Correspond", "Comment")))
        .order_by(Transaction.id))] == [20, 15]


def test_the_update_form_records_temps_passe(desk, ticket, login_as):
    client = login_as(desk.alice)
    form = client.get(f"/tickets/{ticket.id}/update?action=comment").get_data(as_text=True)
    assert "Temps passé (minutes)" in form
    answer = client.post(f"/tickets/{ticket.id}/update", htmx=True, data={
        "action": "comment", "kind": "comment", "content": "Nettoyage.", "time_taken": "25"})
    assert answer.status_code == 200
    assert db.session.get(Ticket, ticket.id).time_worked == 25
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert '<dd id="time-worked">25 min' in page


@pytest.mark.parametrize("minutes", ["-5", "abc", "1000000"])
def test_bad_minutes_are_refused_and_change_nothing(desk, ticket, minutes):
    with pytest.raises(DomainError, match="nombre de minutes"):
        domain.comment(ticket, desk.alice, "Essai.", time_taken=minutes)
    db.session.rollback()
    assert db.session.get(Ticket, ticket.id).time_worked == 0


def test_estimated_and_remaining_time_are_edited_in_les_bases(desk, ticket, login_as):
    client = login_as(desk.alice)
    form = client.get(f"/tickets/{ticket.id}/edit").get_data(as_text=True)
    assert "Temps estimé (minutes)" in form and "Temps restant (minutes)" in form
    answer = client.post(f"/tickets/{ticket.id}/edit", htmx=True, data={
        "subject": ticket.subject, "queue": desk.support.id, "priority": 0,
        "time_estimated": "120", "time_left": "90"})
    assert answer.status_code == 200
    saved = db.session.get(Ticket, ticket.id)
    assert (saved.time_estimated, saved.time_left) == (120, 90)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "estimé 120 min" in page and "restant 90 min" in page
    assert {t.field for t in saved.transactions if t.type == "Set"} == {
        "time_estimated", "time_left"}


def test_the_parent_shows_its_time_with_its_children(desk, ticket, make_ticket, login_as):
    child = make_ticket(desk.support, subject="Sauvegarde")
    grandchild = make_ticket(desk.support, subject="Disque externe")
    domain.add_link(child, desk.alice, "MemberOf", ticket.id)
    domain.add_link(grandchild, desk.alice, "MemberOf", child.id)
    domain.comment(ticket, desk.alice, "Diagnostic.", time_taken=10)
    domain.comment(child, desk.alice, "Copie.", time_taken=30)
    domain.comment(grandchild, desk.alice, "Achat.", time_taken=5)
    db.session.commit()
    assert domain.children_time(ticket) == 35
    page = login_as(desk.alice).get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert '<dd id="time-worked">45 min (dont fils : 35 min)' in page


def test_ticketsql_time_fields_follow_the_recorded_time(desk, ticket, make_ticket):
    idle = make_ticket(desk.support, subject="Rien fait")
    domain.comment(ticket, desk.alice, "Une heure.", time_taken=60)
    domain.set_fields(ticket, desk.alice, time_estimated=90, time_left=30)
    db.session.commit()
    assert _found("TimeWorked > 59", desk.alice) == {ticket.id}
    assert _found("TimeWorked = 0", desk.alice) == {idle.id}
    assert _found("TimeEstimated = 90 AND TimeLeft < 31", desk.alice) == {ticket.id}
    assert _found("TimeWorked < TimeEstimated", desk.alice) == {ticket.id}


def test_the_links_are_read_once_and_again_after_a_write(desk, ticket, make_ticket):
    """links.ticket_links: the summary's « dont fils » and the relations box share one read
    of the ticket's links; a link added in the same session is seen at once (a flush
    forgets what was read), and so is one added by another session after a commit."""
    from rtsuivi.domain.tickets.links import ticket_links
    child = make_ticket(desk.support, subject="Sauvegarde")
    domain.comment(child, desk.alice, "Copie.", time_taken=30)
    db.session.commit()
    assert ticket_links(ticket) == [] and domain.children_time(ticket) == 0
    first = ticket_links(ticket)
    assert ticket_links(ticket) is first  # read once
    domain.add_link(child, desk.alice, "MemberOf", ticket.id)  # flushes
    assert domain.children_time(ticket) == 30
    assert [(link.base_id, link.type) for link in ticket_links(ticket)] == [(child.id, "MemberOf")]
    assert [item.id for side, items in domain.relations(ticket, desk.alice)
            for item in items if side.key == "HasMember"] == [child.id]
    db.session.commit()
    assert ticket_links(ticket) is not first
