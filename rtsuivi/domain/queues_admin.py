"""Queue administration (« Files »): create, edit, disable a queue, and its watchers.

Rights as in RT: AdminQueue on a queue edits it (creating one needs AdminQueue globally);
ModifyQueueWatchers or AdminQueue changes its Cc and AdminCc. An actor of None is the command
line, run by whoever administers the machine (no right asked; audited without a name).
"""
import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from ..extensions import db
from ..models import NOBODY_NAME, SYSTEM_NAME, Queue, QueueWatcher, User
from . import DomainError, NotFound, accounts, audit, rights
from .queries import Page, matching, page_of

FIELDS = ("name", "description", "correspond_address", "comment_address", "subject_tag",
          "default_due_days", "disabled")
WATCHER_ROLES = ("Cc", "AdminCc")
# Rights that open a queue's administration pages (edit, watchers, rights).
QUEUE_ADMIN_RIGHTS = ("AdminQueue", "ModifyQueueWatchers", "ShowACL", "ModifyACL")
ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
# A subject tag is written as [tag #id]: no brackets nor #, and it must stay readable.
TAG = re.compile(r"^[^\[\]#\r\n]{1,120}$")
MAX_DUE_DAYS = 3650


@dataclass
class QueueFields:
    name: str
    description: str = ""
    correspond_address: str | None = None
    comment_address: str | None = None
    subject_tag: str | None = None
    default_due_days: int | None = None


def _require(actor: User | None, queue: Queue | None, *names: str) -> None:
    if actor is not None:
        rights.require_any(actor, names, queue)


def may_edit(actor: User, queue: Queue) -> bool:
    """Whether the actor may change the queue itself (AdminQueue there)."""
    return rights.can(actor, "AdminQueue", queue)


def may_change_watchers(actor: User, queue: Queue) -> bool:
    """Whether the actor may change the queue's Cc and AdminCc."""
    return rights.can_any(actor, ("AdminQueue", "ModifyQueueWatchers"), queue)


def list_queues(actor: User | None, search: str = "", page: int = 1, per_page: int = 25) -> Page:
    """One page of the queues the actor administers in some way, searched by name or address."""
    query = select(Queue)
    if actor is not None:  # None: the command line sees every queue
        query = query.where(or_(*(rights.visible_queues_filter(actor, right)
                                  for right in QUEUE_ADMIN_RIGHTS)))
    query = matching(query, search, Queue.name, Queue.correspond_address, Queue.comment_address)
    return page_of(query, [Queue.name], page, per_page)


def load(actor: User | None, queue_id: int | str) -> Queue:
    """The queue (by id or name) if the actor holds some administration right on it."""
    queue = db.session.get(Queue, queue_id) if isinstance(queue_id, int) else \
        db.session.scalar(select(Queue).where(Queue.name == queue_id))
    if queue is None:
        raise NotFound(_l("File introuvable : %(name)s", name=queue_id))
    _require(actor, queue, *QUEUE_ADMIN_RIGHTS)
    return queue


def _clean_address(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    if value and not ADDRESS.match(value):
        raise DomainError(_l("« %(value)s » n'est pas une adresse électronique valable.",
                             value=value))
    return value or None


def _check(fields: QueueFields, queue: Queue | None) -> QueueFields:
    """Validate and normalise the fields; DomainError with a French message otherwise."""
    name = (fields.name or "").strip()
    if not name:
        raise DomainError(_l("Le nom de la file est obligatoire."))
    if len(name) > 200:
        raise DomainError(_l("Le nom de la file est trop long (200 caractères au plus)."))
    others = select(Queue).where(Queue.id != queue.id) if queue else select(Queue)
    if db.session.scalar(others.where(Queue.name == name).limit(1)):
        raise DomainError(_l("La file %(name)s existe déjà.", name=name))
    correspond = _clean_address(fields.correspond_address)
    comment = _clean_address(fields.comment_address)
    if correspond and correspond == comment:
        raise DomainError(_l("L'adresse de réponse et celle de commentaire doivent différer."))
    for address in filter(None, (correspond, comment)):
        taken = db.session.scalar(others.where(or_(
            Queue.correspond_address == address, Queue.comment_address == address)).limit(1))
        if taken:
            raise DomainError(_l("L'adresse %(address)s est déjà celle de la file %(queue)s.",
                                 address=address, queue=taken.name))
    tag = (fields.subject_tag or "").strip() or None
    if tag and not TAG.match(tag):
        raise DomainError(_l("Étiquette de sujet invalide : ni crochets ni #, 120 caractères "
                             "au plus."))
    due = fields.default_due_days
    if due is not None and not 0 <= due <= MAX_DUE_DAYS:
        raise DomainError(_l("L'échéance par défaut va de 0 à %(max)s jours.",
                             max=MAX_DUE_DAYS))
    return QueueFields(name, (fields.description or "").strip()[:500], correspond, comment,
                       tag, due)


def _apply(queue: Queue, fields: QueueFields) -> None:
    for name in ("name", "description", "correspond_address", "comment_address",
                 "subject_tag", "default_due_days"):
        setattr(queue, name, getattr(fields, name))


def create(actor: User | None, fields: QueueFields) -> Queue:
    """Create a queue (AdminQueue held globally)."""
    _require(actor, None, "AdminQueue")
    fields = _check(fields, None)
    queue = accounts.create_queue(fields.name)
    _apply(queue, fields)
    db.session.flush()
    audit.record(actor, "queue", queue.id, queue.name, "create",
                 after=audit.snapshot(queue, FIELDS))
    return queue


def _keep_default(queue: Queue, renamed: bool = False, disabled: bool = False) -> None:
    """Refuse to rename or disable the queue named by RTSUIVI_DEFAULT_QUEUE: mail written to
    no queue's address lands there (mail/routing.py)."""
    if queue.name == current_app.config["RTSUIVI_DEFAULT_QUEUE"] and (renamed or disabled):
        raise DomainError(_l(
            "La file %(name)s reçoit le courrier adressé à aucune autre file (réglage "
            "RTSUIVI_DEFAULT_QUEUE) : elle ne peut être ni renommée ni désactivée. Changez "
            "d'abord ce réglage.", name=queue.name))


def update(actor: User | None, queue: Queue, fields: QueueFields) -> Queue:
    """Change the queue's name, description, addresses, subject tag, default due (AdminQueue)."""
    _require(actor, queue, "AdminQueue")
    fields = _check(fields, queue)
    _keep_default(queue, renamed=fields.name != queue.name)
    before = audit.snapshot(queue, FIELDS)
    _apply(queue, fields)
    db.session.flush()
    audit.record(actor, "queue", queue.id, queue.name, "update", before=before,
                 after=audit.snapshot(queue, FIELDS))
    return queue


def set_disabled(actor: User | None, queue: Queue, disabled: bool) -> Queue:
    """Disable the queue (it keeps its tickets; mail no longer routes to it) or enable it."""
    _require(actor, queue, "AdminQueue")
    _keep_default(queue, disabled=disabled)
    if queue.disabled != disabled:
        queue.disabled = disabled
        db.session.flush()
        audit.record(actor, "queue", queue.id, queue.name,
                     "disable" if disabled else "enable")
    return queue


def watchers(queue: Queue, role: str | None = None) -> list[QueueWatcher]:
    """The queue's Cc and AdminCc (or those of one role), by user name."""
    query = select(QueueWatcher).join(User, User.id == QueueWatcher.user_id).where(
        QueueWatcher.queue_id == queue.id)
    if role:
        query = query.where(QueueWatcher.role == role)
    return list(db.session.scalars(query.order_by(QueueWatcher.role, User.name)))


def watcher_users(queue_id: int, role: str) -> list[User]:
    """The users watching every ticket of the queue in this role (for the scrips)."""
    return list(db.session.scalars(select(User).join(
        QueueWatcher, QueueWatcher.user_id == User.id).where(
        QueueWatcher.queue_id == queue_id, QueueWatcher.role == role).order_by(User.name)))


def _watcher_role(role: str) -> str:
    if role not in WATCHER_ROLES:
        raise DomainError(_l("Rôle de surveillant inconnu : %(role)s", role=role))
    return role


def add_watcher(actor: User | None, queue: Queue, user: User, role: str) -> None:
    """Make the user a Cc or AdminCc of every ticket of the queue (ModifyQueueWatchers)."""
    _require(actor, queue, "AdminQueue", "ModifyQueueWatchers")
    role = _watcher_role(role)
    if user.disabled or user.name in (NOBODY_NAME, SYSTEM_NAME):
        raise DomainError(_l("%(name)s ne peut pas surveiller une file.", name=user.name))
    if db.session.get(QueueWatcher, (queue.id, user.id, role)) is None:
        db.session.add(QueueWatcher(queue_id=queue.id, user_id=user.id, role=role))
        db.session.flush()
        audit.record(actor, "queue", queue.id, queue.name, "add_watcher",
                     after={"role": role, "user": user.name})


def remove_watcher(actor: User | None, queue: Queue, user: User, role: str) -> None:
    """Remove the user from the queue's Cc or AdminCc (ModifyQueueWatchers)."""
    _require(actor, queue, "AdminQueue", "ModifyQueueWatchers")
    found = db.session.get(QueueWatcher, (queue.id, user.id, _watcher_role(role)))
    if found is not None:
        db.session.delete(found)
        db.session.flush()
        audit.record(actor, "queue", queue.id, queue.name, "remove_watcher",
                     before={"role": role, "user": user.name})


def load_user(user_id: int) -> User:
    """The user, or NotFound."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_l("Utilisateur introuvable."))
    return user


def may_create(actor: User) -> bool:
    """Whether the actor may create queues (AdminQueue held globally)."""
    return rights.can(actor, "AdminQueue")


def forbid_unless_creator(actor: User) -> None:
    """Raise Forbidden unless the actor may create queues."""
    rights.require(actor, "AdminQueue")


def load_for_watchers(actor: User, queue_id: int) -> Queue:
    """The queue, if the actor may change its watchers (else Forbidden or NotFound)."""
    queue = load(actor, queue_id)
    _require(actor, queue, "AdminQueue", "ModifyQueueWatchers")
    return queue


def change_watcher(actor: User | None, queue: Queue, user: User, role: str,
                   remove: bool = False) -> None:
    """Add the user to (or remove them from) the queue's Cc or AdminCc."""
    (remove_watcher if remove else add_watcher)(actor, queue, user, role)


def queues_with(actor: User, names: tuple[str, ...]) -> list[Queue]:
    """The queues where the actor holds one of these rights, by name."""
    return list(db.session.scalars(select(Queue).where(or_(*(
        rights.visible_queues_filter(actor, right) for right in names))).order_by(Queue.name)))


def load_any(actor: User | None, queue_id: int, names: tuple[str, ...]) -> Queue:
    """The queue, if the actor holds one of these rights on it (else NotFound or Forbidden)."""
    queue = db.session.get(Queue, queue_id)
    if queue is None:
        raise NotFound(_l("File introuvable : %(name)s", name=queue_id))
    _require(actor, queue, *names)
    return queue
