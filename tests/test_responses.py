"""« Les réponses prédéfinies »: managed by holders of AdminCannedResponses (global or per
queue, SuperUser too, audited), refused when empty or with an unknown placeholder; offered in
the reply and comment box (the ticket's queue and global ones, the agent's language first,
searched by name), inserted filled for the ticket as plain text (never evaluated), still
editable; « Créer à partir de ce message » only from messages one may read."""
import pytest
from sqlalchemy import select

from rtsuivi.domain import DomainError, Forbidden, accounts, responses
from rtsuivi.domain import tickets as ticket_domain
from rtsuivi.extensions import db
from rtsuivi.models import AuditEntry, CannedResponse


@pytest.fixture
def admin(desk, make_user):
    """alice's colleague Hugo manages the responses of Support only."""
    return make_user("hugo", real_name="Hugo Roux", rights=("AdminCannedResponses",),
                     on=desk.support)


def _responses():
    db.session.commit()
    return list(db.session.scalars(select(CannedResponse).order_by(CannedResponse.id)))


def _make(name="Accusé", text="Bonjour {{demandeur}}, ticket {{numero}}.", queue=None,
          lang="fr", category="Accueil"):
    superuser = accounts.find_user("RT_System")
    if not responses.may_manage(superuser, None):
        accounts.grant("user:RT_System", "SuperUser")
    response = responses.save(superuser, None, name, category, lang, text, queue)
    db.session.commit()
    return response


# ---------------------------------------------------------------- the domain rules

def test_placeholders_are_replaced_by_plain_text(desk, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise], subject="Écran {{agent}}")
    response = _make(text="Bonjour {{demandeur}},\n#{{ numero }} « {{sujet}} » ({{file}})"
                          "\n{{agent}} {% if 1 %}x{% endif %}", lang="fr")
    assert responses.fill(response, ticket, desk.alice) == (
        f"Bonjour Denise Garnier,\n#{ticket.id} « Écran {{{{agent}}}} » (Support)"
        "\nAlice Martin {% if 1 %}x{% endif %}")


def test_an_unknown_placeholder_is_refused_when_saving(desk, admin):
    with pytest.raises(DomainError, match=r"La variable \{\{client\}\} n'existe pas"):
        responses.save(admin, None, "Mauvais", "", "fr", "Bonjour {{client}}", desk.support)
    db.session.rollback()
    assert _responses() == []


def test_an_empty_response_is_refused(desk, admin):
    with pytest.raises(DomainError, match="Le texte de la réponse est vide."):
        responses.save(admin, None, "Vide", "", "fr", "  \n ", desk.support)
    with pytest.raises(DomainError, match="nom"):
        responses.save(admin, None, " ", "", "fr", "Bonjour", desk.support)


def test_a_queue_right_manages_that_queue_only_and_global_needs_a_global_right(desk, admin):
    responses.save(admin, None, "Support", "", "fr", "Texte", desk.support)
    with pytest.raises(Forbidden):
        responses.save(admin, None, "Info", "", "fr", "Texte", desk.info)
    with pytest.raises(Forbidden):
        responses.save(admin, None, "Globale", "", "fr", "Texte", None)
    with pytest.raises(Forbidden):
        responses.save(desk.alice, None, "Agent", "", "fr", "Texte", desk.support)


def test_each_change_is_audited(desk, admin):
    response = responses.save(admin, None, "Relance", "Suivi", "fr", "Texte", desk.support)
    responses.save(admin, response, "Relance", "Suivi", "en", "Text", desk.support)
    responses.delete(admin, response)
    db.session.commit()
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_kind == "canned_response").order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert all(e.actor_id == admin.id for e in entries) and '"en"' in entries[1].after


def test_offered_on_a_ticket_queue_and_global_ones_my_language_first(desk, make_ticket):
    ticket = make_ticket(desk.support)
    _make("B global en", lang="en", category="A")
    _make("C support fr", queue=desk.support, category="Z")
    _make("A info", queue=desk.info)
    _make("D global fr", category="B")
    names = [r.name for r in responses.for_ticket(ticket, desk.alice)]
    assert names == ["D global fr", "C support fr", "B global en"]
    desk.alice.lang = "en"
    assert [r.name for r in responses.for_ticket(ticket, desk.alice)][0] == "B global en"
    assert [r.name for r in responses.for_ticket(ticket, desk.alice, "suPPort")] == \
        ["C support fr"]
    assert responses.for_ticket(ticket, desk.alice, "100%") == []


def test_insertion_goes_above_the_signature():
    assert responses.insert_into("Bonjour,\n\n-- \nAlice", "Texte") == \
        "Bonjour,\n\nTexte\n\n-- \nAlice"
    assert responses.insert_into("", "Texte") == "Texte"
    assert responses.insert_into("\n\n-- \nAlice", "Texte") == "Texte\n\n-- \nAlice"


# ---------------------------------------------------------------- administration pages

def test_admin_creates_lists_by_category_edits_and_deletes(desk, admin, login_as):
    client = login_as(admin)
    assert 'href="/admin/"' in client.get("/accueil").plain  # « Administration »
    assert 'href="/admin/reponses"' in client.get("/admin/").plain
    assert 'href="/admin/reponses" aria-current="page"' in client.get("/admin/reponses").plain
    form = client.get("/admin/reponses/nouvelle").plain
    assert "Toutes les files" not in form and ">Support<" in form and ">Info<" not in form
    response = client.post("/admin/reponses/nouvelle", data={
        "name": "Relance", "category": "Suivi", "lang": "fr", "queue": desk.support.id,
        "text": "Bonjour {{demandeur}}, avez-vous du nouveau ?"})
    assert response.status_code == 302
    [saved] = _responses()
    listing = client.get("/admin/reponses").plain
    assert "Suivi" in listing and "Relance" in listing
    client.post(f"/admin/reponses/{saved.id}", data={
        "name": "Relance 2", "category": "Suivi", "lang": "en", "queue": desk.support.id,
        "text": "Hello {{demandeur}}"})
    assert [(r.name, r.lang) for r in _responses()] == [("Relance 2", "en")]
    assert client.post(f"/admin/reponses/{saved.id}/supprimer").status_code == 302
    assert _responses() == []


def test_admin_form_shows_the_refusals_and_saves_nothing(desk, admin, login_as):
    client = login_as(admin)
    unknown = client.post("/admin/reponses/nouvelle", data={
        "name": "X", "category": "", "lang": "fr", "queue": desk.support.id,
        "text": "Bonjour {{prenom}}"})
    assert unknown.status_code == 200 and "La variable {{prenom}} n'existe pas" in unknown.plain
    empty = client.post("/admin/reponses/nouvelle", data={
        "name": "X", "category": "", "lang": "fr", "queue": desk.support.id, "text": ""})
    assert "Le texte de la réponse est vide." in empty.plain
    assert _responses() == []


def test_admin_pages_are_403_without_the_right(desk, login_as):
    client = login_as(desk.alice)
    assert client.get("/admin/reponses").status_code == 403
    assert client.get("/admin/reponses/nouvelle").status_code == 403


def test_a_queue_admin_cannot_touch_a_global_response(desk, admin, login_as):
    response = _make("Globale")
    client = login_as(admin)
    assert client.post(f"/admin/reponses/{response.id}/supprimer").status_code == 403
    assert "Globale" not in client.get("/admin/reponses").plain
    assert len(_responses()) == 1


def test_superuser_manages_global_responses(desk, make_user, login_as):
    boss = make_user("boss", rights=("SuperUser",))
    client = login_as(boss)
    assert "Toutes les files" in client.get("/admin/reponses/nouvelle").plain
    client.post("/admin/reponses/nouvelle", data={
        "name": "Pour tous", "category": "", "lang": "fr", "queue": 0, "text": "Texte"})
    assert [(r.name, r.queue_id) for r in _responses()] == [("Pour tous", None)]


# ---------------------------------------------------------------- in the reply box

def test_update_form_offers_the_responses(desk, make_ticket, login_as):
    ticket = make_ticket(desk.support)
    _make("Accusé")
    _make("Autre file", queue=desk.info)
    html = login_as(desk.alice).get(f"/tickets/{ticket.id}/update?action=reply").plain
    assert "Réponses prédéfinies" in html and "Accusé" in html and "Autre file" not in html


def test_insert_with_htmx_answers_the_message_box_filled(desk, make_ticket, login_as):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    response = _make()
    answer = login_as(desk.alice).post(
        f"/tickets/{ticket.id}/responses/{response.id}/insert", htmx=True,
        data={"action": "reply", "kind": "reply", "status": "", "content": "Déjà écrit"})
    assert answer.status_code == 200 and "<html" not in answer.plain
    assert 'id="message-box"' in answer.plain
    assert f"Déjà écrit\n\nBonjour Denise Garnier, ticket {ticket.id}." in answer.plain


def test_insert_without_htmx_gives_the_whole_form_back(desk, make_ticket, login_as):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    response = _make()
    page = login_as(desk.alice).post(
        f"/tickets/{ticket.id}/responses/{response.id}/insert",
        data={"action": "comment", "kind": "comment", "status": "", "content": ""})
    assert page.status_code == 200 and "<html" in page.plain
    assert "Mettre à jour le ticket" in page.plain
    assert f"Bonjour Denise Garnier, ticket {ticket.id}." in page.plain


def test_insert_needs_the_right_to_write_on_the_ticket(desk, make_ticket, make_user,
                                                       login_as):
    ticket = make_ticket(desk.support)
    response = _make()
    reader = make_user("lecteur", rights=("ShowTicket",), on=desk.support)
    client = login_as(reader)
    refused = client.post(f"/tickets/{ticket.id}/responses/{response.id}/insert", htmx=True,
                          data={"content": ""})
    assert refused.status_code == 403
    assert client.get(f"/tickets/{ticket.id}/responses?q=A",
                      headers={"HX-Request": "true"}).status_code == 403


def test_a_response_of_another_queue_cannot_be_inserted(desk, make_ticket, login_as):
    ticket = make_ticket(desk.support)
    other = _make(queue=desk.info)
    response = login_as(desk.alice).post(
        f"/tickets/{ticket.id}/responses/{other.id}/insert", htmx=True, data={"content": ""})
    assert response.status_code == 404


def test_search_as_you_type_answers_the_list(desk, make_ticket, login_as):
    ticket = make_ticket(desk.support)
    _make("Accusé de réception")
    _make("Clôture")
    client = login_as(desk.alice)
    found = client.hx_get(f"/tickets/{ticket.id}/responses?q=récep")
    assert found.status_code == 200 and 'id="response-list"' in found.plain
    assert "Accusé de réception" in found.plain and "Clôture" not in found.plain
    assert "<html" not in found.plain
    plain = client.get(f"/tickets/{ticket.id}/responses?q=x&action=comment")
    assert plain.status_code == 302
    assert plain.headers["Location"] == f"/tickets/{ticket.id}/update?action=comment"


# ---------------------------------------------------------------- from a history entry

def test_create_from_a_message_prefills_the_text(desk, make_ticket, admin, login_as):
    accounts.grant("user:hugo", "ShowTicket", desk.support)
    db.session.commit()
    ticket = make_ticket(desk.support, content="Merci de redémarrer le poste.")
    client = login_as(admin)
    assert "Créer à partir de ce message" in client.get(f"/tickets/{ticket.id}").plain
    create = ticket.transactions[0]
    form = client.get(f"/admin/reponses/nouvelle?transaction={create.id}").plain
    assert "Merci de redémarrer le poste." in form


def test_create_from_a_message_one_may_not_read_is_404(desk, make_ticket, admin, login_as):
    ticket = make_ticket(desk.support)
    txn = ticket_domain.comment(ticket, desk.alice, "Secret interne")
    db.session.commit()
    response = login_as(admin).get(f"/admin/reponses/nouvelle?transaction={txn.id}")
    assert response.status_code == 404 and "Secret interne" not in response.plain


def test_agents_without_the_right_see_no_create_link(desk, make_ticket, login_as):
    ticket = make_ticket(desk.support)
    assert "Créer à partir de ce message" not in \
        login_as(desk.alice).get(f"/tickets/{ticket.id}").plain


def test_the_demo_offers_predefined_responses(app):
    from rtsuivi.demo import load_demo
    with app.test_request_context():
        load_demo("demo-password-1", progress=lambda m: None, tickets_per_queue=1)
        db.session.commit()
        assert {(r.name, r.lang) for r in _responses()} >= {
            ("Accusé de réception", "fr"), ("Acknowledgement", "en")}
