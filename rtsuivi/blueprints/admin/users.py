"""« Utilisateurs » (AdminUsers or SuperUser): the list (search as you type, filters),
create, edit, disable / re-enable, set a password, and what a user holds and requests.
The rules are domain/people_admin.py's, shared with `flask rtsuivi user …`."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...domain import people_admin
from ...htmx import answer, render_fragment, wants_fragment
from .. import page_number
from . import admin_required, bp, section
from .people_forms import NewUserForm, PasswordForm, UserForm, attempt

section("admin.users", _l("Utilisateurs"), ("AdminUsers",), ("admin.user",))
KIND_LABELS = {"": _l("actifs"), "privileged": _l("privilégiés"),
               "unprivileged": _l("demandeurs"), "disabled": _l("désactivés")}


def _user_page(user, form, error=None, status=200):
    return render_template(
        "admin/user.html", user=user, form=form, error=error, password_form=PasswordForm(),
        holdings=people_admin.holdings(user), timezones=people_admin.timezones(),
        tickets=people_admin.requested(user, current_user)), status


@bp.route("/utilisateurs")
@admin_required("AdminUsers")
def users():
    q, kind = request.args.get("q", "")[:200], request.args.get("kind", "")
    kind = kind if kind in people_admin.KINDS else ""
    page = people_admin.list_users(current_user, q, kind, page_number(request.args.get("page")))
    context = {"page": page, "q": q, "kind": kind, "kinds": KIND_LABELS,
               "system_users": people_admin.SYSTEM_USERS}
    if wants_fragment():
        return render_fragment("admin/users.html", "user_list", **context)
    return render_template("admin/users.html", **context)


@bp.route("/utilisateurs/nouveau", methods=["GET", "POST"])
@admin_required("AdminUsers")
def user_new():
    form = NewUserForm()
    error = None
    if form.validate_on_submit():
        error = attempt(people_admin.create, current_user, form.data, form.password.data)
        if error is None:
            flash(_("Utilisateur %(name)s créé.", name=form.name.data.strip()), "success")
            created = people_admin.find(form.name.data.strip())
            return redirect(url_for("admin.user", user_id=created.id))
    return render_template("admin/user_new.html", form=form, error=error,
                           timezones=people_admin.timezones())


@bp.route("/utilisateurs/<int:user_id>", methods=["GET", "POST"])
@admin_required("AdminUsers")
def user(user_id: int):
    user = people_admin.load(user_id)
    form = UserForm(obj=user)
    if not form.validate_on_submit():
        return _user_page(user, form)
    error = attempt(people_admin.update, current_user, user, form.data)
    if error is not None:
        return _user_page(people_admin.load(user_id), form, error)
    flash(_("Modifications enregistrées."), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/utilisateurs/<int:user_id>/etat", methods=["POST"])
@admin_required("AdminUsers")
def user_state(user_id: int):
    user = people_admin.load(user_id)
    disabled = request.form.get("disabled") == "1"
    error = attempt(people_admin.set_disabled, current_user, user, disabled)
    flash(error or (_("Utilisateur désactivé : ses sessions sont terminées.") if disabled
                    else _("Utilisateur réactivé.")), "error" if error else "success")
    if not wants_fragment():
        return redirect(url_for("admin.user", user_id=user_id))
    return answer(render_fragment("admin/user.html", "user_state",
                                  user=people_admin.load(user_id)))


@bp.route("/utilisateurs/<int:user_id>/mot-de-passe", methods=["POST"])
@admin_required("AdminUsers")
def user_password(user_id: int):
    user = people_admin.load(user_id)
    form = PasswordForm()
    error = attempt(people_admin.set_password, current_user, user, form.password.data or "")
    flash(error or _("Mot de passe enregistré : les sessions de l'utilisateur sont "
                     "terminées."), "error" if error else "success")
    if not wants_fragment():
        return redirect(url_for("admin.user", user_id=user_id))
    return answer(render_fragment("admin/user.html", "user_password", user=user,
                                  password_form=PasswordForm(formdata=None)))
