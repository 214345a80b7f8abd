"""Files on the agent's ticket forms (reply, comment, new ticket, forward) and the ticket's
« Pièces jointes » box. Files are read and bounded by domain.uploads before anything is
written; the domain stores them like mail attachments (same table, same download route)."""
from flask import current_app, request
from flask_login import current_user

from ...domain.ticket_files import default_forwarded, find_files, ticket_files
from ...domain.uploads import read_uploads
from ...models.base import db_id
from .. import agent_required
from . import bp
from .answers import box, load


def uploaded(files) -> list:
    """The files of a form (Werkzeug FileStorage), read within RTSUIVI_MAX_ATTACHMENT_SIZE;
    DomainError naming the file that is empty or too big."""
    return read_uploads(files, current_app.config["RTSUIVI_MAX_ATTACHMENT_SIZE"])


def forwarded_files():
    """The ticket's files ticked on the forward form; None when the form offered no choice
    (then the files of the forwarded messages go, as before)."""
    if "files_offered" not in request.form:
        return None
    return find_files(request.form.getlist("files", type=db_id))


def forward_choices(ticket, transaction) -> dict:
    """The ticket's files offered on the forward form, and those ticked (the posted ones
    when the form comes back with an error)."""
    ticked = set(request.form.getlist("files", type=db_id)) if "files_offered" in request.form \
        else default_forwarded(ticket, transaction)
    return {"offered": ticket_files(ticket, current_user), "ticked": ticked}


@bp.route("/<int:ticket_id>/files", endpoint="files")
@agent_required
def files_box(ticket_id: int):
    """« Pièces jointes » alone (htmx: ticket-files-changed), the page without htmx."""
    return box(load(ticket_id), "files")
