"""Accounts of people without a password yet, or who lost it: « Mot de passe oublié ? »
mails a one-time link (domain/account_links.py); the link lets them choose a password,
or log in when the site allows requesters to (RTSUIVI_REQUESTER_LINK_LOGIN)."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from .. import sessions
from ..domain import DomainError, account_links
from ..extensions import db
from ..mail.account_links import send_link
from .auth import _safe_next, _start_session, home_for

bp = Blueprint("account", __name__, url_prefix="/compte")


class LinkRequestForm(FlaskForm):
    address = StringField(_l("Adresse électronique ou nom d'utilisateur"),
                          validators=[DataRequired(), Length(max=200)])


class ChoosePasswordForm(FlaskForm):
    password = PasswordField(_l("Nouveau mot de passe"), validators=[DataRequired()])
    confirm = PasswordField(_l("Confirmez le mot de passe"), validators=[DataRequired()])


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
def forgot():
    form, next_url = LinkRequestForm(), _safe_next(request.args.get("next"))
    if not form.validate_on_submit():
        return render_template("account/forgot.html", form=form, next_url=next_url)
    try:
        send_link(form.address.data, next_url, sessions.client_address())
    except DomainError as refusal:  # throttled: known or unknown address alike
        db.session.rollback()
        flash(str(refusal), "error")
        return render_template("account/forgot.html", form=form, next_url=next_url), 429
    db.session.commit()
    flash(_("Si cette adresse est connue, un lien vient d'y être envoyé. Il est valable "
            "une heure et ne sert qu'une fois."), "info")
    return redirect(url_for("auth.login", next=next_url))


@bp.route("/lien/<token>", methods=["GET", "POST"])
def link(token: str):
    try:
        found = account_links.find(token)
    except DomainError as refusal:
        return _dead_link(refusal)
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            found = account_links.choose_password(token, form.password.data, form.confirm.data)
            return _logged_in(found, _("Votre mot de passe est enregistré."))
        except DomainError as refusal:
            db.session.rollback()
            form.password.errors = [str(refusal)]
    return render_template("account/link.html", form=form, error=None, token=token,
                           login=account_links.may_log_in_by_link(found.user))


@bp.route("/lien/<token>/connexion", methods=["POST"])
def link_login(token: str):
    try:
        found = account_links.log_in_by_link(token)
    except DomainError as refusal:
        return _dead_link(refusal)
    return _logged_in(found, _("Vous êtes connecté."))


def _dead_link(refusal: DomainError):
    """A link used, expired or unknown: say so, and offer a new one (410 Gone)."""
    db.session.rollback()
    return render_template("account/link.html", form=None, error=str(refusal), token=None,
                           login=False), 410


def _logged_in(found, message: str):
    """Commit the spent link, open a fresh session for its user, go where they meant to."""
    user, next_url = found.user, found.next_url
    db.session.commit()
    _start_session(user)
    flash(message, "info")
    current_app.logger.info("account link used by %s", user.name)
    return redirect(_safe_next(next_url) or home_for(user))
