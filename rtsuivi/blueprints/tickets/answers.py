"""How the ticket views answer: the page, one box, or the update box emptied.

The rule (docs/architecture.md, the htmx contract): answer with the box you acted on;
announce `ticket-<part>-changed` for the other parts the transactions changed
(domain.parts_changed), so only they refresh themselves; a refusal announces nothing.
Without htmx, redirect to the ticket page.
"""
import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from ...domain import DomainError, bookmarks, presence, queries, reads, reminders
from ...domain import tickets as domain
from ...domain.rights import can
from ...domain.ticket_files import files_of_history, ticket_files
from ...domain.tickets.links import links_read
from ...domain.tickets.loading import history_read
from ...extensions import db
from ...htmx import answer, messages_oob, redirect_client, render_fragment, wants_fragment
from .forms import PeopleForm

SHOW = "tickets/show.html"
BLOCKS = ("summary", "people", "actions", "history", "files")
PART_OF_BLOCK = {"summary": "basics", "people": "people", "actions": "actions",
                 "history": "history"}


def load(ticket_id: int, with_watchers: bool = False):
    """The ticket if the user may see it; domain NotFound (errors.py: 404) otherwise."""
    return domain.load_visible(ticket_id, current_user, with_watchers=with_watchers)


def show_context(ticket, blocks=BLOCKS) -> dict:
    context = {"ticket": ticket}
    if blocks == BLOCKS:
        read_page_together(ticket)
    if "people" in blocks:
        context["people_form"] = PeopleForm()  # a form costs 0.1 ms; the other boxes lack it
    if "actions" in blocks:
        context["actions"] = domain.actions_for(ticket, current_user)
    if "people" in blocks or "history" in blocks:
        domain.load_watchers(ticket)
    if "history" in blocks:
        context["transactions"], context["people"] = domain.history(ticket, current_user)
        context["described"] = {t.id: domain.describe(t, context["people"])
                                for t in context["transactions"]}
        context["outgoing"] = queries.outgoing_mails(ticket, current_user)
    if "files" in blocks:
        context["files"] = files_of_history(ticket, context["transactions"]) \
            if "history" in blocks else ticket_files(ticket, current_user)
    return context


def read_page_together(ticket) -> None:
    """The history, the sent mails, the star, the live box, the links and the reminders the
    page's boxes read, in one round trip on PostgreSQL (domain/reads.py); each then takes
    its rows."""
    if not reads.pipelined():
        return  # SQLite: each box reads its own, in process
    reads.read_together([history_read(ticket, current_user), queries.outgoing_read(ticket),
                         bookmarks.starred_read(current_user, ticket),
                         presence.look_read(ticket), links_read(ticket),
                         reminders.on_ticket_read(ticket)])


def page(ticket):
    return render_template(SHOW, **show_context(ticket))


def box(ticket, block: str):
    """One box of the ticket page (htmx), or the page (a redirect) without htmx."""
    if not wants_fragment():
        return redirect(url_for("tickets.show", ticket_id=ticket.id))
    return render_fragment(SHOW, block, alone=True, **show_context(ticket, (block,)))


def commit() -> set[str]:
    """Commit; return the page parts the committed transactions changed."""
    parts = domain.parts_changed(current_user)
    db.session.commit()
    return parts


def events(parts, answered: str | None = None) -> list[str]:
    """The events of the changed parts, but the one the answer already carries."""
    return [f"ticket-{part}-changed" for part in domain.PARTS
            if part in parts and part != PART_OF_BLOCK.get(answered)]


def acted(ticket, block: str, message: str | None = None, category: str = "success",
          parts=()):
    """Answer an action: the acted-on box plus messages (htmx), or a redirect."""
    if message:
        flash(message, category)
    if not wants_fragment():
        return redirect(url_for("tickets.show", ticket_id=ticket.id))
    html = render_fragment(SHOW, block, alone=True, **show_context(ticket, (block,)))
    return answer(html, *events(parts, block))


def done(ticket, message: str, category: str = "success", parts=()):
    """Answer a form of the update box: empty it, show the message, refresh the parts."""
    flash(message, category)
    if not wants_fragment():
        return redirect(url_for("tickets.show", ticket_id=ticket.id))
    return answer("", *events(parts))


def explained(error) -> str:
    """The refusal's message; the tickets a resolve guard names (links.Blocked) as links."""
    ids = getattr(error, "ticket_ids", None)
    if not ids:
        return str(error)
    def link(match):
        number = int(match.group(1))
        if number not in ids:
            return match.group(0)
        return f'<a href="{url_for("tickets.show", ticket_id=number)}">#{number}</a>'
    return Markup(re.sub(r"#(\d+)", link, str(escape(str(error)))))


def refused(ticket, error: DomainError, block: str):
    """Tell why nothing changed; roll back whatever the failed action had started.

    A refusal announces nothing, except when someone else changed the owner first: then
    the page is stale and its other parts refresh. A missing right (Forbidden) is not
    caught by the views: errors.py answers it with a 403.
    """
    db.session.rollback()
    ticket = load(ticket.id)
    stale = domain.PARTS if isinstance(error, domain.OwnerConflict) else ()
    return acted(ticket, block, explained(error), "error", parts=stale)


def form_page(template: str, block: str, **context):
    """A form as its own page, or as a box loaded into the ticket page by htmx."""
    if wants_fragment():
        return render_fragment(template, block, **context) + messages_oob()
    return render_template(template, **context)


def saved_basics(ticket, changes: list, parts: set[str]):
    """Answer « Les bases » saved; a ticket moved out of the agent's sight sends them home."""
    if not can(current_user, "ShowTicket", ticket):
        flash(_("Ticket n°%(id)s déplacé dans la file %(queue)s, où vous ne le voyez plus.",
                id=ticket.id, queue=ticket.queue.name), "success")
        home = url_for("home.index")
        return redirect_client(home) if wants_fragment() else redirect(home)
    message = _("Modifications enregistrées.") if changes else _("Aucune modification.")
    return done(ticket, message, "success" if changes else "info", parts)


def create_page(form, queue):
    """The creation form: the page, or (htmx GET after a change of queue) the form alone."""
    if wants_fragment() and request.method == "GET":
        return render_fragment("tickets/create.html", "create_form", form=form, queue=queue)
    return render_template("tickets/create.html", form=form, queue=queue)
