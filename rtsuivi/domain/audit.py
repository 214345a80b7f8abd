"""Audit: every administrative change (users, groups, queues, rights, custom fields,
notification rules, templates) recorded in the same transaction as the change.

Domain functions that change configuration call `record(...)` once per change; the
Administration « Journal » lists the entries for SuperUsers.
"""
import json

from sqlalchemy import func, select

from ..extensions import db
from ..models import User
from ..models.audit import AuditEntry

MAX_VALUE = 2000  # characters of one field kept in an entry (a signature, a template)


def snapshot(obj, fields: tuple[str, ...]) -> dict:
    """The named attributes of an object, as JSON-ready values."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def _plain(value):
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE] + "…"


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields whose value differs, from both sides."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(actor: User | None, kind: str, obj_id: int | None, name: str, action: str,
           before: dict | None = None, after: dict | None = None) -> AuditEntry | None:
    """Record one administrative change; an update that changed nothing records nothing."""
    if action == "update" and before is not None and after is not None:
        before, after = changed(before, after)
        if not after:
            return None
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None, object_kind=kind,
        object_id=obj_id, object_name=str(name)[:300], action=action,
        before=json.dumps(before, ensure_ascii=False, sort_keys=True) if before else None,
        after=json.dumps(after, ensure_ascii=False, sort_keys=True) if after else None)
    db.session.add(entry)
    return entry


def entries(kind: str | None = None, actor_id: int | None = None, object_id: int | None = None,
            page: int = 1, per_page: int = 50) -> tuple[list[AuditEntry], int]:
    """One page of the audit log, newest first, and the number of matching entries."""
    query = select(AuditEntry)
    if kind:
        query = query.where(AuditEntry.object_kind == kind)
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    if object_id:
        query = query.where(AuditEntry.object_id == object_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(AuditEntry.id.desc())
                              .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def decoded(value: str | None) -> dict:
    """An entry's before or after, back as a dict."""
    return json.loads(value) if value else {}
