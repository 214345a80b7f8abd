"""Fixtures: one migrated database per run (SQLite, or PostgreSQL when
RTSUIVI_TEST_DATABASE_URL says so), emptied before each test; a client that sends the CSRF
token as the browser does; factories with sensible defaults."""
import html
import os
import re
import tempfile

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import select

from rtsuivi import create_app
from rtsuivi.domain import accounts, rights
from rtsuivi.domain import tickets as domain
from rtsuivi.extensions import db
from rtsuivi.models import User

PASSWORD = "mot-de-passe-test"
AGENT_RIGHTS = (
    "SeeQueue", "ShowTicket", "ShowTicketComments", "CreateTicket", "ReplyToTicket",
    "CommentOnTicket", "OwnTicket", "TakeTicket", "StealTicket", "ReassignTicket",
    "ModifyTicket", "DeleteTicket", "Watch", "WatchAsAdminCc", "ForwardMessage",
)

_DATA_DIR = tempfile.mkdtemp(prefix="rtsuivi-test-")
DATABASE_URL = os.environ.get("RTSUIVI_TEST_DATABASE_URL") or \
    f"sqlite:///{_DATA_DIR}/test.sqlite3"


def _config(**extra) -> dict:
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": DATABASE_URL, "SECRET_KEY": "test",
            "RTSUIVI_DATA_DIR": _DATA_DIR, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "SERVER_NAME": None, "RTSUIVI_INDEX_DIR": f"{_DATA_DIR}/search_index",
            # Marks are written but not drained; tests/test_search.py turns indexing on.
            "RTSUIVI_INDEX_MODE": "off",
            # A template reading a name nobody passed fails the test (jinja2.StrictUndefined).
            "RTSUIVI_STRICT_TEMPLATES": True, **extra}


@pytest.fixture(scope="session")
def _migrated():
    """Upgrade the test database to head once per run, through the real migrations."""
    from flask_migrate import downgrade, upgrade
    app = create_app(_config())
    with app.app_context():
        db.session.remove()
        downgrade(revision="base")  # a database left by an earlier run starts empty
        upgrade()
        db.session.remove()
        db.engine.dispose()
    return True


def _empty_all_tables():
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    accounts.ensure_system_users()
    db.session.commit()
    rights.forget_cached_rights()


@pytest.fixture
def app(_migrated):
    app = create_app(_config())
    with app.app_context():
        _empty_all_tables()
        yield app
        db.session.remove()
        db.engine.dispose()


class Client(FlaskClient):
    """A test client that posts the CSRF token the way the browser does."""

    token = None

    def open(self, *args, **kwargs):
        # Each request gets its own app context, hence its own `g` and database session,
        # as in production; the test's session stays out of the way.
        in_test_thread = has_app_context()
        if in_test_thread:
            db.session.commit()  # end the test's read transaction so it sees what follows
        context = self.application.app_context()
        context.push()
        try:
            response = super().open(*args, **kwargs)
            # What a person reads: the body with HTML entities decoded.
            response.plain = html.unescape(response.get_data().decode("utf-8", "replace"))
            return response
        finally:
            context.pop()
            if in_test_thread:
                db.session.commit()

    def refresh_token(self, url="/"):
        html = self.get(url, follow_redirects=True).get_data(as_text=True)
        match = re.search(r'"X-CSRFToken": "([^"]+)"', html) or \
            re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        self.token = match.group(1) if match else None
        return self.token

    def post(self, *args, htmx=False, csrf=True, **kwargs):
        headers = dict(kwargs.pop("headers", None) or {})
        if csrf:
            if self.token is None:
                self.refresh_token()
            headers.setdefault("X-CSRFToken", self.token)
        if htmx:
            headers["HX-Request"] = "true"
        return super().post(*args, headers=headers, **kwargs)

    def hx_get(self, *args, **kwargs):
        headers = dict(kwargs.pop("headers", None) or {})
        headers["HX-Request"] = "true"
        return self.get(*args, headers=headers, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture
def login_as(client):
    def login(user, password=PASSWORD):
        client._cookies.clear()  # a fresh browser: whoever was logged in is gone
        client.token = None
        client.refresh_token("/login")
        response = client.post("/login", data={"name": user.name, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        client.refresh_token()
        return client
    return login


@pytest.fixture
def make_user(app):
    counter = iter(range(1, 10000))

    def make(name=None, privileged=True, groups=(), password=PASSWORD, rights=(),
             on=None, **fields):
        """Create a user; `rights` are granted to them on queue `on` (globally if None)."""
        name = name or f"user{next(counter)}"
        fields.setdefault("email", f"{name}@example.org")
        user = accounts.create_user(name, password=password, privileged=privileged, **fields)
        for group_name in groups:
            group = db.session.scalar(select(accounts.Group).where(
                accounts.Group.name == group_name)) or accounts.create_group(group_name)
            accounts.add_member(group, user)
        for right in rights:
            accounts.grant(f"user:{name}", right, on)
        db.session.commit()
        return user
    return make


@pytest.fixture
def make_queue(app):
    """make_queue("Support", rights={"group:N1": AGENT_RIGHTS, "role:Requestor": [...]})"""
    counter = iter(range(1, 10000))

    def make(name=None, rights=None, **fields):
        queue = accounts.create_queue(name or f"File {next(counter)}", **fields)
        for principal, names in (rights or {}).items():
            for right in names:
                accounts.grant(principal, right, queue)
        db.session.commit()
        return queue
    return make


@pytest.fixture
def make_ticket(app):
    def make(queue, actor=None, requestors=None, content="Bonjour, ça ne marche pas.",
             **fields):
        actor = actor or db.session.scalar(select(User).where(User.name == "RT_System"))
        if actor.name == "RT_System" and not rights.can(actor, "SuperUser"):
            accounts.grant("user:RT_System", "SuperUser")  # it stands for mail and scripts
        ticket = domain.create(actor, domain.NewTicket(
            queue=queue, subject=fields.pop("subject", "Imprimante en panne"),
            content=content, requestors=requestors, **fields))
        db.session.commit()
        return ticket
    return make


@pytest.fixture
def desk(make_user, make_queue):
    """A small help desk: queue Support for group N1 (alice, bruno), queue Info for N2
    (chloe), a requester denise, requesters may see and answer their tickets."""
    alice = make_user("alice", groups=["N1"], real_name="Alice Martin")
    bruno = make_user("bruno", groups=["N1"], real_name="Bruno Lefèvre")
    chloe = make_user("chloe", groups=["N2"], real_name="Chloé Dubois")
    denise = make_user("denise", privileged=False, real_name="Denise Garnier")
    support = make_queue("Support", rights={"group:N1": AGENT_RIGHTS})
    info = make_queue("Info", rights={"group:N2": AGENT_RIGHTS})
    for right in ("ShowTicket", "ReplyToTicket"):
        accounts.grant("role:Requestor", right)
    accounts.grant("system:Everyone", "CreateTicket", support)
    db.session.commit()

    class Desk:
        pass
    d = Desk()
    d.alice, d.bruno, d.chloe, d.denise, d.support, d.info = \
        alice, bruno, chloe, denise, support, info
    return d
