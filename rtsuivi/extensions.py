"""Flask extensions, created unbound and initialised in create_app()."""
from functools import cached_property

import click
from flask import g, has_app_context
from flask_babel import Babel, Domain, get_locale
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()


class RequestDomain(Domain):
    """Flask-Babel's message domain, its catalog looked up once per request and language.

    Flask-Babel looks the catalog up again for each string (a lazy label, a `_()` in the
    code), in four lookups through the request context; templates' `_` asks this too
    (templating._request_translations). Kept on Flask-Babel's own record of the request's
    choices (g._flask_babel) with the locale it was made for: force_locale changes the
    locale there, so a mail drawn in another language gets its own catalog.
    """

    def get_translations(self):
        if not has_app_context():
            return super().get_translations()  # Flask-Babel's answer there: no catalog
        state = g.get("_flask_babel")
        kept = getattr(state, "rtsuivi_translations", None)
        if kept is not None and kept[0] is getattr(state, "babel_locale", None):
            return kept[1]
        locale, translations = get_locale(), super().get_translations()
        g._flask_babel.rtsuivi_translations = (locale, translations)
        return translations


class _Babel(Babel):
    @cached_property
    def domain_instance(self):
        return RequestDomain(domain=self.domain)


babel = _Babel()


def init_migrations(app, directory: str) -> None:
    """Flask-Migrate (`flask db …`, flask_migrate.upgrade()) set up on first use: it imports
    alembic, 11 MB in every web worker, which never migrates (issue 16: worker memory)."""
    app.extensions["migrate"] = _MigrationsOnFirstUse(app, directory)
    app.cli.add_command(_MigrationsGroup("db", help="Database migrations (Flask-Migrate)."))


class _MigrationsOnFirstUse:
    """Stands for Flask-Migrate's app.extensions["migrate"] until something reads it."""

    def __init__(self, app, directory: str):
        self._app, self._directory = app, directory

    def __getattr__(self, name: str):
        from flask_migrate import Migrate
        Migrate(self._app, db, directory=self._directory, render_as_batch=True)
        return getattr(self._app.extensions["migrate"], name)


class _MigrationsGroup(click.Group):
    """`flask db`: Flask-Migrate's own group (its options, commands and help), imported when
    the command line reaches it."""

    def make_context(self, info_name, args, parent=None, **extra):
        from flask_migrate.cli import db as commands
        return commands.make_context(info_name, args, parent=parent, **extra)
