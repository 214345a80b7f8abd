"""The agent's home page: a dashboard of portlets, each loaded on its own (issue 15)."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..domain import Forbidden, layouts, portlets
from ..domain.rights import can
from ..extensions import db
from . import agent_required
from .dashboards.layout import editor_context

bp = Blueprint("home", __name__)


@bp.route("/")
def root():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for("home.index") if current_user.privileged else url_for("portal.index"))


@bp.route("/accueil")
@agent_required
def index():
    home = layouts.home_of(current_user)
    db.session.commit()  # the default layout is written the first time it is needed
    return render_template("home/index.html", dashboard=home,
                           labels=portlets.labels(current_user, home.portlets))


@bp.route("/accueil/personnaliser")
@agent_required
def customise():
    home = layouts.own_home(current_user)
    db.session.commit()
    return render_template("dashboards/edit.html", **editor_context(home))


@bp.route("/accueil/defaut")
@agent_required
def default():
    if not can(current_user, "SuperUser"):
        raise Forbidden(_("Seul un administrateur règle la page d'accueil par défaut."))
    home = layouts.default_home()
    db.session.commit()
    return render_template("dashboards/edit.html", **editor_context(home))


@bp.route("/accueil/retablir", methods=["POST"])
@agent_required
def reset():
    layouts.reset_home(current_user)
    db.session.commit()
    flash(_("La page d'accueil par défaut est rétablie."), "success")
    return redirect(url_for("home.index"))
