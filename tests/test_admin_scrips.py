"""« Règles de notification »: the default rules in French, switched off everywhere or for one
queue, and the scrips honour it (checked on the mails written to the outbox)."""
import pytest
from sqlalchemy import select

from rtsuivi.domain import DomainError, Forbidden, accounts, notification_rules, notifications
from rtsuivi.domain import tickets as domain
from rtsuivi.extensions import db
from rtsuivi.models import AuditEntry, OutboxMail, ScripOff

CC_RULE = "On Create Notify Ccs"
AUTOREPLY = "On Create Autoreply To Requestors"


@pytest.fixture
def root(make_user, desk):
    accounts.grant("system:Everyone", "CreateTicket", desk.info)  # denise writes to both
    return make_user("root", rights=["SuperUser"])


def _scrips_of_new_ticket(desk, queue) -> set[str]:
    last = db.session.scalar(select(db.func.max(OutboxMail.id))) or 0
    domain.create(desk.denise, domain.NewTicket(
        queue=queue, subject="Chauffage", content="Froid", requestors=[desk.denise],
        admin_cc=[desk.chloe]))
    db.session.commit()
    return {m.scrip for m in db.session.scalars(select(OutboxMail).where(OutboxMail.id > last))}


def test_every_default_rule_is_listed_in_french(root, login_as):
    page = login_as(root).get("/admin/regles-notification")
    assert page.status_code == 200
    for scrip in notifications.SCRIPS:
        assert scrip.name in page.plain
        assert str(notification_rules.DESCRIPTIONS[scrip.name]) in page.plain
    assert "accusé de réception aux demandeurs" in page.plain


def test_a_rule_switched_off_globally_sends_nothing_anywhere(desk, root, login_as):
    assert AUTOREPLY in _scrips_of_new_ticket(desk, desk.support)
    client = login_as(root)
    fragment = client.post("/admin/regles-notification/basculer", htmx=True,
                           data={"name": AUTOREPLY, "scope": "global", "on": "0"})
    assert fragment.status_code == 200 and 'id="scrip-rules"' in fragment.plain
    assert "<html" not in fragment.plain and "coupée" in fragment.plain
    for queue in (desk.support, desk.info):
        sent = _scrips_of_new_ticket(desk, queue)
        assert AUTOREPLY not in sent and "On Create Notify Owner and AdminCcs" in sent
    entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert (entry.object_kind, entry.object_name, entry.action) == ("scrip", AUTOREPLY,
                                                                    "disable")
    back = client.post("/admin/regles-notification/basculer",
                       data={"name": AUTOREPLY, "scope": "global", "on": "1"})
    assert back.status_code == 302
    assert AUTOREPLY in _scrips_of_new_ticket(desk, desk.info)


def test_a_rule_switched_off_for_one_queue_still_runs_in_the_others(desk, root, login_as):
    client = login_as(root)
    page = client.get(f"/admin/regles-notification/file/{desk.support.id}")
    assert page.status_code == 200 and "Dans cette file" in page.plain
    client.post("/admin/regles-notification/basculer", data={
        "name": AUTOREPLY, "scope": "queue", "on": "0", "shown": desk.support.id})
    assert db.session.scalar(select(ScripOff.queue_id)) == desk.support.id
    assert AUTOREPLY not in _scrips_of_new_ticket(desk, desk.support)
    assert AUTOREPLY in _scrips_of_new_ticket(desk, desk.info)


def test_an_unknown_rule_is_refused(desk, root, login_as):
    response = login_as(root).post("/admin/regles-notification/basculer", htmx=True,
                                   data={"name": "On Nothing", "scope": "global", "on": "0"})
    assert "Règle de notification inconnue" in response.plain
    assert db.session.scalar(select(ScripOff)) is None
    with pytest.raises(DomainError):
        notification_rules.switch(None, "On Nothing", None, False)


def test_modify_scrips_on_one_queue_switches_only_there(desk, make_user, login_as):
    keeper = make_user("gardien", rights=["ModifyScrips"], on=desk.support)
    client = login_as(keeper)
    assert client.get(f"/admin/regles-notification/file/{desk.support.id}").status_code == 200
    assert client.get(f"/admin/regles-notification/file/{desk.info.id}").status_code == 403
    assert client.post("/admin/regles-notification/basculer", data={
        "name": AUTOREPLY, "scope": "global", "on": "0",
        "shown": desk.support.id}).status_code == 403
    assert client.post("/admin/regles-notification/basculer", data={
        "name": AUTOREPLY, "scope": "queue", "on": "0",
        "shown": desk.info.id}).status_code == 403
    assert db.session.scalar(select(ScripOff)) is None
    with pytest.raises(Forbidden):
        notification_rules.switch(keeper, AUTOREPLY, None, False)
    assert client.post("/admin/regles-notification/basculer", data={
        "name": AUTOREPLY, "scope": "queue", "on": "0",
        "shown": desk.support.id}).status_code == 302
    assert AUTOREPLY not in _scrips_of_new_ticket(desk, desk.support)


@pytest.mark.parametrize("method, url", [
    ("get", "/admin/regles-notification"), ("get", "/admin/regles-notification/file/{id}"),
    ("post", "/admin/regles-notification/basculer")])
def test_rules_pages_are_refused_without_the_right(method, url, desk, login_as):
    client = login_as(desk.alice)
    url = url.format(id=desk.support.id)
    for htmx in (False, True):
        if method == "get":
            response = client.hx_get(url) if htmx else client.get(url)
        else:
            response = client.post(url, htmx=htmx, data={"name": AUTOREPLY, "on": "0"})
        assert response.status_code == 403
    assert db.session.scalar(select(ScripOff)) is None


def test_a_rule_added_later_without_a_description_is_listed_and_switchable(
        desk, root, login_as, monkeypatch):
    extra = notifications.Scrip("On Comment Notify Other Recipients as Comment",
                                lambda txn: False, notifications.Notify(("Cc",), "Correspondence"))
    monkeypatch.setattr(notifications, "SCRIPS", notifications.SCRIPS + (extra,))
    client = login_as(root)
    assert extra.name in client.get("/admin/regles-notification").plain
    client.post("/admin/regles-notification/basculer",
                data={"name": extra.name, "scope": "global", "on": "0"})
    assert db.session.scalar(select(ScripOff.scrip)) == extra.name
