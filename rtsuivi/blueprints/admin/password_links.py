"""« Envoyer un lien pour choisir le mot de passe » from a user's admin page: the same
one-time link as « Mot de passe oublié ? » (domain/account_links.py), mailed to the user.
The button is rtsuivi/templates/admin/user_password_link.html (context: `user`)."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...domain import DomainError
from ...domain.tickets import load_person
from ...extensions import db
from ...mail.account_links import send_link_for
from ...safe_urls import local_url
from . import admin_required, bp


@bp.route("/utilisateurs/<int:user_id>/lien-mot-de-passe", methods=["POST"])
@admin_required("AdminUsers")
def send_password_link(user_id: int):
    user = load_person(user_id)
    try:
        send_link_for(current_user, user)
        db.session.commit()
        flash(_("Un lien pour choisir le mot de passe a été envoyé à %(email)s.",
                email=user.email), "info")
    except DomainError as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    return redirect(local_url(request.form.get("back"), url_for("admin.index")))
