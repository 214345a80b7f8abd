"""« Les réponses prédéfinies »: texts agents insert into a reply or a comment.

A response is global (offered on every queue) or belongs to one queue; it has a category
and a language (fr, en). Managing one needs AdminCannedResponses on its queue, or globally
for a global one (SuperUser covers both). Its text may carry placeholders, {{numero}}…,
replaced by plain text for the ticket when inserted: the text is never evaluated as a
template, and a placeholder that does not exist is refused when the response is saved.
"""
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, or_, select

from ..extensions import db
from ..models import CannedResponse, Queue, Ticket, Transaction, User, utcnow
from ..models.base import fits_id
from . import DomainError, Forbidden, NotFound, audit
from .queries import Page, matching, page_of
from .reading import can_read_transaction
from .rights import can, require_any, visible_queues_filter

RIGHT = "AdminCannedResponses"
LANGS = ("fr", "en")
MAX_NAME, MAX_TEXT = 200, 20000
USE_RIGHTS = ("ReplyToTicket", "CommentOnTicket", "ModifyTicket")  # who writes in the box
MESSAGE_TYPES = ("Create", "Correspond", "Comment")
PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.S)
PLACEHOLDERS = {
    "demandeur": lambda ticket, agent: ", ".join(u.display_name for u in ticket.requestors),
    "numero": lambda ticket, agent: str(ticket.id),
    "sujet": lambda ticket, agent: ticket.subject,
    "file": lambda ticket, agent: ticket.queue.name,
    "agent": lambda ticket, agent: agent.display_name,
}
FIELDS = ("name", "category", "lang", "queue_id", "text")


def check_placeholders(text: str) -> None:
    """Raise DomainError naming the first placeholder that does not exist."""
    for found in PLACEHOLDER.findall(text):
        if found.strip() not in PLACEHOLDERS:
            raise DomainError(_l(
                "La variable {{%(name)s}} n'existe pas. Variables possibles : %(known)s.",
                name=found.strip(), known=", ".join("{{%s}}" % k for k in PLACEHOLDERS)))


def fill(response: CannedResponse, ticket: Ticket, agent: User) -> str:
    """The response's text for this ticket: each placeholder replaced by plain text."""
    return PLACEHOLDER.sub(
        lambda m: PLACEHOLDERS[m.group(1).strip()](ticket, agent)
        if m.group(1).strip() in PLACEHOLDERS else m.group(0), response.text)


def insert_into(content: str | None, text: str) -> str:
    """Put the text at the end of what was typed, above the signature if there is one."""
    content = (content or "").replace("\r\n", "\n")
    body, sep, signature = content.partition("\n-- \n")
    body = body.rstrip("\n")
    joined = f"{body}\n\n{text}" if body.strip() else text
    return joined + (f"\n{sep}{signature}" if sep else "")


def may_manage(user: User, queue: Queue | None) -> bool:
    """Tell whether the user may manage the responses of this queue (None: global ones)."""
    return can(user, RIGHT, queue)


def _require(user: User, queue: Queue | None) -> None:
    if not may_manage(user, queue):
        raise Forbidden(_l("Vous n'avez pas le droit %(right)s ici.", right=RIGHT))


def manageable_queues(user: User) -> list[Queue]:
    """The enabled queues whose responses the user may manage, by name."""
    queues = db.session.scalars(select(Queue).where(Queue.disabled.is_(False))
                                .order_by(Queue.name))
    return [q for q in queues if may_manage(user, q)]


def managed(user: User, search: str = "", page: int = 1, per_page: int = 25) -> Page:
    """One page of the responses the user may manage, by category then name, matching the
    words (name, category or text)."""
    queues = select(Queue.id).where(visible_queues_filter(user, RIGHT))
    mine = CannedResponse.queue_id.in_(queues)
    if can(user, RIGHT, None):
        mine = or_(mine, CannedResponse.queue_id.is_(None))
    query = matching(select(CannedResponse).where(mine), search, CannedResponse.name,
                     CannedResponse.category, CannedResponse.text)
    return page_of(query, [CannedResponse.category, CannedResponse.name, CannedResponse.id],
                   page, per_page)


def save(actor: User, response: CannedResponse | None, name: str, category: str, lang: str,
         text: str, queue: Queue | None) -> CannedResponse:
    """Create (response None) or change a response; audited.

    Forbidden without the right on its queue (old and new); DomainError for an empty name
    or text, an unknown language or placeholder.
    """
    _require(actor, queue)
    if response is not None:
        _require(actor, response.queue)
    name, category = (name or "").strip(), (category or "").strip()
    text = (text or "").replace("\r\n", "\n").strip("\n")
    if not name or len(name) > MAX_NAME:
        raise DomainError(_l("Donnez un nom à la réponse (200 caractères au plus)."))
    if not text.strip():
        raise DomainError(_l("Le texte de la réponse est vide."))
    if len(text) > MAX_TEXT or lang not in LANGS:
        raise DomainError(_l("Texte trop long ou langue inconnue."))
    check_placeholders(text)
    before = audit.snapshot(response, FIELDS) if response is not None else None
    if response is None:
        response = CannedResponse()
        db.session.add(response)
    response.name, response.category, response.lang, response.text = name, category, lang, text
    response.queue, response.updated = queue, utcnow()
    db.session.flush()
    audit.record(actor, "canned_response", response.id, name,
                 "create" if before is None else "update", before=before,
                 after=audit.snapshot(response, FIELDS))
    return response


def delete(actor: User, response: CannedResponse) -> None:
    """Delete a response (Forbidden without the right on its queue); audited."""
    _require(actor, response.queue)
    audit.record(actor, "canned_response", response.id, response.name, "delete",
                 before=audit.snapshot(response, FIELDS))
    db.session.delete(response)
    db.session.flush()


def load(response_id: int | None) -> CannedResponse:
    """Return the response; NotFound otherwise."""
    found = db.session.get(CannedResponse, response_id) \
        if response_id and fits_id(response_id) else None
    if found is None:
        raise NotFound(_l("Réponse prédéfinie introuvable."))
    return found


def _offered(ticket: Ticket):
    return select(CannedResponse).where(
        (CannedResponse.queue_id.is_(None)) | (CannedResponse.queue_id == ticket.queue_id))


def for_ticket(ticket: Ticket, user: User, search: str = "", limit: int = 50) \
        -> list[CannedResponse]:
    """The responses offered on the ticket (its queue's and the global ones) whose name
    holds `search`: the user's language first, then by category and name.

    Forbidden unless the user may reply or comment on the ticket.
    """
    require_any(user, USE_RIGHTS, ticket)
    query = _offered(ticket)
    if search.strip():
        words = search.strip()[:100].replace("\\", "\\\\").replace("%", "\\%") \
            .replace("_", "\\_")
        query = query.where(CannedResponse.name.ilike(f"%{words}%", escape="\\"))
    mine = case((CannedResponse.lang == (user.lang or "fr"), 0), else_=1)
    return list(db.session.scalars(query.order_by(
        mine, CannedResponse.category, CannedResponse.name, CannedResponse.id).limit(limit)))


def offered(ticket: Ticket, user: User, response_id: int) -> CannedResponse:
    """The response if it is offered on the ticket to this user (see for_ticket)."""
    require_any(user, USE_RIGHTS, ticket)
    response = load(response_id)
    if response.queue_id not in (None, ticket.queue_id):
        raise NotFound(_l("Réponse prédéfinie introuvable."))
    return response


def text_of(transaction_id: int | None, user: User) -> str:
    """The text of a message the user may read (« Créer à partir de ce message »)."""
    txn = db.session.get(Transaction, transaction_id) \
        if transaction_id and fits_id(transaction_id) else None
    if txn is None or txn.type not in MESSAGE_TYPES or not can_read_transaction(user, txn):
        raise NotFound(_l("Message introuvable."))
    return txn.content
