"""The agent's home page: my tickets, unowned tickets in my queues, queue counts."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from ..domain import queries
from . import agent_required

bp = Blueprint("home", __name__)


@bp.route("/")
def root():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for("home.index") if current_user.privileged else url_for("portal.index"))


@bp.route("/accueil")
@agent_required
def index():
    return render_template(
        "home/index.html",
        my_tickets=queries.my_tickets(current_user),
        unowned=queries.unowned_tickets(current_user),
        queues=queries.queue_counts(current_user))
