"""The in-app help ("Aide"), following the structure of the French user manual."""
from flask import Blueprint, render_template

bp = Blueprint("help", __name__)


@bp.route("/aide")
def index():
    return render_template("help/index.html")
