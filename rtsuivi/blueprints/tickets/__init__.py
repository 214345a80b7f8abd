"""The ticket page, its boxes and every action on it."""
from flask import Blueprint

bp = Blueprint("tickets", __name__, url_prefix="/tickets")

from . import (  # noqa: E402,F401  (registers the routes)
    bookmarks,
    custom_fields,
    links,
    presence,
    reminders,
    responses,
    views,
)
