"""Log in and out."""
from urllib.parse import urlsplit

from flask import (Blueprint, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from .. import sessions
from ..domain import throttle
from ..domain.accounts import authenticate, end_sessions
from ..extensions import db

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    name = StringField(_l("Nom d'utilisateur"), validators=[DataRequired()])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired()])


def _safe_next(target: str | None) -> str | None:
    """Only follow a path of this site after login (no open redirect).

    An absolute URL is accepted when it names this very origin (scheme and host): mail
    links and the htmx session-expiry redirect (HX-Current-URL) carry one. It is followed as
    the local path it names.
    """
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        ours = {(u.scheme, u.netloc) for u in (urlsplit(request.host_url), urlsplit(
            current_app.config.get("RTSUIVI_BASE_URL") or request.host_url))}
        if (parts.scheme, parts.netloc) not in ours:
            return None
        target = parts.path or "/"
        target += f"?{parts.query}" if parts.query else ""
        target += f"#{parts.fragment}" if parts.fragment else ""
    if not target.startswith("/") or target.startswith("//"):
        return None
    return target


def home_for(user) -> str:
    return url_for("home.index") if user.privileged else url_for("portal.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    refusal = throttle.refusal(form.name.data, sessions.client_address(),
                               sessions.known_device(form.name.data))
    if refusal is not None:
        flash(str(refusal), "error")
        return render_template("auth/login.html", form=form), 429
    user = _authenticate(form.name.data, form.password.data)
    if user is None:
        # Never say which of the name or the password was wrong.
        flash(_("Identifiant ou mot de passe incorrect."), "error")
        return render_template("auth/login.html", form=form), 401
    _open_session(user)
    return redirect(_safe_next(request.args.get("next")) or home_for(user))


def _authenticate(name: str, password: str):
    """The user, or None; the attempt is recorded for throttling either way."""
    user = authenticate(name, password)
    throttle.record(name, sessions.client_address(), success=user is not None)
    db.session.commit()
    return user


def _open_session(user) -> None:
    """A fresh session for the user; a language chosen before logging in stays."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)
    sessions.start(user)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        end_sessions(current_user)  # a copy of this cookie must not outlive the logout
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))
