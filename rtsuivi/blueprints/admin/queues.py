"""« Files » under Administration: the queues list (search as you type, pages), a queue's
form (name, description, addresses, subject tag, default due), disable / enable, and its
watchers (Cc, AdminCc). AdminQueue on a queue opens that queue only; creating needs it
globally. Rules and rights: domain/queues_admin.py."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional

from ...domain import DomainError, people_admin
from ...domain import queues_admin as admin_queues
from ...extensions import db
from ...htmx import answer, render_fragment, wants_fragment
from .. import page_number
from . import admin_required, bp, section

MANAGE = ("AdminQueue", "ModifyQueueWatchers", "ShowACL", "ModifyACL")


class QueueForm(FlaskForm):
    name = StringField(_l("Nom"))
    description = TextAreaField(_l("Description"))
    correspond_address = StringField(
        _l("Adresse de réponse"), description=_l("Les courriels reçus à cette adresse "
                                                  "créent ou continuent un ticket de la file."))
    comment_address = StringField(
        _l("Adresse de commentaire"), description=_l("Les courriels reçus à cette adresse "
                                                      "deviennent des commentaires internes."))
    subject_tag = StringField(
        _l("Étiquette de sujet"), description=_l("Écrite [étiquette #123] dans l'objet des "
                                                  "courriels de cette file ; vide : le nom du "
                                                  "site."))
    default_due_days = IntegerField(_l("Échéance par défaut (jours)"),
                                    validators=[Optional(), NumberRange(min=0)])

    def fields(self) -> admin_queues.QueueFields:
        return admin_queues.QueueFields(
            self.name.data or "", self.description.data or "", self.correspond_address.data,
            self.comment_address.data, self.subject_tag.data, self.default_due_days.data)


@bp.route("/files")
@admin_required(*MANAGE)
def queues():
    search = request.args.get("q", "")[:200]
    page = admin_queues.list_queues(current_user, search, page_number(request.args.get("page")))
    context = {"page": page, "search": search,
               "may_create": admin_queues.may_create(current_user)}
    if wants_fragment():
        return render_fragment("admin/queues.html", "queue_list", **context)
    return render_template("admin/queues.html", **context)


@bp.route("/files/nouvelle", methods=["GET", "POST"])
@admin_required("AdminQueue")
def queue_new():
    admin_queues.forbid_unless_creator(current_user)
    form = QueueForm()
    if form.validate_on_submit() and (queue := _saved(form, None)):
        flash(_("File %(name)s créée.", name=queue.name), "success")
        return redirect(url_for("admin.queue_edit", queue_id=queue.id))
    return render_template("admin/queue_edit.html", form=form, queue=None)


@bp.route("/files/<int:queue_id>", methods=["GET", "POST"])
@admin_required(*MANAGE)
def queue_edit(queue_id: int):
    queue = admin_queues.load(current_user, queue_id)
    form = QueueForm(obj=queue)
    if form.validate_on_submit() and _saved(form, queue):
        flash(_("File %(name)s enregistrée.", name=queue.name), "success")
        return redirect(url_for("admin.queue_edit", queue_id=queue.id))
    return render_template("admin/queue_edit.html", form=form, queue=queue,
                           **_watchers_context(queue))


def _saved(form: QueueForm, queue):
    """Create or update the queue; None, with the message on the form, when refused."""
    try:
        if queue is None:
            queue = admin_queues.create(current_user, form.fields())
        else:
            admin_queues.update(current_user, queue, form.fields())
    except DomainError as error:
        db.session.rollback()
        form.name.errors = [*form.name.errors, str(error)]
        return None
    db.session.commit()
    return queue


@bp.route("/files/<int:queue_id>/etat", methods=["POST"])
@admin_required("AdminQueue")
def queue_disable(queue_id: int):
    queue = admin_queues.load(current_user, queue_id)
    disabled = request.form.get("disabled") == "1"
    try:
        admin_queues.set_disabled(current_user, queue, disabled)
        db.session.commit()
        flash(_("File désactivée.") if disabled else _("File réactivée."), "success")
    except DomainError as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    if not wants_fragment():
        return redirect(url_for("admin.queue_edit", queue_id=queue.id))
    return answer(render_fragment("admin/queue_edit.html", "queue_state", queue=queue))


def _watchers_context(queue) -> dict:
    return {"watchers": admin_queues.watchers(queue),
            "may_watchers": admin_queues.may_change_watchers(current_user, queue),
            "may_edit": admin_queues.may_edit(current_user, queue)}


@bp.route("/files/<int:queue_id>/surveillants/chercher")
@admin_required("AdminQueue", "ModifyQueueWatchers")
def queue_watcher_search(queue_id: int):
    queue = admin_queues.load_for_watchers(current_user, queue_id)
    found = people_admin.search_users(request.args.get("q", "")[:200])
    if not wants_fragment():
        return redirect(url_for("admin.queue_edit", queue_id=queue.id))
    return render_fragment("admin/queue_edit.html", "watcher_matches", queue=queue,
                           found=found)


@bp.route("/files/<int:queue_id>/surveillants", methods=["POST"])
@admin_required("AdminQueue", "ModifyQueueWatchers")
def queue_watchers(queue_id: int):
    queue = admin_queues.load_for_watchers(current_user, queue_id)
    user = admin_queues.load_user(request.form.get("user_id", type=int) or 0)
    role, remove = request.form.get("role", ""), request.form.get("remove") == "1"
    try:
        admin_queues.change_watcher(current_user, queue, user, role, remove)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
    if not wants_fragment():
        return redirect(url_for("admin.queue_edit", queue_id=queue.id))
    return answer(render_fragment("admin/queue_edit.html", "queue_watchers", queue=queue,
                                  **_watchers_context(queue)))


section("admin.queues", _l("Files"), ("AdminQueue", "ModifyQueueWatchers"), ("admin.queue",))
