"""Search specifications (query, columns, order, rows) and saved searches.

Privacy as in RT: private (one user), shared with a group, or system. Loading needs
LoadSavedSearch; a group's searches are for its members holding ShowSavedSearches; saving
needs CreateSavedSearch (and membership for a group; SuperUser for system searches). RT
checks group searches against rights on the group object; RT-suivi's rights live on the
system and queues only, so membership stands for that object right.
"""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import GroupMember, SavedSearch, User
from ..models.base import fits_id
from . import DomainError, NotFound
from .custom_fields.columns import column_keys
from .queries import COLUMNS, DEFAULT_COLUMNS, MAX_SORT_KEYS, ROWS_CHOICES, SEARCH_SORTABLE
from .rights import can, require

PRIVACIES = ("user", "group", "system")


@dataclass
class SearchSpec:
    """What to search and how to show it; round-trips through URL arguments
    (blueprints/search_forms.py reads them)."""
    query: str = ""
    columns: list[str] = field(default_factory=lambda: list(DEFAULT_COLUMNS))
    order: list[tuple[str, str]] = field(default_factory=lambda: [("id", "asc")])
    rows: int = 50

    @classmethod
    def clean(cls, query: str = "", columns=(), order=(), rows=50) -> "SearchSpec":
        """A spec from raw values ("priority:desc" sort keys); unknown columns and sort keys
        are dropped, rows other than ROWS_CHOICES become 50."""
        custom = column_keys() if any(c.startswith("CF.{") for c in columns) else ()
        kept = [c for c in columns if c in COLUMNS or c in custom] or list(DEFAULT_COLUMNS)
        sort = []
        for item in list(order)[:MAX_SORT_KEYS]:
            key, _, direction = item.partition(":")
            if key in SEARCH_SORTABLE:
                sort.append((key, "desc" if direction == "desc" else "asc"))
        try:
            rows = int(rows)
        except (TypeError, ValueError):
            rows = 50
        return cls(query, kept, sort or [("id", "asc")], rows if rows in ROWS_CHOICES else 50)

    def to_args(self) -> dict:
        return {"query": self.query, "columns": self.columns,
                "order": [f"{k}:{d}" for k, d in self.order], "rows": self.rows}

    @classmethod
    def of(cls, saved: SavedSearch) -> "SearchSpec":
        """The spec a saved search stores."""
        return cls.clean(saved.query, [c for c in saved.columns.split(",") if c],
                         [o for o in saved.order_by.split(",") if o], saved.rows_per_page)


def visible(user: User) -> list[SavedSearch]:
    """The saved searches the user may load, system ones first, then by name."""
    if not can(user, "LoadSavedSearch"):
        return []
    allowed = [and_(SavedSearch.privacy == "user", SavedSearch.owner_id == user.id),
               SavedSearch.privacy == "system"]
    if can(user, "ShowSavedSearches"):
        groups = select(GroupMember.group_id).where(GroupMember.user_id == user.id)
        allowed.append(and_(SavedSearch.privacy == "group", SavedSearch.owner_id.in_(groups)))
    return list(db.session.scalars(
        select(SavedSearch).where(or_(*allowed)).options(selectinload(SavedSearch.group))
        .order_by(SavedSearch.privacy.desc(), SavedSearch.name)))


def load(user: User, saved_id: int) -> SavedSearch:
    """Return a saved search the user may load; NotFound otherwise (never says it exists)."""
    if not fits_id(saved_id):  # the database cannot even be asked
        raise NotFound(_l("Recherche enregistrée introuvable."))
    saved = db.session.get(SavedSearch, saved_id)
    if saved is None or saved not in visible(user):
        raise NotFound(_l("Recherche enregistrée introuvable."))
    return saved


def _require_save_right(user: User, privacy: str, owner_id: int | None) -> None:
    if privacy == "system":
        require(user, "SuperUser")
        return
    require(user, "CreateSavedSearch")
    if privacy == "group" and owner_id not in {g.id for g in user.groups}:
        raise DomainError(_l("Vous n'êtes pas membre de ce groupe."))


def save(user: User, name: str, privacy: str, spec: SearchSpec,
         group_id: int | None = None) -> SavedSearch:
    """Save the search under a name (private, for one of the user's groups, or system)."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Donnez un nom à la recherche."))
    if len(name) > 200:
        raise DomainError(_l("Le nom est trop long (200 caractères au plus)."))
    if privacy not in PRIVACIES:
        raise DomainError(_l("Visibilité inconnue."))
    owner_id = {"user": user.id, "group": group_id, "system": None}[privacy]
    _require_save_right(user, privacy, owner_id)
    saved = SavedSearch(name=name, privacy=privacy, owner_id=owner_id, query=spec.query,
                        columns=",".join(spec.columns),
                        order_by=",".join(f"{k}:{d}" for k, d in spec.order),
                        rows_per_page=spec.rows, created_by_id=user.id)
    db.session.add(saved)
    db.session.flush()
    return saved


def delete(user: User, saved: SavedSearch) -> None:
    """Delete a saved search (the same right as saving it at its privacy level)."""
    if saved.privacy == "user" and saved.owner_id != user.id:
        raise NotFound(_l("Recherche enregistrée introuvable."))
    _require_save_right(user, saved.privacy, saved.owner_id)
    db.session.delete(saved)
    db.session.flush()
