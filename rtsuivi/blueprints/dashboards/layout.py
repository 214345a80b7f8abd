"""Portlets: the one door that draws a portlet (as the viewer) and the editor's changes.

The home page and named dashboards share these routes: a dashboard is a dashboard.
"""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from ... import search
from ...domain import DomainError, dashboards, layouts, portlets
from ...extensions import db
from ...htmx import answer, render_fragment, wants_fragment
from .. import agent_required
from . import bp


def _compile(query: str):
    return search.compile_for(query, current_user, zone=str(get_timezone()))


@bp.route("/portlets/<int:portlet_id>")
@agent_required
def portlet(portlet_id):
    item = dashboards.load_portlet(current_user, portlet_id)
    context = portlets.run(current_user, item, _compile)
    if wants_fragment():
        return render_fragment("portlets/portlet.html", "portlet", **context)
    return render_template("portlets/portlet.html", **context)


def editor_url(dashboard) -> str:
    """Where a dashboard's layout is edited (the home pages have their own address)."""
    if dashboard.home:
        return url_for("home.default" if dashboard.privacy == "system" else "home.customise")
    return url_for("dashboards.edit", dashboard_id=dashboard.id)


def editor_context(dashboard) -> dict:
    """What dashboards/edit.html draws."""
    return {"dashboard": dashboard, "panes": {p: layouts.pane_of(dashboard, p)
                                              for p in layouts.PANES},
            "offered": portlets.offered(current_user),
            "labels": portlets.labels(current_user, dashboard.portlets),
            "refresh_choices": layouts.REFRESH_CHOICES, "max_rows": layouts.MAX_ROWS,
            "editor_url": editor_url(dashboard)}


def edited(dashboard, change, message: str):
    """Apply one layout change, commit, answer the layout box (or go back to the editor);
    bad input rolls back and shows its message."""
    try:
        change()
        db.session.commit()
        flash(message, "success")
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    if not wants_fragment():
        return redirect(editor_url(dashboard))
    db.session.refresh(dashboard)
    return answer(render_fragment("dashboards/edit.html", "layout",
                                  **editor_context(dashboard)))


@bp.route("/tableaux/<int:dashboard_id>/portlets", methods=["POST"])
@agent_required
def add_portlet(dashboard_id):
    dashboard = dashboards.load(current_user, dashboard_id, "Modify")
    return edited(dashboard, lambda: layouts.add(
        current_user, dashboard, request.form.get("choice", ""),
        request.form.get("pane", "main")), _("Portlet ajouté."))


@bp.route("/portlets/<int:portlet_id>/<any(monter, descendre):way>", methods=["POST"])
@agent_required
def move_portlet(portlet_id, way):
    item = dashboards.load_portlet(current_user, portlet_id, "Modify")
    step = -1 if way == "monter" else 1
    return edited(item.dashboard, lambda: layouts.move(current_user, item, step),
                  _("Ordre enregistré."))


@bp.route("/portlets/<int:portlet_id>/colonne", methods=["POST"])
@agent_required
def switch_pane(portlet_id):
    item = dashboards.load_portlet(current_user, portlet_id, "Modify")
    return edited(item.dashboard, lambda: layouts.switch_pane(current_user, item),
                  _("Ordre enregistré."))


@bp.route("/portlets/<int:portlet_id>/retirer", methods=["POST"])
@agent_required
def remove_portlet(portlet_id):
    item = dashboards.load_portlet(current_user, portlet_id, "Modify")
    dashboard = item.dashboard
    return edited(dashboard, lambda: layouts.remove(current_user, item), _("Portlet retiré."))


@bp.route("/portlets/<int:portlet_id>/options", methods=["POST"])
@agent_required
def portlet_options(portlet_id):
    item = dashboards.load_portlet(current_user, portlet_id, "Modify")
    rows = request.form.get(f"rows-{portlet_id}", request.form.get("rows"))
    refresh = request.form.get(f"refresh-{portlet_id}", request.form.get("refresh"))
    return edited(item.dashboard, lambda: layouts.set_options(
        current_user, item, rows, refresh), _("Options enregistrées."))


@bp.route("/tableaux/<int:dashboard_id>/ordre", methods=["POST"])
@agent_required
def reorder(dashboard_id):
    dashboard = dashboards.load(current_user, dashboard_id, "Modify")
    pane = request.form.get("pane", "")
    ids = [int(i) for i in request.form.getlist("portlet") if i.isdigit() and len(i) < 12]
    return edited(dashboard, lambda: layouts.reorder(current_user, dashboard, pane, ids),
                  _("Ordre enregistré."))

