"""Turn domain refusals and HTTP errors into short pages or fragments."""
from flask import Flask, g, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from .domain import Forbidden, NotFound
from .extensions import db
from .htmx import into_messages, wants_fragment


def _error(status: int, title: str, message: str, headers: dict | None = None):
    headers = dict(headers or {})
    if wants_fragment():
        return render_template("errors/fragment.html", status=status, title=title,
                               message=message), status, into_messages(headers)
    return render_template("errors/page.html", status=status, title=title,
                           message=message), status, headers


RETRY_AFTER_SECONDS = 5
# SQLite's write lock held too long by someone else; PostgreSQL's lock timeout, deadlock
# and serialization failures: each is "come back in a moment", not a bug.
BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy")
BUSY_SQLSTATES = ("55P03", "40P01", "40001")


def database_busy(error: Exception) -> bool:
    """Tell whether a database error means "busy, try again", not a fault."""
    if not isinstance(error, OperationalError):
        return False
    if getattr(error.orig, "sqlstate", None) in BUSY_SQLSTATES:
        return True
    return any(text in str(error.orig).lower() for text in BUSY_MESSAGES)


def read_only_from_now() -> None:
    """The database is busy: what this request still reads must not ask for the write
    lock (see _sqlite_begin)."""
    g.database_busy = True


def busy_answer():
    """« Réessayez dans un instant »: 503 with Retry-After; the caller rolled back."""
    read_only_from_now()
    return _error(503, _("Base de données occupée"),
                  _("Réessayez dans un instant : rien n'a été enregistré."),
                  {"Retry-After": str(RETRY_AFTER_SECONDS)})


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(OperationalError)
    def operational_error(error):
        db.session.rollback()  # nothing half-written: the whole request's changes go
        if not database_busy(error):
            raise error
        app.logger.warning("database busy: %s", error.orig)
        return busy_answer()

    @app.errorhandler(Forbidden)
    def forbidden(error):
        db.session.rollback()  # whatever the refused action had started changes nothing
        return _error(403, _("Accès refusé"), str(error))

    @app.errorhandler(NotFound)
    def not_found_domain(error):
        return _error(404, _("Introuvable"), str(error))

    @app.errorhandler(403)
    def http_forbidden(error):
        return _error(403, _("Accès refusé"), _("Vous n'avez pas accès à cette page."))

    @app.errorhandler(404)
    def http_not_found(error):
        return _error(404, _("Introuvable"), _("Cette page n'existe pas."))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _error(400, _("Formulaire expiré"),
                      _("Le formulaire a expiré ou n'est pas valide. Rechargez la page et "
                        "recommencez : rien n'a été modifié."))

    @app.errorhandler(413)
    def too_large(error):
        return _error(413, _("Envoi trop volumineux"),
                      _("Le contenu envoyé dépasse la taille autorisée : rien n'a été modifié."))
