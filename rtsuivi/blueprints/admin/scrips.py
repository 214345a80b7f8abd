"""« Règles de notification » under Administration: the default notification rules in
French (what each sends to whom), each switched off or on everywhere or for one queue.
ShowScrips shows them, ModifyScrips switches them (domain/notification_rules.py)."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...domain import DomainError, Forbidden, notification_rules
from ...domain import queues_admin as admin_queues
from ...domain.rights import can
from ...extensions import db
from ...htmx import answer, render_fragment, wants_fragment
from . import admin_required, bp, section

VIEW = ("ShowScrips", "ModifyScrips")


def _queue(queue_id: int | None):
    queue = admin_queues.load_any(current_user, queue_id, VIEW) if queue_id else None
    if not notification_rules.may_view(current_user, queue):
        raise Forbidden(_("Vous n'avez pas le droit %(right)s ici.", right="ShowScrips"))
    return queue


def _context(queue) -> dict:
    return {"queue": queue, "rules": notification_rules.states(queue),
            "queues": admin_queues.queues_with(current_user, VIEW),
            "may_global": can(current_user, "ModifyScrips"),
            "may_here": queue is not None and can(current_user, "ModifyScrips", queue)}


@bp.route("/regles-notification")
@bp.route("/regles-notification/file/<int:queue_id>")
@admin_required(*VIEW)
def scrips(queue_id: int | None = None):
    return render_template("admin/scrips.html", **_context(_queue(queue_id)))


@bp.route("/regles-notification/basculer", methods=["POST"])
@admin_required("ModifyScrips")
def scrip_switch():
    shown = _queue(request.form.get("shown", type=int))
    target = shown if request.form.get("scope") == "queue" else None
    try:
        notification_rules.switch(current_user, request.form.get("name", ""), target,
                                  request.form.get("on") == "1")
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Règle de notification enregistrée."), "success")
    if not wants_fragment():
        return redirect(url_for("admin.scrips", queue_id=shown.id if shown else None))
    return answer(render_fragment("admin/scrips.html", "scrip_rules", **_context(shown)))


section("admin.scrips", _l("Règles de notification"), VIEW, ("admin.scrip",))
