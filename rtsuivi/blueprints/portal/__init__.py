"""The requesters' portal, « Mes demandes »: their requests, « Nouvelle demande », a
request's public history with reply, « Clore ma demande » and « Rouvrir ». Plain forms
(they work without JavaScript, on a phone); the rules are in domain/portal.py and
domain/tickets/requester.py."""
from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/demandes")

from . import views  # noqa: E402,F401  (registers the routes)
