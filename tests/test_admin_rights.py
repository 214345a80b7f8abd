"""« Droits » under Administration: the matrix of principals × rights round-trips to the ACE
rows, a change applies on the next request of an open session, ShowACL / ModifyACL per
queue, audit rows; the rights catalogue."""
import pytest
from sqlalchemy import select

from rtsuivi.domain import DomainError, Forbidden, rights, rights_admin, rights_catalog
from rtsuivi.domain.audit import decoded
from rtsuivi.extensions import db
from rtsuivi.models import ACE, AuditEntry
from tests.conftest import PASSWORD


@pytest.fixture
def root(make_user):
    return make_user("root", rights=["SuperUser"])


def _aces(queue=None) -> set[tuple[str, str]]:
    found = set()
    for key, right, queue_name in rights_admin.matrix_everywhere():
        if queue_name == (queue.name if queue else None):
            found.add((key, right))
    return found


def _matrix_pairs(queue=None) -> set[tuple[str, str]]:
    return {(row.key, right) for row in rights_admin.matrix(queue) for right in row.held}


def test_the_matrix_round_trips_to_the_access_control_entries(desk, root):
    for queue in (None, desk.support, desk.info):
        assert _matrix_pairs(queue) == _aces(queue)
    assert ("group:N1", "OwnTicket") in _matrix_pairs(desk.support)
    assert ("system:Everyone", "CreateTicket") in _matrix_pairs(desk.support)
    assert ("role:Requestor", "ShowTicket") in _matrix_pairs(None)
    keys = [row.key for row in rights_admin.matrix(desk.info)]
    assert keys[:7] == ["system:Everyone", "system:Privileged", "system:Unprivileged",
                        "role:Owner", "role:Requestor", "role:Cc", "role:AdminCc"]
    assert "group:N2" in keys and "group:N1" not in keys


def test_the_page_draws_every_grant_checked(desk, root, login_as):
    page = login_as(root).get(f"/admin/droits/file/{desk.support.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for key, right in _aces(desk.support):
        assert f'value="{key}|{right}" aria-label' in html
        assert f'value="{key}|{right}" aria-label="{right} — ' in html
    checked = html.count(" checked")
    assert checked == len(_aces(desk.support))
    assert "Voler un ticket détenu par un autre" in page.plain  # one line of meaning
    assert "Général" in page.plain and "Administration" in page.plain


def test_a_checkbox_change_grants_at_once_and_the_open_session_sees_it(desk, root, make_user,
                                                                       login_as, app):
    carole = make_user("carole")
    agent = login_as(carole)  # an open session, kept for the whole test
    assert agent.get(f"/files/{desk.info.id}").status_code == 404
    admin = app.test_client()
    admin.refresh_token("/login")
    assert admin.post("/login", data={"name": "root", "password": PASSWORD}).status_code == 302
    admin.refresh_token()
    url = f"/admin/droits/file/{desk.info.id}/enregistrer"
    shown = [f"{k}|{r}" for k, r in _aces(desk.info)]
    response = admin.post(url, htmx=True, data={
        "principal": ["user:carole"], "shown": shown,
        "grant": shown + ["user:carole|SeeQueue", "user:carole|ShowTicket"]})
    assert response.status_code == 200 and 'id="rights-matrix"' in response.plain
    assert "<html" not in response.plain and "2 changement(s)" in response.plain
    assert {("user:carole", "SeeQueue"), ("user:carole", "ShowTicket")} <= _aces(desk.info)
    # carole's session, opened before the change, sees the queue on its next request.
    assert agent.get(f"/files/{desk.info.id}").status_code == 200
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_kind == "right").order_by(AuditEntry.id)).all()
    assert [(e.object_name, e.action, decoded(e.after)["right"]) for e in entries] == [
        ("user:carole", "grant", "SeeQueue"), ("user:carole", "grant", "ShowTicket")]
    assert all(e.object_id == desk.info.id and e.actor_id == root.id for e in entries)


def test_unchecking_revokes_and_a_stale_form_leaves_others_changes_alone(desk, root,
                                                                          login_as):
    client = login_as(root)
    shown = _aces(desk.support)
    # Meanwhile someone else grants N2 SeeQueue on Support: not on the page as drawn.
    rights_admin.set_right(None, "group:N2", "SeeQueue", desk.support, True)
    db.session.commit()
    wanted = {pair for pair in shown if pair != ("group:N1", "StealTicket")}
    response = client.post(f"/admin/droits/file/{desk.support.id}/enregistrer", data={
        "principal": sorted({k for k, _ in shown}), "shown": [f"{k}|{r}" for k, r in shown],
        "grant": [f"{k}|{r}" for k, r in wanted]})
    assert response.status_code == 302
    after = _aces(desk.support)
    assert ("group:N1", "StealTicket") not in after
    assert ("group:N2", "SeeQueue") in after
    assert not rights.can(desk.alice, "StealTicket", desk.support)


@pytest.mark.parametrize("grant, message", [
    ("group:N1|PasUnDroit", "Droit inconnu ici : PasUnDroit"),
    ("group:N1|SuperUser", "SuperUser est un droit global, pas un droit de file"),
    ("group:Inconnu|SeeQueue", "Groupe inconnu : Inconnu"),
])
def test_bad_changes_are_refused_with_a_message_and_change_nothing(grant, message, desk, root,
                                                                    login_as):
    before = _aces(desk.support)
    client = login_as(root)
    response = client.post(f"/admin/droits/file/{desk.support.id}/enregistrer", htmx=True,
                           data={"grant": [grant, "user:root|SeeQueue"]})
    assert response.status_code == 200 and message in response.plain
    assert _aces(desk.support) == before
    with pytest.raises(DomainError, match=message):
        key, right = grant.split("|")
        rights_admin.set_right(root, key, right, desk.support, True)


def test_show_acl_reads_modify_acl_changes_per_queue(desk, make_user, login_as):
    reader = make_user("lecteur", rights=["ShowACL"], on=desk.support)
    keeper = make_user("gardien", rights=["ModifyACL"], on=desk.support)
    client = login_as(reader)
    page = client.get(f"/admin/droits/file/{desk.support.id}")
    assert page.status_code == 200 and "Lecture seule" in page.plain
    assert client.get(f"/admin/droits/file/{desk.info.id}").status_code == 403
    assert client.post(f"/admin/droits/file/{desk.support.id}/enregistrer",
                       data={"grant": ["user:lecteur|SeeQueue"]}).status_code == 403
    system = client.get("/admin/droits")
    assert system.status_code == 200 and "Choisissez une file" in system.plain
    with pytest.raises(Forbidden):
        rights_admin.set_right(reader, "user:lecteur", "SeeQueue", desk.support, True)
    client = login_as(keeper)
    assert client.post(f"/admin/droits/file/{desk.support.id}/enregistrer",
                       data={"grant": ["user:gardien|SeeQueue"]}).status_code == 302
    assert ("user:gardien", "SeeQueue") in _aces(desk.support)
    assert client.post(f"/admin/droits/file/{desk.info.id}/enregistrer",
                       data={"grant": ["user:gardien|SeeQueue"]}).status_code == 403
    assert client.post("/admin/droits/enregistrer",
                       data={"grant": ["user:gardien|SuperUser"]}).status_code == 403
    assert not rights.can(keeper, "SuperUser")


RIGHTS_URLS = ["/admin/droits", "/admin/droits/file/{id}", "/admin/droits/chercher?q=N"]
RIGHTS_POSTS = ["/admin/droits/enregistrer", "/admin/droits/file/{id}/enregistrer",
                "/admin/droits/case", "/admin/droits/file/{id}/case"]


@pytest.mark.parametrize("url", RIGHTS_URLS)
def test_rights_pages_and_fragments_are_refused_without_the_right(url, desk, login_as):
    client = login_as(desk.alice)
    url = url.format(id=desk.support.id)
    assert client.get(url).status_code == 403
    assert client.hx_get(url).status_code == 403


@pytest.mark.parametrize("url", RIGHTS_POSTS)
def test_rights_changes_are_refused_without_the_right(url, desk, login_as):
    before = _aces(desk.support) | _aces()
    client = login_as(desk.alice)
    url = url.format(id=desk.support.id)
    for htmx in (False, True):
        assert client.post(url, htmx=htmx,
                           data={"grant": ["user:alice|SuperUser"],
                                 "cell": "user:alice|SuperUser"}).status_code == 403
    assert _aces(desk.support) | _aces() == before


def test_a_principal_is_found_and_added_as_an_empty_row(desk, root, login_as):
    client = login_as(root)
    found = client.hx_get(f"/admin/droits/chercher?q=bru&queue_id={desk.info.id}")
    assert found.status_code == 200 and "<html" not in found.plain
    assert "Bruno Lefèvre (bruno)" in found.plain and "add=user:bruno" in found.plain
    groups = client.hx_get("/admin/droits/chercher?q=N")
    assert "Groupe N1" in groups.plain and "Groupe N2" in groups.plain
    page = client.get(f"/admin/droits/file/{desk.info.id}?add=user:bruno")
    assert 'value="user:bruno|SeeQueue"' in page.get_data(as_text=True)
    unknown = client.get(f"/admin/droits/file/{desk.info.id}?add=user:personne")
    assert unknown.status_code == 200 and "Utilisateur inconnu" in unknown.plain


def test_the_system_page_explains_the_default_grants(root, login_as):
    page = login_as(root).get("/admin/droits")
    assert "Contrairement à RT" in page.plain and "ShowTicket et ReplyToTicket" in page.plain


def test_a_right_without_a_catalogue_entry_shows_under_autres(monkeypatch):
    monkeypatch.setattr(rights, "QUEUE_RIGHTS", rights.QUEUE_RIGHTS + ("ApproveTicket",))
    groups = dict(rights_catalog.grouped(True))
    others = [str(label) for label in groups]
    assert others[-1] == "Autres"
    assert [name for name, _ in list(groups.values())[-1]] == ["ApproveTicket"]
    assert all(name in rights_catalog.CATALOG for name in rights.ALL_RIGHTS)


def test_grants_are_unique_rows(desk):
    rights_admin.set_right(None, "group:N1", "SeeQueue", desk.support, True)
    assert rights_admin.set_right(None, "group:N1", "SeeQueue", desk.support, True) is False
    db.session.commit()
    assert db.session.scalar(select(db.func.count(ACE.id)).where(
        ACE.right_name == "SeeQueue", ACE.queue_id == desk.support.id)) == 1


def test_one_box_posts_its_own_change_and_answers_with_itself(desk, root, login_as):
    client = login_as(root)
    url = f"/admin/droits/file/{desk.info.id}/case"
    box = client.post(url, htmx=True, data={"cell": "group:N1|SeeQueue",
                                            "grant": ["group:N1|SeeQueue", "group:N1|Watch"]})
    assert box.status_code == 200 and "<html" not in box.plain
    assert box.plain.count("<input") == 1  # the box alone, not the matrix
    assert 'value="group:N1|SeeQueue"' in box.plain and " checked" in box.plain
    assert "SeeQueue accordé à N1." in box.plain  # the message, out of band
    assert ("group:N1", "SeeQueue") in _aces(desk.info)
    assert ("group:N1", "Watch") not in _aces(desk.info)  # only the box that changed
    off = client.post(url, data={"cell": "group:N1|SeeQueue"})
    assert off.status_code == 302 and ("group:N1", "SeeQueue") not in _aces(desk.info)
    bad = client.post(url, htmx=True, data={"cell": "group:N1|Voler", "grant": "group:N1|Voler"})
    assert "Droit inconnu ici : Voler" in bad.plain and " checked" not in bad.plain
    entries = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_kind == "right").order_by(AuditEntry.id)).all()
    assert entries == ["grant", "revoke"]


def test_an_unknown_principal_row_in_a_posted_form_is_left_out(desk, root, login_as):
    response = login_as(root).post(f"/admin/droits/file/{desk.info.id}/enregistrer", htmx=True,
                                   data={"principal": ["user:fantome"], "grant": []})
    assert response.status_code == 200 and 'id="rights-matrix"' in response.plain
    assert "fantome" not in response.plain


def test_a_second_search_keeps_the_rows_added_before(desk, root, login_as):
    client = login_as(root)
    page = client.get(f"/admin/droits/file/{desk.info.id}?add=user:bruno")
    assert 'hx-include="#principals-added"' in page.plain
    assert '<input type="hidden" name="add" value="user:bruno">' in page.plain
    found = client.hx_get(f"/admin/droits/chercher?q=alice&queue_id={desk.info.id}"
                          "&add=user:bruno")
    assert "add=user:alice&add=user:bruno" in found.plain
