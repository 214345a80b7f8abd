"""Relations between tickets (issue 14, item 1): « Dépend de » / « En dépend », « Parents » /
« Fils », « Se rapporte à » / « Mentionné par »; the resolve guards through every door;
« Créer un ticket fils »; TicketSQL's link fields, as RT's _LinkLimit answers them."""
import pytest
from sqlalchemy import select

from rtsuivi.domain import DomainError, Forbidden, accounts, bulk, query_builder
from rtsuivi.domain import tickets as domain
from rtsuivi.domain.tickets.links import Blocked
from rtsuivi.domain.ticketsql import TicketSQLError, compile_query
from rtsuivi.extensions import db
from rtsuivi.mail.inbound import receive
from rtsuivi.models import Link, Ticket, Transaction


@pytest.fixture
def trio(desk, make_ticket):
    """Three tickets of Support asked by denise: a parent and two others."""
    made = [make_ticket(desk.support, requestors=[desk.denise], subject=subject)
            for subject in ("Arrivée de Paul", "Accès messagerie", "Poste de travail")]
    return made


def _types(ticket):
    return [(t.type, t.field, t.old_value, t.new_value) for t in db.session.scalars(
        select(Transaction).where(Transaction.ticket_id == ticket.id,
                                  Transaction.type.in_(("AddLink", "DeleteLink")))
        .order_by(Transaction.id))]


def _shown(ticket, user):
    return {side.key: [item.id for item in items]
            for side, items in domain.relations(ticket, user) if items}


# ---------------------------------------------------------------- add and remove

def test_a_dependency_shows_on_both_sides_and_in_both_histories(desk, trio):
    a, b, _ = trio
    domain.add_link(a, desk.alice, "DependsOn", b.id)
    db.session.commit()
    assert _shown(a, desk.alice) == {"DependsOn": [b.id]}
    assert _shown(b, desk.alice) == {"DependedOnBy": [a.id]}
    assert _types(a) == [("AddLink", "DependsOn", None, str(b.id))]
    assert _types(b) == [("AddLink", "DependedOnBy", None, str(a.id))]
    txn = db.session.scalars(select(Transaction).where(Transaction.ticket_id == b.id,
                                                       Transaction.type == "AddLink")).one()
    assert domain.describe(txn).text() == \
        f"Relation ajoutée par Alice Martin : En dépend #{a.id}"


def test_children_and_mentions_are_named_as_the_manual_says(desk, trio, login_as):
    parent, child, other = trio
    domain.add_link(parent, desk.alice, "HasMember", child.id)
    domain.add_link(other, desk.alice, "RefersTo", parent.id)
    db.session.commit()
    assert _shown(child, desk.alice) == {"MemberOf": [parent.id]}
    assert _shown(parent, desk.alice) == {"HasMember": [child.id], "ReferredToBy": [other.id]}
    html = login_as(desk.alice).get(f"/tickets/{parent.id}").get_data(as_text=True)
    for label in ("Relations", "Dépend de", "En dépend", "Parents", "Fils", "Se rapporte à",
                  "Mentionné par", "Créer un ticket fils", "Accès messagerie"):
        assert label in html


def test_removing_a_relation_is_recorded_on_both_tickets(desk, trio):
    a, b, _ = trio
    domain.add_link(a, desk.alice, "MemberOf", b.id)
    domain.remove_link(b, desk.alice, "HasMember", a.id)
    db.session.commit()
    assert db.session.scalars(select(Link)).all() == []
    assert _types(a)[-1] == ("DeleteLink", "MemberOf", str(b.id), None)
    assert _types(b)[-1] == ("DeleteLink", "HasMember", str(a.id), None)


@pytest.mark.parametrize("number,message", [
    ("999999", "introuvable"), ("abc", "numéro de ticket"), ("99999999999999", "introuvable"),
])
def test_a_relation_to_an_unknown_ticket_is_refused(desk, trio, number, message):
    with pytest.raises(DomainError) as refused:
        domain.add_link(trio[0], desk.alice, "DependsOn", number)
    assert message in str(refused.value)


def test_a_relation_to_an_invisible_ticket_is_refused_as_unknown(desk, trio, make_ticket):
    hidden = make_ticket(desk.info, subject="Secret RH")
    with pytest.raises(DomainError) as refused:
        domain.add_link(trio[0], desk.alice, "RefersTo", hidden.id)
    assert str(refused.value) == f"Ticket n°{hidden.id} introuvable."


def test_a_ticket_cannot_be_linked_to_itself(desk, trio):
    with pytest.raises(DomainError, match="lui-même"):
        domain.add_link(trio[0], desk.alice, "MemberOf", trio[0].id)


def test_a_loop_of_dependencies_is_refused(desk, trio):
    a, b, c = trio
    domain.add_link(a, desk.alice, "DependsOn", b.id)
    domain.add_link(b, desk.alice, "DependsOn", c.id)
    with pytest.raises(DomainError, match="Boucle refusée"):
        domain.add_link(c, desk.alice, "DependsOn", a.id)
    with pytest.raises(DomainError, match="Boucle refusée"):
        domain.add_link(a, desk.alice, "DependedOnBy", c.id)  # the same loop, other side


def test_a_loop_of_parents_is_refused(desk, trio):
    a, b, _ = trio
    domain.add_link(a, desk.alice, "HasMember", b.id)
    with pytest.raises(DomainError, match="Boucle refusée"):
        domain.add_link(a, desk.alice, "MemberOf", b.id)


def test_the_same_relation_twice_and_an_unknown_kind_are_refused(desk, trio):
    a, b, _ = trio
    domain.add_link(a, desk.alice, "RefersTo", b.id)
    with pytest.raises(DomainError, match="existe déjà"):
        domain.add_link(a, desk.alice, "RefersTo", b.id)
    with pytest.raises(DomainError, match="Type de relation inconnu"):
        domain.add_link(a, desk.alice, "Cousin", b.id)
    with pytest.raises(DomainError, match="n'existe pas"):
        domain.remove_link(a, desk.alice, "DependsOn", b.id)


def test_relating_needs_modify_ticket(desk, trio, make_user):
    reader = make_user("lecteur", rights=("SeeQueue", "ShowTicket"), on=desk.support)
    with pytest.raises(Forbidden):
        domain.add_link(trio[0], reader, "DependsOn", trio[1].id)
    assert db.session.scalars(select(Link)).all() == []


def test_an_invisible_related_ticket_shows_only_its_number(desk, trio, make_ticket, login_as):
    hidden = make_ticket(desk.info, subject="Secret RH")
    db.session.add(Link(base_id=trio[0].id, type="RefersTo", target_id=hidden.id))
    db.session.commit()
    assert [(s.key, [(i.id, i.ticket) for i in items]) for s, items in
            domain.relations(trio[0], desk.alice) if items] == [("RefersTo", [(hidden.id, None)])]
    html = login_as(desk.alice).get(f"/tickets/{trio[0].id}").get_data(as_text=True)
    assert f"#{hidden.id}" in html and "Secret RH" not in html


# ---------------------------------------------------------------- the web box

def test_adding_through_the_box_answers_the_box(desk, trio, login_as):
    a, b, _ = trio
    client = login_as(desk.alice)
    answer = client.post(f"/tickets/{a.id}/relations/add", htmx=True,
                         data={"side": "DependsOn", "number": str(b.id)})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'id="ticket-relations"' in html and "<html" not in html
    assert "Relation ajoutée" in html and "ticket-history-changed" in answer.headers["HX-Trigger"]
    assert db.session.scalar(select(Link.target_id).where(Link.base_id == a.id)) == b.id
    plain = client.post(f"/tickets/{a.id}/relations/remove",
                        data={"side": "DependsOn", "number": str(b.id)})
    assert plain.status_code == 302 and db.session.scalars(select(Link)).all() == []


def test_the_box_refuses_bad_input_and_changes_nothing(desk, trio, login_as):
    client = login_as(desk.alice)
    answer = client.post(f"/tickets/{trio[0].id}/relations/add", htmx=True,
                         data={"side": "DependsOn", "number": str(trio[0].id)})
    assert answer.status_code == 200
    assert "Un ticket ne peut pas être lié à lui-même." in answer.get_data(as_text=True)
    assert "HX-Trigger" not in answer.headers
    assert db.session.scalars(select(Link)).all() == []


def test_the_box_answers_403_without_modify_ticket(desk, trio, login_as, make_user):
    reader = make_user("lecteur", rights=("SeeQueue", "ShowTicket"), on=desk.support)
    answer = login_as(reader).post(f"/tickets/{trio[0].id}/relations/add", htmx=True,
                                   data={"side": "DependsOn", "number": str(trio[1].id)})
    assert answer.status_code == 403
    assert db.session.scalars(select(Link)).all() == []


def test_the_number_field_suggests_tickets_by_subject(desk, trio, login_as):
    client = login_as(desk.alice)
    answer = client.hx_get(f"/tickets/{trio[0].id}/relations/candidates?number=messag")
    assert f'<option value="{trio[1].id}">' in answer.get_data(as_text=True)
    by_number = client.hx_get(f"/tickets/{trio[0].id}/relations/candidates?number={trio[2].id}")
    assert "Poste de travail" in by_number.get_data(as_text=True)
    assert client.get(f"/tickets/{trio[0].id}/relations/candidates?number=x").status_code == 404


# ---------------------------------------------------------------- « Créer un ticket fils »

def test_create_child_prefills_queue_and_requestors(desk, trio, login_as):
    parent = trio[0]
    html = login_as(desk.alice).get(
        f"/tickets/new?queue={desk.support.id}&parent={parent.id}").get_data(as_text=True)
    assert 'value="denise@example.org"' in html
    assert f'name="parent" type="hidden" value="{parent.id}"' in html
    assert f"Ticket fils de n°{parent.id}" in html


def test_create_child_links_it_to_its_parent_at_creation(desk, trio, login_as):
    parent = trio[0]
    client = login_as(desk.alice)
    answer = client.post("/tickets/new", data={
        "queue": desk.support.id, "owner": domain.load_visible(parent.id, desk.alice).owner_id,
        "requestors": "denise@example.org", "subject": "Badge d'accès", "parent": parent.id})
    assert answer.status_code == 302
    child = db.session.scalar(select(Ticket).where(Ticket.subject == "Badge d'accès"))
    assert _shown(parent, desk.alice) == {"HasMember": [child.id]}
    assert [w.user.name for w in child.watchers if w.role == "Requestor"] == ["denise"]


# ---------------------------------------------------------------- the resolve guards

@pytest.fixture
def family(desk, trio):
    """trio[0] is the parent of trio[1]; trio[0] depends on trio[2]."""
    parent, child, needed = trio
    domain.add_link(parent, desk.alice, "HasMember", child.id)
    db.session.commit()
    return parent, child, needed


def test_a_parent_cannot_be_resolved_while_a_child_is_not(desk, family):
    parent, child, _ = family
    with pytest.raises(Blocked) as refused:
        domain.set_status(parent, desk.alice, "resolved")
    assert refused.value.ticket_ids == [child.id] and f"#{child.id}" in str(refused.value)
    domain.set_status(child, desk.alice, "resolved")
    domain.set_status(parent, desk.alice, "resolved")
    assert parent.status == "resolved"


def test_a_ticket_cannot_be_resolved_while_a_dependency_is_not(desk, family):
    parent, child, needed = family
    domain.set_status(child, desk.alice, "resolved")
    domain.add_link(parent, desk.alice, "DependsOn", needed.id)
    with pytest.raises(Blocked, match="dépend de tickets non résolus"):
        domain.set_status(parent, desk.alice, "resolved")
    domain.set_status(needed, desk.alice, "rejected")  # rejected is not unresolved
    domain.set_status(parent, desk.alice, "resolved")


def test_the_update_form_refuses_and_names_the_children_with_links(desk, family, login_as):
    parent, child, _ = family
    client = login_as(desk.alice)
    answer = client.post(f"/tickets/{parent.id}/update", htmx=True, data={
        "action": "resolve", "kind": "comment", "status": "resolved", "content": "Fini."})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert f'<a href="/tickets/{child.id}">#{child.id}</a>' in html
    db.session.expire_all()
    assert db.session.get(Ticket, parent.id).status == "new"
    assert not db.session.scalars(select(Transaction).where(
        Transaction.ticket_id == parent.id, Transaction.type == "Comment")).all()


def test_domain_update_with_status_refuses_before_writing(desk, family):
    parent, _, _ = family
    with pytest.raises(Blocked):
        domain.update(parent, desk.alice, "reply", "C'est fait.", status="resolved")


def test_bulk_update_refuses_the_parent_and_resolves_the_rest(desk, family):
    parent, child, needed = family
    outcomes = bulk.update(desk.alice, [parent.id, needed.id], bulk.Changes(status="resolved"))
    db.session.commit()
    refused = {o.ticket_id: o.refused for o in outcomes}
    assert isinstance(refused[parent.id], Blocked) and refused[needed.id] is None
    assert db.session.get(Ticket, parent.id).status == "new"
    assert db.session.get(Ticket, needed.id).status == "resolved"


def test_bulk_page_names_the_blocking_children_with_links(desk, family, login_as):
    parent, child, _ = family
    accounts.grant("user:alice", "ShowSearchBulkUpdate")
    db.session.commit()
    answer = login_as(desk.alice).post("/recherche/modifier", htmx=True, data={
        "ids": [parent.id], "status": "resolved"})
    html = answer.get_data(as_text=True)
    assert f'<a href="/tickets/{child.id}">#{child.id}</a>' in html, html[:2000]


def test_the_requester_cannot_close_a_blocked_request_from_the_portal(desk, family,
                                                                       login_as):
    """« Clore ma demande » ends as résolu: the same guard refuses it."""
    parent, child, _ = family
    client = login_as(desk.denise)
    answer = client.post(f"/demandes/{parent.id}/close", follow_redirects=True)
    assert "ses tickets fils ne sont pas tous résolus" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Ticket, parent.id).status == "new"


def test_mail_cannot_resolve_a_blocked_parent(desk, family, app):
    """Mail carries no status command today (a reply only reopens): a reply mail with a
    « Status: resolved » line leaves the parent unresolved."""
    parent, _, _ = family
    raw = (f"From: denise@example.org\r\nTo: support@example.org\r\n"
           f"Subject: [{app.config['RTSUIVI_RTNAME']} #{parent.id}] Re: Arrivée de Paul\r\n"
           f"Message-ID: <resolve-{parent.id}@example.org>\r\n\r\n"
           "Status: resolved\r\n\r\nC'est bon pour moi.\r\n").encode()
    assert receive(raw, queue="Support").status == "ok"
    db.session.expire_all()
    assert db.session.get(Ticket, parent.id).status != "resolved"


# ---------------------------------------------------------------- TicketSQL

@pytest.fixture
def linked(desk, make_ticket):
    """A depends on B; C is a child of A; D mentions A; E has no link."""
    made = {name: make_ticket(desk.support, subject=f"Ticket {name}") for name in "ABCDE"}
    domain.add_link(made["A"], desk.alice, "DependsOn", made["B"].id)
    domain.add_link(made["C"], desk.alice, "MemberOf", made["A"].id)
    domain.add_link(made["D"], desk.alice, "RefersTo", made["A"].id)
    db.session.commit()
    return made


def _names(query, linked, user):
    found = set(db.session.scalars(select(Ticket.id).where(
        compile_query(query, user).condition)))
    return "".join(sorted(name for name, t in linked.items() if t.id in found))


@pytest.mark.parametrize("query,expected", [
    ("DependsOn = {B}", "A"), ("DependsOn != {B}", "BCDE"), ("DependsOn IS NULL", "BCDE"),
    ("DependsOn IS NOT NULL", "A"), ("DependedOnBy = {A}", "B"), ("DependsOn = ''", "BCDE"),
    ("MemberOf = {A}", "C"), ("Parent = {A}", "C"), ("HasMember = {C}", "A"),
    ("Members = {C}", "A"), ("Child = {C}", "A"), ("HasMember IS NOT NULL", "A"),
    ("RefersTo = {A}", "D"), ("ReferredToBy = {D}", "A"), ("ReferredToBy IS NULL", "BCDE"),
    ("LinkedTo = {A}", "CD"), ("LinkedFrom = {A}", "B"), ("LinkedTo IS NULL", "BE"),
    ("Linked = {A}", "BCD"), ("Linked IS NULL", "E"), ("Linked != {A}", "AE"),
])
def test_link_fields_answer_as_rt(desk, linked, query, expected):
    query = query.format(**{name: t.id for name, t in linked.items()})
    assert _names(query, linked, desk.alice) == expected


@pytest.mark.parametrize("query", ["DependsOn LIKE 5", "MemberOf > 3", "RefersTo = 'abc'"])
def test_link_fields_refuse_other_operators_and_values(desk, query):
    with pytest.raises(TicketSQLError):
        compile_query(query, desk.alice)


def test_the_query_builder_offers_the_link_fields(desk, login_as):
    for name in ("DependsOn", "DependedOnBy", "MemberOf", "HasMember", "RefersTo",
                 "ReferredToBy", "LinkedTo", "LinkedFrom"):
        assert name in query_builder.FIELD_NAMES
    built = query_builder.from_ticketsql("DependsOn = 5 AND MemberOf IS NULL")
    assert built.to_ticketsql() == "DependsOn = '5' AND MemberOf IS NULL"
    html = login_as(desk.alice).get("/recherche/avancee").get_data(as_text=True)
    assert '<option value="DependsOn" >Dépend de</option>' in html


def test_the_box_alone_is_a_fragment_with_htmx_and_a_redirect_without(desk, trio, login_as,
                                                                       make_ticket):
    client = login_as(desk.alice)
    fragment = client.hx_get(f"/tickets/{trio[0].id}/relations")
    html = fragment.get_data(as_text=True)
    assert 'id="ticket-relations"' in html and "<html" not in html
    assert client.get(f"/tickets/{trio[0].id}/relations").status_code == 302
    hidden = make_ticket(desk.info, subject="Secret RH")
    assert client.hx_get(f"/tickets/{hidden.id}/relations").status_code == 404
