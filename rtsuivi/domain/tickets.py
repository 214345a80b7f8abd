"""Ticket actions: create, reply, comment, forward, take/steal/give, status, people, fields.

Each action takes the acting user explicitly, checks rights, changes the ticket, records
Transaction rows and flushes; the caller commits.
"""
import re
from dataclasses import dataclass
from email.utils import parseaddr
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Attachment, Queue, Ticket, Transaction, User, Watcher, utcnow
from ..models.base import MAX_ID
from . import DomainError, NotFound
from . import lifecycle
from .accounts import find_or_create_by_email, nobody
from .rights import WATCHER_ROLES, can, can_any, require, require_any

REPLY_RIGHTS = ("ReplyToTicket", "ModifyTicket")     # as in RT's Ticket->Correspond
COMMENT_RIGHTS = ("CommentOnTicket", "ModifyTicket")  # as in RT's Ticket->Comment
MAX_SUBJECT = 500


class OwnerConflict(DomainError):
    """Someone else changed the owner first."""


# ---------------------------------------------------------------- loading

def load_visible(ticket_id: int, user: User, include_deleted: bool = True) -> Ticket:
    """Return the ticket if the user may see it; otherwise raise NotFound (never 403)."""
    ticket = db.session.get(Ticket, ticket_id) if 0 < ticket_id <= MAX_ID else None
    if ticket is None or not can(user, "ShowTicket", ticket):
        raise NotFound(_l("Ticket introuvable."))
    if ticket.status == "deleted" and not include_deleted:
        raise NotFound(_l("Ticket introuvable."))
    return ticket


def history(ticket: Ticket, user: User) -> tuple[list[Transaction], dict[int, User]]:
    """Return the transactions the user may read, oldest first, and the users they name.

    Follows reading.transactions_condition (comments need ShowTicketComments; requesters
    read only the messages). Costs a fixed number of queries.
    """
    from .reading import transactions_condition
    query = (select(Transaction).where(Transaction.ticket_id == ticket.id,
                                       transactions_condition(user, ticket))
             .options(selectinload(Transaction.attachments)).order_by(Transaction.id))
    transactions = list(db.session.scalars(query))
    ids = {int(v) for t in transactions if t.field in ("Owner", "Watcher")
           for v in (t.old_value, t.new_value) if v and v.isdigit()}
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} \
        if ids else {}
    return transactions, people


# ---------------------------------------------------------------- recording

def _record(ticket: Ticket, actor: User, type_: str, field: str | None = None,
            old=None, new=None, content: str | None = None, data: str | None = None,
            time_taken: int = 0) -> Transaction:
    """Append one history entry and touch the ticket's last-updated fields."""
    txn = Transaction(ticket=ticket, type=type_, field=field, creator=actor,
                      old_value=None if old is None else str(old),
                      new_value=None if new is None else str(new),
                      data=data, time_taken=time_taken or 0, created=utcnow())
    if content:
        txn.attachments.append(Attachment(content_type="text/plain", content=content,
                                          subject=ticket.subject))
    if time_taken:
        ticket.time_worked = (ticket.time_worked or 0) + time_taken
    ticket.updated = txn.created
    ticket.updated_by = actor
    db.session.add(txn)
    return txn


def _clean_text(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def _parse_minutes(value) -> int:
    try:
        minutes = int(value or 0)
    except (TypeError, ValueError):
        raise DomainError(_l("Le temps passé doit être un nombre de minutes."))
    if minutes < 0 or minutes > 100000:
        raise DomainError(_l("Le temps passé doit être un nombre de minutes."))
    return minutes


# ---------------------------------------------------------------- people

MAX_ADDRESSES = 50  # per field and per request: one request must not hold the desk


def _addresses(text: str | None, separators: str = r"[,;\s]+") -> list[str]:
    """Split a list of logins or addresses; refuse more than MAX_ADDRESSES."""
    items = [item.strip() for item in re.split(separators, text or "") if item.strip()]
    if len(items) > MAX_ADDRESSES:
        raise DomainError(_l("Au plus %(n)d adresses à la fois (%(count)d données).",
                             n=MAX_ADDRESSES, count=len(items)))
    return items


def parse_people(text: str | None) -> list[User]:
    """Turn "alice, denise@example.org" into users; unknown addresses become requesters.

    Raises DomainError over MAX_ADDRESSES names.
    """
    users = []
    for item in _addresses(text):
        if item:
            user = find_or_create_by_email(item)
            if user not in users:
                users.append(user)
    return users


def add_watcher(ticket: Ticket, actor: User, role: str, person: User) -> Transaction | None:
    """Add a person as Requestor, Cc or AdminCc; None when already there.

    Needs ModifyTicket; adding oneself also works with Watch (Requestor, Cc) or
    WatchAsAdminCc (AdminCc), as in RT.
    """
    if role not in WATCHER_ROLES:
        raise DomainError(_l("Rôle inconnu : %(role)s", role=role))
    if person.is_nobody:
        raise DomainError(_l("Nobody ne peut pas être observateur."))
    self_right = "WatchAsAdminCc" if role == "AdminCc" else "Watch"
    if not (can(actor, "ModifyTicket", ticket)
            or (person.id == actor.id and can(actor, self_right, ticket))):
        require(actor, "ModifyTicket", ticket)
    if any(w.user_id == person.id and w.role == role for w in ticket.watchers):
        return None
    ticket.watchers.append(Watcher(user=person, role=role))
    return _record(ticket, actor, "AddWatcher", field="Watcher", new=person.id, data=role)


def remove_watcher(ticket: Ticket, actor: User, role: str, person: User) -> Transaction:
    """Remove a person from a watcher role (needs ModifyTicket, or Watch for oneself)."""
    self_right = "WatchAsAdminCc" if role == "AdminCc" else "Watch"
    if not (can(actor, "ModifyTicket", ticket)
            or (person.id == actor.id and can(actor, self_right, ticket))):
        require(actor, "ModifyTicket", ticket)
    watcher = next((w for w in ticket.watchers if w.user_id == person.id and w.role == role),
                   None)
    if watcher is None:
        raise DomainError(_l("%(name)s n'est pas %(role)s de ce ticket.",
                             name=person.display_name, role=role))
    ticket.watchers.remove(watcher)
    return _record(ticket, actor, "DelWatcher", field="Watcher", old=person.id, data=role)


# ---------------------------------------------------------------- create

@dataclass
class NewTicket:
    queue: Queue
    subject: str
    content: str = ""
    requestors: list[User] | None = None
    cc: list[User] | None = None
    admin_cc: list[User] | None = None
    priority: int = 0
    due: datetime | None = None
    owner: User | None = None
    status: str = lifecycle.DEFAULT_ON_CREATE


def create(actor: User, new: NewTicket) -> Ticket:
    """Create a ticket in a queue (needs CreateTicket there) and record its Create entry.

    Setting an owner other than oneself needs ReassignTicket; the owner must hold OwnTicket.
    """
    require(actor, "CreateTicket", new.queue)
    subject = (new.subject or "").strip()
    if not subject:
        raise DomainError(_l("Le sujet est obligatoire."))
    if len(subject) > MAX_SUBJECT:
        raise DomainError(_l("Le sujet est trop long (500 caractères au plus)."))
    if new.status not in lifecycle.ON_CREATE:
        raise DomainError(_l("Un ticket ne peut pas être créé au statut %(status)s.",
                             status=lifecycle.label(new.status)))
    owner = new.owner or nobody()
    ticket = Ticket(queue=new.queue, subject=subject, status=new.status, owner=owner,
                    priority=new.priority or 0, due=new.due, created_by=actor,
                    created=utcnow())
    if not owner.is_nobody:
        if not can(owner, "OwnTicket", new.queue):
            raise DomainError(_l("%(name)s ne peut pas être intervenant dans cette file.",
                                 name=owner.display_name))
        if owner.id != actor.id:
            require(actor, "ReassignTicket", new.queue)
    if new.status != "new":
        ticket.started = ticket.created
    if new.status in lifecycle.INACTIVE:
        ticket.resolved = ticket.created
    db.session.add(ticket)
    requestors = new.requestors if new.requestors is not None else [actor]
    for role, people in (("Requestor", requestors), ("Cc", new.cc or []),
                         ("AdminCc", new.admin_cc or [])):
        for person in people:
            if not person.is_nobody and not any(
                    w.user_id == person.id and w.role == role for w in ticket.watchers):
                ticket.watchers.append(Watcher(user=person, role=role))
    _record(ticket, actor, "Create", content=_clean_text(new.content))
    db.session.flush()
    return ticket


# ---------------------------------------------------------------- messages

def reply(ticket: Ticket, actor: User, content: str, time_taken=0,
          auto_open: bool = True) -> Transaction:
    """Add a public reply (Correspond) and apply the reopen rules.

    Needs ReplyToTicket or ModifyTicket.
    """
    require_any(actor, REPLY_RIGHTS, ticket)
    content = _clean_text(content)
    if not content:
        raise DomainError(_l("Le message est vide."))
    txn = _record(ticket, actor, "Correspond", content=content,
                  time_taken=_parse_minutes(time_taken))
    is_requestor = any(w.user_id == actor.id and w.role == "Requestor" for w in ticket.watchers)
    if not is_requestor:
        ticket.told = txn.created
    target = lifecycle.status_after_reply(ticket.status, by_requestor=is_requestor)
    if auto_open and target:
        _change_status(ticket, actor, target)
    return txn


def comment(ticket: Ticket, actor: User, content: str, time_taken=0) -> Transaction:
    """Add a private comment, never shown to requesters (CommentOnTicket or ModifyTicket)."""
    require_any(actor, COMMENT_RIGHTS, ticket)
    content = _clean_text(content)
    if not content:
        raise DomainError(_l("Le commentaire est vide."))
    return _record(ticket, actor, "Comment", content=content,
                   time_taken=_parse_minutes(time_taken))


ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


def forward(ticket: Ticket, actor: User, to: str, content: str = "",
            transaction: Transaction | None = None) -> Transaction:
    """Forward the ticket (or one transaction) to outside addresses, with a message.

    Needs ForwardMessage. The scrips put the mail in the outbox in the same commit.
    """
    require(actor, "ForwardMessage", ticket)
    # Addresses are separated by commas or semicolons; « Nom <adresse> » is accepted.
    items = _addresses(to, separators=r"[,;]")
    if not items:
        raise DomainError(_l("Indiquez au moins une adresse de destination."))
    addresses = [parseaddr(a)[1] if "<" in a else a for a in items]
    bad = [item for item, a in zip(items, addresses) if not ADDRESS.match(a)]
    if bad:
        raise DomainError(_l("Adresse invalide : %(address)s", address=", ".join(bad)))
    from .reading import can_read_transaction
    if transaction is not None and (transaction.ticket_id != ticket.id
                                    or not can_read_transaction(actor, transaction)):
        raise NotFound(_l("Transaction introuvable."))
    return _record(ticket, actor, "Forward", field="Transaction" if transaction else "Ticket",
                   new=transaction.id if transaction else None,
                   data=", ".join(addresses), content=_clean_text(content))


# ---------------------------------------------------------------- status

def _change_status(ticket: Ticket, actor: User, new: str) -> Transaction:
    old = ticket.status
    for date_field, change in lifecycle.dates_on_change(old, new).items():
        if change == "once" and getattr(ticket, date_field) is None:
            setattr(ticket, date_field, utcnow())
        elif change == "set":
            setattr(ticket, date_field, utcnow())
        elif change == "clear":
            setattr(ticket, date_field, None)
    ticket.status = new
    return _record(ticket, actor, "Status", field="Status", old=old, new=new)


def set_status(ticket: Ticket, actor: User, new: str) -> Transaction:
    """Move the ticket to another status if the lifecycle and the actor's rights allow it."""
    lifecycle.check_transition(ticket.status, new)
    require(actor, lifecycle.right_for(ticket.status, new), ticket)
    return _change_status(ticket, actor, new)


def update(ticket: Ticket, actor: User, kind: str, content: str, status: str | None = None,
           time_taken=0) -> list[Transaction]:
    """Do what "Mettre à jour le ticket" does: a reply or comment, then a status change.

    An empty message with a status change only changes the status. An explicit status wins
    over the reopen rule of the reply.
    """
    if kind not in ("reply", "comment"):
        raise DomainError(_l("Type de message inconnu."))
    status = status or None
    if status == ticket.status:
        status = None
    if status:  # check before writing anything, so a refusal changes nothing
        lifecycle.check_transition(ticket.status, status)
        require(actor, lifecycle.right_for(ticket.status, status), ticket)
    done = []
    if _clean_text(content):
        if kind == "reply":
            done.append(reply(ticket, actor, content, time_taken, auto_open=not status))
        else:
            done.append(comment(ticket, actor, content, time_taken))
    elif not status:
        raise DomainError(_l("Écrivez un message ou choisissez un nouveau statut."))
    if status:
        done.append(set_status(ticket, actor, status))
    db.session.flush()
    return done


# ---------------------------------------------------------------- owner

def can_take(ticket: Ticket, user: User) -> bool:
    return (ticket.owner.is_nobody and can(user, "OwnTicket", ticket)
            and can_any(user, ("TakeTicket", "ModifyTicket", "ReassignTicket"), ticket))


def can_steal(ticket: Ticket, user: User) -> bool:
    return (not ticket.owner.is_nobody and ticket.owner_id != user.id
            and can(user, "OwnTicket", ticket)
            and can_any(user, ("StealTicket", "ReassignTicket"), ticket))


def can_give(ticket: Ticket, user: User) -> bool:
    """As in RT: ReassignTicket always; ModifyTicket when unowned or owned by oneself."""
    return can(user, "ReassignTicket", ticket) or (
        (ticket.owner.is_nobody or ticket.owner_id == user.id)
        and can(user, "ModifyTicket", ticket))


def _set_owner_if(ticket: Ticket, actor: User, new_owner: User, expected_owner_id: int,
                  type_: str) -> Transaction:
    """Change the owner only if it is still expected_owner_id (one winner under races)."""
    now = utcnow()
    changed = db.session.execute(
        sql_update(Ticket).where(Ticket.id == ticket.id, Ticket.owner_id == expected_owner_id)
        .values(owner_id=new_owner.id, updated=now, updated_by_id=actor.id)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.refresh(ticket)
        raise OwnerConflict(_l("Ce ticket vient d'être pris par %(name)s.",
                               name=ticket.owner.display_name))
    old_owner_id = expected_owner_id
    db.session.refresh(ticket, ["owner_id", "owner", "updated", "updated_by_id"])
    return _record(ticket, actor, type_, field="Owner", old=old_owner_id, new=new_owner.id)


def take(ticket: Ticket, actor: User) -> Transaction:
    """Make the acting user the owner of an unowned ticket ("Prendre").

    Needs OwnTicket and one of TakeTicket, ModifyTicket or ReassignTicket.
    """
    if not ticket.owner.is_nobody:
        if ticket.owner_id == actor.id:
            raise DomainError(_l("Vous êtes déjà l'intervenant de ce ticket."))
        raise OwnerConflict(_l("Ce ticket vient d'être pris par %(name)s.",
                               name=ticket.owner.display_name))
    if not can_take(ticket, actor):
        require(actor, "OwnTicket", ticket)
        require_any(actor, ("TakeTicket", "ModifyTicket", "ReassignTicket"), ticket)
    return _set_owner_if(ticket, actor, actor, nobody().id, "Take")


def steal(ticket: Ticket, actor: User) -> Transaction:
    """Take a ticket someone else owns ("Voler"); the previous owner is not notified.

    Needs OwnTicket and StealTicket (or ReassignTicket).
    """
    if ticket.owner.is_nobody:
        raise DomainError(_l("Ce ticket n'a pas d'intervenant : utilisez « Prendre »."))
    if ticket.owner_id == actor.id:
        raise DomainError(_l("Vous êtes déjà l'intervenant de ce ticket."))
    if not can_steal(ticket, actor):
        require(actor, "OwnTicket", ticket)
        require_any(actor, ("StealTicket", "ReassignTicket"), ticket)
    return _set_owner_if(ticket, actor, actor, ticket.owner_id, "Steal")


def give(ticket: Ticket, actor: User, new_owner: User) -> Transaction:
    """Give the ticket to an agent holding OwnTicket, or to Nobody ("Affecter")."""
    if new_owner.id == ticket.owner_id:
        raise DomainError(_l("%(name)s est déjà l'intervenant de ce ticket.",
                             name=new_owner.display_name))
    if not can_give(ticket, actor):
        require(actor, "ReassignTicket", ticket)
    if not new_owner.is_nobody and (new_owner.disabled or not new_owner.privileged
                                    or not can(new_owner, "OwnTicket", ticket)):
        raise DomainError(_l("%(name)s ne peut pas être intervenant dans cette file.",
                             name=new_owner.display_name))
    type_ = "Untake" if new_owner.is_nobody and ticket.owner_id == actor.id else "Give"
    return _set_owner_if(ticket, actor, new_owner, ticket.owner_id, type_)


# ---------------------------------------------------------------- fields

MIN_PRIORITY, MAX_PRIORITY = 0, 100  # the range the forms offer
EDITABLE_FIELDS = ("subject", "priority", "due", "starts", "time_estimated", "time_left")


def set_fields(ticket: Ticket, actor: User, **values) -> list[Transaction]:
    """Change basic fields ("Enregistrer les modifications"); one Set entry per change.

    Needs ModifyTicket. Unknown fields are refused; unchanged ones are ignored.
    """
    require(actor, "ModifyTicket", ticket)
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_l("Champ non modifiable : %(field)s", field=", ".join(sorted(unknown))))
    if "subject" in values:
        values["subject"] = (values["subject"] or "").strip()
        if not values["subject"]:
            raise DomainError(_l("Le sujet est obligatoire."))
    if "priority" in values and not MIN_PRIORITY <= (values["priority"] or 0) <= MAX_PRIORITY:
        raise DomainError(_l("La priorité va de %(min)d à %(max)d.", min=MIN_PRIORITY,
                             max=MAX_PRIORITY))
    done = []
    for name, value in values.items():
        old = getattr(ticket, name)
        if old != value:
            setattr(ticket, name, value)
            done.append(_record(ticket, actor, "Set", field=name, old=_shown(old),
                                new=_shown(value)))
    db.session.flush()
    return done


def save_basics(ticket: Ticket, actor: User, queue: Queue | None = None,
                **values) -> list[Transaction]:
    """Save the « Les bases » form: the fields, then the queue when it changes.

    Needs ModifyTicket; a new queue also needs CreateTicket there (see set_queue).
    """
    done = set_fields(ticket, actor, **values)
    if queue is not None and queue.id != ticket.queue_id:
        done.append(set_queue(ticket, actor, queue))
    return done


def _shown(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)[:500]


# ---------------------------------------------------------------- menu

@dataclass(frozen=True)
class Action:
    key: str
    label: object
    kind: str  # "form" opens the update form, "post" acts at once, "page" opens a form


def actions_for(ticket: Ticket, user: User) -> list[Action]:
    """List the actions the user may take on the ticket, in menu order."""
    actions = []
    status = ticket.status
    if can_any(user, REPLY_RIGHTS, ticket):
        actions.append(Action("reply", _l("Répondre"), "form"))
    if can_any(user, COMMENT_RIGHTS, ticket):
        actions.append(Action("comment", _l("Commenter"), "form"))
    if can(user, "ForwardMessage", ticket):
        actions.append(Action("forward", _l("Transférer"), "page"))
    if can_take(ticket, user):
        actions.append(Action("take", _l("Prendre"), "post"))
    elif can_steal(ticket, user):
        actions.append(Action("steal", _l("Voler"), "post"))
    if can_give(ticket, user):
        actions.append(Action("give", _l("Affecter"), "page"))
    if can(user, "ModifyTicket", ticket):
        if status in ("new", "stalled"):
            actions.append(Action("open", _l("Ouvrir"), "form"))
        if status in ("new", "open"):
            actions.append(Action("stall", _l("Stagnant"), "form"))
        if status in ("new", "open", "stalled"):
            actions.append(Action("resolve", _l("Résoudre"), "form"))
            actions.append(Action("reject", _l("Rejeter"), "form"))
        if status in ("resolved", "rejected", "deleted"):
            actions.append(Action("reopen", _l("Rouvrir"), "form"))
    if status != "deleted" and can(user, "DeleteTicket", ticket):
        actions.append(Action("delete", _l("Effacer"), "post"))
    return actions


# The status each menu action presets in the update form, and the message type RT uses.
ACTION_PRESETS = {
    "reply": (None, "reply"), "comment": (None, "comment"),
    "open": ("open", "reply"), "stall": ("stalled", "comment"),
    "resolve": ("resolved", "comment"), "reject": ("rejected", "reply"),
    "reopen": ("open", "comment"),
}


# ---------------------------------------------------------------- queue

def set_queue(ticket: Ticket, actor: User, queue: Queue) -> Transaction:
    """Move the ticket to another queue: ModifyTicket here and CreateTicket there, as RT's
    queue change needs the right to create in the target queue."""
    if queue.id == ticket.queue_id:
        raise DomainError(_l("Le ticket est déjà dans la file %(name)s.", name=queue.name))
    if queue.disabled:
        raise DomainError(_l("La file %(name)s est désactivée.", name=queue.name))
    require(actor, "ModifyTicket", ticket)
    require(actor, "CreateTicket", queue)
    old = ticket.queue.name
    ticket.queue, ticket.queue_id = queue, queue.id
    moved = _record(ticket, actor, "Set", field="Queue", old=old, new=queue.name)
    owner = ticket.owner
    if not owner.is_nobody and not can(owner, "OwnTicket", ticket):
        # As in RT's SetQueue: an owner who may not own tickets in the new queue is replaced
        # by Nobody, and the history says so.
        ticket.owner, ticket.owner_id = nobody(), nobody().id
        _record(ticket, actor, "Give", field="Owner", old=owner.id, new=ticket.owner.id)
    db.session.flush()
    return moved
