"""Mail fixtures: a desk with queue addresses, a real SMTP server on 127.0.0.1, helpers."""
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from rtsuivi.domain import accounts
from rtsuivi.extensions import db
from rtsuivi.mail.inbound import receive
from rtsuivi.models import OutboxMail, Ticket
from tests.conftest import AGENT_RIGHTS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    """An aiosmtpd handler that keeps what it receives; some addresses can be refused."""

    def __init__(self, refuse=()):
        self.messages, self.refuse, self.lock = [], set(refuse), threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Unknown user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on a free 127.0.0.1 port; the app is configured to send there."""
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TIMEOUT=5)
    collector.port = port
    yield collector
    controller.stop()
    app.config["SMTP_HOST"] = ""


@pytest.fixture
def mail_desk(make_user, make_queue):
    """Queues Support (support@ / support-comment@), General (the default queue) and
    Interne (no mail rights); agent alice on Support; Everyone may create and reply there."""
    alice = make_user("alice", real_name="Alice Martin", rights=AGENT_RIGHTS)
    support = make_queue("Support", correspond_address="support@example.org",
                         comment_address="support-comment@example.org",
                         rights={"system:Everyone": ["CreateTicket", "ReplyToTicket"]})
    general = make_queue("General", correspond_address="general@example.org",
                         rights={"system:Everyone": ["CreateTicket"]})
    interne = make_queue("Interne", correspond_address="interne@example.org")
    for right in ("ShowTicket", "ReplyToTicket"):
        accounts.grant("role:Requestor", right)
    db.session.commit()

    class Desk:
        pass
    desk = Desk()
    desk.alice, desk.support, desk.general, desk.interne = alice, support, general, interne
    return desk


def mail(subject="Imprimante en panne", body="Bonjour,\nelle ne marche plus.\n",
         sender="helene.berard@mairie.example", to="support@example.org", extra="") -> bytes:
    """A small plain message, as bytes."""
    return (f"From: {sender}\nTo: {to}\nSubject: {subject}\n{extra}"
            f"Message-ID: <{abs(hash((subject, body, sender, extra)))}@test.example>\n"
            f"Content-Type: text/plain; charset=utf-8\n\n{body}").encode()


def new_ticket_by_mail(**kwargs) -> Ticket:
    outcome = receive(mail(**kwargs))
    assert outcome.status == "ok", outcome
    return db.session.get(Ticket, outcome.ticket_id)


def outbox(**filters) -> list[OutboxMail]:
    query = select(OutboxMail).order_by(OutboxMail.id)
    for name, value in filters.items():
        query = query.where(getattr(OutboxMail, name) == value)
    return list(db.session.scalars(query))
