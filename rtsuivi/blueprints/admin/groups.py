"""« Groupes » (AdminGroups or SuperUser): the list (search as you type), create, rename,
describe, disable, members added by search as you type and removed, and the group's rights
at a glance. The rules are domain/groups_admin.py's, shared with `flask rtsuivi group …`."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...domain import groups_admin, people_admin
from ...htmx import answer, render_fragment, wants_fragment
from .. import page_number
from . import admin_required, bp, section
from .people_forms import GroupForm, attempt

section("admin.groups", _l("Groupes"), ("AdminGroups",), ("admin.group",))


def _group_page(group, form, error=None):
    q = request.args.get("q", "")[:200]
    return render_template("admin/group.html", group=group, form=form, error=error, q=q,
                           candidates=groups_admin.candidates(group, q),
                           grants=groups_admin.rights_of_group(group))


@bp.route("/groupes")
@admin_required("AdminGroups")
def groups():
    q, disabled = request.args.get("q", "")[:200], request.args.get("disabled") == "1"
    page = groups_admin.list_groups(current_user, q, disabled,
                                    page_number(request.args.get("page")))
    context = {"page": page, "q": q, "disabled": disabled}
    if wants_fragment():
        return render_fragment("admin/groups.html", "group_list", **context)
    return render_template("admin/groups.html", **context)


@bp.route("/groupes/nouveau", methods=["GET", "POST"])
@admin_required("AdminGroups")
def group_new():
    form = GroupForm()
    error = None
    if form.validate_on_submit():
        error = attempt(groups_admin.create, current_user, form.name.data, form.description.data)
        if error is None:
            flash(_("Groupe %(name)s créé.", name=form.name.data.strip()), "success")
            return redirect(url_for("admin.group",
                                    group_id=groups_admin.find(form.name.data).id))
    return render_template("admin/group_new.html", form=form, error=error)


@bp.route("/groupes/<int:group_id>", methods=["GET", "POST"])
@admin_required("AdminGroups")
def group(group_id: int):
    group = groups_admin.load(group_id)
    form = GroupForm(obj=group)
    if not form.validate_on_submit():
        return _group_page(group, form)
    error = attempt(groups_admin.update, current_user, group, form.name.data,
                    form.description.data)
    if error is not None:
        return _group_page(groups_admin.load(group_id), form, error)
    flash(_("Modifications enregistrées."), "success")
    return redirect(url_for("admin.group", group_id=group_id))


@bp.route("/groupes/<int:group_id>/etat", methods=["POST"])
@admin_required("AdminGroups")
def group_state(group_id: int):
    group = groups_admin.load(group_id)
    disabled = request.form.get("disabled") == "1"
    error = attempt(groups_admin.set_disabled, current_user, group, disabled)
    flash(error or (_("Groupe désactivé : ses droits ne s'appliquent plus.") if disabled
                    else _("Groupe réactivé.")), "error" if error else "success")
    if not wants_fragment():
        return redirect(url_for("admin.group", group_id=group_id))
    return answer(render_fragment("admin/group.html", "group_state",
                                  group=groups_admin.load(group_id)))


@bp.route("/groupes/<int:group_id>/candidats")
@admin_required("AdminGroups")
def group_candidates(group_id: int):
    group = groups_admin.load(group_id)
    q = request.args.get("q", "")[:200]
    if not wants_fragment():
        return redirect(url_for("admin.group", group_id=group_id, q=q or None))
    return render_fragment("admin/group.html", "candidates", group=group, q=q,
                           candidates=groups_admin.candidates(group, q))


@bp.route("/groupes/<int:group_id>/membres", methods=["POST"])
@admin_required("AdminGroups")
def group_add_member(group_id: int):
    group = groups_admin.load(group_id)
    member = people_admin.load(request.form.get("user_id", type=int) or 0)
    error = attempt(groups_admin.add_member, current_user, group, member)
    flash(error or _("%(name)s ajouté au groupe.", name=member.name),
          "error" if error else "success")
    return _members_answer(group_id, error)


@bp.route("/groupes/<int:group_id>/membres/<int:user_id>/retirer", methods=["POST"])
@admin_required("AdminGroups")
def group_remove_member(group_id: int, user_id: int):
    group, member = groups_admin.load(group_id), people_admin.load(user_id)
    error = attempt(groups_admin.remove_member, current_user, group, member)
    flash(error or _("%(name)s retiré du groupe.", name=member.name),
          "error" if error else "success")
    return _members_answer(group_id, error)


def _members_answer(group_id: int, error: str | None):
    """The members box (and the candidates told to refresh), or the group page."""
    if not wants_fragment():
        return redirect(url_for("admin.group", group_id=group_id))
    box = render_fragment("admin/group.html", "members", group=groups_admin.load(group_id))
    return answer(box) if error else answer(box, "group-members-changed")
