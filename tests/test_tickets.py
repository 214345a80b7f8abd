"""Every ticket action through the Flask client: fragment with HX-Request, redirect without,
refusal without the right."""
import json
import re

import pytest
from sqlalchemy import select

from rtsuivi.extensions import db
from rtsuivi.models import Ticket, Transaction

from .home_helpers import with_portlets


def _types(ticket_id):
    db.session.commit()
    return [t.type for t in db.session.scalars(
        select(Transaction).where(Transaction.ticket_id == ticket_id).order_by(Transaction.id))]


def _ticket(ticket_id) -> Ticket:
    db.session.commit()  # a new transaction sees what the requests wrote
    db.session.expire_all()
    return db.session.get(Ticket, ticket_id)


# ---------------------------------------------------------------- the page

def test_ticket_page_shows_summary_people_actions_and_history(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise], content="Écran noir")
    html = login_as(desk.alice).get(f"/tickets/{ticket.id}").plain
    for part in ('id="ticket-summary"', 'id="ticket-people"', 'id="ticket-actions"',
                 'id="ticket-history"', "Écran noir", "Denise Garnier", "nouveau",
                 ">Prendre<", ">Répondre<", ">Commenter<", ">Transférer<", ">Résoudre<",
                 ">Rejeter<", ">Affecter<", ">Effacer<", ">Ouvrir<", ">Stagnant<"):
        assert part in html, part
    assert ">Voler<" not in html


def test_ticket_in_a_queue_without_rights_is_404(desk, login_as, make_ticket):
    ticket = make_ticket(desk.info)
    client = login_as(desk.alice)
    assert client.get(f"/tickets/{ticket.id}").status_code == 404
    for block in ("people", "actions", "history", "summary"):
        assert client.hx_get(f"/tickets/{ticket.id}/{block}").status_code == 404
    assert client.post(f"/tickets/{ticket.id}/take", htmx=True).status_code == 404
    assert _ticket(ticket.id).owner.is_nobody


def test_unknown_ticket_is_404(desk, login_as):
    assert login_as(desk.alice).get("/tickets/999999").status_code == 404


@pytest.mark.parametrize("block", ["summary", "people", "actions", "history"])
def test_blocks_are_fragments_with_htmx_and_redirect_without(desk, login_as, make_ticket,
                                                              block):
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    response = client.hx_get(f"/tickets/{ticket.id}/{block}")
    html = response.plain
    assert response.status_code == 200 and "<html" not in html
    assert f'id="ticket-{block}"' in html
    assert client.get(f"/tickets/{ticket.id}/{block}").status_code == 302


# ---------------------------------------------------------------- Prendre / Voler / Affecter

def test_take_with_htmx_answers_people_box_and_announces(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    response = login_as(desk.alice).post(f"/tickets/{ticket.id}/take", htmx=True)
    html = response.plain
    assert response.status_code == 200
    assert 'id="ticket-people"' in html and "Alice Martin" in html and "<html" not in html
    # The people box comes back in the answer; the other parts that changed refresh.
    assert json.loads(response.headers["HX-Trigger"]) == {
        "ticket-basics-changed": True, "ticket-actions-changed": True,
        "ticket-history-changed": True}
    assert _ticket(ticket.id).owner_id == desk.alice.id
    assert _types(ticket.id)[-1] == "Take"


def test_take_without_htmx_redirects_to_ticket(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    response = login_as(desk.alice).post(f"/tickets/{ticket.id}/take")
    assert response.status_code == 302 and response.location.endswith(f"/tickets/{ticket.id}")
    assert _ticket(ticket.id).owner_id == desk.alice.id


def test_take_without_right_is_refused_and_changes_nothing(desk, login_as, make_ticket,
                                                            make_user):
    watcher = make_user("lecteur", rights=["ShowTicket"], on=desk.support)
    ticket = make_ticket(desk.support)
    response = login_as(watcher).post(f"/tickets/{ticket.id}/take", htmx=True)
    assert response.status_code == 403
    assert "Vous n'avez pas le droit OwnTicket" in response.plain and "<html" not in response.plain
    assert _ticket(ticket.id).owner.is_nobody
    assert _types(ticket.id) == ["Create"]


def test_after_take_other_agent_sees_steal_instead_of_take(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    login_as(desk.alice).post(f"/tickets/{ticket.id}/take")
    html = login_as(desk.bruno).get(f"/tickets/{ticket.id}").plain
    assert ">Voler<" in html and ">Prendre<" not in html


def test_take_of_an_owned_ticket_tells_who_took_it(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    login_as(desk.alice).post(f"/tickets/{ticket.id}/take")
    response = login_as(desk.bruno).post(f"/tickets/{ticket.id}/take", htmx=True)
    assert "vient d'être pris par Alice Martin" in response.plain
    assert _ticket(ticket.id).owner_id == desk.alice.id


def test_steal_changes_owner_and_records_previous(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    login_as(desk.alice).post(f"/tickets/{ticket.id}/take")
    response = login_as(desk.bruno).post(f"/tickets/{ticket.id}/steal", htmx=True)
    assert "ticket-people-changed" not in response.headers["HX-Trigger"]  # in the answer
    assert "ticket-actions-changed" in response.headers["HX-Trigger"]
    assert "Aucun message ne lui a été envoyé" in response.plain
    assert _ticket(ticket.id).owner_id == desk.bruno.id
    steal = db.session.scalars(select(Transaction).where(
        Transaction.ticket_id == ticket.id, Transaction.type == "Steal")).one()
    assert steal.old_value == str(desk.alice.id) and steal.new_value == str(desk.bruno.id)
    history = login_as(desk.bruno).hx_get(f"/tickets/{ticket.id}/history").plain
    assert "Volé à" in history and "Alice Martin" in history


def test_steal_without_right_is_refused(desk, login_as, make_ticket, make_user):
    taker = make_user("preneur", rights=["ShowTicket", "OwnTicket", "TakeTicket"], on=desk.support)
    ticket = make_ticket(desk.support)
    login_as(desk.alice).post(f"/tickets/{ticket.id}/take")
    response = login_as(taker).post(f"/tickets/{ticket.id}/steal", htmx=True)
    assert response.status_code == 403 and "Vous n'avez pas le droit" in response.plain
    assert _ticket(ticket.id).owner_id == desk.alice.id


def test_steal_of_unowned_ticket_says_use_take(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    response = login_as(desk.alice).post(f"/tickets/{ticket.id}/steal", htmx=True)
    assert "Prendre" in response.plain
    assert _ticket(ticket.id).owner.is_nobody


def test_give_lists_only_agents_who_may_own_and_assigns(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    form = client.get(f"/tickets/{ticket.id}/give").plain
    assert "Bruno" in form and "Chloé" not in form and "Enregistrer les modifications" in form
    response = client.post(f"/tickets/{ticket.id}/give", data={"owner": desk.bruno.id},
                           htmx=True)
    assert "ticket-people-changed" in response.headers["HX-Trigger"]
    assert _ticket(ticket.id).owner_id == desk.bruno.id
    assert _types(ticket.id)[-1] == "Give"


def test_give_form_does_not_offer_an_agent_without_own_right(desk, login_as, make_ticket):
    # The form's choices stop it; the domain's own refusal: tests/test_refusals.py.
    ticket = make_ticket(desk.support)
    response = login_as(desk.alice).post(f"/tickets/{ticket.id}/give",
                                         data={"owner": desk.chloe.id})
    assert response.status_code == 200  # the form again, with its error
    assert _ticket(ticket.id).owner.is_nobody


def test_give_without_reassign_right_is_403(desk, login_as, make_ticket, make_user):
    helper = make_user("aide", rights=["ShowTicket", "OwnTicket", "TakeTicket"], on=desk.support)
    ticket = make_ticket(desk.support)
    login_as(desk.alice).post(f"/tickets/{ticket.id}/take")
    client = login_as(helper)
    assert client.get(f"/tickets/{ticket.id}/give").status_code == 403
    assert client.post(f"/tickets/{ticket.id}/give",
                       data={"owner": helper.id}).status_code == 403


# ---------------------------------------------------------------- Répondre / Commenter

def test_reply_opens_new_ticket_and_shows_in_history(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    client = login_as(desk.alice)
    form = client.hx_get(f"/tickets/{ticket.id}/update?action=reply").plain
    assert "Mettre à jour le ticket" in form and "<html" not in form
    response = client.post(f"/tickets/{ticket.id}/update", htmx=True, data={
        "action": "reply", "kind": "reply", "status": "", "content": "Nous arrivons."})
    assert response.status_code == 200
    assert set(json.loads(response.headers["HX-Trigger"])) == {
        "ticket-basics-changed", "ticket-actions-changed", "ticket-history-changed"}
    assert "Ticket mis à jour." in response.plain
    assert _ticket(ticket.id).status == "open"
    assert _types(ticket.id) == ["Create", "Correspond", "Status"]
    assert _ticket(ticket.id).told is not None


def test_reply_form_without_htmx_is_a_page_and_post_redirects(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    assert "<html" in client.get(f"/tickets/{ticket.id}/update?action=reply").get_data(
        as_text=True)
    response = client.post(f"/tickets/{ticket.id}/update", data={
        "action": "reply", "kind": "reply", "content": "Bonjour"})
    assert response.status_code == 302


def test_signature_waits_in_the_reply_box(desk, login_as, make_ticket):
    desk.alice.signature = "Alice — poste 4100"
    db.session.commit()
    ticket = make_ticket(desk.support)
    html = login_as(desk.alice).get(f"/tickets/{ticket.id}/update?action=reply").get_data(
        as_text=True)
    assert "Alice — poste 4100" in html


def test_comment_is_hidden_from_requesters(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    login_as(desk.alice).post(f"/tickets/{ticket.id}/update", data={
        "action": "comment", "kind": "comment", "content": "Note interne secrète"})
    assert _types(ticket.id)[-1] == "Comment"
    agent_view = login_as(desk.bruno).get(f"/tickets/{ticket.id}").plain
    assert "Note interne secrète" in agent_view and "Commentaire interne" in agent_view
    requester_view = login_as(desk.denise).get(f"/demandes/{ticket.id}").plain
    assert "Note interne secrète" not in requester_view
    assert "ça ne marche pas" in requester_view


def test_agent_without_show_comments_does_not_see_them(desk, login_as, make_ticket,
                                                        make_user):
    reader = make_user("lecteur", rights=["ShowTicket"], on=desk.support)
    ticket = make_ticket(desk.support)
    login_as(desk.alice).post(f"/tickets/{ticket.id}/update", data={
        "action": "comment", "kind": "comment", "content": "Note interne secrète"})
    html = login_as(reader).get(f"/tickets/{ticket.id}").plain
    assert "Note interne secrète" not in html


def test_empty_reply_is_refused_and_changes_nothing(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    response = login_as(desk.alice).post(f"/tickets/{ticket.id}/update", htmx=True, data={
        "action": "reply", "kind": "reply", "status": "", "content": "   "})
    assert response.status_code == 200
    assert "Écrivez un message" in response.plain
    assert _types(ticket.id) == ["Create"]


def test_reply_without_right_is_refused(desk, login_as, make_ticket, make_user):
    reader = make_user("lecteur", rights=["ShowTicket"], on=desk.support)
    ticket = make_ticket(desk.support)
    response = login_as(reader).post(f"/tickets/{ticket.id}/update", data={
        "action": "reply", "kind": "reply", "content": "Coucou"})
    assert response.status_code == 403
    assert "Vous n'avez pas le droit" in response.plain
    assert _types(ticket.id) == ["Create"]


def test_stale_form_without_csrf_token_changes_nothing(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    response = client.post(f"/tickets/{ticket.id}/update", csrf=False, data={
        "action": "reply", "kind": "reply", "content": "Bonjour"})
    assert response.status_code == 400
    assert "rien n'a été modifié" in response.plain
    response = client.post(f"/tickets/{ticket.id}/take", csrf=False, htmx=True)
    assert response.status_code == 400
    assert _types(ticket.id) == ["Create"] and _ticket(ticket.id).owner.is_nobody


# ---------------------------------------------------------------- statuses

def test_resolve_with_a_comment(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    form = client.get(f"/tickets/{ticket.id}/update?action=resolve").plain
    assert re.search(r'<option selected value="resolved">', form)
    client.post(f"/tickets/{ticket.id}/update", data={
        "action": "resolve", "kind": "comment", "status": "resolved",
        "content": "Réglé en changeant le toner."})
    t = _ticket(ticket.id)
    assert t.status == "resolved" and t.resolved is not None and t.started is not None
    assert _types(ticket.id) == ["Create", "Comment", "Status"]


def test_resolve_by_reply_then_status_field(desk, login_as, make_ticket):
    """The manual's second way: reply and set the status to résolu in one update."""
    ticket = make_ticket(desk.support)
    login_as(desk.alice).post(f"/tickets/{ticket.id}/update", data={
        "action": "reply", "kind": "reply", "status": "resolved", "content": "C'est réglé."})
    assert _ticket(ticket.id).status == "resolved"
    assert _types(ticket.id) == ["Create", "Correspond", "Status"]


def test_reject_without_message(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    login_as(desk.alice).post(f"/tickets/{ticket.id}/update", data={
        "action": "reject", "kind": "reply", "status": "rejected", "content": ""})
    t = _ticket(ticket.id)
    assert t.status == "rejected" and t.resolved is not None
    assert _types(ticket.id) == ["Create", "Status"]


@pytest.mark.parametrize("action, status", [("stall", "stalled"), ("open", "open")])
def test_stall_and_open(desk, login_as, make_ticket, action, status):
    ticket = make_ticket(desk.support)
    login_as(desk.alice).post(f"/tickets/{ticket.id}/update", data={
        "action": action, "kind": "comment", "status": status})
    assert _ticket(ticket.id).status == status


def test_reopen_clears_resolved_date(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    client.post(f"/tickets/{ticket.id}/update", data={"kind": "comment", "status": "resolved"})
    html = client.get(f"/tickets/{ticket.id}").plain
    assert ">Rouvrir<" in html and ">Résoudre<" not in html
    client.post(f"/tickets/{ticket.id}/update", data={
        "action": "reopen", "kind": "comment", "status": "open"})
    t = _ticket(ticket.id)
    assert t.status == "open" and t.resolved is None


def test_update_form_does_not_offer_a_status_the_lifecycle_refuses(desk, login_as, make_ticket):
    # The form's choices stop it; the lifecycle's own refusal: tests/test_refusals.py.
    ticket = make_ticket(desk.support)
    response = login_as(desk.alice).post(f"/tickets/{ticket.id}/update", data={
        "kind": "reply", "status": "new", "content": "Message"})
    assert response.status_code == 200  # "new" is not among the choices: form error
    assert _types(ticket.id) == ["Create"]


def test_update_form_lets_no_status_change_without_modify_right(desk, login_as, make_ticket,
                                                                make_user):
    # The form's choices stop it; the domain's own refusal: tests/test_refusals.py.
    replier = make_user("repondeur", rights=["ShowTicket", "ReplyToTicket"], on=desk.support)
    ticket = make_ticket(desk.support)
    client = login_as(replier)
    html = client.get(f"/tickets/{ticket.id}").plain
    assert ">Répondre<" in html and ">Résoudre<" not in html
    client.post(f"/tickets/{ticket.id}/update", data={
        "kind": "reply", "status": "resolved", "content": "Fini"})
    assert _ticket(ticket.id).status == "new"
    assert _types(ticket.id) == ["Create"]


def test_delete_hides_ticket_from_lists_and_counts(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support, subject="Spam à effacer")
    client = login_as(desk.alice)
    assert "Spam à effacer" in client.get(f"/files/{desk.support.id}").plain
    response = client.post(f"/tickets/{ticket.id}/delete", htmx=True)
    assert 'id="ticket-summary"' in response.plain
    assert _ticket(ticket.id).status == "deleted"
    for url in (f"/files/{desk.support.id}", f"/files/{desk.support.id}?status=all"):
        assert "Spam à effacer" not in client.get(url).plain, url
    assert "Spam à effacer" not in with_portlets(client)  # the home page's portlets


def test_delete_without_right_is_refused(desk, login_as, make_ticket, make_user):
    editor = make_user("editeur", rights=["ShowTicket", "ModifyTicket"], on=desk.support)
    ticket = make_ticket(desk.support)
    response = login_as(editor).post(f"/tickets/{ticket.id}/delete", htmx=True)
    assert response.status_code == 403
    assert "Vous n'avez pas le droit DeleteTicket" in response.plain
    assert _ticket(ticket.id).status == "new"


# ---------------------------------------------------------------- Transférer, edit, people

def test_forward_records_history_entry(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    response = client.post(f"/tickets/{ticket.id}/forward", htmx=True, data={
        "to": "compta@example.org", "content": "Pour vous"})
    assert set(json.loads(response.headers["HX-Trigger"])) == {
        "ticket-basics-changed", "ticket-history-changed"}
    forward = db.session.scalars(select(Transaction).where(
        Transaction.ticket_id == ticket.id, Transaction.type == "Forward")).one()
    assert forward.data == "compta@example.org" and forward.content == "Pour vous"


def test_forward_to_a_bad_address_changes_nothing(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    response = login_as(desk.alice).post(f"/tickets/{ticket.id}/forward", data={
        "to": "pas une adresse", "content": "x"})
    assert "Adresse invalide" in response.plain
    assert _types(ticket.id) == ["Create"]


def test_forward_without_right_is_403(desk, login_as, make_ticket, make_user):
    reader = make_user("lecteur", rights=["ShowTicket"], on=desk.support)
    ticket = make_ticket(desk.support)
    assert login_as(reader).post(f"/tickets/{ticket.id}/forward",
                                 data={"to": "a@example.org"}).status_code == 403


def test_edit_basics_records_each_change(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    assert "Enregistrer les modifications" in client.get(
        f"/tickets/{ticket.id}/edit").plain
    client.post(f"/tickets/{ticket.id}/edit", data={
        "subject": "Imprimante 2e étage", "priority": "50", "due": "2026-12-01T10:00"})
    t = _ticket(ticket.id)
    assert t.subject == "Imprimante 2e étage" and t.priority == 50
    assert t.due.hour == 9  # 10:00 in Paris is 09:00 UTC in winter
    assert _types(ticket.id).count("Set") == 3


def test_edit_with_bad_priority_changes_nothing(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    response = login_as(desk.alice).post(f"/tickets/{ticket.id}/edit", data={
        "subject": "Nouveau sujet", "priority": "beaucoup"})
    assert response.status_code == 200
    assert _ticket(ticket.id).subject == "Imprimante en panne"


def test_add_and_remove_cc(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    response = client.post(f"/tickets/{ticket.id}/people/add", htmx=True,
                           data={"role": "Cc", "person": "nouveau@example.org"})
    assert "nouveau@example.org" in response.plain
    t = _ticket(ticket.id)
    cc = t.people("Cc")[0]
    assert not cc.privileged  # an unknown address becomes a requester account
    response = client.post(f"/tickets/{ticket.id}/people/remove", htmx=True,
                           data={"role": "Cc", "user_id": cc.id})
    assert _ticket(ticket.id).people("Cc") == []
    assert _types(ticket.id)[-2:] == ["AddWatcher", "DelWatcher"]


def test_add_person_with_bad_input_changes_nothing(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    response = login_as(desk.alice).post(f"/tickets/{ticket.id}/people/add", htmx=True,
                                         data={"role": "Cc", "person": "pas-un-email"})
    assert "ni un utilisateur connu" in response.plain
    assert _types(ticket.id) == ["Create"]


# ---------------------------------------------------------------- create

def test_create_ticket_from_the_web(desk, login_as):
    client = login_as(desk.alice)
    form = client.get(f"/tickets/new?queue={desk.support.id}").plain
    assert "Support" in form and "Info" not in form
    response = client.post("/tickets/new", data={
        "queue": desk.support.id, "requestors": "denise, externe@example.org",
        "cc": "bruno", "admin_cc": "", "subject": "Nouvelle imprimante",
        "content": "Merci de commander une imprimante.", "priority": "20", "due": "",
        "owner": desk.alice.id})
    assert response.status_code == 302
    ticket = db.session.scalars(select(Ticket).where(Ticket.subject == "Nouvelle imprimante")).one()
    assert ticket.owner_id == desk.alice.id and ticket.priority == 20
    assert {u.name for u in ticket.requestors} == {"denise", "externe@example.org"}
    assert [u.name for u in ticket.people("Cc")] == ["bruno"]
    assert _types(ticket.id) == ["Create"]


def test_create_form_does_not_offer_a_queue_without_create_right(desk, login_as):
    # The form's choices stop it; the domain's own refusal: tests/test_refusals.py.
    response = login_as(desk.alice).post("/tickets/new", data={
        "queue": desk.info.id, "subject": "Pas ici", "content": "x", "owner": 0})
    assert response.status_code == 200
    assert db.session.scalars(select(Ticket)).all() == []


def test_create_without_subject_shows_error(desk, login_as):
    response = login_as(desk.alice).post("/tickets/new", data={
        "queue": desk.support.id, "subject": "", "content": "x"})
    assert response.status_code == 200 and 'class="error"' in response.plain
    assert db.session.scalars(select(Ticket)).all() == []


def test_a_refusal_announces_nothing(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    response = login_as(desk.alice).post(f"/tickets/{ticket.id}/people/remove", htmx=True,
                                         data={"role": "Cc", "user_id": desk.bruno.id})
    assert response.status_code == 200 and "n'est pas Cc" in response.plain
    assert "HX-Trigger" not in response.headers


def test_a_comment_refreshes_summary_and_history_only(desk, login_as, make_ticket):
    ticket = make_ticket(desk.support)
    response = login_as(desk.alice).post(f"/tickets/{ticket.id}/update", htmx=True, data={
        "action": "comment", "kind": "comment", "status": "", "content": "Noté."})
    assert json.loads(response.headers["HX-Trigger"]) == {
        "ticket-basics-changed": True, "ticket-history-changed": True}


def test_adding_oneself_refreshes_the_menu_too(desk, login_as, make_ticket):
    """Own roles may grant rights (RT's role rights): the menu follows."""
    ticket = make_ticket(desk.support)
    client = login_as(desk.alice)
    other = client.post(f"/tickets/{ticket.id}/people/add", htmx=True,
                        data={"role": "Cc", "person": "bruno"})
    assert "ticket-actions-changed" not in other.headers["HX-Trigger"]
    own = client.post(f"/tickets/{ticket.id}/people/add", htmx=True,
                      data={"role": "AdminCc", "person": "alice"})
    assert "ticket-actions-changed" in own.headers["HX-Trigger"]
    assert "ticket-people-changed" not in own.headers["HX-Trigger"]  # it is the answer
