"""Turn domain refusals and HTTP errors into short pages or fragments."""
from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from .domain import Forbidden, NotFound
from .extensions import db
from .htmx import wants_fragment


def _error(status: int, title: str, message: str):
    if wants_fragment():
        # A refusal goes into the message area, inside it, whatever swap the asking element
        # uses (a box swapping itself outerHTML would otherwise replace #messages for good).
        return render_template("errors/fragment.html", status=status, title=title,
                               message=message), status, {"HX-Retarget": "#messages",
                                                          "HX-Reswap": "innerHTML"}
    return render_template("errors/page.html", status=status, title=title,
                           message=message), status


def register_error_handlers(app: Flask) -> None:
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
