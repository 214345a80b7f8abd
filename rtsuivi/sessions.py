"""Login sessions that end: at logout (server-side), after an idle time, after a lifetime.

The session cookie holds "user id:session serial". Logout and a password change bump the
user's serial, so every cookie issued before (a copy included) no longer loads anyone.
The cookie also carries when the session began and when it was last used; both are
checked on every request against RTSUIVI_SESSION_IDLE_MINUTES and RTSUIVI_SESSION_MAX_HOURS.
"""
import time

from flask import after_this_request, current_app, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import bindparam, select

from .domain.rights import note_rights_serial
from .extensions import db
from .models import RightsSerial, User

LOGIN_AT, SEEN_AT = "_login_at", "_seen_at"
# A browser where the user logged in before is exempt from the account lock
# (domain/throttle.py): whoever types their name elsewhere cannot keep them out.
KNOWN_DEVICE_COOKIE = "rtsuivi_known_device"
KNOWN_DEVICE_DAYS = 90
# Requests a page makes by itself (the ticket page's live poll): they are not the user's
# activity, so they never push the idle timeout back.
BACKGROUND_ENDPOINTS: set[str] = set()


def now() -> float:
    """The clock (tests replace it)."""
    return time.time()


def start(user: User) -> None:
    """Mark the session of a user who just logged in; remember this browser for them."""
    session[LOGIN_AT] = session[SEEN_AT] = int(now())
    session.permanent = True
    token = _devices().dumps(user.name.lower())

    @after_this_request
    def remember_device(response):
        response.set_cookie(KNOWN_DEVICE_COOKIE, token, max_age=KNOWN_DEVICE_DAYS * 86400,
                            httponly=True, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
        return response


def known_device(name: str | None) -> bool:
    """Tell whether this browser logged in as `name` before (a signed cookie)."""
    token = request.cookies.get(KNOWN_DEVICE_COOKIE)
    if not token or not name:
        return False
    try:
        known = _devices().loads(token, max_age=KNOWN_DEVICE_DAYS * 86400)
    except BadSignature:
        return False
    return known == name.strip().lower()


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="rtsuivi-known-device")


def _expired() -> bool:
    config = current_app.config
    moment = now()
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if login_at is None or seen_at is None:
        return True
    return (moment - login_at > config["RTSUIVI_SESSION_MAX_HOURS"] * 3600
            or moment - seen_at > config["RTSUIVI_SESSION_IDLE_MINUTES"] * 60)


# The session's user and the rights serial (rights.rights_serial), in one query.
_USER_AND_RIGHTS_SERIAL = select(User, RightsSerial.serial).outerjoin(
    RightsSerial, RightsSerial.id == 1).where(User.id == bindparam("user_id"))


def load_user(session_id: str) -> User | None:
    """The user of a live session; None when it was ended, has expired or is disabled."""
    user_id, _sep, serial = (session_id or "").partition(":")
    if not user_id.isdigit() or not serial.isdigit() or int(user_id) > 2**31 - 1:
        return None
    found = db.session.execute(_USER_AND_RIGHTS_SERIAL, {"user_id": int(user_id)}).first()
    user = found[0] if found else None
    if user is not None:
        note_rights_serial(found[1])
    if user is None or user.disabled or int(serial) != (user.session_serial or 0):
        return None
    if _expired():
        session.clear()
        return None
    moment = int(now())
    if moment - session[SEEN_AT] >= 30 and request.endpoint not in BACKGROUND_ENDPOINTS:
        session[SEEN_AT] = moment
    return user


def client_address() -> str | None:
    """The address the login came from, for throttling.

    Behind RTSUIVI_PROXY_COUNT reverse proxies (nginx …) that append to X-Forwarded-For,
    the address the nearest trusted proxy saw; else the connection's address. Without the
    setting behind a proxy, every login would seem to come from the proxy.
    """
    proxies = current_app.config["RTSUIVI_PROXY_COUNT"]
    if proxies > 0:
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",")
                if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.remote_addr
