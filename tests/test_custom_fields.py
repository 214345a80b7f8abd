"""Custom fields (« Champs personnalisés »): administration, validation, rights, history,
ticket creation, « Les bases », bulk update, quick search."""
import pytest
from sqlalchemy import select

from rtsuivi.domain import DomainError, Forbidden, accounts, audit
from rtsuivi.domain import custom_fields as cf
from rtsuivi.domain import tickets as domain
from rtsuivi.domain.accounts import nobody
from rtsuivi.extensions import db
from rtsuivi.models import AuditEntry, Ticket, TicketCustomFieldValue, User

CF_RIGHTS = ("SeeCustomField", "ModifyCustomField", "SetInitialCustomField")


def _admin(make_user):
    return make_user("cfadmin", rights=("AdminCustomField",))


@pytest.fixture
def fields(desk, make_user):
    """Support's fields: « Catégorie » (select, values Matériel, Logiciel, Réseau),
    « Référence » (freeform, pattern REF-digits), « Étiquettes » (select many), « Date
    d'achat » (date); N1 may see and change them."""
    admin = _admin(make_user)
    for right in CF_RIGHTS:
        accounts.grant("group:N1", right, desk.support)
    cat = cf.create_field(admin, "Catégorie", "select_one", queues=[desk.support],
                          values=["Matériel", "Logiciel", "Réseau"])
    ref = cf.create_field(admin, "Référence", "freeform", queues=[desk.support],
                          pattern=r"^REF-\d+$", pattern_message="Écrivez REF- puis des chiffres.")
    tags = cf.create_field(admin, "Étiquettes", "select_many", applies_globally=True,
                           values=["urgent", "vip", "l'accueil"])
    bought = cf.create_field(admin, "Date d'achat", "date", queues=[desk.support])
    db.session.commit()
    desk.admin, desk.cat, desk.ref, desk.tags, desk.bought = admin, cat, ref, tags, bought
    return desk


# ---------------------------------------------------------------- administration (domain)

def test_create_field_is_audited_and_needs_admin_custom_field(desk, make_user):
    admin = _admin(make_user)
    field = cf.create_field(admin, "Site", "select_one", queues=[desk.support],
                            values=["Paris", "Lyon"])
    db.session.commit()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_kind == "custom_field"))
    assert entry.action == "create" and entry.object_id == field.id
    assert audit.decoded(entry.after)["type"] == "select_one"
    assert [v.name for v in field.values] == ["Paris", "Lyon"]
    with pytest.raises(Forbidden):
        cf.create_field(desk.alice, "Autre", "freeform")


@pytest.mark.parametrize("name, message", [
    ("", "Le nom est obligatoire."),
    ("Catégorie", "existe déjà"),
    ("CATÉGORIE", "existe déjà"),
    ("a{b}", "accolades"),
    ("a, b", "virgule"),
])
def test_create_field_refuses_bad_names(fields, name, message):
    with pytest.raises(DomainError, match=message):
        cf.create_field(fields.admin, name, "freeform")


def test_bad_pattern_is_refused(fields):
    with pytest.raises(DomainError, match="expression régulière"):
        cf.edit_field(fields.admin, fields.ref, pattern="(")


def test_values_are_added_renamed_moved_and_disabled(fields):
    cat, admin = fields.cat, fields.admin
    added = cf.add_value(admin, cat, "Téléphonie")
    cf.move_value(admin, added, -1)
    assert [v.name for v in cat.values] == ["Matériel", "Logiciel", "Téléphonie", "Réseau"]
    cf.rename_value(admin, added, "Téléphone fixe")
    cf.set_value_disabled(admin, cat.values[0], True)
    db.session.commit()
    assert [v.name for v in cat.values] == ["Matériel", "Logiciel", "Téléphone fixe", "Réseau"]
    with pytest.raises(DomainError, match="n'existe pas"):
        cf.validate(cat, "Matériel")
    with pytest.raises(DomainError, match="existe déjà"):
        cf.add_value(admin, cat, "logiciel")
    kinds = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_id == cat.id)).all()
    assert kinds.count("update") >= 3 and "add_value" in kinds


def test_type_of_a_used_field_cannot_change(fields, make_ticket):
    ticket = make_ticket(fields.support)
    cf.set_values(ticket, fields.alice, {fields.cat.id: "Logiciel"})
    with pytest.raises(DomainError, match="type ne peut plus changer"):
        cf.edit_field(fields.admin, fields.cat, type="freeform")


def test_fields_for_follows_queues_and_rights(fields):
    assert [f.name for f in cf.fields_for(fields.support, fields.alice)] == [
        "Catégorie", "Date d'achat", "Référence", "Étiquettes"]
    assert cf.fields_for(fields.support, fields.chloe) == []  # no SeeCustomField
    assert [f.name for f in cf.fields_for(fields.info, fields.alice, None)] == ["Étiquettes"]
    cf.set_disabled(fields.admin, fields.tags, True)
    assert cf.fields_for(fields.info, fields.alice, None) == []


# ---------------------------------------------------------------- validation

@pytest.mark.parametrize("field, raw, expected", [
    ("cat", "logiciel", "Logiciel"),
    ("ref", " REF-42 ", "REF-42"),
    ("bought", "2024-03-01", "2024-03-01"),
    ("bought", "01/03/2024", "2024-03-01"),
    ("tags", ["vip", "urgent", "vip"], "vip, urgent"),
])
def test_validate_accepts_and_normalises(fields, field, raw, expected):
    items = cf.validate(getattr(fields, field), raw)
    assert ", ".join(getattr(i, "name", i) for i in items) == expected


@pytest.mark.parametrize("field, raw, message", [
    ("cat", "Inconnu", "La valeur « Inconnu » n'existe pas pour le champ Catégorie."),
    ("ref", "42", "Écrivez REF- puis des chiffres."),
    ("bought", "hier", "Date attendue pour Date d'achat"),
    ("bought", "2024-02-30", "Date attendue"),
])
def test_validate_refuses_with_a_french_message(fields, field, raw, message):
    with pytest.raises(DomainError, match=message):
        cf.validate(getattr(fields, field), raw)


def test_required_field_needs_a_value(fields):
    cf.edit_field(fields.admin, fields.cat, required=True)
    with pytest.raises(DomainError, match="Le champ Catégorie est obligatoire."):
        cf.validate(fields.cat, "  ")


def test_datetime_is_stored_in_utc(fields):
    when = cf.create_field(fields.admin, "Rendez-vous", "datetime", applies_globally=True)
    assert cf.validate(when, "2024-07-01T10:30", "Europe/Paris") == ["2024-07-01 08:30:00"]


# ---------------------------------------------------------------- ticket values

def test_set_values_records_history_old_to_new(fields, make_ticket):
    ticket = make_ticket(fields.support)
    cf.set_values(ticket, fields.alice, {fields.cat.id: "Matériel"})
    done = cf.set_values(ticket, fields.alice, {fields.cat.id: "Réseau",
                                                fields.ref.id: "REF-7"})
    db.session.commit()
    assert [(t.data, t.old_value, t.new_value) for t in done] == [
        ("Catégorie", "Matériel", "Réseau"), ("Référence", None, "REF-7")]
    again = cf.set_values(ticket, fields.alice, {fields.cat.id: "réseau"})
    assert again == []  # unchanged: nothing recorded
    described = domain.describe(done[0])
    assert (described.field, described.old, described.new) == ("Catégorie", "Matériel", "Réseau")


def test_history_shows_the_change(fields, make_ticket, login_as):
    ticket = make_ticket(fields.support)
    cf.set_values(ticket, fields.alice, {fields.cat.id: "Matériel"})
    cf.set_values(ticket, fields.alice, {fields.cat.id: "Logiciel"})
    db.session.commit()
    page = login_as(fields.alice).get(f"/tickets/{ticket.id}").plain
    assert "Catégorie changé de « Matériel » à « Logiciel » par" in page


def test_select_many_keeps_one_row_per_value(fields, make_ticket):
    ticket = make_ticket(fields.support)
    cf.set_values(ticket, fields.alice, {fields.tags.id: ["vip", "l'accueil"]})
    rows = db.session.scalars(select(TicketCustomFieldValue).where(
        TicketCustomFieldValue.ticket_id == ticket.id)).all()
    assert sorted(r.value.name for r in rows) == ["l'accueil", "vip"]


def test_bad_value_changes_nothing(fields, make_ticket):
    ticket = make_ticket(fields.support)
    with pytest.raises(DomainError):
        cf.set_values(ticket, fields.alice, {fields.cat.id: "Logiciel", fields.ref.id: "x"})
    db.session.rollback()
    assert cf.values_of(ticket) == {}


def test_without_modify_custom_field_values_cannot_be_set(fields, make_ticket, make_user):
    ticket = make_ticket(fields.support)
    viewer = make_user("viewer", rights=("SeeQueue", "ShowTicket", "ModifyTicket",
                                         "SeeCustomField"), on=fields.support)
    with pytest.raises(Forbidden):
        cf.set_values(ticket, viewer, {fields.cat.id: "Logiciel"})


def test_renamed_select_value_keeps_its_tickets(fields, make_ticket):
    ticket = make_ticket(fields.support)
    cf.set_values(ticket, fields.alice, {fields.cat.id: "Matériel"})
    cf.rename_value(fields.admin, fields.cat.values[0], "Matériel informatique")
    db.session.commit()
    assert cf.shown_values(ticket, fields.alice)[0] == (fields.cat, "Matériel informatique")


def test_create_with_fields_validates_before_creating(fields):
    cf.edit_field(fields.admin, fields.cat, required=True)
    new = domain.NewTicket(queue=fields.support, subject="Écran cassé")
    with pytest.raises(DomainError, match="obligatoire"):
        cf.create_with_fields(fields.alice, new, {fields.ref.id: "REF-1"})
    db.session.rollback()
    ticket = cf.create_with_fields(fields.alice, new, {fields.cat.id: "Matériel"})
    assert cf.shown_values(ticket, fields.alice)[0][1] == "Matériel"


def test_requester_sets_only_fields_for_requesters(fields, make_ticket):
    cf.edit_field(fields.admin, fields.cat, for_requesters=True)
    ticket = make_ticket(fields.support, actor=fields.denise)
    cf.apply_on_create(ticket, fields.denise, {fields.cat.id: "Réseau"}, requester=True)
    assert cf.values_of(ticket)[fields.cat.id][0].text == "Réseau"
    with pytest.raises(DomainError, match="inconnu"):
        cf.apply_on_create(ticket, fields.denise, {fields.ref.id: "REF-1"}, requester=True)


def test_export_then_import_rebuilds_the_fields(fields):
    exported = cf.export_section()
    cat = next(item for item in exported if item["name"] == "Catégorie")
    assert cat["applies_to"] == ["Support"] and cat["values"][0] == {
        "name": "Matériel", "disabled": False}
    cat["values"].append({"name": "Imprimantes", "disabled": False})
    cat["description"] = "Ce qui est en cause"
    exported.append({"name": "Nouveau", "type": "text", "applies_to": "*"})
    cf.import_section(exported, fields.admin)
    db.session.commit()
    assert [v.name for v in fields.cat.values][-1] == "Imprimantes"
    assert fields.cat.description == "Ce qui est en cause"
    assert cf.find_by_reference("nouveau").applies_globally
    assert db.session.scalar(select(User).where(User.name == "cfadmin")) is not None


# ---------------------------------------------------------------- administration pages

def test_admin_creates_a_select_field_with_values_and_queues(desk, make_user, login_as):
    client = login_as(_admin(make_user))
    assert "Nouveau champ personnalisé" in client.get("/admin/champs-personnalises").plain
    response = client.post("/admin/champs-personnalises/nouveau", data={
        "name": "Matériel concerné", "type": "select_one", "description": "Quel appareil",
        "required": "y", "sort_order": "1"})
    assert response.status_code == 302
    field = cf.field_named("Matériel concerné")
    assert field.required and field.type == "select_one"
    url = f"/admin/champs-personnalises/{field.id}"
    answer = client.post(f"{url}/valeurs", data={"value-name": "Écran « 24 pouces »"}, htmx=True)
    assert answer.status_code == 200 and "<html" not in answer.plain
    assert 'id="cf-values"' in answer.plain and "Écran « 24 pouces »" in answer.plain
    client.post(f"{url}/valeurs", data={"value-name": "Clavier"}, htmx=True)
    db.session.expire_all()
    first, second = field.values
    assert client.post(f"{url}/valeurs/{second.id}/monter").status_code == 302
    client.post(f"{url}/valeurs/{first.id}/renommer", data={"name": "Écran"}, htmx=True)
    client.post(f"{url}/valeurs/{second.id}/activation", htmx=True)
    client.post(f"{url}/files", data={"queue": [str(desk.support.id)]})
    db.session.expire_all()
    assert [(v.name, v.disabled) for v in field.values] == [("Clavier", True), ("Écran", False)]
    assert field.queue_ids == {desk.support.id} and not field.applies_globally
    page = client.get("/admin/champs-personnalises").plain
    assert "Matériel concerné" in page and "Sélection d'une valeur" in page
    client.post(f"{url}/activation")
    db.session.expire_all()
    assert field.disabled


def test_admin_form_bad_input_shows_the_message_and_changes_nothing(fields, login_as):
    client = login_as(fields.admin)
    response = client.post("/admin/champs-personnalises/nouveau", data={
        "name": "catégorie", "type": "freeform"})
    assert response.status_code == 200
    assert "Un champ personnalisé nommé catégorie existe déjà." in response.plain
    response = client.post(f"/admin/champs-personnalises/{fields.ref.id}", data={
        "name": "Référence", "type": "freeform", "pattern": "(["})
    assert "n'est pas une expression régulière valide" in response.plain
    db.session.expire_all()
    assert fields.ref.pattern == r"^REF-\d+$"
    answer = client.post(f"/admin/champs-personnalises/{fields.cat.id}/valeurs",
                         data={"value-name": "LOGICIEL"}, htmx=True)
    assert "La valeur LOGICIEL existe déjà." in answer.plain
    assert len(fields.cat.values) == 3


def test_admin_pages_are_refused_without_admin_custom_field(fields, login_as):
    client = login_as(fields.alice)
    base = f"/admin/champs-personnalises/{fields.cat.id}"
    value = fields.cat.values[0].id
    for url in ("/admin/champs-personnalises", "/admin/champs-personnalises/nouveau", base):
        assert client.get(url).status_code == 403, url
    for url in (base, f"{base}/files", f"{base}/activation", f"{base}/valeurs",
                f"{base}/valeurs/{value}/monter", f"{base}/valeurs/{value}/renommer"):
        assert client.post(url, data={"name": "x"}).status_code == 403, url
        assert client.post(url, data={"name": "x"}, htmx=True).status_code == 403, url
    db.session.expire_all()
    assert [v.name for v in fields.cat.values] == ["Matériel", "Logiciel", "Réseau"]


# ---------------------------------------------------------------- web: creation and « Les bases »

def _create(client, queue, **extra):
    return client.post("/tickets/new", data={
        "queue": str(queue.id), "subject": "Écran cassé", "owner": str(nobody().id),
        "priority": "0",
        "requestors": "denise", **extra})


def test_creation_form_offers_the_fields_and_stores_the_values(fields, login_as):
    client = login_as(fields.alice)
    page = client.get(f"/tickets/new?queue={fields.support.id}").plain
    assert f'name="cf-{fields.cat.id}"' in page and "Matériel" in page
    response = _create(client, fields.support, **{
        f"cf-{fields.cat.id}": "Réseau", f"cf-{fields.ref.id}": "REF-12",
        f"cf-{fields.tags.id}": ["vip", "l'accueil"], f"cf-{fields.bought.id}": "2024-05-02"})
    assert response.status_code == 302, response.plain[:300]
    ticket_id = int(response.headers["Location"].rsplit("/", 1)[1])
    ticket = domain.load_visible(ticket_id, fields.alice)
    assert dict((f.name, text) for f, text in cf.shown_values(ticket, fields.alice)) == {
        "Catégorie": "Réseau", "Référence": "REF-12", "Étiquettes": "vip, l'accueil",
        "Date d'achat": "2024-05-02"}


@pytest.mark.parametrize("data, message", [
    ({"ref": "12", "cat": "Réseau"}, "Écrivez REF- puis des chiffres."),
    ({"cat": "Inconnue"}, "La valeur « Inconnue » n'existe pas pour le champ Catégorie."),
    ({}, "Le champ Catégorie est obligatoire."),
])
def test_creation_with_a_bad_value_reshows_the_form_and_creates_nothing(
        fields, login_as, data, message):
    cf.edit_field(fields.admin, fields.cat, required=True)
    db.session.commit()
    client = login_as(fields.alice)
    sent = {f"cf-{getattr(fields, key).id}": value for key, value in data.items()}
    response = _create(client, fields.support, **sent)
    assert response.status_code == 200 and message in response.plain
    assert 'value="Écran cassé"' in response.plain  # what was typed is kept
    assert db.session.scalars(select(Ticket)).all() == []
    assert db.session.scalars(select(TicketCustomFieldValue)).all() == []


def test_basics_show_the_values_and_modifier_changes_them(fields, make_ticket, login_as):
    ticket = make_ticket(fields.support)
    cf.set_values(ticket, fields.alice, {fields.cat.id: "Matériel"})
    db.session.commit()
    client = login_as(fields.alice)
    summary = client.hx_get(f"/tickets/{ticket.id}/summary").plain
    assert "Champs personnalisés" in summary and "Matériel" in summary
    assert f"/tickets/{ticket.id}/champs" in summary
    form = client.hx_get(f"/tickets/{ticket.id}/champs")
    assert form.status_code == 200 and "<html" not in form.plain
    assert 'value="Matériel" selected' in form.plain
    answer = client.post(f"/tickets/{ticket.id}/champs", htmx=True, data={
        f"cf-{fields.cat.id}": "Logiciel", f"cf-{fields.ref.id}": "REF-9"})
    assert answer.status_code == 200
    assert "ticket-basics-changed" in answer.headers["HX-Trigger"]
    assert "ticket-history-changed" in answer.headers["HX-Trigger"]
    assert cf.shown_values(ticket, fields.alice)[0][1] == "Logiciel"
    plain = client.post(f"/tickets/{ticket.id}/champs", data={f"cf-{fields.cat.id}": "Réseau"})
    assert plain.status_code == 302


def test_basics_modifier_refuses_bad_input_and_changes_nothing(fields, make_ticket, login_as):
    ticket = make_ticket(fields.support)
    client = login_as(fields.alice)
    answer = client.post(f"/tickets/{ticket.id}/champs", htmx=True, data={
        f"cf-{fields.cat.id}": "Logiciel", f"cf-{fields.bought.id}": "demain"})
    assert answer.status_code == 200
    assert "Date attendue pour Date d'achat (AAAA-MM-JJ ou JJ/MM/AAAA)." in answer.plain
    assert cf.values_of(ticket) == {}


def test_basics_modifier_needs_modify_custom_field(fields, make_ticket, make_user, login_as):
    ticket = make_ticket(fields.support)
    viewer = make_user("viewer", rights=("SeeQueue", "ShowTicket", "ModifyTicket",
                                         "SeeCustomField"), on=fields.support)
    client = login_as(viewer)
    summary = client.hx_get(f"/tickets/{ticket.id}/summary").plain
    assert "Catégorie" in summary and f"/tickets/{ticket.id}/champs" not in summary
    assert client.hx_get(f"/tickets/{ticket.id}/champs").status_code == 403
    response = client.post(f"/tickets/{ticket.id}/champs", htmx=True,
                           data={f"cf-{fields.cat.id}": "Logiciel"})
    assert response.status_code == 403
    assert cf.values_of(ticket) == {}


# ---------------------------------------------------------------- CLI

def test_cli_creates_and_lists_fields_as_an_administrator(app, desk, make_user):
    _admin(make_user)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["rtsuivi", "cf", "create", "Site", "--type", "select_one",
                                 "--queue", "Support", "--value", "Paris", "--value", "Lyon",
                                 "--as", "cfadmin"])
    assert result.exit_code == 0, result.output
    runner.invoke(args=["rtsuivi", "cf", "add-value", "site", "Nantes", "--as", "cfadmin"])
    listed = runner.invoke(args=["rtsuivi", "cf", "list"]).output
    assert "Site: select_one on Support [Paris, Lyon, Nantes]" in listed
    refused = runner.invoke(args=["rtsuivi", "cf", "create", "Autre", "--as", "alice"])
    assert refused.exit_code != 0 and "AdminCustomField" in refused.output
    assert cf.field_named("Autre") is None
