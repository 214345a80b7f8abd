"""RT's own addresses, so old bookmarks and links in old mails keep working."""
from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user, login_required

bp = Blueprint("compat", __name__)


def _ticket_id() -> int:
    try:
        return int(request.args.get("id", ""))
    except ValueError:
        abort(404)


@bp.route("/Ticket/Display.html")
@login_required
def rt_ticket_display():
    ticket_id = _ticket_id()
    if not current_user.privileged:
        return redirect(url_for("portal.show", ticket_id=ticket_id), 301)
    return redirect(url_for("tickets.show", ticket_id=ticket_id), 301)


@bp.route("/SelfService/Display.html")
@login_required
def rt_selfservice_display():
    ticket_id = _ticket_id()
    if current_user.privileged:
        return redirect(url_for("tickets.show", ticket_id=ticket_id), 301)
    return redirect(url_for("portal.show", ticket_id=ticket_id), 301)


@bp.route("/SelfService/")
@login_required
def rt_selfservice():
    return redirect(url_for("portal.index"), 301)
