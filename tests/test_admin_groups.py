"""« Groupes » (issue 12): list, create, rename, describe, disable (its grants stop
applying), members by search as you type, rights at a glance, refusals, audit."""
import json

import pytest
from sqlalchemy import select

from rtsuivi.domain import DomainError, Forbidden, groups_admin, rights
from rtsuivi.extensions import db
from rtsuivi.models import AuditEntry, Group, Ticket, User
from tests.conftest import AGENT_RIGHTS


@pytest.fixture
def admin(make_user):
    return make_user("gerant", rights=["AdminGroups"])


def _group(name):
    db.session.expire_all()
    return db.session.scalar(select(Group).where(Group.name == name))


def _actions():
    return [(e.action, e.object_name, json.loads(e.before or "{}"), json.loads(e.after or "{}"))
            for e in db.session.scalars(select(AuditEntry).where(
                AuditEntry.object_kind == "group").order_by(AuditEntry.id))]


def test_create_rename_describe_and_search(admin, login_as):
    client = login_as(admin)
    assert client.post("/admin/groupes/nouveau",
                       data={"name": "Support N1", "description": "Accueil"}).status_code == 302
    group = _group("Support N1")
    response = client.post(f"/admin/groupes/{group.id}",
                           data={"name": "Support niveau 1", "description": "Premier niveau"})
    assert response.status_code == 302
    assert _group("Support niveau 1").description == "Premier niveau"
    found = client.hx_get("/admin/groupes?q=niveau")
    assert found.status_code == 200 and "<html" not in found.plain
    assert "Support niveau 1" in found.plain and 'id="group-list"' in found.plain
    assert "Aucun groupe ne correspond." in client.get("/admin/groupes?q=zzz").plain
    assert [a[0] for a in _actions()] == ["create", "update"]
    assert _actions()[1][2:] == ({"name": "Support N1", "description": "Accueil"},
                                 {"name": "Support niveau 1", "description": "Premier niveau"})


@pytest.mark.parametrize("name, message", [
    ("", "Le nom du groupe est obligatoire"), ("Existant", "Le groupe Existant existe déjà."),
    ("Everyone", "Le groupe Everyone existe déjà.")])
def test_bad_group_names_are_refused(admin, login_as, name, message):
    groups_admin.create(None, "Existant")
    db.session.commit()
    client = login_as(admin)
    response = client.post("/admin/groupes/nouveau", data={"name": name})
    assert response.status_code == 200 and message in response.plain
    other = groups_admin.create(None, "Autre")
    db.session.commit()
    renamed = client.post(f"/admin/groupes/{other.id}", data={"name": name})
    assert message in renamed.plain and _group("Autre") is not None


def test_members_are_found_added_and_removed(admin, make_user, login_as):
    make_user("zoe", real_name="Zoé Perrin")
    make_user("marc", real_name="Marc Durand")
    group = groups_admin.create(None, "N1")
    db.session.commit()
    client = login_as(admin)
    found = client.hx_get(f"/admin/groupes/{group.id}/candidats?q=perr")
    assert found.status_code == 200 and "<html" not in found.plain
    assert "Zoé Perrin" in found.plain and "Marc" not in found.plain
    assert client.get(f"/admin/groupes/{group.id}/candidats?q=perr").status_code == 302
    assert "Ajouter zoe" in client.get(f"/admin/groupes/{group.id}?q=perr").plain  # no JS
    zoe = db.session.scalar(select(User).where(User.name == "zoe"))
    added = client.post(f"/admin/groupes/{group.id}/membres", data={"user_id": zoe.id},
                        htmx=True)
    assert 'id="group-members"' in added.plain and "Zoé Perrin" in added.plain
    assert "group-members-changed" in added.headers["HX-Trigger"]
    assert [u.name for u in _group("N1").members] == ["zoe"]
    assert "Zoé" not in client.hx_get(f"/admin/groupes/{group.id}/candidats?q=perr").plain
    twice = client.post(f"/admin/groupes/{group.id}/membres", data={"user_id": zoe.id},
                        htmx=True)
    assert "déjà membre" in twice.plain and "HX-Trigger" not in twice.headers
    removed = client.post(f"/admin/groupes/{group.id}/membres/{zoe.id}/retirer")
    assert removed.status_code == 302 and _group("N1").members == []
    assert [a[0] for a in _actions()][-2:] == ["add_member", "remove_member"]
    assert _actions()[-1][2] == {"member": "zoe"}


def test_system_users_cannot_join_a_group(admin):
    group = groups_admin.create(None, "N1")
    nobody = db.session.scalar(select(User).where(User.name == "Nobody"))
    with pytest.raises(DomainError, match="utilisateur du système"):
        groups_admin.add_member(admin, group, nobody)


def test_a_disabled_groups_grants_stop_applying(admin, make_user, make_queue, make_ticket,
                                                login_as):
    alice = make_user("alice", groups=["N1"])
    queue = make_queue("Support", rights={"group:N1": AGENT_RIGHTS})
    ticket = make_ticket(queue)
    group = _group("N1")
    assert rights.can(alice, "ShowTicket", ticket)
    assert alice in rights.users_with_right("OwnTicket", queue)
    client = login_as(admin)
    answer = client.post(f"/admin/groupes/{group.id}/etat", data={"disabled": "1"}, htmx=True)
    assert 'id="group-state"' in answer.plain and "Réactiver" in answer.plain
    alice = db.session.get(User, alice.id)
    assert not rights.can(alice, "ShowTicket", ticket)
    assert db.session.scalars(select(Ticket).where(
        rights.visible_tickets_filter(alice))).all() == []
    assert alice not in rights.users_with_right("OwnTicket", queue)
    assert "N1" in client.get("/admin/groupes?disabled=1").plain
    assert client.post(f"/admin/groupes/{group.id}/etat",
                       data={"disabled": "0"}).status_code == 302
    assert rights.can(db.session.get(User, alice.id), "ShowTicket", ticket)
    assert [a[0] for a in _actions()] == ["disable", "enable"]


def test_the_group_page_shows_its_rights(admin, make_user, make_queue, login_as):
    make_user("alice", groups=["N1"])
    make_queue("Support", rights={"group:N1": ["OwnTicket"]})
    groups_admin.create(None, "Vide")
    db.session.commit()
    from rtsuivi.domain import accounts
    accounts.grant("group:N1", "ShowSearchAdvanced")
    db.session.commit()
    page = login_as(admin).get(f"/admin/groupes/{_group('N1').id}").plain
    assert "OwnTicket" in page and "Support" in page and "ShowSearchAdvanced" in page
    assert groups_admin.rights_of_group(_group("N1"))[0] == groups_admin.Grant(
        "ShowSearchAdvanced", None)
    assert "Aucun droit accordé" in login_as(admin).get(
        f"/admin/groupes/{_group('Vide').id}").plain


@pytest.mark.parametrize("htmx", [False, True])
def test_every_group_url_is_refused_without_the_right(make_user, login_as, htmx):
    agent = make_user("agent", rights=["AdminUsers"])
    target = make_user("cible")
    group = groups_admin.create(None, "N1")
    db.session.commit()
    headers = {"HX-Request": "true"} if htmx else {}
    client = login_as(agent)
    for url in ("/admin/groupes", "/admin/groupes?q=n", "/admin/groupes/nouveau",
                f"/admin/groupes/{group.id}", f"/admin/groupes/{group.id}/candidats?q=c"):
        assert client.get(url, headers=headers).status_code == 403, url
    for url in ("/admin/groupes/nouveau", f"/admin/groupes/{group.id}",
                f"/admin/groupes/{group.id}/etat", f"/admin/groupes/{group.id}/membres",
                f"/admin/groupes/{group.id}/membres/{target.id}/retirer"):
        response = client.post(url, data={"name": "X", "disabled": "1", "user_id": target.id},
                               headers=headers)
        assert response.status_code == 403, url
    assert _group("X") is None and not _group("N1").disabled and _group("N1").members == []


def test_the_domain_refuses_without_admin_groups(make_user):
    agent = make_user("agent", rights=["AdminUsers"])
    with pytest.raises(Forbidden):
        groups_admin.create(agent, "X")
    with pytest.raises(Forbidden):
        groups_admin.list_groups(agent)
