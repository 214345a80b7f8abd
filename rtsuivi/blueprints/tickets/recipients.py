"""Who a reply or comment goes to, on the update form (issue 13): the list the notification
rules would mail (domain.recipients.preview), each ticked, and the one-time Cc and Bcc."""
from flask import redirect, request, url_for
from flask_login import current_user

from ...domain import Forbidden
from ...domain import recipients as domain_recipients
from ...htmx import render_fragment, wants_fragment
from ...models.base import db_id
from .. import agent_required
from . import bp
from .answers import load

UPDATE = "tickets/update.html"


def recipients_context(ticket, kind: str) -> dict:
    """The recipients shown on the update form and those ticked (all at first; the posted
    ones when the form comes back with an error). None when the user may not write it."""
    try:
        shown = domain_recipients.preview(ticket, current_user, kind)
    except Forbidden:
        shown = None
    kept = set(request.form.getlist("notify", type=db_id)) if "shown" in request.form \
        else {r.user.id for r in shown or ()}
    return {"recipients": shown, "kept": kept}


def this_message(form) -> "domain_recipients.ThisMessage":
    """The form's choices for this one message (DomainError for a bad address)."""
    return domain_recipients.this_message(
        request.form.getlist("shown", type=db_id), request.form.getlist("notify", type=db_id),
        form.update_cc.data, form.update_bcc.data)


@bp.route("/<int:ticket_id>/recipients")
@agent_required
def recipients(ticket_id: int):
    """The recipients of a reply or comment (htmx, when the message kind changes); without
    htmx, the update form opened for that kind."""
    ticket, kind = load(ticket_id), request.args.get("kind", "reply")
    kind = kind if kind in domain_recipients.KINDS else "reply"
    if not wants_fragment():
        return redirect(url_for("tickets.update", ticket_id=ticket.id, action=kind))
    shown = domain_recipients.preview(ticket, current_user, kind)
    return render_fragment(UPDATE, "recipients", ticket=ticket, recipients=shown,
                           kept={r.user.id for r in shown})
