"""« Journal » (SuperUser): every administrative change, newest first, filterable by kind
of object and by the user who made it, with the fields before and after."""
from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...domain import journal
from .. import page_number
from . import bp, section, superuser_required

section("admin.journal_view", _l("Journal"), ("SuperUser",))
KIND_LABELS = {"user": _l("utilisateur"), "group": _l("groupe"), "queue": _l("file"),
               "right": _l("droit"), "custom_field": _l("champ personnalisé"),
               "scrip": _l("règle de notification"), "template": _l("modèle de courriel"),
               "config": _l("configuration")}
ACTION_LABELS = {"create": _l("création"), "update": _l("modification"),
                 "disable": _l("désactivation"), "enable": _l("réactivation"),
                 "set_password": _l("mot de passe défini"), "add_member": _l("membre ajouté"),
                 "remove_member": _l("membre retiré"), "grant": _l("droit accordé"),
                 "revoke": _l("droit retiré")}

# The recorded fields, in words (other areas' fields show under their own name).
FIELD_LABELS = {"name": _l("nom"), "real_name": _l("nom réel"), "email": _l("adresse"),
                "lang": _l("langue"), "timezone": _l("fuseau horaire"),
                "signature": _l("signature"), "privileged": _l("privilégié"),
                "comments": _l("commentaires"), "disabled": _l("désactivé"),
                "description": _l("description"), "member": _l("membre")}


@bp.route("/journal")
@superuser_required
def journal_view():
    kind = request.args.get("kind", "")[:30]
    actor_id = request.args.get("actor", type=int)
    page = journal.read(current_user, kind, actor_id, page_number(request.args.get("page")))
    return render_template("admin/journal.html", page=page, kind=kind, actor_id=actor_id,
                           kinds=journal.kinds(), actors=journal.actors(),
                           kind_labels=KIND_LABELS, action_labels=ACTION_LABELS,
                           field_labels=FIELD_LABELS)
