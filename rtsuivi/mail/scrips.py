"""Run the scrips: just before a commit, write the mails that the domain's scrips ask for
(domain/notifications.py) into the outbox, inside the same database transaction.

Registered once by create_app (importing this module installs the session hooks).
"""
import logging

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..domain.notifications import Forward, Mail, OtherRecipients, mails_for
from ..models import OutboxMail, Transaction
from . import outbound

log = logging.getLogger(__name__)


def write(mail: Mail, cache: dict) -> OutboxMail:
    """Compose one mail a scrip asked for and put it in the outbox."""
    if isinstance(mail.scrip.action, Forward):
        return outbound.queue_forward(mail.txn, cache)
    if isinstance(mail.scrip.action, OtherRecipients):
        return outbound.queue_once(mail, cache)
    return outbound.queue_notification(mail, cache)


def run_scrips(txn: Transaction, cache: dict) -> list[OutboxMail]:
    """Write the outbox mails the scrips produce for one transaction."""
    return [write(mail, cache) for mail in mails_for(txn, cache)]


@event.listens_for(Session, "before_flush")
def _collect(session, flush_context, instances):
    """Remember the transactions this database transaction adds, for the scrips."""
    if session.info.get("scrips_off"):
        return
    new = [obj for obj in session.new if isinstance(obj, Transaction)]
    if new:
        session.info.setdefault("scrip_txns", []).extend(new)


@event.listens_for(Session, "before_commit")
def _run_before_commit(session):
    """Run the scrips of the pending transactions inside the same database transaction."""
    session.flush()  # collects what is still unflushed (see _collect)
    if not session.info.get("scrip_txns"):
        return
    txns = session.info.pop("scrip_txns", [])
    if session.info.get("scrips_off") or not current_app:
        return
    cache: dict = {}
    for txn in txns:
        try:
            run_scrips(txn, cache)
        except Exception:  # a notification never blocks the ticket change itself
            log.exception("scrips failed for transaction %s", txn.id)
    session.flush()


@event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop("scrip_txns", None)
