"""Reminder mail: the outbox worker mails each due reminder's owner once.

Each reminder is claimed (its mail-sent mark set by a conditional UPDATE) in the same
database transaction that writes its OutboxMail row: a crash before the commit leaves
neither, after it both, so a restart neither loses nor repeats the mail; of two workers,
only the one whose UPDATE changed the row queues it.
"""
import logging
from datetime import timezone
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import current_app

from ..domain import mail_templates
from ..domain import reminders as domain
from ..extensions import db
from ..models import Reminder, utcnow
from .outbound import _store, compose, ticket_url

log = logging.getLogger(__name__)


def _local(reminder: Reminder, lang: str) -> str:
    owner = reminder.owner
    try:
        zone = ZoneInfo(owner.timezone or current_app.config["RTSUIVI_DEFAULT_TIMEZONE"])
    except (KeyError, ValueError):
        zone = timezone.utc
    return format_datetime(reminder.due.replace(tzinfo=timezone.utc).astimezone(zone),
                           "short", locale=lang)


def _compose(reminder: Reminder):
    owner, ticket = reminder.owner, reminder.ticket
    lang = owner.lang if owner.lang in mail_templates.LANGS else mail_templates.DEFAULT_LANG
    context = {"rtname": current_app.config["RTSUIVI_RTNAME"],
               "ticket": {"id": ticket.id, "subject": ticket.subject,
                          "queue": ticket.queue.name, "url": ticket_url(ticket.id)},
               "reminder": {"subject": reminder.subject, "due": _local(reminder, lang),
                            "owner": owner.display_name}}
    subject, body = mail_templates.render(mail_templates.get("Reminder", lang), context)
    msg = compose(subject=subject, body=body, to=[owner.email],
                  mail_from=ticket.queue.correspond_address
                  or current_app.config["RTSUIVI_MAIL_FROM"],
                  display_name=current_app.config["RTSUIVI_RTNAME"], ticket_id=ticket.id,
                  auto_submitted="auto-generated")
    return _store(msg, [owner.email], "Reminder", ticket.id)


def queue_due_reminders(now=None) -> int:
    """Put one mail per due, unmailed reminder in the outbox; return how many."""
    now = now or utcnow()
    queued = 0
    for reminder_id in domain.due_unmailed(now):
        try:
            if domain.claim_mail(reminder_id, now):
                reminder = db.session.get(Reminder, reminder_id)
                if reminder.owner.email and not reminder.owner.disabled:
                    _compose(reminder)
                    queued += 1
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("reminder %s: mail not queued", reminder_id)
    return queued
