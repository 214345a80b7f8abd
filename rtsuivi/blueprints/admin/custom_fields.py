"""« Champs personnalisés »: list, create and edit custom fields, their values (add, rename,
reorder, disable) and the queues they apply to. AdminCustomField or SuperUser; the domain
(domain/custom_fields) checks the right again and records each change in the audit log."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ...domain import DomainError
from ...domain import custom_fields as cf
from ...extensions import db
from ...htmx import answer, render_fragment, wants_fragment
from ...models.base import db_id
from .. import page_number
from ..tickets.forms import choices
from . import admin_required, bp, section

PAGE = "admin/custom_field.html"
TYPE_LABELS = {"select_one": _l("Sélection d'une valeur"),
               "select_many": _l("Sélection de plusieurs valeurs"),
               "freeform": _l("Texte sur une ligne"), "text": _l("Texte long"),
               "date": _l("Date"), "datetime": _l("Date et heure")}


class FieldForm(FlaskForm):
    name = StringField(_l("Nom"), validators=[DataRequired(), Length(max=200)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=500)])
    type = SelectField(_l("Type"), choices=choices(TYPE_LABELS.items()))
    required = BooleanField(_l("Obligatoire"))
    pattern = StringField(_l("Motif de validation"), validators=[Optional(), Length(max=500)],
                          description=_l("Expression régulière, par exemple ^REF-[0-9]+$"))
    pattern_message = StringField(_l("Message si le motif n'est pas respecté"),
                                  validators=[Optional(), Length(max=300)])
    for_requesters = BooleanField(_l("Proposé aux demandeurs (portail)"))
    sort_order = IntegerField(_l("Ordre"), default=0,
                              validators=[Optional(), NumberRange(min=0, max=10000)])

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in cf.admin.EDITABLE} | {
            "sort_order": self.sort_order.data or 0}


class ValueForm(FlaskForm):
    name = StringField(_l("Valeur"), validators=[DataRequired(), Length(max=200)])

    def __init__(self, *args, **kwargs):
        # Its own prefix: the field's form on the same page has a « name » too.
        super().__init__(*args, prefix="value", **kwargs)


def _field_page(field, form=None, value_form=None, status: int = 200):
    form = form or FieldForm(obj=field)
    return render_template(PAGE, cfield=field, form=form, value_form=value_form or ValueForm(),
                           queues=cf.all_queues(), types=TYPE_LABELS), status


def _values_box(field, message: str | None = None, category: str = "success"):
    """The values box (htmx), or the field's page (a redirect) without htmx."""
    if message:
        flash(message, category)
    if not wants_fragment():
        return redirect(url_for("admin.custom_field", field_id=field.id))
    return answer(render_fragment(PAGE, "values_box", cfield=field, value_form=ValueForm()))


@bp.route("/champs-personnalises")
@admin_required("AdminCustomField")
def custom_fields():
    search = request.args.get("q", "")[:200]
    context = {"page": cf.search_fields(current_user, search,
                                        page_number(request.args.get("page"))),
               "search": search, "types": TYPE_LABELS}
    if wants_fragment():
        return render_fragment("admin/custom_fields.html", "field_list", **context)
    return render_template("admin/custom_fields.html", **context)


@bp.route("/champs-personnalises/nouveau", methods=["GET", "POST"])
@admin_required("AdminCustomField")
def custom_field_new():
    form = FieldForm()
    if form.validate_on_submit():
        try:
            field = cf.create_field(current_user, **form.values())
            db.session.commit()
            flash(_("Champ personnalisé %(name)s créé.", name=field.name), "success")
            return redirect(url_for("admin.custom_field", field_id=field.id))
        except DomainError as error:
            db.session.rollback()
            form.name.errors = [str(error)]
    return _field_page(None, form)


@bp.route("/champs-personnalises/<int:field_id>", methods=["GET", "POST"])
@admin_required("AdminCustomField")
def custom_field(field_id: int):
    field = cf.find_field(field_id)
    form = FieldForm(obj=field) if request.method == "GET" else FieldForm()
    if form.validate_on_submit():
        try:
            cf.edit_field(current_user, field, **form.values())
            db.session.commit()
            flash(_("Modifications enregistrées."), "success")
            return redirect(url_for("admin.custom_field", field_id=field.id))
        except DomainError as error:
            db.session.rollback()
            field, form.name.errors = cf.find_field(field_id), [str(error)]
    return _field_page(field, form)


@bp.route("/champs-personnalises/<int:field_id>/files", methods=["POST"])
@admin_required("AdminCustomField")
def custom_field_queues(field_id: int):
    field = cf.find_field(field_id)
    wanted = set(request.form.getlist("queue", type=db_id))
    cf.set_queues(current_user, field, request.form.get("applies_globally") == "y",
                  [q for q in cf.all_queues() if q.id in wanted])
    db.session.commit()
    flash(_("Files enregistrées."), "success")
    return redirect(url_for("admin.custom_field", field_id=field.id))


@bp.route("/champs-personnalises/<int:field_id>/activation", methods=["POST"])
@admin_required("AdminCustomField")
def custom_field_disable(field_id: int):
    field = cf.find_field(field_id)
    cf.set_disabled(current_user, field, not field.disabled)
    db.session.commit()
    flash(_("Champ désactivé.") if field.disabled else _("Champ réactivé."), "success")
    return redirect(url_for("admin.custom_field", field_id=field.id))


@bp.route("/champs-personnalises/<int:field_id>/valeurs", methods=["POST"])
@admin_required("AdminCustomField")
def custom_field_value_add(field_id: int):
    field, form = cf.find_field(field_id), ValueForm()
    if not form.validate_on_submit():
        return _values_box(field, _("Indiquez une valeur."), "error")
    try:
        cf.add_value(current_user, field, form.name.data)
    except DomainError as error:
        db.session.rollback()
        return _values_box(cf.find_field(field_id), str(error), "error")
    db.session.commit()
    return _values_box(field, _("Valeur ajoutée."))


@bp.route("/champs-personnalises/<int:field_id>/valeurs/<int:value_id>/<any("
          "renommer, monter, descendre, activation):change>", methods=["POST"])
@admin_required("AdminCustomField")
def custom_field_value(field_id: int, value_id: int, change: str):
    field = cf.find_field(field_id)
    value = cf.find_value(field, value_id)
    try:
        message = _change_value(value, change)
    except DomainError as error:
        db.session.rollback()
        return _values_box(cf.find_field(field_id), str(error), "error")
    db.session.commit()
    return _values_box(field, message)


def _change_value(value, change: str) -> str:
    if change == "renommer":
        cf.rename_value(current_user, value, request.form.get("name", ""))
        return _("Valeur renommée.")
    if change in ("monter", "descendre"):
        cf.move_value(current_user, value, -1 if change == "monter" else 1)
        return _("Ordre enregistré.")
    cf.set_value_disabled(current_user, value, not value.disabled)
    return _("Valeur désactivée.") if value.disabled else _("Valeur réactivée.")


section("admin.custom_fields", _l("Champs personnalisés"), ("AdminCustomField",),
        ("admin.custom_field",))
