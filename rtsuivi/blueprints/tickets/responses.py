"""« Réponses prédéfinies » in the reply and comment box: the list offered on the ticket
(searched as one types) and the insertion of one, filled for the ticket, into the message
box, where it stays editable. Without JavaScript the insert buttons post the whole update
form here and get it back, filled."""
from flask import redirect, render_template, request, url_for
from flask_login import current_user

from ...domain import responses as domain
from ...domain import tickets
from ...domain.rights import can_any
from ...htmx import render_fragment, wants_fragment
from .. import agent_required
from . import bp
from .answers import load
from .forms import update_action, update_form
from .recipients import recipients_context


@bp.app_template_global()
def responses_for(ticket, search: str = "") -> list:
    """The responses the update form offers (none to who may not write on the ticket)."""
    if not can_any(current_user, domain.USE_RIGHTS, ticket):
        return []
    return domain.for_ticket(ticket, current_user, search)


@bp.route("/<int:ticket_id>/responses")
@agent_required
def responses(ticket_id: int):
    ticket = load(ticket_id)
    offered = domain.for_ticket(ticket, current_user, request.args.get("q", ""))
    if not wants_fragment():
        return redirect(url_for("tickets.update", ticket_id=ticket.id, action=update_action()))
    return render_fragment("tickets/responses_box.html", "response_list", ticket=ticket,
                           offered=offered)


@bp.route("/<int:ticket_id>/responses/<int:response_id>/insert", methods=["POST"])
@agent_required
def insert_response(ticket_id: int, response_id: int):
    ticket, action = load(ticket_id), update_action()
    response = domain.offered(ticket, current_user, response_id)
    form = update_form(ticket, action)
    form.content.data = domain.insert_into(form.content.data,
                                           domain.fill(response, ticket, current_user))
    if wants_fragment():
        return render_fragment("tickets/update.html", "message_box", form=form)
    return render_template("tickets/update.html", ticket=ticket, form=form, action=action,
                           preset=tickets.ACTION_PRESETS[action],
                           **recipients_context(ticket, form.kind.data))
