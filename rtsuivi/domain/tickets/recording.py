"""Write history entries: every action goes through record()."""
from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import Attachment, Ticket, Transaction, User, utcnow
from .. import DomainError
from .events import remember


def record(ticket: Ticket, actor: User, type_: str, field: str | None = None,
            old=None, new=None, content: str | None = None, data: str | None = None,
            time_taken: int = 0, files=()) -> Transaction:
    """Append one history entry (with its message and uploaded files, domain.uploads.Upload)
    and touch the ticket's last-updated fields."""
    txn = Transaction(ticket=ticket, type=type_, field=field, creator=actor,
                      old_value=None if old is None else str(old),
                      new_value=None if new is None else str(new),
                      data=data, time_taken=time_taken or 0, created=utcnow())
    if content:
        txn.attachments.append(Attachment(content_type="text/plain", content=content,
                                          subject=ticket.subject))
    for upload in files:
        txn.attachments.append(Attachment(content_type=upload.content_type,
                                          filename=upload.filename, content_bytes=upload.data,
                                          size=len(upload.data)))
    if time_taken:
        ticket.time_worked = (ticket.time_worked or 0) + time_taken
    ticket.updated = txn.created
    ticket.updated_by = actor
    db.session.add(txn)
    remember(txn)
    return txn


def clean_text(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def parse_minutes(value) -> int:
    try:
        minutes = int(value or 0)
    except (TypeError, ValueError):
        raise DomainError(_l("Le temps passé doit être un nombre de minutes."))
    if minutes < 0 or minutes > 100000:
        raise DomainError(_l("Le temps passé doit être un nombre de minutes."))
    return minutes

