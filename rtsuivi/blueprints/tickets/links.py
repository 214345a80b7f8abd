"""The « Relations » box of the ticket page: add and remove a relation, find a ticket by
its subject as one types, « Fusionner ». Its data comes from Jinja globals registered here
(ticket_relations, children_time), so show.html only includes tickets/_relations.html."""
from flask import abort, flash, get_template_attribute, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...domain import DomainError, queries
from ...domain import tickets as domain
from ...domain.rights import can
from ...domain.simple_search import quote
from ...htmx import redirect_client, wants_fragment
from ...search import compile_for
from .. import agent_required
from . import bp
from .answers import acted, box, commit, explained, load, refused

SUGGESTIONS = 8


@bp.app_template_global()
def ticket_relations(ticket) -> dict:
    """What the relations box shows: each side's tickets, and whether the user may edit."""
    return {"groups": domain.relations(ticket, current_user),
            "editable": can(current_user, "ModifyTicket", ticket),
            "may_create": can(current_user, "CreateTicket", ticket.queue)}


@bp.app_template_global()
def children_time(ticket) -> int:
    """Minutes worked on the ticket's children, grandchildren… (« dont fils »)."""
    return domain.children_time(ticket)


@bp.app_template_filter("refusal")
def refusal(error) -> str:
    return explained(error)


@bp.route("/<int:ticket_id>/relations")
@agent_required
def relations(ticket_id: int):
    return box(load(ticket_id), "relations")


@bp.route("/<int:ticket_id>/relations/add", methods=["POST"])
@agent_required
def add_relation(ticket_id: int):
    ticket = load(ticket_id)
    try:
        domain.add_link(ticket, current_user, request.form.get("side", ""),
                        request.form.get("number", ""))
    except DomainError as error:
        return refused(ticket, error, "relations")
    return acted(ticket, "relations", _("Relation ajoutée."), parts=commit())


@bp.route("/<int:ticket_id>/relations/remove", methods=["POST"])
@agent_required
def remove_relation(ticket_id: int):
    ticket = load(ticket_id)
    try:
        domain.remove_link(ticket, current_user, request.form.get("side", ""),
                           request.form.get("number", ""))
    except DomainError as error:
        return refused(ticket, error, "relations")
    return acted(ticket, "relations", _("Relation retirée."), parts=commit())


@bp.route("/<int:ticket_id>/relations/candidates")
@agent_required
def candidates(ticket_id: int):
    """Tickets whose number or subject matches what is typed (the box's datalist)."""
    ticket, words = load(ticket_id), request.args.get("number", "").strip().lstrip("#")
    if not wants_fragment():
        abort(404)
    found = []
    if words.isdigit() or len(words) >= 2:
        query = f"id = {int(words)}" if words.isdigit() and len(words) < 10 \
            else f"Subject LIKE {quote(words)}"
        found = queries.search_tickets(compile_for(query, current_user).condition,
                                       [("updated", "desc")], 1, SUGGESTIONS,
                                       count=False).items
    options = get_template_attribute("tickets/_relations.html", "relation_candidates")
    return options([t for t in found if t.id != ticket.id])


@bp.route("/<int:ticket_id>/merge", methods=["POST"])
@agent_required
def merge(ticket_id: int):
    ticket = load(ticket_id)
    try:
        into = domain.merge(ticket, current_user, request.form.get("into", "")).ticket
    except DomainError as error:
        return refused(ticket, error, "relations")
    flash(_("Ticket n°%(id)s fusionné dans n°%(into)s.", id=ticket_id, into=into.id), "success")
    commit()
    url = url_for("tickets.show", ticket_id=into.id)
    return redirect_client(url) if wants_fragment() else redirect(url)
