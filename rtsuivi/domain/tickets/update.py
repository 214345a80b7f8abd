"""« Mettre à jour le ticket »: a message and a status change in one go."""
from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import Ticket, Transaction, User
from .. import DomainError, lifecycle
from ..rights import require
from .messages import comment, reply
from .recording import clean_text as _clean_text
from .status import set_status


def update(ticket: Ticket, actor: User, kind: str, content: str, status: str | None = None,
           time_taken=0, files=(), message=None, seen=None) -> list[Transaction]:
    """Do what "Mettre à jour le ticket" does: a reply or comment, then a status change.

    An empty message with a status change only changes the status. An explicit status wins
    over the reopen rule of the reply. message (recipients.ThisMessage): people left out
    of the mails and one-time Cc / Bcc. seen: the last transaction id the form showed;
    changes by others since then raise presence.Stale before anything is written.
    """
    from ..presence import require_fresh
    from ..recipients import apply
    require_fresh(ticket, actor, seen)
    if kind not in ("reply", "comment"):
        raise DomainError(_l("Type de message inconnu."))
    status = status or None
    if status == ticket.status:
        status = None
    if status:  # check before writing anything, so a refusal changes nothing
        lifecycle.check_transition(ticket.status, status, ticket)
        require(actor, lifecycle.right_for(ticket.status, status), ticket)
    done = []
    if _clean_text(content) or files:
        if kind == "reply":
            done.append(reply(ticket, actor, content, time_taken, auto_open=not status,
                              files=files))
        else:
            done.append(comment(ticket, actor, content, time_taken, files=files))
    elif not status:
        raise DomainError(_l("Écrivez un message ou choisissez un nouveau statut."))
    if status:
        done.append(set_status(ticket, actor, status))
    apply(done, message)
    db.session.flush()
    return done

