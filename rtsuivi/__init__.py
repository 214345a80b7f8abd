"""RT-suivi: a help-desk request tracker that replaces Request Tracker 4."""
import sqlite3

from flask import Flask, current_app, has_request_context, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from . import config as config_module
from . import pg_reads  # its engine listeners (a GET reads in autocommit), its cursor
from .extensions import babel, csrf, db, init_migrations, login_manager
from .form_markup import install as install_form_markup
from .sqlite_writers import connection_class, lock_file_for


def create_app(config: dict | None = None) -> Flask:
    """The application; given a config (tests, tools), it writes nothing to disk. Without
    one (a deployment), it creates the private data folder, key and SQLite file first."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(config_module.DEFAULTS)
    app.config.update(config_module.from_environment(write=config is None))
    app.config.update(config or {})
    _engine_options(app)
    if config is None:
        from .storage import prepare as prepare_storage
        prepare_storage(app)

    db.init_app(app)
    init_migrations(app, str(config_module.PROJECT_DIR / "migrations"))
    csrf.init_app(app)
    install_form_markup()
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=_select_timezone)
    app.before_request(_remember_language)
    login_manager.init_app(app)
    _configure_login(app)

    from .mail import scrips  # noqa: F401  registers the scrips' commit hook
    from .search import init_app as init_search
    init_search(app)
    from .blueprints import register_blueprints
    register_blueprints(app)
    from .cli import register_cli
    register_cli(app)
    from .errors import register_error_handlers
    register_error_handlers(app)
    from .templating import register_template_helpers
    register_template_helpers(app)
    from .security_headers import register_security_headers
    register_security_headers(app)
    return app


def _engine_options(app: Flask) -> None:
    """Wait at most RTSUIVI_DB_LOCK_TIMEOUT seconds for a lock (SQLite's write lock,
    PostgreSQL's row and table locks), then give up: the user is told to try again in a
    moment (errors.py) instead of waiting without end. On PostgreSQL, JIT compilation is
    off: it costs 20-30 ms on a search's count over 100k tickets and pays only on long
    reports."""
    uri, seconds = app.config["SQLALCHEMY_DATABASE_URI"], app.config["RTSUIVI_DB_LOCK_TIMEOUT"]
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    connect_args = dict(options.get("connect_args", {}))
    if uri.startswith("sqlite"):
        connect_args["timeout"] = seconds
        lock_path = lock_file_for(uri)
        if lock_path and "factory" not in connect_args:
            connect_args["factory"] = connection_class(lock_path, seconds)
    elif uri.startswith("postgresql"):
        if "options=" not in uri:
            connect_args["options"] = f"-c lock_timeout={int(seconds * 1000)} -c jit=off"
        if uri.startswith("postgresql+psycopg:") and "cursor_factory" not in connect_args:
            connect_args["cursor_factory"] = pg_reads.described_on_demand()
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _select_locale():
    """?lang= (kept for the session), else the user's setting, else the browser's."""
    if not has_request_context():  # mail gateway, worker, CLI: French, the default
        return "fr"
    if request.args.get("lang") in LANGUAGES:
        return request.args["lang"]
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    user = current_user
    if user and getattr(user, "is_authenticated", False) and user.lang in LANGUAGES:
        return user.lang
    # The browser's languages in order of preference, "fr-CA" counting as "fr".
    return next((lang for lang in (value.split("-")[0].lower()
                                   for value, _q in request.accept_languages)
                 if lang in LANGUAGES), "fr")


LANGUAGES = ("fr", "en")


def _remember_language():
    """A language chosen with ?lang= stays for the rest of the session."""
    if request.args.get("lang") in LANGUAGES:
        session["lang"] = request.args["lang"]


def _select_timezone():
    if not has_request_context():
        return current_app.config["RTSUIVI_DEFAULT_TIMEZONE"]
    user = current_user
    if user and getattr(user, "is_authenticated", False) and user.timezone:
        return user.timezone
    return current_app.config["RTSUIVI_DEFAULT_TIMEZONE"]


def _configure_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Connectez-vous pour accéder à cette page.")
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str):
        from .sessions import load_user as load_session_user
        return load_session_user(session_id)

    @login_manager.unauthorized_handler
    def unauthorized():
        from .htmx import current_url, is_htmx, redirect_client
        target = url_for("auth.login", next=request.full_path if request.method == "GET"
                         and not is_htmx() else None)
        if is_htmx():
            # An expired session must send the whole page to the login form, not into a box.
            target = url_for("auth.login", next=current_url())
            return redirect_client(target)
        return redirect(target)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Turn on foreign keys and WAL on SQLite; leave other databases alone.

    The busy timeout is sqlite3's `timeout`, RTSUIVI_DB_LOCK_TIMEOUT (_engine_options).
    """
    if isinstance(dbapi_connection, sqlite3.Connection):  # sqlite_writers' subclass too
        # Let SQLAlchemy emit BEGIN itself (see _sqlite_begin) instead of pysqlite.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@event.listens_for(Engine, "connect")
def _psycopg_dumpers(dbapi_connection, connection_record):
    """On PostgreSQL, long ticket id lists (domain/sql.IdList) go in binary."""
    if type(dbapi_connection).__module__.startswith("psycopg"):
        from psycopg.types.array import ListBinaryDumper

        from .domain.sql import IdList
        dbapi_connection.adapters.register_dumper(IdList, ListBinaryDumper)


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    """On SQLite, a request that writes takes the write lock at BEGIN.

    Otherwise two requests that read then write (two agents pressing Prendre) deadlock and
    one fails with "database is locked" instead of waiting its turn.
    """
    if connection.dialect.name != "sqlite":
        return
    from flask import g, has_request_context
    writes = has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS") \
        and not g.get("database_busy")  # the busy answer only reads
    if writes:
        # Wait in the writers' queue (sqlite_writers) rather than in SQLite's busy loop.
        wait = getattr(connection.connection.dbapi_connection, "wait_turn_to_write", None)
        if wait is not None:
            wait()
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")
