"""`flask rtsuivi user …` and `flask rtsuivi group …` (issue 12, item 6): the same domain
functions as the pages, with --help, clear failures and audit entries."""
import pytest
from sqlalchemy import select

from rtsuivi.domain import accounts
from rtsuivi.extensions import db
from rtsuivi.models import AuditEntry, Group, User


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def run(*args, ok=True):
        result = runner.invoke(args=["rtsuivi", *args])
        assert (result.exit_code == 0) == ok, result.output
        db.session.expire_all()
        return result.output
    return run


def _user(name):
    return db.session.scalar(select(User).where(User.name == name))


def test_every_command_has_help(cli):
    assert "add-member" in cli("group", "--help") and "set-password" in cli("user", "--help")
    for group, command in (("user", "create"), ("user", "edit"), ("user", "disable"),
                           ("user", "enable"), ("user", "set-password"), ("user", "list"),
                           ("group", "create"), ("group", "edit"), ("group", "disable"),
                           ("group", "enable"), ("group", "add-member"),
                           ("group", "remove-member"), ("group", "list")):
        assert "Usage:" in cli(group, command, "--help")


def test_users_are_created_edited_disabled_and_listed(cli):
    assert "User zoe created." in cli("user", "create", "zoe", "--email", "Zoe@Example.org",
                                      "--real-name", "Zoé", "--privileged", "--lang", "en",
                                      "--password", "un-mot-de-passe-long")
    zoe = _user("zoe")
    assert (zoe.email, zoe.privileged, zoe.lang) == ("zoe@example.org", True, "en")
    cli("user", "edit", "zoe", "--timezone", "Europe/Brussels", "--unprivileged")
    zoe = _user("zoe")
    assert (zoe.timezone, zoe.privileged, zoe.real_name) == ("Europe/Brussels", False, "Zoé")
    assert "zoe\tunprivileged\tZoé" in cli("user", "list", "--search", "zo")
    cli("user", "disable", "zoe")
    assert _user("zoe").disabled and "zoe" not in cli("user", "list")
    assert "zoe" in cli("user", "list", "--kind", "disabled")
    cli("user", "enable", "zoe")
    cli("user", "set-password", "zoe", "--password", "encore-un-mot-de-passe")
    assert accounts.authenticate("zoe", "encore-un-mot-de-passe") is not None
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["create", "update", "disable", "enable", "set_password"]
    assert db.session.scalars(select(AuditEntry.actor_id)).all() == [None] * 5


@pytest.mark.parametrize("args, message", [
    (("user", "create", "x", "--timezone", "Mars/Base", "--no-password"), "Fuseau horaire"),
    (("user", "create", "x", "--password", "court"), "au moins 10 caractères"),
    (("user", "edit", "inconnu", "--real-name", "X"), "Utilisateur inconnu : inconnu"),
    (("user", "disable", "Nobody"), "utilisateur du système"),
    (("group", "create", "Everyone"), "existe déjà"),
    (("group", "add-member", "Absent", "Nobody"), "Groupe inconnu : Absent"),
])
def test_failures_say_why_and_change_nothing(cli, args, message):
    assert message in cli(*args, ok=False)
    assert _user("x") is None and db.session.scalars(select(AuditEntry)).all() == []


def test_groups_and_members(cli, make_user):
    make_user("alice")
    cli("group", "create", "N1", "--description", "Accueil")
    cli("group", "add-member", "N1", "alice")
    assert "N1\t1 member(s)\tAccueil" in cli("group", "list")
    assert "déjà membre" in cli("group", "add-member", "N1", "alice", ok=False)
    cli("group", "edit", "N1", "--name", "Support N1")
    cli("group", "disable", "Support N1")
    assert "Support N1" in cli("group", "list", "--disabled")
    cli("group", "enable", "Support N1")
    cli("group", "remove-member", "Support N1", "alice")
    group = db.session.scalar(select(Group))
    assert (group.name, group.description, group.members) == ("Support N1", "Accueil", [])


def test_the_old_commands_still_work(cli):
    cli("create-user", "bob", "--password", "un-mot-de-passe-long")
    cli("create-group", "N2")
    assert "bob is a member of N2." in cli("add-member", "N2", "bob")
