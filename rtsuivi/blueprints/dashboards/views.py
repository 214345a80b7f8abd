"""« Tableaux de bord »: list, create, show, rename, edit, delete."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...domain import DomainError, dashboards, portlets, subscriptions
from ...extensions import db
from ...models.base import fits_id
from .. import agent_required
from . import bp
from .layout import editor_context

WEEKDAYS = (_l("lundi"), _l("mardi"), _l("mercredi"), _l("jeudi"), _l("vendredi"),
            _l("samedi"), _l("dimanche"))


def _list_page(**context):
    return render_template("dashboards/index.html", dashboards=dashboards.visible(current_user),
                           groups=dashboards.groups_of(current_user),
                           right_for=dashboards.right_for, **context)


@bp.route("/tableaux")
@agent_required
def index():
    return _list_page()


@bp.route("/tableaux", methods=["POST"])
@agent_required
def create():
    group_id = request.form.get("group", type=int)
    try:
        dashboard = dashboards.create(current_user, request.form.get("name", ""),
                                      request.form.get("privacy", "user"),
                                      group_id if fits_id(group_id or 0) else None)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _list_page(error=str(error))
    flash(_("Tableau de bord « %(name)s » créé.", name=dashboard.name), "success")
    return redirect(url_for("dashboards.edit", dashboard_id=dashboard.id))


def _named(dashboard_id: int, verb: str):
    dashboard = dashboards.load(current_user, dashboard_id, verb)
    if dashboard.home:
        abort(404)
    return dashboard


@bp.route("/tableaux/<int:dashboard_id>")
@agent_required
def show(dashboard_id):
    dashboard = _named(dashboard_id, "See")
    return render_template("dashboards/show.html", dashboard=dashboard,
                           labels=portlets.labels(current_user, dashboard.portlets),
                           subscription=subscriptions.mine(current_user, dashboard),
                           weekday_names=WEEKDAYS,
                           may_modify=dashboards.may(current_user, dashboard, "Modify"))


@bp.route("/tableaux/<int:dashboard_id>/modifier")
@agent_required
def edit(dashboard_id):
    dashboard = _named(dashboard_id, "Modify")
    return render_template("dashboards/edit.html", **editor_context(dashboard))


@bp.route("/tableaux/<int:dashboard_id>/renommer", methods=["POST"])
@agent_required
def rename(dashboard_id):
    dashboard = _named(dashboard_id, "Modify")
    try:
        dashboards.rename(current_user, dashboard, request.form.get("name", ""))
        db.session.commit()
        flash(_("Tableau de bord renommé."), "success")
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    return redirect(url_for("dashboards.edit", dashboard_id=dashboard_id))


@bp.route("/tableaux/<int:dashboard_id>/supprimer", methods=["POST"])
@agent_required
def delete(dashboard_id):
    dashboard = _named(dashboard_id, "Delete")
    dashboards.delete(current_user, dashboard)
    db.session.commit()
    flash(_("Tableau de bord supprimé."), "success")
    return redirect(url_for("dashboards.index"))
