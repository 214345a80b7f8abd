"""One-time links mailed to a person: choose a (first) password, or, when the site allows
it (RTSUIVI_REQUESTER_LINK_LOGIN), log in as a requester without one.

A link is valid LINK_MINUTES, works once, and only the SHA-256 of its token is stored (the
token is long and random: a fast hash is enough, nothing to guess). Asking for a link
answers the same whether the address is known or not, and is throttled like the login
form (domain/throttle.py, under keys of its own). The mail itself is composed by
rtsuivi/mail/account_links.py, in the outbox like every mail.
"""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..extensions import db
from ..models import NOBODY_NAME, SYSTEM_NAME, AccountLink, User
from . import DomainError, Forbidden, audit, throttle
from .accounts import check_password_policy, end_sessions, find_user, set_password
from .rights import may_administer

LINK_MINUTES = 60
MAX_NEXT = 500


def now() -> datetime:
    """The clock, naive UTC (tests replace it)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class Issued:
    """A link just made: who gets it and the token to put in the mailed URL."""
    user: User
    token: str
    login: bool  # the link may also log in without a password


def _digest(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def may_log_in_by_link(user: User) -> bool:
    """Tell whether a link may log this user in without a password (requesters only)."""
    return bool(current_app.config.get("RTSUIVI_REQUESTER_LINK_LOGIN")) and not user.privileged


def _usable(user: User | None) -> bool:
    return bool(user and user.email and not user.disabled
                and user.name not in (NOBODY_NAME, SYSTEM_NAME))


def issue(user: User, next_url: str | None = None) -> Issued:
    """Make a one-time link for the user (valid LINK_MINUTES); return it with its token."""
    token = secrets.token_urlsafe(32)
    moment = now()
    db.session.add(AccountLink(user_id=user.id, token_hash=_digest(token),
                               next_url=(next_url or None) and next_url[:MAX_NEXT],
                               created=moment,
                               expires=moment + timedelta(minutes=LINK_MINUTES)))
    db.session.flush()
    return Issued(user, token, may_log_in_by_link(user))


def request_link(address: str, next_url: str | None, client: str | None) -> Issued | None:
    """Make a link for the person with this address or login, if any; None otherwise.

    Raises DomainError (the throttle's message) after too many requests from this client
    or for this address, known or not: the caller answers the same in every other case.
    """
    name, by_client = f"lien:{(address or '').strip().lower()}", f"lien:{client or 'unknown'}"
    refusal = throttle.refusal(name, by_client)
    if refusal is not None:
        raise DomainError(refusal)
    throttle.record(name, by_client, success=False)  # every request counts
    user = find_user(address)
    return issue(user, next_url) if _usable(user) else None


def issue_for(actor: User, user: User, next_url: str | None = None) -> Issued:
    """Make a link for a user from the admin pages (SuperUser or AdminUsers).

    Raises Forbidden without the right, DomainError when the user cannot receive one.
    """
    if not may_administer(actor, ("SuperUser", "AdminUsers")):
        raise Forbidden(_l("Vous n'avez pas accès à cette page."))
    if not _usable(user):
        raise DomainError(_l("Cet utilisateur n'a pas d'adresse électronique ou est "
                             "désactivé : aucun lien ne peut lui être envoyé."))
    audit.record(actor, "user", user.id, user.name, "password_link")
    return issue(user, next_url)


def find(token: str) -> AccountLink:
    """Return the link of this token while it is valid; DomainError otherwise."""
    link = db.session.scalar(select(AccountLink).where(
        AccountLink.token_hash == _digest(token))) if token else None
    if link is None or link.used is not None or link.expires <= now() \
            or not _usable(link.user):
        raise DomainError(_l("Ce lien n'est plus valable (il sert une fois, pendant une "
                             "heure). Demandez-en un nouveau."))
    return link


def _spend(link: AccountLink) -> None:
    """Use the link up, with every other link of its user still waiting."""
    moment = now()
    db.session.execute(update(AccountLink).where(
        AccountLink.user_id == link.user_id, AccountLink.used.is_(None)).values(used=moment)
        .execution_options(synchronize_session=False))
    link.used = moment


def choose_password(token: str, password: str, confirm: str) -> AccountLink:
    """Set the password of the link's user, ending their other sessions; spend the link.

    Raises DomainError for a link no longer valid, a mismatch or a policy breach.
    """
    link = find(token)
    if (password or "") != (confirm or ""):
        raise DomainError(_l("Les deux mots de passe ne sont pas identiques."))
    check_password_policy(password, link.user.name)
    set_password(link.user, password)
    _spend(link)
    return link


def log_in_by_link(token: str) -> AccountLink:
    """Spend a link to log its user in without a password (requesters, when allowed)."""
    link = find(token)
    if not may_log_in_by_link(link.user):
        raise DomainError(_l("Ce lien sert à choisir un mot de passe, pas à se connecter."))
    end_sessions(link.user)  # as a password change: a copied link opens one session only
    _spend(link)
    return link
