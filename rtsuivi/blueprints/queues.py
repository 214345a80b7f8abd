"""A queue's ticket list."""
from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from ..domain import queries
from ..htmx import render_fragment, wants_fragment
from . import agent_required, page_number

bp = Blueprint("queues", __name__, url_prefix="/files")


@bp.route("/")
@agent_required
def index():
    return render_template("queues/index.html", queues=queries.queue_counts(current_user))


@bp.route("/<int:queue_id>")
@agent_required
def show(queue_id: int):
    queue = queries.visible_queue(current_user, queue_id)
    status = request.args.get("status", "active")
    if status not in queries.STATUS_FILTERS:
        status = "active"
    sort = request.args.get("sort", "id")
    sort = sort if sort in queries.SORTABLE else "id"
    direction = "asc" if request.args.get("dir") == "asc" else "desc"
    page = queries.queue_tickets(current_user, queue, status, sort, direction,
                                 page_number(request.args.get("page")),
                                 current_app.config["TICKETS_PER_PAGE"])
    context = dict(queue=queue, page=page, status=status, sort=sort, direction=direction,
                   status_filters=queries.STATUS_FILTERS)
    if wants_fragment():
        return render_fragment("queues/show.html", "ticket_list", **context)
    return render_template("queues/show.html", **context)

