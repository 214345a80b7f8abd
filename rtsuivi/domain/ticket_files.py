"""The files of a ticket as one list (« Pièces jointes » on the ticket page) and the files
an agent picks to send with « Transférer ». The reading rule is domain/reading.py's: a file
is listed or forwarded only when its transaction may be read."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager

from ..extensions import db
from ..models import Attachment, Ticket, Transaction, User
from ..models.base import fits_id
from . import NotFound
from .reading import can_read_attachment, transactions_condition

# Shown as a small picture in the history: types the download route serves as themselves
# (tickets.views.SAFE_TYPES) and that a browser draws without running anything.
THUMBNAIL_TYPES = ("image/png", "image/jpeg", "image/gif")


def ticket_files(ticket: Ticket, user: User) -> list[Attachment]:
    """List the files of the ticket's transactions the user may read, oldest first."""
    query = (select(Attachment).join(Attachment.transaction)
             .where(Transaction.ticket_id == ticket.id, transactions_condition(user, ticket),
                    or_(Attachment.filename.isnot(None), Attachment.content_id.isnot(None)))
             .options(contains_eager(Attachment.transaction)).order_by(Attachment.id))
    return list(db.session.scalars(query))


def files_of_history(ticket: Ticket, transactions) -> list[Attachment]:
    """ticket_files() from the history the page already loaded (tickets.history applies the
    same reading rule, and loads each transaction's attachments): one query less per view.
    The history also holds the tickets merged into this one; their files are not listed."""
    return sorted((a for t in transactions if t.ticket_id == ticket.id for a in t.files),
                  key=lambda a: a.id)


def find_files(ids) -> list[Attachment]:
    """Return the attachments a form names (forward() checks they may be sent)."""
    ids = sorted({i for i in ids if fits_id(i)})
    if not ids:
        return []
    return list(db.session.scalars(select(Attachment).where(Attachment.id.in_(ids))
                                   .order_by(Attachment.id)))


def check_forwardable(ticket: Ticket, actor: User, files) -> list[Attachment]:
    """Return the files if each belongs to the ticket and the actor may read it; NotFound
    otherwise (a forged id says nothing of another ticket's files)."""
    for attachment in files:
        if attachment.transaction.ticket_id != ticket.id \
                or not can_read_attachment(actor, attachment) \
                or not (attachment.filename or attachment.content_id) \
                or not attachment.stored:  # over the size limit: only in the raw mail
            raise NotFound(_l("Pièce jointe introuvable."))
    return list(files)


def default_forwarded(ticket: Ticket, transaction: Transaction | None) -> set[int]:
    """The files ticked at first: those of the forwarded message, or of the ticket's
    messages (Create, Correspond) when the whole ticket goes."""
    history = [transaction] if transaction else [
        t for t in ticket.transactions if t.type in ("Create", "Correspond")]
    return {f.id for t in history for f in t.files}
