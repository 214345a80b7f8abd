"""`flask rtsuivi queue …`, grant / revoke, export-config / import-config: the same domain
functions as the pages; a configuration round-trips through an empty database."""
import json

import pytest
from sqlalchemy import select

from rtsuivi.domain import accounts, notification_rules, rights, site_config
from rtsuivi.domain import custom_fields as cf
from rtsuivi.domain import queues_admin as admin_queues
from rtsuivi.extensions import db
from rtsuivi.models import ACE, AuditEntry, Group, Queue, QueueWatcher, ScripOff
from tests.conftest import _empty_all_tables


def _run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["rtsuivi", *args], input=input)


@pytest.mark.parametrize("command", [
    ["queue", "--help"], ["queue", "create", "--help"], ["queue", "edit", "--help"],
    ["queue", "watchers", "--help"], ["grant", "--help"], ["revoke", "--help"],
    ["export-config", "--help"], ["import-config", "--help"]])
def test_every_command_has_help(app, command):
    result = _run(app, *command)
    assert result.exit_code == 0 and "Usage:" in result.output


def test_queue_create_edit_disable_enable_list(app):
    result = _run(app, "queue", "create", "Réseau", "--correspond-address", "Reseau@Example.org",
                  "--subject-tag", "NET", "--due-days", "2")
    assert result.exit_code == 0, result.output
    queue = db.session.scalar(select(Queue).where(Queue.name == "Réseau"))
    assert (queue.correspond_address, queue.subject_tag, queue.default_due_days) == \
        ("reseau@example.org", "NET", 2)
    assert _run(app, "queue", "edit", "Réseau", "--description", "Câbles").exit_code == 0
    db.session.refresh(queue)
    assert queue.description == "Câbles" and queue.subject_tag == "NET"
    assert _run(app, "queue", "disable", "Réseau").exit_code == 0
    assert "disabled" in _run(app, "queue", "list").output
    assert _run(app, "queue", "enable", "Réseau").exit_code == 0
    db.session.refresh(queue)
    assert not queue.disabled
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_id == queue.id).order_by(AuditEntry.id)).all()
    assert actions == ["create", "update", "disable", "enable"]


def test_queue_commands_refuse_bad_input_with_the_domain_message(app, make_queue):
    make_queue("Support", correspond_address="support@example.org")
    result = _run(app, "queue", "create", "Autre", "--correspond-address",
                  "support@example.org")
    assert result.exit_code == 1 and "déjà celle de la file Support" in result.output
    result = _run(app, "queue", "edit", "Support", "--subject-tag", "[X]")
    assert result.exit_code == 1 and "Étiquette de sujet invalide" in result.output
    assert _run(app, "queue", "disable", "Absente").exit_code == 1
    assert db.session.scalar(select(db.func.count(Queue.id))) == 1


def test_queue_watchers_are_added_listed_removed(app, make_queue, make_user):
    make_queue("Support")
    make_user("chloe")
    result = _run(app, "queue", "watchers", "Support", "--add", "chloe", "--role", "AdminCc")
    assert result.exit_code == 0 and "AdminCc\tchloe" in result.output
    assert db.session.scalar(select(QueueWatcher.role)) == "AdminCc"
    result = _run(app, "queue", "watchers", "Support", "--remove", "chloe", "--role", "AdminCc")
    assert result.exit_code == 0 and "chloe" not in result.output
    assert _run(app, "queue", "watchers", "Support", "--add", "personne").exit_code == 1


def test_grant_and_revoke_go_through_the_rights_page_rule(app, make_queue, make_user):
    make_queue("Support")
    bob = make_user("bob")
    assert _run(app, "grant", "user:bob", "SeeQueue", "--queue", "Support").exit_code == 0
    assert rights.can(bob, "SeeQueue", db.session.scalar(select(Queue)))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_kind == "right"))
    assert (entry.object_name, entry.action) == ("user:bob", "grant")
    result = _run(app, "grant", "user:bob", "SuperUser", "--queue", "Support")
    assert result.exit_code == 1 and "droit global" in result.output
    result = _run(app, "revoke", "user:bob", "SeeQueue", "--queue", "Support")
    assert result.exit_code == 0 and "Removed 1 grant(s)" in result.output
    assert not rights.can(bob, "SeeQueue", db.session.scalar(select(Queue)))


@pytest.fixture
def configured(desk, make_user):
    accounts.grant("system:Privileged", "ModifySelf")
    admin_queues.update(None, desk.support, admin_queues.QueueFields(
        "Support", "Le support", "support@example.org", "support-comment@example.org", "SUP",
        3))
    admin_queues.add_watcher(None, desk.support, desk.chloe, "AdminCc")
    admin_queues.add_watcher(None, desk.support, desk.denise, "Cc")
    admin_queues.set_disabled(None, desk.info, True)
    notification_rules.switch(None, "On Create Autoreply To Requestors", desk.info, False)
    notification_rules.switch(None, "On Resolve Notify Requestors", None, False)
    admin = make_user("cfadmin", rights=("AdminCustomField",))
    field = cf.create_field(admin, "Catégorie", "select_one", queues=[desk.support],
                            values=["Matériel", "L'accueil", "Réseau"], required=True,
                            for_requesters=True, pattern_message="Choisissez-en une.")
    cf.set_value_disabled(admin, field.values[2], True)
    cf.create_field(admin, "Référence", "freeform", applies_globally=True,
                    pattern=r"^REF-\d+$", description="Numéro de commande")
    db.session.commit()
    return desk


def test_export_empty_database_import_export_gives_the_same_document(app, configured, tmp_path):
    path = tmp_path / "site.json"
    assert _run(app, "export-config", "-o", str(path)).exit_code == 0
    first = path.read_text(encoding="utf-8")
    document = json.loads(first)
    assert {q["name"]: q["subject_tag"] for q in document["queues"]} == {"Info": None,
                                                                          "Support": "SUP"}
    assert {"principal": "group:N1", "right": "OwnTicket", "queue": "Support"} in \
        document["grants"]
    fields = {f["name"]: f for f in document["custom_fields"]}
    assert fields["Catégorie"]["applies_to"] == ["Support"] and fields["Catégorie"]["required"]
    assert [v["name"] for v in fields["Catégorie"]["values"]] == ["Matériel", "L'accueil",
                                                                  "Réseau"]
    assert fields["Catégorie"]["values"][2]["disabled"] and fields["Référence"]["applies_to"] == "*"
    _empty_all_tables()
    assert db.session.scalar(select(db.func.count(ACE.id))) == 0
    result = _run(app, "import-config", str(path))
    assert result.exit_code == 0, result.output
    assert "queues: 2" in result.output
    second = _run(app, "export-config").output
    assert second == first
    again = _run(app, "import-config", str(path))  # idempotent
    assert again.exit_code == 0 and _run(app, "export-config").output == first
    alice = accounts.find_user("alice")
    assert rights.can(alice, "OwnTicket", db.session.scalar(
        select(Queue).where(Queue.name == "Support")))
    rebuilt = cf.field_named("Catégorie")
    assert rebuilt.for_requesters and rebuilt.pattern_message == "Choisissez-en une."


@pytest.mark.parametrize("text, message", [
    ("pas du json", "n'est pas du JSON valable"),
    ('{"format": "autre"}', "n'est pas une configuration RT-suivi"),
    ('{"format": "rtsuivi-config", "version": 9}', "Version de configuration"),
    ('{"format": "rtsuivi-config", "version": 1, "macros": []}', "Section inconnue : macros"),
    ('{"format": "rtsuivi-config", "version": 1, "queues": {}}', "une liste est attendue"),
    ('{"format": "rtsuivi-config", "version": 1, "queues": [{"name": "Neuve"}], "grants": '
     '[{"principal": "group:N1", "right": "Voler", "queue": "Neuve"}]}',
     "droit inconnu ici : Voler"),
    ('{"format": "rtsuivi-config", "version": 1, "queues": [{"name": "Neuve"}], "grants": '
     '[{"principal": "group:Fantôme", "right": "SeeQueue", "queue": "Neuve"}]}',
     "destinataire inconnu : group:Fantôme"),
    ('{"format": "rtsuivi-config", "version": 1, "groups": [{"name": "G", "members": '
     '["personne"]}]}', "utilisateur inconnu : personne"),
    ('{"format": "rtsuivi-config", "version": 1, "queues": [{"name": "Neuve"}], '
     '"custom_fields": [{"name": "X", "type": "couleur"}]}', "type inconnu : couleur"),
    ('{"format": "rtsuivi-config", "version": 1, "queues": [{"name": "Neuve"}], '
     '"custom_fields": [{"name": "X", "applies_to": ["Fantôme"]}]}',
     "file inconnue : Fantôme"),
    ('{"format": "rtsuivi-config", "version": 1, "queues": [{"name": "Neuve"}], '
     '"custom_fields": [{"name": "a{b}"}]}', "accolades"),
    ('{"format": "rtsuivi-config", "version": 1, "queues": [{"name": "Neuve", '
     '"correspond_address": "support@example.org"}]}', "déjà celle de la file Support"),
    ('{"format": "rtsuivi-config", "version": 1, "notification_rules": [{"rule": "X"}]}',
     "règle inconnue : X"),
])
def test_a_bad_file_is_refused_with_a_clear_message_and_changes_nothing(
        app, configured, tmp_path, text, message):
    before = _run(app, "export-config").output
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    result = _run(app, "import-config", str(path))
    assert result.exit_code == 1 and message in result.output, result.output
    assert _run(app, "export-config").output == before
    assert db.session.scalar(select(Queue).where(Queue.name == "Neuve")) is None
    assert db.session.scalar(select(Group).where(Group.name == "G")) is None


def test_dry_run_saves_nothing(app, configured, tmp_path):
    document = site_config.export_document()
    document["queues"].append({"name": "Essai"})
    path = tmp_path / "site.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = _run(app, "import-config", str(path), "--dry-run")
    assert result.exit_code == 0 and "nothing saved" in result.output
    assert db.session.scalar(select(Queue).where(Queue.name == "Essai")) is None
    assert db.session.scalar(select(ScripOff).where(ScripOff.queue_id.is_(None))) is not None
