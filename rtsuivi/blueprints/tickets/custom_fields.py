"""Custom fields on the ticket pages: the form of « Les bases »' custom fields, and the
helpers the creation forms (web, portal) use to offer the fields and read them."""
from flask import abort, flash, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ...domain import DomainError
from ...domain import custom_fields as cf
from ...extensions import db
from .. import agent_required
from . import bp
from .answers import commit, done, form_page, load


def attach_custom_fields(form, fields, current: dict | None = None):
    """Give a form its custom fields: the inputs, the texts to show (what was typed, else
    `current`), and no error yet."""
    typed = request.method == "POST" or any(f"cf-{f.id}" in request.values for f in fields)
    form.custom_fields = fields
    form.custom_values = {f.id: request.values.getlist(f"cf-{f.id}") for f in fields} \
        if typed else dict(current or {})
    form.custom_errors = {}
    return form


def custom_input(form) -> dict:
    """The submitted values as the domain takes them: {field id: text or list of texts}."""
    return {f.id: (request.form.getlist(f"cf-{f.id}") if f.type == "select_many"
                   else request.form.get(f"cf-{f.id}")) for f in form.custom_fields}


def show_error(form, error: DomainError) -> bool:
    """Put a refused value's message next to its input; False for any other error."""
    if isinstance(error, cf.CustomFieldError):
        form.custom_errors.update(error.errors)
        return True
    return False


class CustomFieldsForm(FlaskForm):
    """Only the CSRF token: the inputs are the fields' (custom_field_inputs)."""


def _edit_form(ticket) -> CustomFieldsForm:
    fields = cf.fields_for(ticket.queue, current_user, "ModifyCustomField", ticket)
    if not fields:
        abort(403)
    return attach_custom_fields(CustomFieldsForm(), fields, cf.form_values(ticket, current_user))


@bp.route("/<int:ticket_id>/champs", methods=["GET", "POST"])
@agent_required
def custom_fields(ticket_id: int):
    ticket = load(ticket_id)
    form = _edit_form(ticket)
    if form.validate_on_submit():
        try:
            changes = cf.set_values(ticket, current_user, custom_input(form))
            message = _("Modifications enregistrées.") if changes else _("Aucune modification.")
            return done(ticket, message, "success" if changes else "info", parts=commit())
        except DomainError as error:
            db.session.rollback()
            ticket = load(ticket_id)
            if not show_error(form, error):
                flash(str(error), "error")
    return form_page("tickets/custom_fields.html", "custom_fields_form", ticket=ticket,
                     form=form)
