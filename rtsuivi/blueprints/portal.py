"""The requester's side ("Mes demandes"); the full self-service portal comes later."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..domain import queries
from ..domain import tickets as domain

bp = Blueprint("portal", __name__, url_prefix="/demandes")


@bp.route("/")
@login_required
def index():
    return render_template("portal/index.html",
                           active=queries.requested_by(current_user, active=True),
                           closed=queries.requested_by(current_user, active=False))


@bp.route("/<int:ticket_id>")
@login_required
def show(ticket_id: int):
    if current_user.privileged:
        return redirect(url_for("tickets.show", ticket_id=ticket_id))
    ticket = domain.load_visible(ticket_id, current_user, include_deleted=False)
    transactions, _people = domain.history(ticket, current_user)
    # Requesters see the messages, never comments nor internal field changes.
    messages = [t for t in transactions if t.type in ("Create", "Correspond")
                and (t.content or t.html_content or t.files)]
    return render_template("portal/show.html", ticket=ticket, messages=messages)
