"""Administration of custom fields: create, edit, disable fields; add, rename, reorder and
disable the values of selects; choose the queues a field applies to. Each change needs
AdminCustomField (or SuperUser; None as actor: the command line) and is recorded in the
audit log."""
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import flag_modified

from ...extensions import db
from ...models import CustomField, CustomFieldQueue, CustomFieldValue, Queue, User
from ...models.custom_fields import TYPES
from .. import DomainError, NotFound, audit
from ..queries import Page, matching, page_of
from ..rights import require

FIELD_AUDIT = ("name", "description", "type", "required", "pattern", "pattern_message",
               "for_requesters", "applies_globally", "disabled", "sort_order")
EDITABLE = ("name", "description", "type", "required", "pattern", "pattern_message",
            "for_requesters", "sort_order")
MAX_NAME = 200


def list_fields(include_disabled: bool = True) -> list[CustomField]:
    """Every custom field, in display order."""
    query = select(CustomField).order_by(CustomField.sort_order, func.lower(CustomField.name))
    if not include_disabled:
        query = query.where(CustomField.disabled.is_(False))
    return list(db.session.scalars(query))


def any_enabled() -> bool:
    """Whether some custom field is enabled (a disabled field's values are not indexed)."""
    return bool(db.session.scalar(select(CustomField.id).where(
        CustomField.disabled.is_(False)).limit(1)))


def search_fields(actor: User | None, search: str = "", page: int = 1,
                  per_page: int = 25) -> Page:
    """One page of the fields (AdminCustomField) in display order, matching the words (name
    or description)."""
    _require(actor)
    query = matching(select(CustomField), search, CustomField.name, CustomField.description)
    return page_of(query, [CustomField.sort_order, func.lower(CustomField.name),
                           CustomField.id], page, per_page)


def all_queues() -> list[Queue]:
    """The enabled queues a field may apply to, by name."""
    return list(db.session.scalars(select(Queue).where(Queue.disabled.is_(False))
                                   .order_by(Queue.name)))


def find_field(field_id: int) -> CustomField:
    """The field with this id; NotFound otherwise."""
    field = db.session.get(CustomField, field_id)
    if field is None:
        raise NotFound(_l("Champ personnalisé introuvable."))
    return field


def field_named(name: str) -> CustomField | None:
    """The field of that name, in any case (compared here: SQLite's lower() is ASCII only;
    a site has tens of fields, not thousands)."""
    wanted = (name or "").strip().casefold()
    return next((f for f in list_fields() if f.name.casefold() == wanted), None)


def find_value(field: CustomField, value_id: int) -> CustomFieldValue:
    """One value of the field; NotFound otherwise."""
    value = db.session.get(CustomFieldValue, value_id)
    if value is None or value.field_id != field.id:
        raise NotFound(_l("Valeur introuvable."))
    return value


def _require(actor: User | None) -> None:
    """Check AdminCustomField; an actor of None is the command line (import-config), as in
    queues_admin."""
    if actor is not None:
        require(actor, "AdminCustomField")


def _clean_name(name: str, what) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Le nom est obligatoire."))
    if len(name) > MAX_NAME:
        raise DomainError(_l("Le nom est trop long (200 caractères au plus)."))
    if "{" in name or "}" in name:
        # TicketSQL names a field as CF.{Name}: a brace would end it.
        raise DomainError(_l("Le nom ne peut pas contenir d'accolades."))
    return name


def _check(values: dict, field: CustomField | None) -> dict:
    values = dict(values)
    if "name" in values:
        values["name"] = _clean_name(values["name"], "field")
        if "," in values["name"]:
            # Saved searches keep their columns (CF.{Name}) separated by commas.
            raise DomainError(_l("Le nom d'un champ ne peut pas contenir de virgule."))
        same = field_named(values["name"])
        if same is not None and same is not field:
            raise DomainError(_l("Un champ personnalisé nommé %(name)s existe déjà.",
                                 name=values["name"]))
    if "type" in values and values["type"] not in TYPES:
        raise DomainError(_l("Type de champ inconnu : %(type)s", type=values["type"]))
    if values.get("pattern"):
        try:
            re.compile(values["pattern"])
        except re.error:
            raise DomainError(_l("Le motif de validation n'est pas une expression "
                                 "régulière valide.")) from None
    for key in ("pattern", "pattern_message"):
        if key in values:
            values[key] = (values[key] or "").strip() or None
    if "description" in values:
        values["description"] = (values["description"] or "").strip()[:500]
    return values


def create_field(actor: User, name: str, type: str = "freeform", queues=(),
                 applies_globally: bool = False, values=(), **options) -> CustomField:
    """Create a custom field (AdminCustomField), applying to the queues given or everywhere."""
    _require(actor)
    checked = _check(dict(name=name, type=type, **options), None)
    unknown = set(checked) - set(EDITABLE)
    if unknown:
        raise DomainError(_l("Champ non modifiable : %(field)s", field=", ".join(unknown)))
    field = CustomField(applies_globally=applies_globally, **checked)
    db.session.add(field)
    field.queue_links = [CustomFieldQueue(queue_id=q.id) for q in queues]
    for position, text in enumerate(values):
        field.values.append(CustomFieldValue(name=_clean_name(text, "value"),
                                             sort_order=position))
    db.session.flush()
    audit.record(actor, "custom_field", field.id, field.name, "create",
                 after=audit.snapshot(field, FIELD_AUDIT))
    return field


def edit_field(actor: User, field: CustomField, **changes) -> CustomField:
    """Change a field's name, description, type, rules or order (AdminCustomField).

    The type of a field that tickets already use cannot change."""
    _require(actor)
    checked = _check(changes, field)
    unknown = set(checked) - set(EDITABLE)
    if unknown:
        raise DomainError(_l("Champ non modifiable : %(field)s", field=", ".join(unknown)))
    if checked.get("type", field.type) != field.type and _in_use(field):
        raise DomainError(_l("Des tickets ont une valeur pour ce champ : son type ne peut "
                             "plus changer."))
    before = audit.snapshot(field, FIELD_AUDIT)
    for key, value in checked.items():
        setattr(field, key, value)
    db.session.flush()
    audit.record(actor, "custom_field", field.id, field.name, "update", before=before,
                 after=audit.snapshot(field, FIELD_AUDIT))
    return field


def _in_use(field: CustomField) -> bool:
    from ...models import TicketCustomFieldValue
    return db.session.scalar(select(TicketCustomFieldValue.id).where(
        TicketCustomFieldValue.field_id == field.id).limit(1)) is not None


def set_disabled(actor: User, field: CustomField, disabled: bool) -> None:
    """Disable a field (hidden everywhere, values kept) or enable it again."""
    _require(actor)
    if field.disabled == disabled:
        return
    field.disabled = disabled
    _reindex_holders(field)  # a disabled field's values leave the search words
    db.session.flush()
    audit.record(actor, "custom_field", field.id, field.name,
                 "disable" if disabled else "enable")


def set_queues(actor: User, field: CustomField, applies_globally: bool,
               queues: list[Queue]) -> None:
    """Apply the field to every queue, or to these queues only."""
    _require(actor)
    before = {"applies_globally": field.applies_globally,
              "queues": sorted(link.queue_id for link in field.queue_links)}
    field.applies_globally = applies_globally
    wanted = {q.id for q in queues}
    field.queue_links = [link for link in field.queue_links if link.queue_id in wanted] + [
        CustomFieldQueue(queue_id=qid) for qid in sorted(wanted - field.queue_ids)]
    db.session.flush()
    audit.record(actor, "custom_field", field.id, field.name, "update", before=before,
                 after={"applies_globally": applies_globally, "queues": sorted(wanted)})


def _unique_value(field: CustomField, name: str, value: CustomFieldValue | None) -> str:
    name = _clean_name(name, "value")
    if any(v.name.casefold() == name.casefold() and v is not value for v in field.values):
        raise DomainError(_l("La valeur %(name)s existe déjà.", name=name))
    return name


def add_value(actor: User, field: CustomField, name: str) -> CustomFieldValue:
    """Add a value at the end of a select field's list."""
    _require(actor)
    if not field.is_select:
        raise DomainError(_l("Seuls les champs à choix ont une liste de valeurs."))
    value = CustomFieldValue(name=_unique_value(field, name, None),
                             sort_order=max((v.sort_order for v in field.values), default=-1) + 1)
    field.values.append(value)
    db.session.flush()
    audit.record(actor, "custom_field", field.id, field.name, "add_value",
                 after={"value": value.name})
    return value


def rename_value(actor: User, value: CustomFieldValue, name: str) -> None:
    """Rename a value; the tickets that have it keep it (they store its id)."""
    _require(actor)
    old = value.name
    value.name = _unique_value(value.field, name, value)
    _reindex_holders(value)
    db.session.flush()
    audit.record(actor, "custom_field", value.field_id, value.field.name, "update",
                 before={"value": old}, after={"value": value.name})


def _reindex_holders(item: CustomFieldValue | CustomField) -> None:
    """Mark the ticket values of this value (or field) as changed: the search index's
    session hook (search/marks.py) then re-indexes their tickets (new name, field disabled
    or enabled)."""
    from ...models import TicketCustomFieldValue
    row = TicketCustomFieldValue
    which = row.value_id if isinstance(item, CustomFieldValue) else row.field_id
    for found in db.session.scalars(select(row).where(which == item.id)):
        flag_modified(found, "value_id")


def move_value(actor: User, value: CustomFieldValue, step: int) -> None:
    """Move a value one place up (-1) or down (+1) in its list."""
    _require(actor)
    ordered = list(value.field.values)
    here = ordered.index(value)
    there = here + (1 if step > 0 else -1)
    if not 0 <= there < len(ordered):
        return
    ordered[here], ordered[there] = ordered[there], ordered[here]
    for position, item in enumerate(ordered):
        item.sort_order = position
    db.session.flush()
    db.session.expire(value.field, ["values"])  # read again in the new order
    audit.record(actor, "custom_field", value.field_id, value.field.name, "update",
                 before={"order": here + 1, "value": value.name},
                 after={"order": there + 1, "value": value.name})


def set_value_disabled(actor: User, value: CustomFieldValue, disabled: bool) -> None:
    """Stop offering a value (tickets that have it keep it), or offer it again."""
    _require(actor)
    if value.disabled == disabled:
        return
    value.disabled = disabled
    db.session.flush()
    audit.record(actor, "custom_field", value.field_id, value.field.name, "update",
                 before={"value": value.name, "disabled": not disabled},
                 after={"value": value.name, "disabled": disabled})
