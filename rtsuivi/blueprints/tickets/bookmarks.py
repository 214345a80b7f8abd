"""« Favoris »: the star toggle (ticket page and every ticket row) and « Mes favoris »."""
from flask import get_template_attribute, redirect, render_template, request, url_for
from flask_login import current_user

from ...domain import bookmarks as domain
from ...extensions import db
from ...htmx import answer, wants_fragment
from ...safe_urls import local_url
from ...ticket_columns import with_star
from .. import agent_required, page_number
from . import bp
from .answers import load


@bp.app_template_global()
def starred_among(tickets) -> set[int]:
    """The ids of these tickets the user starred (one query for a whole list)."""
    return domain.starred_among(current_user, [t.id for t in tickets])


bp.add_app_template_global(with_star, "with_star")


@bp.route("/<int:ticket_id>/bookmark", methods=["POST"])
@agent_required
def bookmark(ticket_id: int):
    ticket = load(ticket_id)
    starred = domain.toggle(current_user, ticket)
    db.session.commit()
    if not wants_fragment():
        return redirect(local_url(request.form.get("next"),
                                  url_for("tickets.show", ticket_id=ticket.id)))
    return answer(get_template_attribute("_macros.html", "star")(ticket.id, starred))


@bp.route("/bookmarks")
@agent_required
def my_bookmarks():
    page = domain.starred_tickets(current_user, page_number(request.args.get("page")))
    return render_template("tickets/bookmarks.html", page=page)


@bp.app_template_global()
def ticket_starred(ticket) -> bool:
    """Whether the user starred this ticket (the ticket page's star)."""
    return domain.is_starred(current_user, ticket)
