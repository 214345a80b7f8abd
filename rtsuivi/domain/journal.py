"""« Journal »: the audit entries as SuperUsers read them (domain/audit.py writes them)."""
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import AuditEntry, User
from . import audit
from .queries import Page
from .rights import require

PER_PAGE = 50


@dataclass(frozen=True)
class Line:
    entry: AuditEntry
    changes: list[tuple[str, object, object]]  # field, before, after


def _changes(entry: AuditEntry) -> list[tuple[str, object, object]]:
    before, after = audit.decoded(entry.before), audit.decoded(entry.after)
    return [(key, before.get(key), after.get(key)) for key in sorted({*before, *after})]


def read(actor: User, kind: str = "", actor_id: int | None = None, page: int = 1,
         per_page: int = PER_PAGE) -> Page:
    """One page of the journal, newest first, for SuperUsers: each entry with its fields
    before and after. Raises Forbidden for anyone else."""
    require(actor, "SuperUser")
    rows, total = audit.entries(kind or None, actor_id, page=page, per_page=per_page)
    return Page([Line(entry, _changes(entry)) for entry in rows], total, page, per_page)


def kinds() -> list[str]:
    """The kinds of object the journal holds entries for."""
    return list(db.session.scalars(select(AuditEntry.object_kind).distinct()
                                   .order_by(AuditEntry.object_kind)))


def actors() -> list[User]:
    """The users who made at least one recorded change, by name."""
    ids = select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None)).distinct()
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name)))
