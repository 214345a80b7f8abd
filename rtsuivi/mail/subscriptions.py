"""Dashboard subscriptions: the worker mails each due dashboard once per period.

Each subscription is claimed (its period mark set by a conditional UPDATE) in the same
database transaction that writes its OutboxMail rows: a crash before the commit leaves
neither, after it both, so a restart neither loses nor repeats the mail; of two workers
only the one whose UPDATE changed the row queues it. The dashboard is drawn as the
subscriber (domain/portlets.run): never more than they may see.
"""
import logging

from flask import current_app, render_template
from flask_babel import force_locale, gettext

from ..domain import mail_templates, portlets
from ..domain import subscriptions as domain
from ..domain.dashboards import may
from ..extensions import db
from ..models import DashboardSubscription, utcnow
from .outbound import _store, compose, ticket_url

log = logging.getLogger(__name__)


def _compile_as(user):
    from ..search import compile_for  # the index: imported when a search runs

    def compile(query):
        return compile_for(query, user, zone=user.timezone or None)
    return compile


def _compose(sub: DashboardSubscription) -> None:
    user, dashboard = sub.user, sub.dashboard
    if not may(user, dashboard, "See") or not user.email:
        return  # rights changed since subscribing: nothing is mailed
    lang = user.lang if user.lang in mail_templates.LANGS else mail_templates.DEFAULT_LANG
    base = current_app.config["RTSUIVI_BASE_URL"].rstrip("/")
    with force_locale(lang):
        boxes = [portlets.run(user, p, _compile_as(user)) for p in dashboard.portlets]
        subject = gettext("Tableau de bord : %(name)s", name=dashboard.name)
        html = render_template("mail/dashboard.html", dashboard=dashboard, boxes=boxes, lang=lang,
                               url=f"{base}/tableaux/{dashboard.id}", ticket_url=ticket_url)
        text = "\n".join([subject, "", f"{base}/tableaux/{dashboard.id}"])
    to = [a for a in sub.recipients.split(",") if a] or [user.email]
    msg = compose(subject=subject, body=text, to=to,
                  mail_from=current_app.config["RTSUIVI_MAIL_FROM"],
                  display_name=current_app.config["RTSUIVI_RTNAME"],
                  auto_submitted="auto-generated")
    msg.add_alternative(html, subtype="html")
    _store(msg, to, "Dashboard")


def queue_due_subscriptions(now=None) -> int:
    """Put each due dashboard's mail in the outbox, once per period; return how many."""
    now = now or utcnow()
    queued = 0
    zone = current_app.config["RTSUIVI_DEFAULT_TIMEZONE"]
    for sub_id, key in domain.due(now, zone):
        try:
            if domain.claim(sub_id, key):
                _compose(db.session.get(DashboardSubscription, sub_id))
                queued += 1
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("dashboard subscription %s: mail not queued", sub_id)
    return queued
