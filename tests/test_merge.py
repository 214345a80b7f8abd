"""« Fusionner » (issue 14, item 5): A into B, as RT's _MergeInto — watchers, links and time
carried over, histories together, A's number, subject tag and URLs lead to B, searches and
lists show B once; refused into itself, into a merged ticket, without ModifyTicket."""
import pytest
from sqlalchemy import select

from rtsuivi.domain import DomainError, Forbidden, accounts, queries
from rtsuivi.domain import tickets as domain
from rtsuivi.domain.ticketsql import compile_query
from rtsuivi.extensions import db
from rtsuivi.mail.inbound import receive
from rtsuivi.models import Link, Ticket, Transaction


@pytest.fixture
def pair(desk, make_ticket, make_user):
    """A (asked by denise, Cc emile, 15 min worked, depends on C) and B (asked by bruno)."""
    emile = make_user("emile", privileged=False)
    a = make_ticket(desk.support, requestors=[desk.denise], cc=[emile],
                    subject="Imprimante du 2e")
    b = make_ticket(desk.support, requestors=[desk.bruno], subject="Imprimante 2e étage")
    c = make_ticket(desk.support, subject="Commande de toner")
    domain.comment(a, desk.alice, "Regardé le bac.", time_taken=15)
    domain.set_fields(a, desk.alice, time_estimated=60)
    domain.add_link(a, desk.alice, "DependsOn", c.id)
    db.session.commit()
    return a, b, c


def test_merge_carries_watchers_links_and_time(desk, pair):
    a, b, c = pair
    domain.merge(a, desk.alice, b.id)
    db.session.commit()
    assert a.effective_id == b.id and a.status == "resolved"
    assert {(w.user.name, w.role) for w in b.watchers} >= {
        ("denise", "Requestor"), ("emile", "Cc"), ("bruno", "Requestor")}
    assert (b.time_worked, b.time_estimated) == (15, 60)
    assert db.session.scalar(select(Link.base_id).where(Link.type == "DependsOn")) == b.id
    assert db.session.scalar(select(Link.target_id).where(Link.type == "MergedInto",
                                                          Link.base_id == a.id)) == b.id
    merged = db.session.scalars(select(Transaction).where(Transaction.type == "Merge")
                                .order_by(Transaction.id)).all()
    assert {t.ticket_id for t in merged} == {a.id, b.id}
    assert domain.describe(merged[-1]).text() == \
        f"Ticket #{a.id} fusionné dans #{b.id} par Alice Martin"


def test_histories_are_shown_together_on_the_target(desk, pair, login_as):
    a, b, _ = pair
    domain.merge(a, desk.alice, b.id)
    db.session.commit()
    transactions, _ = domain.history(b, desk.alice)
    assert {t.ticket_id for t in transactions} == {a.id, b.id}
    html = login_as(desk.alice).get(f"/tickets/{b.id}").get_data(as_text=True)
    assert "Regardé le bac." in html and f"fusionné dans #{b.id}" in html


def test_the_old_number_url_and_subject_tag_lead_to_the_target(desk, pair, login_as, app):
    a, b, _ = pair
    domain.merge(a, desk.alice, b.id)
    db.session.commit()
    client = login_as(desk.alice)
    assert client.get(f"/tickets/{a.id}").headers["Location"].endswith(f"/tickets/{b.id}")
    assert domain.load_visible(a.id, desk.alice).id == b.id
    raw = (f"From: denise@example.org\r\nTo: support@example.org\r\n"
           f"Subject: Re: [{app.config['RTSUIVI_RTNAME']} #{a.id}] Imprimante du 2e\r\n"
           f"Message-ID: <merged-{a.id}@example.org>\r\n\r\nToujours en panne.\r\n").encode()
    outcome = receive(raw, queue="Support")
    assert outcome.status == "ok" and outcome.ticket_id == b.id


def test_searches_and_lists_show_the_target_once(desk, pair):
    a, b, _ = pair
    domain.merge(a, desk.alice, b.id)
    db.session.commit()
    for query in ("Subject LIKE 'Imprimante'", "Status = 'resolved' OR Status = 'new'",
                  "Requestor = 'denise@example.org'"):
        found = set(db.session.scalars(select(Ticket.id).where(
            compile_query(query, desk.alice).condition)))
        assert a.id not in found, query
    assert b.id in set(db.session.scalars(select(Ticket.id).where(
        compile_query("Subject LIKE 'Imprimante'", desk.alice).condition)))
    listed = [t.id for t in queries.queue_tickets(desk.alice, desk.support, "all").items]
    assert b.id in listed and a.id not in listed
    from rtsuivi.domain import portal
    requests = [t.id for state in ("en-cours", "terminees")
                for t in portal.requests_of(desk.denise, state).items]
    assert requests.count(b.id) == 1 and a.id not in requests


def test_merging_into_itself_is_refused(desk, pair):
    with pytest.raises(DomainError, match="avec lui-même"):
        domain.merge(pair[0], desk.alice, pair[0].id)


def test_merging_into_a_merged_ticket_is_refused(desk, pair):
    a, b, c = pair
    domain.merge(a, desk.alice, b.id)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        domain.merge(c, desk.alice, a.id)
    assert str(refused.value) == f"Le ticket n°{a.id} a déjà été fusionné dans n°{b.id}."
    assert c.effective_id is None


@pytest.mark.parametrize("number", ["999999", "", "deux"])
def test_merging_into_an_unknown_ticket_is_refused(desk, pair, number):
    with pytest.raises(DomainError):
        domain.merge(pair[0], desk.alice, number)
    assert pair[0].effective_id is None


def test_merging_into_an_invisible_ticket_is_refused_as_unknown(desk, pair, make_ticket):
    hidden = make_ticket(desk.info, subject="Secret")
    with pytest.raises(DomainError, match="introuvable"):
        domain.merge(pair[0], desk.alice, hidden.id)


def test_merging_needs_modify_ticket_on_both(desk, pair, make_ticket, make_user):
    a, _, _ = pair
    other = make_ticket(desk.info, subject="Chez N2")

    accounts.grant("user:alice", "ShowTicket", desk.info)
    db.session.commit()
    with pytest.raises(Forbidden):
        domain.merge(a, desk.alice, other.id)
    db.session.rollback()
    assert db.session.get(Ticket, a.id).effective_id is None


def test_the_merge_form_redirects_to_the_target(desk, pair, login_as):
    a, b, _ = pair
    client = login_as(desk.alice)
    answer = client.post(f"/tickets/{a.id}/merge", htmx=True, data={"into": str(b.id)})
    assert answer.headers["HX-Redirect"] == f"/tickets/{b.id}"
    assert db.session.get(Ticket, a.id).effective_id == b.id


def test_the_merge_form_without_htmx_redirects_and_refuses_bad_input(desk, pair, login_as):
    a, b, _ = pair
    client = login_as(desk.alice)
    refused = client.post(f"/tickets/{a.id}/merge", htmx=True, data={"into": str(a.id)})
    assert refused.status_code == 200
    assert "ne peut pas être fusionné avec lui-même" in refused.get_data(as_text=True)
    assert client.post(f"/tickets/{a.id}/merge", data={"into": str(b.id)}).headers[
        "Location"].endswith(f"/tickets/{b.id}")


def test_the_merge_form_answers_403_without_modify_ticket(desk, pair, login_as, make_user):
    reader = make_user("lecteur", rights=("SeeQueue", "ShowTicket"), on=desk.support)
    answer = login_as(reader).post(f"/tickets/{pair[0].id}/merge", htmx=True,
                                   data={"into": str(pair[1].id)})
    assert answer.status_code == 403
    assert db.session.get(Ticket, pair[0].id).effective_id is None


def test_a_merge_that_would_close_a_loop_is_refused(desk, pair):
    a, b, c = pair  # a depends on c
    domain.add_link(c, desk.alice, "DependsOn", b.id)
    db.session.commit()
    with pytest.raises(DomainError, match="boucle"):
        domain.merge(a, desk.alice, b.id)  # b would depend on c, which depends on b
    db.session.rollback()
    assert db.session.get(Ticket, a.id).effective_id is None
    assert db.session.scalar(select(Link.base_id).where(Link.target_id == c.id)) == a.id


def test_a_message_of_the_merged_ticket_can_be_forwarded_from_the_target(desk, pair):
    a, b, _ = pair
    domain.merge(a, desk.alice, b.id)
    db.session.commit()
    first = a.transactions[0]
    sent = domain.forward(b, desk.alice, "compta@example.org", "Pour info", first)
    assert sent.ticket is b and sent.new_value == str(first.id)
