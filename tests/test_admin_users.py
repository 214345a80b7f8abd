"""« Utilisateurs » (issue 12): list, search, create, edit, disable, passwords, holdings,
refusals, audit; a privilege change and a disabling reach open sessions."""
import json

import pytest
from sqlalchemy import select

from rtsuivi.domain import DomainError, Forbidden, accounts, audit, people_admin
from rtsuivi.extensions import db
from rtsuivi.models import AuditEntry, User
from tests.conftest import AGENT_RIGHTS, PASSWORD


@pytest.fixture
def admin(make_user):
    return make_user("gerant", rights=["AdminUsers"], real_name="Gérante")


def _entries(action=None):
    query = select(AuditEntry).where(AuditEntry.object_kind == "user")
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


def _user(name):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.name == name))


def test_the_list_searches_filters_and_pages(admin, make_user, login_as):
    make_user("zoe", real_name="Zoé Perrin", privileged=False)
    make_user("marc", real_name="Marc Perrin")
    gone = make_user("ancien")
    people_admin.set_disabled(None, gone, True)
    db.session.commit()
    client = login_as(admin)
    page = client.get("/admin/utilisateurs").plain
    assert "zoe" in page and "marc" in page and "ancien" not in page
    assert 'id="user-list"' in page and 'hx-get="/admin/utilisateurs"' in page
    found = client.hx_get("/admin/utilisateurs?q=perrin&kind=unprivileged")
    assert found.status_code == 200 and "<html" not in found.plain
    assert "zoe" in found.plain and "marc" not in found.plain
    assert "ancien" in client.get("/admin/utilisateurs?kind=disabled").plain
    # The search is a LIKE with the wildcards escaped: "%" matches no one.
    assert "Aucun utilisateur ne correspond." in client.get("/admin/utilisateurs?q=%25").plain
    small = people_admin.list_users(None, page=2, per_page=2)
    assert small.page == 2 and len(small.items) == 2 and small.total >= 5


def test_an_admin_creates_a_user_and_it_is_audited(admin, login_as):
    client = login_as(admin)
    assert "Nouvel utilisateur" in client.get("/admin/utilisateurs/nouveau").plain
    response = client.post("/admin/utilisateurs/nouveau", data={
        "name": "hugo", "real_name": "Hugo Blanc", "email": "Hugo@Example.org", "lang": "en",
        "timezone": "America/Montreal", "privileged": "y", "signature": "Hugo",
        "comments": "Arrivé en mars", "password": "un-mot-de-passe-long"})
    assert response.status_code == 302
    hugo = _user("hugo")
    assert (hugo.email, hugo.lang, hugo.timezone, hugo.privileged, hugo.comments) == (
        "hugo@example.org", "en", "America/Montreal", True, "Arrivé en mars")
    assert accounts.authenticate("hugo", "un-mot-de-passe-long") is not None
    entry = _entries("create")[-1]
    assert entry.actor_id == admin.id and entry.object_name == "hugo"
    assert json.loads(entry.after)["privileged"] is True and "password" not in entry.after


@pytest.mark.parametrize("data, message", [
    ({"name": ""}, "Le nom d'utilisateur est obligatoire"),
    ({"name": "gerant"}, "L'utilisateur gerant existe déjà."),
    ({"name": "x", "email": "pas-une-adresse"}, "Adresse électronique invalide"),
    ({"name": "x", "email": "gerant@example.org"}, "L'adresse gerant@example.org est déjà"),
    ({"name": "x", "timezone": "Mars/Olympus"}, "Fuseau horaire inconnu : Mars/Olympus"),
    ({"name": "x", "password": "court"}, "au moins 10 caractères"),
])
def test_bad_input_creates_nobody_and_says_why(admin, login_as, data, message):
    client = login_as(admin)
    response = client.post("/admin/utilisateurs/nouveau", data={"lang": "", **data})
    assert response.status_code == 200 and message in response.plain
    assert _user("x") is None and _entries("create") == []


def test_an_unknown_language_is_refused_by_the_domain(admin):
    with pytest.raises(DomainError, match="Langue inconnue"):
        people_admin.create(admin, {"name": "x", "lang": "de"})


def test_an_admin_edits_a_user_and_only_the_change_is_audited(admin, make_user, login_as):
    zoe = make_user("zoe", real_name="Zoé", privileged=False)
    client = login_as(admin)
    page = client.get(f"/admin/utilisateurs/{zoe.id}").plain
    assert "Enregistrer les modifications" in page and 'name="comments"' in page
    assert '{% include' not in page
    response = client.post(f"/admin/utilisateurs/{zoe.id}", data={
        "name": "zoe", "real_name": "Zoé Perrin", "email": "zoe@example.org", "lang": "fr",
        "timezone": "", "signature": "", "comments": ""})
    assert response.status_code == 302
    assert _user("zoe").real_name == "Zoé Perrin"
    entry = _entries("update")[-1]
    assert json.loads(entry.before) == {"real_name": "Zoé", "lang": None}
    assert json.loads(entry.after) == {"real_name": "Zoé Perrin", "lang": "fr"}


def test_a_bad_edit_changes_nothing(admin, make_user, login_as):
    zoe = make_user("zoe", real_name="Zoé", privileged=False)
    response = login_as(admin).post(f"/admin/utilisateurs/{zoe.id}", data={
        "name": "zoe", "real_name": "Autre", "email": "zoe@example.org", "lang": "",
        "timezone": "Europe/Pariss"})
    assert response.status_code == 200 and "Fuseau horaire inconnu" in response.plain
    assert _user("zoe").real_name == "Zoé" and _entries("update") == []


def test_a_privilege_change_applies_to_an_open_session(admin, make_user, make_queue, login_as):
    queue = make_queue("Support", rights={"system:Privileged": ["SeeQueue"]})
    zoe = make_user("zoe", privileged=False)
    client = login_as(zoe)
    assert client.get(f"/files/{queue.id}").headers["Location"].startswith("/demandes")
    people_admin.update(admin, _user("zoe"), {"name": "zoe", "email": "zoe@example.org",
                                              "privileged": True})
    db.session.commit()
    # The same open session, next request: an agent, with the rights of Privileged.
    assert client.get(f"/files/{queue.id}").status_code == 200
    people_admin.update(admin, _user("zoe"), {"name": "zoe", "email": "zoe@example.org",
                                              "privileged": False})
    db.session.commit()
    assert client.get(f"/files/{queue.id}").status_code == 302


def test_disabling_ends_the_sessions_and_enabling_lets_them_log_in_again(admin, make_user,
                                                                          login_as, client):
    zoe = make_user("zoe")
    login_as(zoe)
    cookies = {c.key: c.value for c in client._cookies.values()}
    assert client.get("/").status_code in (200, 302)
    people_admin.set_disabled(admin, _user("zoe"), True)
    db.session.commit()
    response = client.get("/accueil")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert accounts.authenticate("zoe", PASSWORD) is None
    assert cookies  # the session existed
    people_admin.set_disabled(admin, _user("zoe"), False)
    db.session.commit()
    assert accounts.authenticate("zoe", PASSWORD) is not None
    assert [e.action for e in _entries()][-2:] == ["disable", "enable"]


def test_disable_through_the_page_with_and_without_htmx(admin, make_user, login_as):
    zoe = make_user("zoe")
    client = login_as(admin)
    fragment = client.post(f"/admin/utilisateurs/{zoe.id}/etat", data={"disabled": "1"},
                           htmx=True)
    assert fragment.status_code == 200 and "<html" not in fragment.plain
    assert 'id="user-state"' in fragment.plain and "Réactiver" in fragment.plain
    assert _user("zoe").disabled
    again = client.post(f"/admin/utilisateurs/{zoe.id}/etat", data={"disabled": "0"})
    assert again.status_code == 302 and not _user("zoe").disabled


@pytest.mark.parametrize("name", ["Nobody", "RT_System"])
def test_system_users_cannot_be_disabled_renamed_or_unprivileged(admin, name):
    user = _user(name)
    with pytest.raises(DomainError, match="utilisateur du système"):
        people_admin.set_disabled(admin, user, True)
    with pytest.raises(DomainError, match="utilisateur du système"):
        people_admin.update(admin, user, {"name": "autre", "privileged": True})
    with pytest.raises(DomainError, match="utilisateur du système"):
        people_admin.update(admin, user, {"name": name, "privileged": False})
    with pytest.raises(DomainError, match="utilisateur du système"):
        people_admin.set_password(admin, user, "un-mot-de-passe-long")
    db.session.rollback()
    assert not _user(name).disabled and _user(name).privileged


def test_an_admin_cannot_disable_themselves(admin):
    with pytest.raises(DomainError, match="votre propre compte"):
        people_admin.set_disabled(admin, admin, True)


def test_setting_a_password_follows_the_policy_and_ends_sessions(admin, make_user, login_as):
    zoe = make_user("zoe")
    serial = zoe.session_serial
    client = login_as(admin)
    bad = client.post(f"/admin/utilisateurs/{zoe.id}/mot-de-passe",
                      data={"password": "azertyuiop"}, htmx=True)
    assert "trop courant" in bad.plain and _user("zoe").session_serial == serial
    good = client.post(f"/admin/utilisateurs/{zoe.id}/mot-de-passe",
                       data={"password": "nouveau-mot-de-passe"}, htmx=True)
    assert 'id="user-password"' in good.plain and "<html" not in good.plain
    assert _user("zoe").session_serial == serial + 1
    assert accounts.authenticate("zoe", "nouveau-mot-de-passe") is not None
    assert _entries("set_password")[-1].before is None  # no hash in the journal
    assert client.post(f"/admin/utilisateurs/{zoe.id}/mot-de-passe",
                       data={"password": "encore-un-autre"}).status_code == 302


def test_the_user_page_shows_groups_rights_and_requested_tickets(admin, make_user, make_queue,
                                                                  make_ticket, login_as):
    zoe = make_user("zoe", groups=["N1"], rights=["ShowSearchAdvanced"])
    queue = make_queue("Support", rights={"group:N1": AGENT_RIGHTS})
    ticket = make_ticket(queue, requestors=[zoe], subject="Écran bleu")
    root = make_user("root", rights=["SuperUser"])
    page = login_as(root).get(f"/admin/utilisateurs/{zoe.id}").plain
    assert "N1" in page and "ShowSearchAdvanced" in page and "l'utilisateur lui-même" in page
    assert "OwnTicket" in page and "Support" in page
    assert "Écran bleu" in page and f"/tickets/{ticket.id}" in page
    holdings = people_admin.holdings(zoe)
    assert people_admin.Holding("OwnTicket", "Support", "N1") in holdings
    assert people_admin.Holding("ModifySelf", None, "Privileged") not in holdings
    # The gerant may not see that queue: the ticket is not listed for them.
    assert "Écran bleu" not in login_as(admin).get(f"/admin/utilisateurs/{zoe.id}").plain


def test_the_user_page_offers_to_mail_a_password_link(admin, make_user, login_as):
    zoe = make_user("zoe", privileged=False)
    page = login_as(admin).get(f"/admin/utilisateurs/{zoe.id}").plain
    assert f'action="/admin/utilisateurs/{zoe.id}/lien-mot-de-passe"' in page \
        and "Envoyer un lien pour choisir le mot de passe" in page


def _urls(user_id):
    return [("get", "/admin/utilisateurs"), ("get", "/admin/utilisateurs?q=a"),
            ("get", "/admin/utilisateurs/nouveau"), ("post", "/admin/utilisateurs/nouveau"),
            ("get", f"/admin/utilisateurs/{user_id}"),
            ("post", f"/admin/utilisateurs/{user_id}"),
            ("post", f"/admin/utilisateurs/{user_id}/etat"),
            ("post", f"/admin/utilisateurs/{user_id}/mot-de-passe")]


@pytest.mark.parametrize("htmx", [False, True])
def test_every_user_url_is_refused_without_the_right(make_user, login_as, htmx):
    agent = make_user("agent", rights=["AdminGroups", "SeeQueue"])
    target = make_user("cible")
    client = login_as(agent)
    for method, url in _urls(target.id):
        kwargs = {"headers": {"HX-Request": "true"}} if htmx else {}
        response = getattr(client, method)(url, data={"name": "x", "disabled": "1",
                                                      "password": "un-mot-de-passe-long"},
                                           **kwargs) if method == "post" else \
            client.get(url, **kwargs)
        assert response.status_code == 403, url
    assert not _user("cible").disabled and _user("x") is None


def test_the_domain_refuses_without_admin_users(make_user):
    agent = make_user("agent", rights=["AdminGroups"])
    with pytest.raises(Forbidden):
        people_admin.create(agent, {"name": "x"})
    with pytest.raises(Forbidden):
        people_admin.list_users(agent)


def test_a_superuser_has_the_section_in_the_menu(make_user, login_as):
    root = make_user("root", rights=["SuperUser"])
    page = login_as(root).get("/admin/").plain
    assert "Utilisateurs" in page and "Groupes" in page and "Journal" in page
    assert audit  # the module the changes go through


def test_only_a_superuser_changes_a_superuser(admin, make_user, login_as):
    root = make_user("root", rights=["SuperUser"])
    with pytest.raises(Forbidden, match="Seul un super-utilisateur"):
        people_admin.set_password(admin, root, "un-mot-de-passe-long")
    with pytest.raises(Forbidden):
        people_admin.set_disabled(admin, root, True)
    client = login_as(admin)
    assert client.post(f"/admin/utilisateurs/{root.id}", data={
        "name": "root", "email": "gerant@pirate.example", "lang": ""}).status_code == 403
    assert _user("root").email == "root@example.org"
    other = make_user("autre_root", rights=["SuperUser"])
    people_admin.set_disabled(root, other, True)  # a SuperUser may
    assert other.disabled


def test_an_admin_cannot_unprivilege_themselves(admin, login_as):
    response = login_as(admin).post(f"/admin/utilisateurs/{admin.id}", data={
        "name": "gerant", "email": "gerant@example.org", "lang": ""})
    assert "Vous ne pouvez pas retirer vos propres privilèges." in response.plain
    assert _user("gerant").privileged


def test_the_list_sorts_names_without_case_and_names_system_users(admin, login_as):
    page = login_as(admin).get("/admin/utilisateurs").plain
    assert page.index(">gerant<") < page.index(">Nobody<") < page.index(">RT_System<")
    assert "utilisateur du système" in page
