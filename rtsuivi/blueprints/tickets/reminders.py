"""« Rappels »: the reminders box of the ticket page (add, complete, reopen) and the
« Mes rappels » page. The box is one named block of tickets/show.html (`reminders`,
tickets/reminders_box.html), answered by its own forms."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ...dates import local_to_utc, plausible_date
from ...domain import DomainError
from ...domain import reminders as domain
from ...domain.rights import can
from ...extensions import db
from ...htmx import answer, render_fragment, wants_fragment
from ...models import utcnow
from .. import agent_required
from . import bp
from .answers import commit, events, load
from .forms import SelectField, choices


class ReminderForm(FlaskForm):
    subject = StringField(_l("Objet"), validators=[DataRequired(), Length(max=500)])
    owner = SelectField(_l("Pour"), coerce=int)
    due = DateTimeLocalField(_l("Échéance"), validators=[Optional(), plausible_date],
                             format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])


def reminder_form(ticket) -> ReminderForm:
    """The add form; the owner is one of the people who may own the ticket (me first)."""
    form = ReminderForm(prefix="reminder")
    owners = domain.possible_owner_names(ticket)
    form.owner.choices = choices((user_id, shown) for user_id, _name, shown in owners)
    if form.owner.data is None and any(user_id == current_user.id for user_id, *_ in owners):
        form.owner.data = current_user.id
    return form


@bp.app_template_global()
def reminders_box(ticket, form=None) -> dict:
    """What the « Rappels » box shows (called by tickets/reminders_box.html)."""
    editable = can(current_user, "ModifyTicket", ticket)
    return {"reminders": domain.on_ticket(ticket), "editable": editable,
            "form": form or (reminder_form(ticket) if editable else None),
            "now": utcnow(), "me": current_user.id}


def _answer(ticket, message: str, category: str = "success", form=None, parts=()):
    flash(message, category)
    if not wants_fragment():
        return redirect(url_for("tickets.show", ticket_id=ticket.id) + "#ticket-reminders")
    html = render_fragment("tickets/show.html", "reminders", ticket=ticket, reminder_form=form)
    return answer(html, *events(parts))


@bp.route("/<int:ticket_id>/reminders", methods=["POST"])
@agent_required
def add_reminder(ticket_id: int):
    ticket = load(ticket_id)
    form = reminder_form(ticket)
    if not form.validate_on_submit():
        return _answer(ticket, _("Rappel non ajouté : vérifiez le formulaire."), "error", form)
    try:
        domain.add(ticket, current_user, form.subject.data,
                   next((u for u in domain.possible_owners(ticket) if u.id == form.owner.data),
                        None), local_to_utc(form.due.data))
    except DomainError as error:
        db.session.rollback()
        form.due.errors = [str(error)]
        return _answer(load(ticket_id), str(error), "error", form)
    return _answer(ticket, _("Rappel ajouté."), parts=commit())


@bp.route("/<int:ticket_id>/reminders/<int:reminder_id>/<any(done, reopen):change>",
          methods=["POST"])
@agent_required
def change_reminder(ticket_id: int, reminder_id: int, change: str):
    ticket = load(ticket_id)
    reminder = domain.load(ticket, reminder_id)
    (domain.resolve if change == "done" else domain.reopen)(reminder, current_user)
    return _answer(ticket, _("Rappel fait.") if change == "done" else _("Rappel rouvert."),
                   parts=commit())


@bp.route("/reminders")
@agent_required
def my_reminders():
    return render_template("tickets/reminders.html", reminders=domain.mine(current_user),
                           now=utcnow())
