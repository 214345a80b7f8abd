"""The columns of a ticket list, as data: one macro (`ticket_table` in _macros.html) draws
the home page's lists, the queue page, the portal and the search results from them."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

# The ticket columns a list or a search can show, with their headers.
COLUMN_LABELS = {
    "id": "#", "subject": _l("Sujet"), "status": _l("Statut"), "queue": _l("File"),
    "owner": _l("Intervenant"), "requestors": _l("Demandeurs"), "priority": _l("Priorité"),
    "created": _l("Créé"), "updated": _l("Mis à jour"), "due": _l("Échéance"),
    "told": _l("Dernier contact"), "resolved": _l("Résolu"), "started": _l("Commencé"),
    "time_worked": _l("Temps passé"),
    # The portal's list: set per page by domain/portal.py (not a search column).
    "desk_answered": _l("Le support a répondu"),
}


@dataclass(frozen=True)
class Column:
    key: str    # the Ticket attribute shown, and the sort key when the list sorts
    label: str  # the column header
    cell: str   # how `ticket_table` draws it: link, status, queue, person, people, number, date,
    #             flag (a yes/no attribute: its label as a tag when true)


_CELLS = {"id": "link", "subject": "link", "status": "status", "queue": "queue",
          "owner": "person", "requestors": "people", "priority": "number",
          "time_worked": "number", "desk_answered": "flag"}  # every other column is a date

COLUMNS = {key: Column(key, label, _CELLS.get(key, "date"))
           for key, label in COLUMN_LABELS.items()}


def ticket_columns(*keys) -> list[Column]:
    """The columns named, in that order (a list of keys is also accepted)."""
    if len(keys) == 1 and not isinstance(keys[0], str):
        keys = tuple(keys[0])
    return [COLUMNS[key] if key in COLUMNS else custom_field_column(key) for key in keys]


# The star (« Favoris ») leads every agent's ticket list; `ticket_table` draws it with one
# query for the page (the `starred_among` template global), never one per row.
STAR = Column("bookmark", _l("Favori"), "star")


def with_star(columns) -> list[Column]:
    """The columns with the star first (once)."""
    return [STAR] + [c for c in columns if c.key != STAR.key]


# Custom fields: one column per field, keyed `CF.{Name}` (its header is the field's name),
# drawn by `ticket_table` through custom_field_cell (domain/custom_fields/columns.py).
class _Labels(dict):
    def __missing__(self, key: str):
        if key.startswith("CF.{") and key.endswith("}"):
            return key[4:-1]
        raise KeyError(key)


COLUMN_LABELS = _Labels(COLUMN_LABELS)


def custom_field_column(key: str) -> Column:
    if not (key.startswith("CF.{") and key.endswith("}")):
        raise KeyError(key)
    return Column(key, key[4:-1], "custom_field")
