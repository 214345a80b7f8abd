"""« Préférences »: every logged-in user (ModifySelf) changes their name, address, language,
timezone, signature (agents) and password. A user whose password must change (the first
administrator's one-time password) is sent to the password form from every page."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from .. import sessions
from ..domain import people_admin, preferences
from ..htmx import is_htmx, redirect_client
from .admin.people_forms import ChangePasswordForm, PreferencesForm, attempt

bp = Blueprint("preferences", __name__, url_prefix="/preferences")
# What a user who must change their password may still open.
OPEN_WHILE_MUST_CHANGE = {"preferences.password", "auth.logout", "auth.login", "static"}


@bp.before_app_request
def _password_first():
    """While the password must change, every page leads to the password form."""
    if (request.endpoint not in OPEN_WHILE_MUST_CHANGE and current_user.is_authenticated
            and current_user.must_change_password):
        target = url_for("preferences.password")
        return redirect_client(target) if is_htmx() else redirect(target)
    return None


def _page(form, error=None):
    return render_template("preferences/index.html", form=form, error=error,
                           password_form=ChangePasswordForm(formdata=None),
                           timezones=people_admin.timezones())


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    preferences.require_allowed(current_user)
    form = PreferencesForm(obj=current_user)
    if not form.validate_on_submit():
        return _page(form)
    error = attempt(preferences.update, current_user, form.data)
    if error is not None:
        return _page(form, error)
    flash(_("Préférences enregistrées."), "success")
    return redirect(url_for("preferences.index"))


@bp.route("/mot-de-passe", methods=["GET", "POST"])
@login_required
def password():
    preferences.require_allowed(current_user)
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return render_template("preferences/password.html", form=form, error=None)
    user = current_user._get_current_object()
    error = attempt(preferences.change_password, user, form.current.data, form.new.data,
                    form.confirm.data)
    if error is not None:
        return render_template("preferences/password.html", form=form, error=error)
    login_user(user)  # the other sessions ended; this one goes on with the new serial
    sessions.start(user)
    flash(_("Mot de passe changé : vos autres sessions sont terminées."), "success")
    return redirect(url_for("preferences.index"))
