"""Administration › Réponses prédéfinies: list by category, create (also from a message of a
ticket's history), edit, delete. The domain checks AdminCannedResponses on each response's
queue (globally for the global ones); the menu entry shows to holders of it anywhere."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ...domain import DomainError
from ...domain import responses as domain
from ...domain.rights import may_administer
from ...domain.tickets import find_queue
from ...extensions import db
from ...htmx import render_fragment, wants_fragment
from ...models.base import db_id
from .. import page_number
from ..tickets.forms import choices
from . import admin_required, bp, section

section("admin.responses", _l("Réponses prédéfinies"), (domain.RIGHT,), ("admin.response",))


class ResponseForm(FlaskForm):
    name = StringField(_l("Nom"), validators=[Length(max=200)])
    category = StringField(_l("Catégorie"), validators=[Optional(), Length(max=200)])
    lang = SelectField(_l("Langue"), choices=choices([("fr", _l("français")),
                                                      ("en", _l("anglais"))]))
    queue = SelectField(_l("File"), coerce=int)
    text = TextAreaField(_l("Texte"), validators=[Length(max=domain.MAX_TEXT)],
                         description=_l("Variables : %(names)s", names=", ".join(
                             "{{%s}}" % name for name in domain.PLACEHOLDERS)))


def response_form(response=None, text: str = "") -> ResponseForm:
    """The form, with the queues the user may manage (and « Toutes les files » if global)."""
    form = ResponseForm(obj=response) if request.method == "GET" and response \
        else ResponseForm(text=text, lang=current_user.lang or "fr")
    queues = [(0, _("Toutes les files"))] if domain.may_manage(current_user, None) else []
    form.queue.choices = choices(queues + [(q.id, q.name) for q in
                                           domain.manageable_queues(current_user)])
    if request.method == "GET" and response is not None:
        form.queue.data = response.queue_id or 0
    return form


@bp.app_template_global()
def may_manage_responses() -> bool:
    """Whether « Créer à partir de ce message » is offered (the right held anywhere)."""
    return may_administer(current_user, ("SuperUser", domain.RIGHT))


@bp.route("/reponses")
@admin_required(domain.RIGHT)
def responses():
    search = request.args.get("q", "")[:200]
    context = {"page": domain.managed(current_user, search,
                                      page_number(request.args.get("page"))),
               "search": search, "placeholders": domain.PLACEHOLDERS}
    if wants_fragment():
        return render_fragment("admin/responses.html", "response_list", **context)
    return render_template("admin/responses.html", **context)


def _saved(form: ResponseForm, response=None):
    """Save the form; None, with the message on the form, when a rule refused it."""
    try:
        saved = domain.save(current_user, response, form.name.data, form.category.data,
                            form.lang.data, form.text.data, find_queue(form.queue.data))
    except DomainError as error:
        db.session.rollback()
        form.text.errors = list(form.text.errors) + [str(error)]
        return None
    db.session.commit()
    flash(_("Réponse prédéfinie « %(name)s » enregistrée.", name=saved.name), "success")
    return redirect(url_for("admin.responses"))


@bp.route("/reponses/nouvelle", methods=["GET", "POST"])
@admin_required(domain.RIGHT)
def response_new():
    source = request.args.get("transaction", type=db_id)
    form = response_form(text=domain.text_of(source, current_user) if source else "")
    done = _saved(form) if form.validate_on_submit() else None
    return done or render_template("admin/response_edit.html", form=form, response=None)


@bp.route("/reponses/<int:response_id>", methods=["GET", "POST"])
@admin_required(domain.RIGHT)
def response_edit(response_id: int):
    response = domain.load(response_id)
    form = response_form(response)
    done = _saved(form, response) if form.validate_on_submit() else None
    return done or render_template("admin/response_edit.html", form=form, response=response)


@bp.route("/reponses/<int:response_id>/supprimer", methods=["POST"])
@admin_required(domain.RIGHT)
def response_delete(response_id: int):
    response = domain.load(response_id)
    name = response.name
    domain.delete(current_user, response)
    db.session.commit()
    flash(_("Réponse prédéfinie « %(name)s » supprimée.", name=name), "success")
    return redirect(url_for("admin.responses"))
