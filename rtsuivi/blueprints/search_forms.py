"""What the search pages read from a request (URL arguments, form fields) and the labels
they show: turned here into the domain's SearchSpec, query builder and bulk Changes, so
that nothing in domain/ knows a form."""
from flask_babel import lazy_gettext as _l

from ..domain import DomainError, bulk, query_builder
from ..domain import custom_fields as cf
from ..domain import tickets as domain
from ..domain.saved_searches import SearchSpec
from ..models.base import db_id
from ..ticket_columns import COLUMN_LABELS  # noqa: F401  the search pages' labels

# The builder's labels for the domain's FIELD_NAMES and OPERATOR_NAMES, in that order.
FIELDS = (
    ("Subject", _l("Sujet")), ("Content", _l("Contenu (texte intégral)")),
    ("Status", _l("Statut")), ("Queue", _l("File")), ("Owner", _l("Intervenant")),
    ("Requestor", _l("Demandeur")), ("Cc", _l("Cc")), ("AdminCc", _l("AdminCc")),
    ("Watcher", _l("Observateur")), ("Creator", _l("Créateur")), ("id", _l("Numéro")),
    ("Priority", _l("Priorité")), ("Created", _l("Créé")), ("LastUpdated", _l("Mis à jour")),
    ("Due", _l("Échéance")), ("Started", _l("Commencé")), ("Resolved", _l("Résolu")),
    ("Told", _l("Dernier contact")), ("TimeWorked", _l("Temps passé")),
)
FIELDS += (  # relations (issue 14), in query_builder.FIELD_NAMES's order
    ("DependsOn", _l("Dépend de")), ("DependedOnBy", _l("En dépend")),
    ("MemberOf", _l("Parent (fils de)")), ("HasMember", _l("Fils (parent de)")),
    ("RefersTo", _l("Se rapporte à")), ("ReferredToBy", _l("Mentionné par")),
    ("LinkedTo", _l("Lié à")), ("LinkedFrom", _l("Lié depuis")),
)
OPERATORS = (
    ("=", _l("est")), ("!=", _l("n'est pas")), ("LIKE", _l("contient")),
    ("NOT LIKE", _l("ne contient pas")), ("STARTSWITH", _l("commence par")),
    ("ENDSWITH", _l("finit par")), ("<", _l("inférieur à / avant")),
    (">", _l("supérieur à / après")), ("<=", _l("≤")), (">=", _l("≥")),
    ("IS NULL", _l("est vide")), ("IS NOT NULL", _l("n'est pas vide")),
)
MAX_GROUPS = 20
WATCHER_FIELDS = (("add_requestor", "Requestor", True), ("add_cc", "Cc", True),
                  ("add_admincc", "AdminCc", True), ("remove_requestor", "Requestor", False),
                  ("remove_cc", "Cc", False), ("remove_admincc", "AdminCc", False))


def custom_fields() -> tuple:
    """The builder's custom fields: (`CF.{Name}`, name), as its other fields."""
    return tuple((key, cf.field_of_column(key)) for key in cf.column_keys())


def search_spec(args) -> SearchSpec:
    """The search of URL arguments or form fields: query, columns, order, rows."""
    return SearchSpec.clean(args.get("query", ""), args.getlist("columns"),
                            args.getlist("order"), args.get("rows", 50))


def builder(form) -> query_builder.Builder:
    """Read the builder from form fields g-N-join, g-N-field/op/value (lists) and join."""
    groups = []
    for g in range(min(_positive(form.get("groups"), 1), MAX_GROUPS)):
        fields, ops, values = (form.getlist(f"g-{g}-{k}") for k in ("field", "op", "value"))
        rows = [query_builder.Row(f, o if o in query_builder.OPERATOR_NAMES else "=", v)
                for f, o, v in zip(fields, ops, values)]
        groups.append(query_builder.Group(_join(form.get(f"g-{g}-join")), rows))
    return query_builder.Builder(_join(form.get("join")), groups or [query_builder.Group()])


def query_to_run(form, built: query_builder.Builder) -> str:
    """The query « Rechercher » runs (query_builder.query_to_run), from what the page sent."""
    return query_builder.query_to_run(built, form.get("query", ""), form.get("query_shown"),
                                      form.get("builder_shown"))


def bulk_changes(form) -> bulk.Changes:
    """The bulk update form; DomainError over MAX_ADDRESSES names in one field."""
    watchers = []
    for name, role, add in WATCHER_FIELDS:
        names = [w for w in (form.get(name) or "").replace(";", ",").split(",") if w.strip()]
        if len(names) > domain.MAX_ADDRESSES:
            raise DomainError(_l("Au plus %(n)d adresses à la fois (%(count)d données).",
                                 n=domain.MAX_ADDRESSES, count=len(names)))
        watchers += [(who.strip(), role, add) for who in names]
    queue = _number(form.get("queue"))
    return bulk.Changes(owner=(form.get("owner") or "").strip(),
                        status=(form.get("status") or "").strip(),
                        queue_id=None if queue is None else _id_or_zero(queue),
                        priority=_number(form.get("priority")), watchers=watchers,
                        message_kind="reply" if form.get("message_kind") == "reply"
                        else "comment", message=form.get("message") or "",
                        custom_fields=_custom_field_changes(form))


def _custom_field_changes(form) -> dict:
    """The custom fields given a value in the bulk form ({field id: text or texts})."""
    changes = {}
    for f in cf.list_fields(include_disabled=False):
        raw = form.getlist(f"cf-{f.id}") if f.type == "select_many" else form.get(f"cf-{f.id}")
        if raw and (raw if isinstance(raw, list) else raw.strip()):
            changes[f.id] = raw
    return changes


def _number(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.lstrip("-").isdigit() else None


def _id_or_zero(value: int) -> int:
    """An id, or 0 (found nowhere) for a number no id column holds."""
    try:
        return db_id(value)
    except ValueError:
        return 0


def _join(value) -> str:
    return "OR" if value == "OR" else "AND"


def _positive(value, default: int) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default
