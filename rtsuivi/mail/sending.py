"""Mail out, second half: send the outbox over SMTP (mail/outbound.py composed it inside the
ticket's database transaction), with retries and backoff.

Every message was composed once, bytes and Message-ID included, so a retry sends exactly the
same mail. A row is claimed (pending -> sending) by a conditional UPDATE before it is sent,
so two workers never send it twice; a crash between the SMTP answer and the "sent" mark
leaves it in "sending", and a running worker sends it again once the claim is older than
RTSUIVI_OUTBOX_STALE_AFTER (at least once, same Message-ID: losing a mail is worse than a
rare duplicate that mail readers fold together).
"""
import logging
import smtplib
import time
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..domain import DomainError
from ..extensions import db
from ..models import OutboxMail, utcnow

log = logging.getLogger(__name__)
BACKOFF_BASE, BACKOFF_MAX = 30, 3600  # seconds: 30 s, 1 min, 2 min, … up to an hour


class _Connection:
    """One SMTP session reused for a batch, opened on first use."""

    def __init__(self, config):
        self.config, self.smtp = config, None

    def send(self, mail_from: str, recipients: list, raw: bytes) -> dict:
        if self.smtp is None:
            c = self.config
            self.smtp = smtplib.SMTP(c["SMTP_HOST"], c["SMTP_PORT"], timeout=c["SMTP_TIMEOUT"])
            if c["SMTP_STARTTLS"]:
                self.smtp.starttls()
            if c["SMTP_USER"]:
                self.smtp.login(c["SMTP_USER"], c["SMTP_PASSWORD"])
        return self.smtp.sendmail(mail_from, recipients, raw)

    def close(self):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.smtp = None


def _permanent(error: Exception) -> bool:
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    return isinstance(code, int) and code >= 500


def recover_stale(now=None) -> int:
    """Put back rows a dead worker left in "sending" (see the module docstring)."""
    now = now or utcnow()
    stale = OutboxMail.claimed < now - timedelta(
        seconds=current_app.config["RTSUIVI_OUTBOX_STALE_AFTER"])
    # Look before writing: every worker round asks, and an UPDATE locks SQLite for writing.
    found = db.session.scalar(select(OutboxMail.id).where(
        OutboxMail.status == "sending", stale).limit(1))
    if found is None:
        db.session.commit()
        return 0
    count = db.session.execute(
        update(OutboxMail).where(OutboxMail.status == "sending", stale)
        .values(status="pending", claimed=None)).rowcount
    db.session.commit()
    log.warning("outbox: %s mail(s) left sending by a dead worker put back", count)
    return count


def _claim(row_id: int, now) -> bool:
    claimed = db.session.execute(
        update(OutboxMail).where(OutboxMail.id == row_id, OutboxMail.status == "pending")
        .values(status="sending", claimed=now, attempts=OutboxMail.attempts + 1)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return claimed == 1


def send_pending(limit: int = 100, now=None) -> dict:
    """Send due outbox mails once; return counts. Without SMTP_HOST, do nothing."""
    config = current_app.config
    counts = {"sent": 0, "retry": 0, "failed": 0}
    if not config["SMTP_HOST"]:
        return counts
    now = now or utcnow()
    due = db.session.scalars(select(OutboxMail.id).where(
        OutboxMail.status == "pending", OutboxMail.next_try <= now)
        .order_by(OutboxMail.id).limit(limit)).all()
    db.session.commit()
    connection = _Connection(config)
    try:
        for row_id in due:
            if not _claim(row_id, now):
                continue  # another worker has it
            row = db.session.get(OutboxMail, row_id)
            attempts, envelope = row.attempts, (row.mail_from, row.recipient_list, row.raw)
            # End the read before the slow SMTP exchange: on SQLite a read transaction that
            # someone writes past (a ticket page's presence) can no longer write, and the
            # mail would be sent yet stay "sending". The outcome below is then a plain UPDATE.
            db.session.commit()
            try:
                refused = connection.send(*envelope)
            except (smtplib.SMTPException, OSError) as error:
                connection.close()
                _failed(row, attempts, error, now, counts)
                if not _permanent(error) and isinstance(
                        error, (OSError, smtplib.SMTPServerDisconnected)):
                    break  # the server is down: leave the rest for the next round
                continue
            row.status, row.sent, row.claimed = "sent", utcnow(), None
            row.last_error = f"refused: {', '.join(refused)}" if refused else None
            db.session.commit()
            counts["sent"] += 1
    finally:
        connection.close()
    return counts


def _failed(row: OutboxMail, attempts: int, error: Exception, now, counts: dict) -> None:
    max_attempts = current_app.config["RTSUIVI_OUTBOX_MAX_ATTEMPTS"]
    row.last_error = f"{type(error).__name__}: {error}"[:2000]
    row.claimed = None
    if _permanent(error) or attempts >= max_attempts:
        row.status = "failed"
        counts["failed"] += 1
    else:
        row.status = "pending"
        delay = min(BACKOFF_BASE * 2 ** (attempts - 1), BACKOFF_MAX)
        row.next_try = now + timedelta(seconds=delay)
        counts["retry"] += 1
    db.session.commit()


def retry(row: OutboxMail) -> None:
    """Put a failed (or waiting) mail back at the head of the queue (admin action)."""
    if row.status == "sent":
        raise DomainError(_l("Ce courriel est déjà parti."))
    row.status, row.next_try, row.claimed = "pending", utcnow(), None


def run_worker(app, poll: float = 2.0, stop=None, once: bool = False) -> None:
    """Send the outbox forever (or once), each round in a fresh app context.

    Each round also takes back what a dead process left half-done: outbox claims gone
    stale and received mails never processed (inbound.retry_stale); and it queues the
    mail of reminders fallen due (mail/reminders.py, once per reminder).
    """
    # Imported when a worker runs: web processes load this module (admin « Renvoyer ») but
    # never the reminders' and subscriptions' mail.
    from .inbound import retry_stale
    from .reminders import queue_due_reminders
    from .subscriptions import queue_due_subscriptions  # dashboards by mail (issue 15)
    while True:
        with app.app_context():
            try:
                recover_stale()
                retry_stale()
                queue_due_reminders()
                queue_due_subscriptions()
                counts = send_pending()
                if any(counts.values()):
                    log.info("outbox: %s", counts)
            except Exception:  # the worker must outlive a bad round (database restart…)
                log.exception("outbox round failed")
                db.session.rollback()
            finally:
                db.session.remove()
        if once or (stop is not None and stop.wait(poll)):
            return
        if stop is None:
            time.sleep(poll)


