"""Dashboard subscriptions (RT's « Abonnement »): a dashboard mailed daily on chosen
weekdays, weekly or monthly, from an hour of the subscriber's timezone.

Subscribing needs SubscribeDashboard and the right to see the dashboard; the mail is
always drawn as the subscriber (never more than they may see). The sent mark is the
period key, set by a conditional UPDATE (`claim`) in the transaction that queues the
mails, so a period is mailed once across restarts and concurrent workers
(mail/subscriptions.py).
"""
from datetime import datetime, timezone
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from ..extensions import db
from ..models import Dashboard, DashboardSubscription, User
from . import DomainError, Forbidden
from .dashboards import may
from .rights import can

FREQUENCIES = ("daily", "weekly", "monthly")
MAX_RECIPIENTS = 20


def _addresses(raw: str) -> list[str]:
    found = [a.strip() for a in (raw or "").replace(";", ",").split(",") if a.strip()]
    if len(found) > MAX_RECIPIENTS:
        raise DomainError(_l("Trop de destinataires."))
    for address in found:
        if "@" not in parseaddr(address)[1] or " " in address:
            raise DomainError(_l("Adresse invalide : %(address)s", address=address))
    return found


def _check(frequency: str, hour: int, weekdays: list[int], weekday: int, day: int) -> None:
    if frequency not in FREQUENCIES:
        raise DomainError(_l("Fréquence inconnue."))
    if not 0 <= hour <= 23 or not 0 <= weekday <= 6 or not 1 <= day <= 28:
        raise DomainError(_l("Heure, jour ou jour du mois invalide."))
    if frequency == "daily" and (not weekdays or any(not 0 <= d <= 6 for d in weekdays)):
        raise DomainError(_l("Choisissez au moins un jour de la semaine."))


def subscribe(actor: User, dashboard: Dashboard, frequency: str, hour: int = 8,
              weekdays=(0, 1, 2, 3, 4), weekday: int = 0, day: int = 1,
              recipients: str = "") -> DashboardSubscription:
    """Subscribe the actor to a dashboard they may see (SubscribeDashboard), or change
    their subscription; recipients empty means the actor's own address."""
    if not can(actor, "SubscribeDashboard") or not may(actor, dashboard, "See"):
        raise Forbidden(_l("Vous ne pouvez pas vous abonner à ce tableau de bord."))
    weekdays = sorted(set(int(d) for d in weekdays))
    _check(frequency, hour, weekdays, weekday, day)
    addresses = _addresses(recipients)
    found = mine(actor, dashboard)
    if found is None:
        found = DashboardSubscription(dashboard_id=dashboard.id, user_id=actor.id)
        db.session.add(found)
    found.frequency, found.hour, found.weekday, found.day = frequency, hour, weekday, day
    found.weekdays = ",".join(str(d) for d in weekdays)
    found.recipients = ",".join(addresses)
    db.session.flush()
    return found


def period(subscription: DashboardSubscription, local: datetime) -> str | None:
    """The period key due at this local time (its day reached, from its hour), or None."""
    if local.hour < subscription.hour:
        return None
    if subscription.frequency == "daily":
        days = subscription.weekdays.split(",")
        return local.strftime("%Y-%m-%d") if str(local.weekday()) in days else None
    if subscription.frequency == "weekly":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}" if local.weekday() == subscription.weekday else None
    return local.strftime("%Y-%m") if local.day == subscription.day else None


def local_time(user: User, now: datetime, default_zone: str) -> datetime:
    """`now` (UTC, naive) in the user's timezone."""
    try:
        zone = ZoneInfo(user.timezone or default_zone)
    except (KeyError, ValueError):
        zone = timezone.utc
    return now.replace(tzinfo=timezone.utc).astimezone(zone)


def due(now: datetime, default_zone: str) -> list[tuple[int, str]]:
    """(subscription id, period) of every subscription due now and not mailed for it."""
    found = []
    for sub in db.session.scalars(select(DashboardSubscription).join(User).where(
            User.disabled.is_(False))):
        key = period(sub, local_time(sub.user, now, default_zone))
        if key is not None and key != sub.last_period:
            found.append((sub.id, key))
    return found


def claim(subscription_id: int, key: str) -> bool:
    """Set the sent mark for the period; True only for the one worker that set it."""
    result = db.session.execute(update(DashboardSubscription).where(
        DashboardSubscription.id == subscription_id,
        or_(DashboardSubscription.last_period.is_(None),
            DashboardSubscription.last_period != key)).values(last_period=key))
    return result.rowcount == 1


def mine(user: User, dashboard: Dashboard) -> DashboardSubscription | None:
    """The user's subscription to the dashboard, if any."""
    return db.session.scalar(select(DashboardSubscription).where(
        DashboardSubscription.dashboard_id == dashboard.id,
        DashboardSubscription.user_id == user.id))


def unsubscribe(actor: User, dashboard: Dashboard) -> None:
    """End the actor's subscription to the dashboard (nothing when there is none)."""
    found = mine(actor, dashboard)
    if found is not None:
        db.session.delete(found)
        db.session.flush()
