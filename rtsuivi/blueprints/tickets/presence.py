"""The live box of the ticket page (issue 15): who else is viewing it, what changed since.

`GET /tickets/<id>/live` is the poll (every RTSUIVI_LIVE_POLL_SECONDS): 204 when the page
already shows the current viewers and state, else the `live` block of show.html.
`GET /tickets/<id>/live/refresh` (« Actualiser ») brings the page up to date: the box
without its notice, and `ticket-<part>-changed` for each part the new entries changed.
The stale-form check of « Mettre à jour le ticket » reads `seen` here (`seen_in_form`) and
shows the changes through `ticket_changes` (tickets/stale_changes.html).
"""
from flask import redirect, request, url_for
from flask_login import current_user

from ...domain import presence
from ...domain import tickets as domain
from ...domain.tickets.loading import people_named
from ...extensions import db
from ...htmx import announce, render_fragment, wants_fragment
from ...models.base import MAX_ID
from ...sessions import BACKGROUND_ENDPOINTS
from .. import agent_required
from . import bp
from .answers import SHOW, events, load

BACKGROUND_ENDPOINTS.add("tickets.live")  # a poll is not the user's activity


def _number(name: str, values=None) -> int:
    """A transaction id the page sends back (0 when absent or not a number)."""
    value = (values or request.args).get(name, 0, type=int) or 0
    return min(max(value, 0), MAX_ID)


@bp.route("/<int:ticket_id>/live")
@agent_required
def live(ticket_id: int):
    ticket = load(ticket_id)
    state = presence.poll(ticket, current_user, _number("since"), _number("seen"),
                          request.args.get("who", ""))
    db.session.commit()
    if not wants_fragment():
        return redirect(url_for("tickets.show", ticket_id=ticket.id))
    if state.unchanged:
        return "", 204
    return render_fragment(SHOW, "live", ticket=ticket, live=state)


@bp.route("/<int:ticket_id>/live/refresh")
@agent_required
def live_refresh(ticket_id: int):
    ticket = load(ticket_id)
    if not wants_fragment():
        return redirect(url_for("tickets.show", ticket_id=ticket.id))
    state, parts = presence.catch_up(ticket, current_user, _number("since"))
    return announce(render_fragment(SHOW, "live", ticket=ticket, live=state), *events(parts))


@bp.app_template_global()
def ticket_live(ticket) -> presence.Live:
    """The live box as the page opens: viewers and the ticket's last transaction id."""
    return presence.look(ticket, current_user, write=False)


@bp.app_template_global()
def live_settings() -> dict:
    return presence.settings()


@bp.app_template_global()
def ticket_changes(ticket, seen: int | None) -> presence.Live:
    """What changed since the form was opened (`seen`; None on a new form): the entries by
    others the user may read, and the ticket's last transaction id for the next send."""
    state = presence.look(ticket, current_user, write=False)
    if seen is not None:
        state.since = seen
        state.changes = presence.changes_since(ticket, current_user, seen)
    people = people_named(state.changes)
    state.described = {t.id: domain.describe(t, people) for t in state.changes}
    return state


def seen_in_form() -> int | None:
    """The last transaction id the update form showed (None for a form without it)."""
    return _number("seen", request.form) if "seen" in request.form else None


bp.add_app_template_global(seen_in_form, "seen_in_form")
