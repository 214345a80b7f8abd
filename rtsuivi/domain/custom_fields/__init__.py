"""Custom fields (RT's « Champs personnalisés »): administration (fields, their values, the
queues they apply to, export and import) and the values of tickets (validation, rights,
history). Callers use the names re-exported here."""
from .admin import (
    FIELD_AUDIT,
    add_value,
    all_queues,
    any_enabled,
    create_field,
    edit_field,
    field_named,
    find_field,
    find_value,
    list_fields,
    move_value,
    rename_value,
    search_fields,
    set_disabled,
    set_queues,
    set_value_disabled,
)
from .columns import cell_text, column_keys, custom_field_texts, field_of_column
from .exchange import export_section, import_section
from .values import (
    MAX_FREEFORM,
    MAX_TEXT,
    CustomFieldError,
    apply_on_create,
    create_with_fields,
    creation_fields,
    fields_for,
    find_by_reference,
    form_values,
    may_modify_any,
    set_values,
    shown,
    shown_values,
    validate,
    values_of,
)

__all__ = [
    "CustomFieldError", "FIELD_AUDIT", "MAX_FREEFORM", "MAX_TEXT", "add_value", "all_queues",
    "any_enabled",
    "apply_on_create", "cell_text", "column_keys",
    "custom_field_texts", "field_of_column", "create_field",
    "create_with_fields", "creation_fields", "edit_field", "export_section", "field_named",
    "fields_for", "find_by_reference",
    "find_field", "find_value", "form_values", "import_section", "list_fields", "may_modify_any",
    "move_value", "rename_value", "search_fields", "set_disabled", "set_queues",
    "set_value_disabled",
    "set_values", "shown", "shown_values", "validate", "values_of",
]
