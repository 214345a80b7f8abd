"""Flask extensions, created unbound and initialised in create_app()."""
import click
from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


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
