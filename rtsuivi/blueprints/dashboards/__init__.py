"""« Tableaux de bord » and the portlets of every dashboard, the home page's included."""
from flask import Blueprint

bp = Blueprint("dashboards", __name__)

from . import layout, subscribe, views  # noqa: E402,F401  (registers the routes)
