"""Defaults, overridden by the environment (RTSUIVI_*, DATABASE_URL, SECRET_KEY)."""
import os
import secrets
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _data_dir() -> Path:
    return Path(os.environ.get("RTSUIVI_DATA_DIR") or PROJECT_DIR / "instance")


def _secret_key(data_dir: Path) -> str:
    """Use SECRET_KEY, else a key kept in the data folder so sessions survive restarts."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    data_dir.mkdir(parents=True, exist_ok=True)
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def from_environment() -> dict:
    data_dir = _data_dir()
    return {
        "SECRET_KEY": _secret_key(data_dir),
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
    }


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
        "RTSUIVI_BASE_URL": env("RTSUIVI_BASE_URL", "http://127.0.0.1:5000"),
        "RTSUIVI_MAX_ATTACHMENT_SIZE": int(env("RTSUIVI_MAX_ATTACHMENT_SIZE",
                                               str(10 * 1024 * 1024))),
        "RTSUIVI_SMTPD_HOST": env("RTSUIVI_SMTPD_HOST", "127.0.0.1"),
        "RTSUIVI_SMTPD_PORT": int(env("RTSUIVI_SMTPD_PORT", "2525")),
        "RTSUIVI_OUTBOX_MAX_ATTEMPTS": int(env("RTSUIVI_OUTBOX_MAX_ATTEMPTS", "10")),
    }


DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "rtsuivi_session",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
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
