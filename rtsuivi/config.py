"""Defaults, overridden by the environment (RTSUIVI_*, DATABASE_URL, SECRET_KEY)."""
import os
import secrets
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _data_dir() -> Path:
    return Path(os.environ.get("RTSUIVI_DATA_DIR") or PROJECT_DIR / "instance")


def _secret_key(data_dir: Path, write: bool = True) -> str:
    """Use SECRET_KEY, else a key kept in the data folder so sessions survive restarts.

    Without `write` (the caller gave its own config), an existing key is read but none is
    created: a key for this process only.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    if not write:
        key_file = data_dir / "secret_key"
        return key_file.read_text().strip() if key_file.is_file() else secrets.token_hex(32)
    from .storage import private_dir
    private_dir(data_dir)
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        # Created 0600 from the start: never readable by others, not even for a moment.
        descriptor = os.open(key_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def from_environment(write: bool = True) -> dict:
    """The settings the environment gives; `write=False` creates no file (see _secret_key)."""
    data_dir = _data_dir()
    return {
        "SECRET_KEY": _secret_key(data_dir, write),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL")
        or f"sqlite:///{data_dir / 'rtsuivi.sqlite3'}",
        "RTSUIVI_DATA_DIR": str(data_dir),
        "RTSUIVI_INDEX_DIR": os.environ.get("RTSUIVI_INDEX_DIR")
        or str(Path(os.environ["RTSUIVI_DATA_DIR"]) / "search_index"
               if os.environ.get("RTSUIVI_DATA_DIR") else PROJECT_DIR / "search_index"),
        # thread: index after each commit in a background thread; off: only by the CLI.
        "RTSUIVI_INDEX_MODE": os.environ.get("RTSUIVI_INDEX_MODE", "thread"),
        # whoosh (index folder per machine) or postgresql (words in the database)
        "RTSUIVI_SEARCH_BACKEND": os.environ.get("RTSUIVI_SEARCH_BACKEND", "whoosh"),
        "RTSUIVI_NAME": os.environ.get("RTSUIVI_NAME", "RT-suivi"),
        "RTSUIVI_MAIL_DOMAIN": os.environ.get("RTSUIVI_MAIL_DOMAIN", "example.org"),
        "RTSUIVI_DEFAULT_TIMEZONE": os.environ.get("RTSUIVI_DEFAULT_TIMEZONE", "Europe/Paris"),
        **_mail_settings(),
        "SESSION_COOKIE_SECURE": os.environ.get("RTSUIVI_SECURE_COOKIES", "0") == "1",
        "REMEMBER_COOKIE_SECURE": os.environ.get("RTSUIVI_SECURE_COOKIES", "0") == "1",
        **_security_settings(),
    }


def _security_settings() -> dict:
    """Session lifetimes and login throttling (docs/deploy.md, "Sessions and logins")."""
    env = os.environ.get
    max_hours = float(env("RTSUIVI_SESSION_MAX_HOURS", "12"))
    return {
        "RTSUIVI_SESSION_IDLE_MINUTES": float(env("RTSUIVI_SESSION_IDLE_MINUTES", "120")),
        "RTSUIVI_SESSION_MAX_HOURS": max_hours,
        "PERMANENT_SESSION_LIFETIME": int(max_hours * 3600),
        "RTSUIVI_LOGIN_FREE_ATTEMPTS": int(env("RTSUIVI_LOGIN_FREE_ATTEMPTS", "3")),
        "RTSUIVI_LOGIN_MAX_FAILURES": int(env("RTSUIVI_LOGIN_MAX_FAILURES", "10")),
        "RTSUIVI_LOGIN_LOCK_MINUTES": float(env("RTSUIVI_LOGIN_LOCK_MINUTES", "15")),
        "RTSUIVI_LOGIN_ACCOUNT_LOCK_MINUTES": float(
            env("RTSUIVI_LOGIN_ACCOUNT_LOCK_MINUTES", "5")),
        "RTSUIVI_PROXY_COUNT": int(env("RTSUIVI_PROXY_COUNT", "0")),
        # Requesters may log in by a one-time link mailed to them (docs/deploy.md).
        "RTSUIVI_REQUESTER_LINK_LOGIN": env("RTSUIVI_REQUESTER_LINK_LOGIN", "0") == "1",
        "RTSUIVI_DB_LOCK_TIMEOUT": float(env("RTSUIVI_DB_LOCK_TIMEOUT", "10")),
        "RTSUIVI_MAX_RECIPIENTS_PER_MAIL": int(env("RTSUIVI_MAX_RECIPIENTS_PER_MAIL", "50")),
        # The ticket page's live box (issue 15): poll interval, how long an agent counts as
        # viewing, how often their presence row is written (seconds).
        "RTSUIVI_LIVE_POLL_SECONDS": float(env("RTSUIVI_LIVE_POLL_SECONDS", "10")),
        "RTSUIVI_PRESENCE_SECONDS": float(env("RTSUIVI_PRESENCE_SECONDS", "45")),
        "RTSUIVI_PRESENCE_WRITE_SECONDS": float(env("RTSUIVI_PRESENCE_WRITE_SECONDS", "15")),
    }


def _allow_list(value: str) -> str:
    """Check RTSUIVI_MAILGATE_ALLOW at start rather than on the first mail."""
    import ipaddress
    for entry in filter(None, (e.strip() for e in value.split(","))):
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(f"RTSUIVI_MAILGATE_ALLOW: {entry!r} is neither an address "
                             "nor a network (e.g. 127.0.0.1,::1,10.0.0.0/24)") from None
    return value


def _mail_settings() -> dict:
    """SMTP for outgoing mail (empty host: mail waits in the outbox) and inbound routing."""
    env = os.environ.get
    domain = env("RTSUIVI_MAIL_DOMAIN", "example.org")
    return {
        "SMTP_HOST": env("SMTP_HOST", ""),
        "SMTP_PORT": int(env("SMTP_PORT", "25")),
        "SMTP_USER": env("SMTP_USER", ""),
        "SMTP_PASSWORD": env("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": env("SMTP_STARTTLS", "0") == "1",
        "SMTP_TIMEOUT": float(env("SMTP_TIMEOUT", "30")),
        # The subject tag [RT-suivi #123] and X-RT-Loop-Prevention, as RT's $rtname.
        "RTSUIVI_RTNAME": env("RTSUIVI_RTNAME", env("RTSUIVI_NAME", "RT-suivi")),
        "RTSUIVI_MAIL_FROM": env("RTSUIVI_MAIL_FROM", f"rt-suivi@{domain}"),
        "RTSUIVI_DEFAULT_QUEUE": env("RTSUIVI_DEFAULT_QUEUE", "General"),
        # Ticket links in mails; by default the address ./run serves on (its PORT).
        "RTSUIVI_BASE_URL": env("RTSUIVI_BASE_URL", f"http://127.0.0.1:{env('PORT', '5000')}"),
        "RTSUIVI_MAX_ATTACHMENT_SIZE": int(env("RTSUIVI_MAX_ATTACHMENT_SIZE",
                                               str(10 * 1024 * 1024))),
        # The largest raw mail accepted on every door (rt-mailgate, command, SMTP listener).
        "RTSUIVI_MAX_MAIL_SIZE": int(env("RTSUIVI_MAX_MAIL_SIZE", str(30 * 1024 * 1024))),
        # Who may post to rt-mailgate's endpoint: addresses or networks (docs/deploy.md).
        "RTSUIVI_MAILGATE_ALLOW": _allow_list(env("RTSUIVI_MAILGATE_ALLOW", "127.0.0.1,::1")),
        "RTSUIVI_SMTPD_HOST": env("RTSUIVI_SMTPD_HOST", "127.0.0.1"),
        "RTSUIVI_SMTPD_PORT": int(env("RTSUIVI_SMTPD_PORT", "2525")),
        "RTSUIVI_OUTBOX_MAX_ATTEMPTS": int(env("RTSUIVI_OUTBOX_MAX_ATTEMPTS", "10")),
        # A worker that died while sending: its claim is taken back after this many seconds.
        "RTSUIVI_OUTBOX_STALE_AFTER": int(env("RTSUIVI_OUTBOX_STALE_AFTER", "600")),
        # A mail left « reçu » (its process was killed) is processed again after this delay,
        # at most this many times, then « en échec ».
        "RTSUIVI_INBOUND_RETRY_AFTER": int(env("RTSUIVI_INBOUND_RETRY_AFTER", "300")),
        "RTSUIVI_INBOUND_MAX_ATTEMPTS": int(env("RTSUIVI_INBOUND_MAX_ATTEMPTS", "3")),
    }


DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "rtsuivi_session",
    # The cookie is written when the session changes, not re-signed on every request (a
    # tenth of a millisecond a page): it changes at least every 30 s of use (sessions.SEEN_AT),
    # and the idle and lifetime limits are checked against the times it holds.
    "SESSION_REFRESH_EACH_REQUEST": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # A tab left open all day must still post its forms.
    "WTF_CSRF_TIME_LIMIT": None,
    "WTF_CSRF_HEADERS": ["X-CSRFToken"],
    "BABEL_DEFAULT_LOCALE": "fr",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
    "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_DIR / "rtsuivi" / "translations"),
    "LANGUAGES": ["fr", "en"],
    "PASSWORD_HASH_METHOD": "scrypt",
    "TICKETS_PER_PAGE": 50,
    "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
}
