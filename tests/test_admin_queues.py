"""« Files » under Administration: list, create, edit, disable, watchers; AdminQueue per queue;
the subject tag in outgoing mail and threading; queue watchers in the notification rules."""
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from rtsuivi.domain import DomainError, Forbidden
from rtsuivi.domain import queues_admin as admin_queues
from rtsuivi.domain import tickets as domain
from rtsuivi.domain.audit import decoded
from rtsuivi.extensions import db
from rtsuivi.mail.inbound import receive
from rtsuivi.models import AuditEntry, OutboxMail, Queue, QueueWatcher, Ticket
from tests.mail.conftest import mail


@pytest.fixture
def root(make_user):
    return make_user("root", rights=["SuperUser"])


def _form(**fields):
    data = {"name": "Réseau", "description": "Câbles et wifi",
            "correspond_address": "reseau@example.org",
            "comment_address": "reseau-comment@example.org", "subject_tag": "RESEAU",
            "default_due_days": "3"}
    data.update(fields)
    return data


def _last_audit():
    return db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))


def test_superuser_creates_a_queue_with_its_addresses_and_tag(root, login_as):
    client = login_as(root)
    assert "Nouvelle file" in client.get("/admin/files").plain
    response = client.post("/admin/files/nouvelle", data=_form())
    assert response.status_code == 302
    queue = db.session.scalar(select(Queue).where(Queue.name == "Réseau"))
    assert (queue.correspond_address, queue.comment_address, queue.subject_tag,
            queue.default_due_days) == ("reseau@example.org", "reseau-comment@example.org",
                                        "RESEAU", 3)
    entry = _last_audit()
    assert (entry.object_kind, entry.action, entry.actor_id) == ("queue", "create", root.id)
    assert decoded(entry.after)["correspond_address"] == "reseau@example.org"


def test_the_list_searches_and_pages(root, make_queue, login_as):
    for n in range(30):
        make_queue(f"File {n:02d}")
    make_queue("Comptabilité", correspond_address="compta@example.org")
    client = login_as(root)
    first = client.get("/admin/files").plain
    assert "File 00" in first and "File 29" not in first and "Page 1 sur 2" in first
    assert "File 29" in client.get("/admin/files?page=2").plain
    fragment = client.hx_get("/admin/files?q=compta")
    assert fragment.status_code == 200 and "<html" not in fragment.plain
    assert "Comptabilité" in fragment.plain and "File 00" not in fragment.plain


@pytest.mark.parametrize("fields, message", [
    ({"correspond_address": "support@example.org"}, "déjà celle de la file Support"),
    ({"comment_address": "support@example.org"}, "déjà celle de la file Support"),
    ({"correspond_address": "pas une adresse"}, "n'est pas une adresse électronique"),
    ({"subject_tag": "RT [#"}, "Étiquette de sujet invalide"),
    ({"name": "Support"}, "existe déjà"),
    ({"name": "  "}, "obligatoire"),
    ({"comment_address": "reseau@example.org"}, "doivent différer"),
])
def test_bad_queue_fields_are_refused_and_change_nothing(fields, message, root, make_queue,
                                                         login_as):
    make_queue("Support", correspond_address="support@example.org")
    client = login_as(root)
    response = client.post("/admin/files/nouvelle", data=_form(**fields))
    assert response.status_code == 200 and message in response.plain
    assert db.session.scalar(select(db.func.count(Queue.id))) == 1
    with pytest.raises(DomainError, match=message.replace("[", r"\[")):
        admin_queues.create(root, admin_queues.QueueFields(**{
            k: (int(v) if k == "default_due_days" else v) for k, v in _form(**fields).items()}))


def test_edit_keeps_its_own_address_and_records_before_and_after(root, make_queue, login_as):
    queue = make_queue("Support", correspond_address="support@example.org")
    client = login_as(root)
    response = client.post(f"/admin/files/{queue.id}", data=_form(
        name="Support", correspond_address="support@example.org", subject_tag="SUP"))
    assert response.status_code == 302
    db.session.refresh(queue)
    assert queue.subject_tag == "SUP"
    entry = _last_audit()
    assert entry.action == "update"
    assert decoded(entry.before)["subject_tag"] is None and decoded(entry.after)["subject_tag"] \
        == "SUP"
    assert "correspond_address" not in decoded(entry.after)  # unchanged fields are left out


def test_disable_and_enable_with_htmx_and_without(root, make_queue, login_as):
    queue = make_queue("Support")
    client = login_as(root)
    fragment = client.post(f"/admin/files/{queue.id}/etat", data={"disabled": "1"}, htmx=True)
    assert fragment.status_code == 200 and 'id="queue-state"' in fragment.plain
    assert "<html" not in fragment.plain and "Réactiver la file" in fragment.plain
    db.session.refresh(queue)
    assert queue.disabled and _last_audit().action == "disable"
    page = client.post(f"/admin/files/{queue.id}/etat", data={"disabled": "0"})
    assert page.status_code == 302
    db.session.refresh(queue)
    assert not queue.disabled and _last_audit().action == "enable"


def test_a_queue_admin_sees_and_edits_only_their_queue(make_user, make_queue, login_as):
    mine, other = make_queue("Support"), make_queue("Compta")
    keeper = make_user("gardien", rights=["AdminQueue"], on=mine)
    client = login_as(keeper)
    listing = client.get("/admin/files").plain
    assert "Support" in listing and "Compta" not in listing and "Nouvelle file" not in listing
    assert client.get(f"/admin/files/{mine.id}").status_code == 200
    assert client.post(f"/admin/files/{mine.id}", data=_form(name="Support 2")).status_code \
        == 302
    for url in (f"/admin/files/{other.id}", f"/admin/files/{other.id}/surveillants/chercher"):
        assert client.get(url).status_code == 403
    for url in (f"/admin/files/{other.id}", f"/admin/files/{other.id}/etat",
                f"/admin/files/{other.id}/surveillants"):
        assert client.post(url, data=_form(name="Pris")).status_code == 403
    assert client.get("/admin/files/nouvelle").status_code == 403
    assert client.post("/admin/files/nouvelle", data=_form()).status_code == 403
    db.session.refresh(other)
    assert other.name == "Compta"
    with pytest.raises(Forbidden):
        admin_queues.update(keeper, other, admin_queues.QueueFields("Pris"))
    with pytest.raises(Forbidden):
        admin_queues.create(keeper, admin_queues.QueueFields("Neuve"))


QUEUE_URLS = ["/admin/files", "/admin/files/nouvelle", "/admin/files/{id}",
              "/admin/files/{id}/surveillants/chercher?q=a"]
QUEUE_POSTS = ["/admin/files/nouvelle", "/admin/files/{id}", "/admin/files/{id}/etat",
               "/admin/files/{id}/surveillants"]


@pytest.mark.parametrize("url", QUEUE_URLS)
def test_every_queue_page_and_fragment_is_refused_without_the_right(url, desk, login_as):
    client = login_as(desk.alice)
    url = url.format(id=desk.support.id)
    assert client.get(url).status_code == 403
    assert client.hx_get(url).status_code == 403


@pytest.mark.parametrize("url", QUEUE_POSTS)
def test_every_queue_change_is_refused_without_the_right(url, desk, login_as):
    client = login_as(desk.alice)
    url = url.format(id=desk.support.id)
    assert client.post(url, data=_form()).status_code == 403
    assert client.post(url, data=_form(), htmx=True).status_code == 403
    assert db.session.scalar(select(db.func.count(Queue.id))) == 2


def test_watchers_are_found_added_and_removed(root, desk, login_as):
    client = login_as(root)
    base = f"/admin/files/{desk.support.id}/surveillants"
    found = client.hx_get(f"{base}/chercher?q=chlo")
    assert found.status_code == 200 and "Chloé Dubois" in found.plain
    assert "Alice" not in found.plain and "<html" not in found.plain
    assert client.get(f"{base}/chercher?q=chlo").status_code == 302
    added = client.post(base, data={"user_id": desk.chloe.id, "role": "AdminCc"}, htmx=True)
    assert added.status_code == 200 and 'id="queue-watchers"' in added.plain
    assert "Chloé Dubois" in added.plain
    assert [(w.user_id, w.role) for w in db.session.scalars(select(QueueWatcher))] == \
        [(desk.chloe.id, "AdminCc")]
    assert _last_audit().action == "add_watcher"
    bad = client.post(base, data={"user_id": desk.chloe.id, "role": "Owner"}, htmx=True)
    assert "Rôle de surveillant inconnu" in bad.plain
    removed = client.post(base, data={"user_id": desk.chloe.id, "role": "AdminCc",
                                      "remove": "1"})
    assert removed.status_code == 302
    assert db.session.scalar(select(QueueWatcher)) is None
    assert _last_audit().action == "remove_watcher"


def test_modify_queue_watchers_alone_changes_watchers_not_the_queue(desk, make_user, login_as):
    watcher_admin = make_user("veilleur", rights=["ModifyQueueWatchers"], on=desk.support)
    client = login_as(watcher_admin)
    assert client.post(f"/admin/files/{desk.support.id}/surveillants",
                       data={"user_id": desk.bruno.id, "role": "Cc"}).status_code == 302
    assert client.post(f"/admin/files/{desk.support.id}",
                       data=_form(name="Autre")).status_code == 403
    with pytest.raises(Forbidden):
        admin_queues.set_disabled(watcher_admin, desk.support, True)


def _outbox_after(action) -> dict[str, list[str]]:
    last = db.session.scalar(select(db.func.max(OutboxMail.id))) or 0
    action()
    db.session.commit()
    found: dict[str, list[str]] = {}
    for row in db.session.scalars(select(OutboxMail).where(OutboxMail.id > last)):
        for address in row.recipient_list:
            found.setdefault(address, []).append(row.scrip)
    return found


def test_queue_watchers_get_the_mails_of_ticket_watchers(desk, make_user):
    lucie = make_user("lucie", privileged=False)
    admin_queues.add_watcher(None, desk.support, desk.chloe, "AdminCc")
    admin_queues.add_watcher(None, desk.support, lucie, "Cc")
    db.session.commit()
    created = _outbox_after(lambda: domain.create(desk.denise, domain.NewTicket(
        queue=desk.support, subject="Wifi", content="Plus de wifi", requestors=[desk.denise])))
    assert created["chloe@example.org"] == ["On Create Notify Owner and AdminCcs"]
    assert created["lucie@example.org"] == ["On Create Notify Ccs"]
    ticket = db.session.scalar(select(Ticket).where(Ticket.subject == "Wifi"))
    commented = _outbox_after(lambda: domain.comment(ticket, desk.alice, "Interne"))
    assert commented == {"chloe@example.org": ["On Comment Notify AdminCcs as Comment"]}
    replied = _outbox_after(lambda: domain.reply(ticket, desk.alice, "On regarde"))
    assert replied["lucie@example.org"] == ["On Correspond Notify Requestors and Ccs"]
    assert replied["chloe@example.org"] == ["On Correspond Notify Owner and AdminCcs"]
    # Never the actor, even when they watch the queue.
    admin_queues.add_watcher(None, desk.support, desk.alice, "AdminCc")
    db.session.commit()
    assert "alice@example.org" not in _outbox_after(
        lambda: domain.comment(ticket, desk.alice, "Encore"))
    # Another queue's tickets do not reach them.
    other = _outbox_after(lambda: domain.create(desk.chloe, domain.NewTicket(
        queue=desk.info, subject="Ailleurs", content="x", requestors=[desk.denise])))
    assert "lucie@example.org" not in other


def test_outgoing_subjects_carry_the_queue_tag_and_both_tags_thread(desk, make_ticket, app):
    admin_queues.update(None, desk.support, admin_queues.QueueFields(
        "Support", correspond_address="support@example.org", subject_tag="SUPPORT"))
    db.session.commit()
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    sent = db.session.scalars(select(OutboxMail).where(OutboxMail.ticket_id == ticket.id)).all()
    assert sent and all(m.subject.startswith(f"[SUPPORT #{ticket.id}]") for m in sent)
    # The autoreply asks to keep the tag its subject carries, not the site's.
    [autoreply] = [m for m in sent if m.scrip == "On Create Autoreply To Requestors"]
    body = message_from_bytes(autoreply.raw, policy=policy.default).get_body().get_content()
    assert f"[SUPPORT #{ticket.id}]" in body
    assert f"[{app.config['RTSUIVI_RTNAME']} #{ticket.id}]" not in body
    headers = message_from_bytes(sent[0].raw, policy=policy.default)
    assert headers["X-RT-Loop-Prevention"] == app.config["RTSUIVI_RTNAME"]
    rtname = app.config["RTSUIVI_RTNAME"]
    for tag in ("SUPPORT", rtname):
        receive(mail(subject=f"Re: [{tag} #{ticket.id}] Imprimante", sender="denise@example.org",
                     to="support@example.org"))
    db.session.refresh(ticket)
    assert [t.type for t in ticket.transactions].count("Correspond") == 2
    assert db.session.scalar(select(db.func.count(Ticket.id))) == 1


def test_the_queue_tabs_follow_the_rights(make_user, make_queue, login_as):
    queue = make_queue("Support")
    keeper = make_user("gardien", rights=["AdminQueue"], on=queue)
    page = login_as(keeper).get(f"/admin/files/{queue.id}")
    assert f'href="/admin/droits/file/{queue.id}"' not in page.plain
    assert f'href="/admin/regles-notification/file/{queue.id}"' not in page.plain
    reader = make_user("lecteur", rights=["AdminQueue", "ShowACL", "ShowScrips"], on=queue)
    page = login_as(reader).get(f"/admin/files/{queue.id}")
    assert f'href="/admin/droits/file/{queue.id}"' in page.plain
    assert f'href="/admin/regles-notification/file/{queue.id}"' in page.plain


def test_the_default_queue_cannot_be_renamed_or_disabled(root, make_queue, login_as, app):
    queue = make_queue("Support")
    app.config["RTSUIVI_DEFAULT_QUEUE"] = "Support"
    client = login_as(root)
    renamed = client.post(f"/admin/files/{queue.id}", data=_form(name="Assistance"))
    assert renamed.status_code == 200 and "RTSUIVI_DEFAULT_QUEUE" in renamed.plain
    off = client.post(f"/admin/files/{queue.id}/etat", data={"disabled": "1"}, htmx=True)
    assert off.status_code == 200 and "ne peut être ni renommée ni désactivée" in off.plain
    assert client.post(f"/admin/files/{queue.id}/etat", data={"disabled": "1"}).status_code \
        == 302
    db.session.refresh(queue)
    assert queue.name == "Support" and not queue.disabled
    edited = client.post(f"/admin/files/{queue.id}", data=_form(name="Support"))
    assert edited.status_code == 302  # other changes to it are fine
    with pytest.raises(DomainError, match="RTSUIVI_DEFAULT_QUEUE"):
        admin_queues.set_disabled(None, queue, True)  # nor from the command line
