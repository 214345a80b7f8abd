"""A site's configuration as one JSON document (`rtsuivi export-config` / `import-config`):
the users it names, groups and their members, queues and their watchers, custom fields, grants,
the notification rules switched off.

The document is a list of sections, each (name, export, check, import): another area adds its
own with one line in SECTIONS (custom fields after the queues). Import checks every section
against the file and the database first, then applies them in order in one database
transaction: a bad file changes nothing. It creates and updates by name and never removes,
so importing the same file twice changes nothing the second time. Users come without
passwords (set one, or mail a link, to let them log in).
"""
import json
from dataclasses import dataclass
from typing import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import NOBODY_NAME, SYSTEM_NAME, Group, Queue, QueueWatcher, User
from ..models.custom_fields import TYPES as FIELD_TYPES
from . import DomainError, accounts, audit, custom_fields, notification_rules, rights, rights_admin
from . import queues_admin as admin_queues

FORMAT, VERSION = "rtsuivi-config", 1


@dataclass(frozen=True)
class Section:
    name: str
    export: Callable[[], list]
    check: Callable[[list, dict], None]  # (entries, whole document) -> raises DomainError
    load: Callable[[list], None]


def _bad(section: str, detail) -> DomainError:
    return DomainError(_l("Fichier de configuration invalide (%(section)s) : %(detail)s",
                          section=section, detail=detail))


def _require_keys(section: str, entry, keys: tuple[str, ...]) -> dict:
    if not isinstance(entry, dict) or any(k not in entry for k in keys):
        raise _bad(section, _l("chaque entrée doit avoir %(keys)s", keys=", ".join(keys)))
    return entry


# ---------------------------------------------------------------- users (those named)

def _named_users() -> set[str]:
    names = set(db.session.scalars(select(User.name).join(User.groups)))
    names |= set(db.session.scalars(select(User.name).join(
        QueueWatcher, QueueWatcher.user_id == User.id)))
    names |= {key[5:] for key, _r, _q in rights_admin.matrix_everywhere()
              if key.startswith("user:")}
    return names - {NOBODY_NAME}


def export_users() -> list:
    """The users the other sections name: login, address, name, agent or not."""
    users = db.session.scalars(select(User).where(User.name.in_(_named_users()))
                               .order_by(User.name))
    return [{"name": u.name, "email": u.email, "real_name": u.real_name,
             "privileged": u.privileged, "disabled": u.disabled} for u in users]


def check_users(entries: list, document: dict) -> None:
    """Each user has a name."""
    for entry in entries:
        _require_keys("users", entry, ("name",))


def load_users(entries: list) -> None:
    """Create the users missing (no password); existing ones are left as they are."""
    for entry in entries:
        if accounts.find_user(entry["name"]) is None and entry["name"] != SYSTEM_NAME:
            user = accounts.create_user(entry["name"], entry.get("email"),
                                        entry.get("real_name") or "",
                                        privileged=bool(entry.get("privileged")))
            user.disabled = bool(entry.get("disabled"))


# ---------------------------------------------------------------- groups and members

def export_groups() -> list:
    """Groups with their description and members."""
    return [{"name": g.name, "description": g.description,
             "members": sorted(u.name for u in g.members)}
            for g in db.session.scalars(select(Group).order_by(Group.name))]


def _known_users(document: dict) -> set[str]:
    named = {e.get("name") for e in document.get("users", []) if isinstance(e, dict)}
    return named | set(db.session.scalars(select(User.name)))


def check_groups(entries: list, document: dict) -> None:
    """Each group has a name and its members are known users."""
    users = _known_users(document)
    for entry in entries:
        _require_keys("groups", entry, ("name",))
        unknown = [m for m in entry.get("members", []) if m not in users]
        if unknown:
            raise _bad("groups", _l("utilisateur inconnu : %(name)s", name=unknown[0]))


def load_groups(entries: list) -> None:
    """Create or describe each group and add its members."""
    for entry in entries:
        group = db.session.scalar(select(Group).where(Group.name == entry["name"])) \
            or accounts.create_group(entry["name"])
        group.description = entry.get("description") or ""
        for name in entry.get("members", []):
            accounts.add_member(group, accounts.find_user(name))


# ---------------------------------------------------------------- queues and watchers

QUEUE_KEYS = ("description", "correspond_address", "comment_address", "subject_tag",
              "default_due_days")


def export_queues() -> list:
    """Queues with their addresses, tag, default due, state and watchers."""
    found = []
    for queue in db.session.scalars(select(Queue).order_by(Queue.name)):
        entry = {"name": queue.name, **{k: getattr(queue, k) for k in QUEUE_KEYS},
                 "disabled": queue.disabled}
        entry["watchers"] = [{"user": w.user.name, "role": w.role}
                             for w in admin_queues.watchers(queue)]
        found.append(entry)
    return found


def check_queues(entries: list, document: dict) -> None:
    """Each queue has a name; its watchers are known users in a known role."""
    users = _known_users(document)
    for entry in entries:
        _require_keys("queues", entry, ("name",))
        for watcher in entry.get("watchers", []):
            _require_keys("queues", watcher, ("user", "role"))
            if watcher["user"] not in users or watcher["role"] not in admin_queues.WATCHER_ROLES:
                raise _bad("queues", _l("surveillant invalide : %(name)s", name=watcher["user"]))


def load_queues(entries: list) -> None:
    """Create or update each queue (the same rules as the « Files » page), its watchers."""
    for entry in entries:
        fields = admin_queues.QueueFields(entry["name"], **{
            k: entry.get(k) for k in QUEUE_KEYS})
        queue = db.session.scalar(select(Queue).where(Queue.name == entry["name"]))
        queue = admin_queues.update(None, queue, fields) if queue else \
            admin_queues.create(None, fields)
        admin_queues.set_disabled(None, queue, bool(entry.get("disabled")))
        for watcher in entry.get("watchers", []):
            admin_queues.add_watcher(None, queue, accounts.find_user(watcher["user"]),
                                     watcher["role"])


# ---------------------------------------------------------------- grants

def export_grants() -> list:
    """Every grant: principal, right, queue (null: the system)."""
    return [{"principal": key, "right": right, "queue": queue}
            for key, right, queue in rights_admin.all_grants()]


def _known_queues(document: dict) -> set[str]:
    named = {e.get("name") for e in document.get("queues", []) if isinstance(e, dict)}
    return named | set(db.session.scalars(select(Queue.name)))


def check_grants(entries: list, document: dict) -> None:
    """Each grant names a known right, principal and queue."""
    users, queues = _known_users(document), _known_queues(document)
    groups = {e.get("name") for e in document.get("groups", []) if isinstance(e, dict)} \
        | set(db.session.scalars(select(Group.name)))
    known = {"user": users, "group": groups, "role": set(rights.ROLES),
             "system": set(rights.SYSTEM_GROUPS)}
    for entry in entries:
        _require_keys("grants", entry, ("principal", "right"))
        kind, _sep, name = str(entry["principal"]).partition(":")
        if name not in known.get(kind, ()):
            raise _bad("grants", _l("destinataire inconnu : %(name)s", name=entry["principal"]))
        queue = entry.get("queue")
        if entry["right"] not in rights.ALL_RIGHTS or (
                queue is not None and entry["right"] not in rights.QUEUE_RIGHTS):
            raise _bad("grants", _l("droit inconnu ici : %(right)s", right=entry["right"]))
        if queue is not None and queue not in queues:
            raise _bad("grants", _l("file inconnue : %(name)s", name=queue))


def load_grants(entries: list) -> None:
    """Grant each right (the same rule as the « Droits » page)."""
    for entry in entries:
        queue = db.session.scalar(select(Queue).where(Queue.name == entry["queue"])) \
            if entry.get("queue") else None
        rights_admin.set_right(None, entry["principal"], entry["right"], queue, True)


# ---------------------------------------------------------------- notification rules

def export_rules() -> list:
    """The default notification rules switched off, everywhere (queue null) or per queue."""
    return [{"rule": rule, "queue": queue, "enabled": False}
            for rule, queue in notification_rules.off_everywhere()]


def check_rules(entries: list, document: dict) -> None:
    """Each entry names a default rule and, if any, a known queue."""
    queues = _known_queues(document)
    for entry in entries:
        _require_keys("notification_rules", entry, ("rule",))
        if entry["rule"] not in notification_rules.rule_names():
            raise _bad("notification_rules", _l("règle inconnue : %(name)s", name=entry["rule"]))
        if entry.get("queue") is not None and entry["queue"] not in queues:
            raise _bad("notification_rules", _l("file inconnue : %(name)s", name=entry["queue"]))


def load_rules(entries: list) -> None:
    """Switch each rule as the file says (off unless "enabled" is true)."""
    for entry in entries:
        queue = db.session.scalar(select(Queue).where(Queue.name == entry["queue"])) \
            if entry.get("queue") else None
        notification_rules.switch(None, entry["rule"], queue, bool(entry.get("enabled")))


# ---------------------------------------------------------------- custom fields

def check_custom_fields(entries: list, document: dict) -> None:
    """Each field has a name, a known type, known queues ("*": all) and a list of values."""
    queues = _known_queues(document)
    for entry in entries:
        _require_keys("custom_fields", entry, ("name",))
        if entry.get("type", "freeform") not in FIELD_TYPES:
            raise _bad("custom_fields", _l("type inconnu : %(type)s", type=entry["type"]))
        applies = entry.get("applies_to", "*")
        unknown = [] if applies == "*" else [q for q in applies if q not in queues] \
            if isinstance(applies, list) else [applies]
        if unknown:
            raise _bad("custom_fields", _l("file inconnue : %(name)s", name=unknown[0]))
        if not isinstance(entry.get("values", []), list):
            raise _bad("custom_fields", _l("une liste est attendue"))


def load_custom_fields(entries: list) -> None:
    """Create or update each field, its values and queues (the « Champs personnalisés »
    rules)."""
    custom_fields.import_section(entries, None)


SECTIONS = [
    Section("users", export_users, check_users, load_users),
    Section("groups", export_groups, check_groups, load_groups),
    Section("queues", export_queues, check_queues, load_queues),
    Section("custom_fields", custom_fields.export_section, check_custom_fields,
            load_custom_fields),
    Section("grants", export_grants, check_grants, load_grants),
    Section("notification_rules", export_rules, check_rules, load_rules),
]


# ---------------------------------------------------------------- the document

def export_document() -> dict:
    """The site's configuration as one JSON-ready document."""
    return {"format": FORMAT, "version": VERSION,
            **{section.name: section.export() for section in SECTIONS}}


def dumps(document: dict) -> str:
    """The document as stable, readable JSON (same site, same text)."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def parse(text: str) -> dict:
    """Read and check a document's frame; DomainError with a French message otherwise."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise DomainError(_l("Ce fichier n'est pas du JSON valable : %(error)s", error=error))
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DomainError(_l("Ce fichier n'est pas une configuration RT-suivi "
                             "(\"format\": \"%(format)s\" attendu).", format=FORMAT))
    if document.get("version") != VERSION:
        raise DomainError(_l("Version de configuration non prise en charge : %(version)s",
                             version=document.get("version")))
    known = {section.name for section in SECTIONS} | {"format", "version"}
    unknown = sorted(set(document) - known)
    if unknown:
        raise DomainError(_l("Section inconnue : %(name)s", name=unknown[0]))
    for section in SECTIONS:
        if not isinstance(document.get(section.name, []), list):
            raise _bad(section.name, _l("une liste est attendue"))
    return document


def import_document(document: dict) -> dict[str, int]:
    """Check every section, then apply them in order (the caller commits, or rolls back on
    DomainError: nothing changed). Returns the number of entries per section."""
    for section in SECTIONS:
        section.check(document.get(section.name, []), document)
    for section in SECTIONS:
        section.load(document.get(section.name, []))
    counts = {section.name: len(document.get(section.name, [])) for section in SECTIONS}
    audit.record(None, "config", None, "import-config", "import", after=counts)
    db.session.flush()
    return counts
