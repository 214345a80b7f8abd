"""Every message of the corpus gives the outcome declared beside it (name.toml)."""
import gzip
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import select

from rtsuivi.extensions import db
from rtsuivi.mail.inbound import receive
from rtsuivi.models import InboundMail, Ticket, Transaction

from .conftest import new_ticket_by_mail, outbox

CORPUS = Path(__file__).parent / "corpus"
MESSAGES = sorted(p for p in CORPUS.iterdir() if p.name.endswith((".eml", ".eml.gz")))
TYPES = {"create": "Create", "correspond": "Correspond", "comment": "Comment"}


def _load(path: Path) -> tuple[bytes, dict]:
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    stem = path.name.split(".eml")[0]
    return raw, tomllib.loads((CORPUS / f"{stem}.toml").read_text(encoding="utf-8"))


def test_corpus_is_large_and_every_message_declares_its_outcome():
    assert len(MESSAGES) >= 25
    for path in MESSAGES:
        assert _load(path)[1]["status"] in ("done", "refused", "dropped")


@pytest.mark.parametrize("path", MESSAGES, ids=lambda p: p.name.split(".eml")[0])
def test_corpus_message(path, mail_desk, app):
    raw, expect = _load(path)
    existing = None
    if expect.get("ticket") == "existing" or b"@TICKET@" in raw:
        existing = new_ticket_by_mail(subject="Imprimante du 2e étage en panne")
        autoreply = outbox(ticket_id=existing.id)[0]
        raw = raw.replace(b"@TICKET@", str(existing.id).encode())
        raw = raw.replace(b"@OUR_MSGID@", autoreply.message_id.encode())
    tickets_before = db.session.scalar(select(db.func.count(Ticket.id)))
    last_ticket = db.session.scalar(select(db.func.max(Ticket.id))) or 0
    mails_before = len(outbox())

    outcome = receive(raw)

    inbound = db.session.scalar(select(InboundMail).order_by(InboundMail.id.desc()))
    assert inbound.raw == raw  # the raw message is always kept
    assert inbound.status == expect["status"], inbound.error
    new_mails = outbox()[mails_before:]
    if expect["status"] == "dropped":
        assert outcome.status == "ok"
        assert db.session.scalar(select(db.func.count(Ticket.id))) == tickets_before
        assert new_mails == []
        return
    if expect["status"] == "refused":
        assert outcome.status == "not ok"
        assert db.session.scalar(select(db.func.count(Ticket.id))) == tickets_before
        bounces = [m for m in new_mails if m.scrip == "Bounce"]
        assert len(bounces) == (1 if expect["bounce"] else 0)
        assert [m for m in new_mails if m.scrip != "Bounce"] == []
        if "error" in expect:
            assert expect["error"] in inbound.error
        return
    assert outcome.status == "ok"
    txn = db.session.get(Transaction, inbound.transaction_id)
    ticket = txn.ticket
    assert txn.type == TYPES[expect["action"]]
    if existing is not None:
        assert ticket.id == existing.id
    else:  # a new ticket, opened by this very message
        assert ticket.id > last_ticket and ticket.transactions[0].id == txn.id
        assert db.session.scalar(select(db.func.count(Ticket.id))) == tickets_before + 1
    if "subject" in expect:
        assert ticket.subject == expect["subject"]
    for fragment in expect.get("text", []):
        assert fragment in txn.content, (fragment, txn.content)
    for fragment in expect.get("text_absent", []):
        assert fragment not in txn.content
    assert bool(txn.html_content) == expect.get("html", False)
    names = [f.filename for f in txn.files]
    for name in expect.get("files", []):
        assert name in names, (name, names)
    for name in expect.get("too_large", []):
        big = next(f for f in txn.files if f.filename == name)
        assert big.content_bytes is None and big.size > app.config["RTSUIVI_MAX_ATTACHMENT_SIZE"]
    for name in set(expect.get("files", [])) - set(expect.get("too_large", [])):
        assert next(f for f in txn.files if f.filename == name).content_bytes is not None
    if "cc" in expect:
        assert sorted(u.email for u in ticket.people("Cc")) == sorted(expect["cc"])
    if "requestor" in expect:
        assert [u.email for u in ticket.requestors] == [expect["requestor"]]
    if "queue" in expect:
        assert ticket.queue.name == expect["queue"]
    autoreplies = [m for m in new_mails if m.scrip == "On Create Autoreply To Requestors"]
    if "autoreply" in expect:
        assert bool(autoreplies) == expect["autoreply"]
