"""« Droits » under Administration: the matrix of principals × rights of the system and of
each queue. ShowACL shows it, ModifyACL changes it (per queue; held globally for the
system). Each change of a checkbox posts the whole form (htmx) and the server applies only
what differs from the page as drawn (domain/rights_admin.apply_changes); « Enregistrer »
does the same without JavaScript."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...domain import DomainError, rights_admin, rights_catalog
from ...domain import queues_admin as admin_queues
from ...extensions import db
from ...htmx import answer, render_fragment, wants_fragment
from . import admin_required, bp, section

VIEW = ("ShowACL", "ModifyACL")


def _queue(queue_id: int | None):
    """The queue whose rights are asked for (None: the system), if the user may see them."""
    return admin_queues.load_any(current_user, queue_id, VIEW) if queue_id else None


def _context(queue, extra=(), strict=False) -> dict:
    visible = rights_admin.may_view(current_user, queue)
    return {"queue": queue, "queues": admin_queues.queues_with(current_user, VIEW),
            "visible": visible, "groups": rights_catalog.grouped(queue is not None),
            "rows": rights_admin.matrix(queue, extra, strict) if visible else [],
            "may_modify": rights_admin.may_modify(current_user, queue)}


def _pairs(values) -> set[tuple[str, str]]:
    return {tuple(v.rsplit("|", 1)) for v in values if "|" in v}



@bp.route("/droits")
@bp.route("/droits/file/<int:queue_id>")
@admin_required(*VIEW)
def rights(queue_id: int | None = None):
    queue = _queue(queue_id)
    try:
        context = _context(queue, tuple(request.args.getlist("add"))[:20], strict=True)
    except DomainError as error:
        flash(str(error), "error")
        context = _context(queue)
    return render_template("admin/rights.html", **context)


@bp.route("/droits/enregistrer", methods=["POST"])
@bp.route("/droits/file/<int:queue_id>/enregistrer", methods=["POST"])
@admin_required("ModifyACL")
def rights_save(queue_id: int | None = None):
    queue = _queue(queue_id)
    try:
        changed = rights_admin.apply_changes(current_user, queue, _pairs(
            request.form.getlist("shown")), _pairs(request.form.getlist("grant")))
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Droits enregistrés (%(count)d changement(s)).", count=changed), "success")
    if not wants_fragment():
        return redirect(url_for("admin.rights", queue_id=queue_id))
    return answer(render_fragment("admin/rights.html", "rights_matrix", **_context(
        queue, tuple(request.form.getlist("principal")))))


@bp.route("/droits/case", methods=["POST"])
@bp.route("/droits/file/<int:queue_id>/case", methods=["POST"])
@admin_required("ModifyACL")
def rights_cell(queue_id: int | None = None):
    queue = _queue(queue_id)
    key, _sep, right = request.form.get("cell", "").rpartition("|")
    on = f"{key}|{right}" in request.form.getlist("grant")
    try:
        rights_admin.set_right(current_user, key, right, queue, on)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash((_("%(right)s accordé à %(who)s.") if on else _("%(right)s retiré à %(who)s."))
              % {"right": right, "who": key.partition(":")[2]}, "success")
    if not wants_fragment():
        return redirect(url_for("admin.rights", queue_id=queue_id))
    return answer(render_fragment("admin/rights.html", "rights_cell", right=right, queue=queue,
                                  row=rights_admin.cell(queue, key), may_modify=True))


@bp.route("/droits/chercher")
@admin_required(*VIEW)
def rights_principals():
    found = rights_admin.search_principals(request.args.get("q", "")[:200])
    if not wants_fragment():
        return redirect(url_for("admin.rights"))
    return render_fragment("admin/rights.html", "principal_matches", found=found,
                           target=request.args.get("queue_id", type=int))


section("admin.rights", _l("Droits"), VIEW, ("admin.rights",))
