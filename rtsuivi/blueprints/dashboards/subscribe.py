"""« S'abonner »: a dashboard mailed on a schedule (domain/subscriptions.py)."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...domain import DomainError, dashboards, subscriptions
from ...extensions import db
from .. import agent_required
from . import bp


def _int(name: str, default: int) -> int:
    """The number sent, the default when absent, -1 (refused by the domain) when bad."""
    value = request.form.get(name)
    if value is None:
        return default
    return int(value) if value.isdigit() and len(value) < 4 else -1


@bp.route("/tableaux/<int:dashboard_id>/abonnement", methods=["POST"])
@agent_required
def subscribe(dashboard_id):
    dashboard = dashboards.load(current_user, dashboard_id)
    try:
        if request.form.get("frequency") == "never":
            subscriptions.unsubscribe(current_user, dashboard)
        else:
            subscriptions.subscribe(
                current_user, dashboard, request.form.get("frequency", ""),
                _int("hour", 8), [int(d) for d in request.form.getlist("weekdays")
                                   if d.isdigit() and len(d) == 1],
                _int("weekday", 0), _int("day", 1), request.form.get("recipients", ""))
        db.session.commit()
        flash(_("Abonnement enregistré."), "success")
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    return redirect(url_for("dashboards.show", dashboard_id=dashboard_id))
