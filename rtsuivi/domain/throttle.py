"""Brute-force protection of the login form, by account name and by client address.

The first RTSUIVI_LOGIN_FREE_ATTEMPTS failures cost nothing; each further one makes the
next try wait (1, 2, 4 … 60 seconds); at RTSUIVI_LOGIN_MAX_FAILURES the address is locked
for RTSUIVI_LOGIN_LOCK_MINUTES and the account for RTSUIVI_LOGIN_ACCOUNT_LOCK_MINUTES.
The account lock is kept short on purpose, and does not apply in a browser where the
user logged in before (rtsuivi/sessions.py, known device): anyone can type a user's name,
and must not be able to keep that user out. A refused try is not checked and not counted,
so hammering during a wait or a lock does not extend it. Failures are forgotten after a
quiet LOCK_MINUTES; a successful login clears its account's count (not its address's).
"""
import logging
import math
from datetime import datetime, timedelta, timezone

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import LoginThrottle

log = logging.getLogger("rtsuivi.auth")
MAX_DELAY = 60


def now() -> datetime:
    """The clock, naive UTC (tests replace it)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _keys(name: str, address: str | None) -> list[str]:
    return [f"account:{(name or '').strip().lower()[:200]}",
            f"address:{(address or 'unknown')[:80]}"]


def _wait(row: LoginThrottle | None, moment: datetime) -> float:
    """Seconds before this key may try again (0: now)."""
    if row is None:
        return 0
    if row.locked_until and row.locked_until > moment:
        return (row.locked_until - moment).total_seconds()
    free = current_app.config["RTSUIVI_LOGIN_FREE_ATTEMPTS"]
    if row.failures < free or _forgotten(row, moment):
        return 0
    delay = min(MAX_DELAY, 2 ** (row.failures - free + 1))
    return max(0.0, delay - (moment - row.last_failure).total_seconds())


def _forgotten(row: LoginThrottle, moment: datetime) -> bool:
    quiet = timedelta(minutes=current_app.config["RTSUIVI_LOGIN_LOCK_MINUTES"])
    return moment - row.last_failure > quiet and not (
        row.locked_until and row.locked_until > moment)


def refusal(name: str, address: str | None, known_device: bool = False,
            moment: datetime | None = None):
    """The message refusing this login try before the password is checked, or None.

    A browser where this account logged in before (known_device) is held back only by
    its address, never by the account's count: nobody can lock a user out of it.
    """
    moment = moment or now()
    keys = _keys(name, address)[1:] if known_device else _keys(name, address)
    wait = max(_wait(db.session.get(LoginThrottle, key), moment) for key in keys)
    if wait <= 0:
        return None
    log.warning("login refused (throttled %ds) for %r from %s", wait, name, address)
    if wait > MAX_DELAY:
        return _l("Trop de tentatives de connexion échouées : la connexion est bloquée "
                  "pendant %(minutes)d minutes. Réessayez plus tard ou demandez à un "
                  "administrateur.", minutes=math.ceil(wait / 60))
    return _l("Trop de tentatives de connexion échouées : patientez %(seconds)d secondes "
              "avant de réessayer.", seconds=math.ceil(wait))


def record(name: str, address: str | None, success: bool,
           moment: datetime | None = None) -> None:
    """Count a failed try against the account and the address; a success clears the
    account's count. Every try is logged."""
    moment = moment or now()
    account, by_address = _keys(name, address)
    if success:
        log.info("login succeeded for %r from %s", name, address)
        db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == account))
        return
    config = current_app.config
    for key, lock_minutes in ((account, config["RTSUIVI_LOGIN_ACCOUNT_LOCK_MINUTES"]),
                              (by_address, config["RTSUIVI_LOGIN_LOCK_MINUTES"])):
        row = _row_for_update(key, moment)
        if _forgotten(row, moment):
            row.failures, row.locked_until = 0, None
        row.failures += 1
        row.last_failure = moment
        if row.failures >= config["RTSUIVI_LOGIN_MAX_FAILURES"]:
            row.failures = 0  # after the lock, the count starts again
            row.locked_until = moment + timedelta(minutes=lock_minutes)
            log.warning("login locked for %s until %s", key, row.locked_until)
    log.warning("login failed for %r from %s", name, address)
    _forget_old(moment)


def _row_for_update(key: str, moment: datetime) -> LoginThrottle:
    """The key's row, created if missing and locked until commit: parallel tries (a
    brute-force tool) neither collide on creating it nor lose a failure."""
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[
        db.session.get_bind().dialect.name]
    db.session.execute(insert(LoginThrottle).values(key=key, failures=0, last_failure=moment)
                       .on_conflict_do_nothing(index_elements=["key"]))
    return db.session.scalar(select(LoginThrottle).where(LoginThrottle.key == key)
                             .with_for_update().execution_options(populate_existing=True))


def _forget_old(moment: datetime) -> None:
    """Drop the counts of keys quiet for a day (random names must not pile up)."""
    db.session.execute(delete(LoginThrottle).where(
        LoginThrottle.last_failure < moment - timedelta(days=1)))
