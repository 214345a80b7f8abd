"""Forms of the ticket pages, and the request parsing around them: the views get values
ready for the domain (users, queues, UTC dates), never raw request fields."""
from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    StringField,
    TextAreaField,
)
from wtforms import SelectField as WTFormsSelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import Select

from ...dates import local_to_utc, plausible_date, utc_to_local
from ...domain import lifecycle
from ...domain import tickets as domain
from ...domain.accounts import nobody
from ...domain.custom_fields import creation_fields
from ...domain.queries import visible_queues
from ...domain.rights import can, names_with_right
from ...models.base import db_id


class QuickSelect(Select):
    """WTForms' select with its options written straight out, the same markup: html_params
    per option, and a signature inspection per select, cost the ticket page's owner lists
    (every agent who may own the ticket) a few tenths of a millisecond on each view."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option {selected}value="{escape(choice.value)}">{label}</option>')

    @classmethod
    def _dispatch_render_option(cls):
        return cls.render_option


class SelectField(WTFormsSelectField):
    """The ticket pages' select (QuickSelect)."""
    widget = QuickSelect()


def choices(pairs) -> list[SelectChoice]:
    """Build select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


MESSAGE_KINDS = choices([("reply", _l("Réponse (envoyée au demandeur)")),
                         ("comment", _l("Commentaire (interne, non envoyé au demandeur)"))])


class CreateForm(FlaskForm):
    queue = SelectField(_l("File"), coerce=int)
    requestors = StringField(_l("Demandeurs"), validators=[Optional(), Length(max=2000)],
                             description=_l("Identifiants ou adresses, séparés par des virgules"))
    cc = StringField(_l("Cc"), validators=[Optional(), Length(max=2000)])
    admin_cc = StringField(_l("AdminCc"), validators=[Optional(), Length(max=2000)])
    subject = StringField(_l("Sujet"), validators=[DataRequired(), Length(max=500)])
    content = TextAreaField(_l("Message"), validators=[Optional(), Length(max=200000)])
    priority = IntegerField(_l("Priorité"), default=0,
                            validators=[Optional(), NumberRange(min=0, max=100)])
    due = DateTimeLocalField(_l("Échéance"), validators=[Optional(), plausible_date],
                             format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])
    owner = SelectField(_l("Intervenant"), coerce=int)
    files = MultipleFileField(_l("Pièces jointes"))
    parent = HiddenField()  # « Créer un ticket fils »: the parent's number

    def new_ticket(self, queue, files=()) -> "domain.NewTicket":
        """The ticket to create, as the domain takes it (files: domain.uploads.Upload)."""
        return domain.NewTicket(
            queue=queue, subject=self.subject.data, content=self.content.data,
            files=list(files),
            requestors=domain.parse_people(self.requestors.data),
            cc=domain.parse_people(self.cc.data),
            admin_cc=domain.parse_people(self.admin_cc.data),
            priority=self.priority.data or 0, due=local_to_utc(self.due.data),
            owner=domain.load_person(self.owner.data), member_of=parent_ticket(self.parent.data))


def parent_ticket(value):
    """The parent a « Créer un ticket fils » form names (404 when not visible), or None."""
    number = db_id(value) if value and str(value).isdigit() else None
    return domain.load_visible(number, current_user) if number else None


class UpdateForm(FlaskForm):
    action = HiddenField()
    kind = SelectField(_l("Type de message"), choices=MESSAGE_KINDS, default="reply")
    status = SelectField(_l("Statut"))
    content = TextAreaField(_l("Message"), validators=[Optional(), Length(max=200000)])
    time_taken = IntegerField(_l("Temps passé (minutes)"),
                              validators=[Optional(), NumberRange(min=0, max=100000)])
    files = MultipleFileField(_l("Pièces jointes"))
    # RT's UpdateCc / UpdateBcc: mailed this once, never added as watchers.
    update_cc = StringField(_l("Cc"), validators=[Optional(), Length(max=2000)],
                            description=_l("Pour ce message seulement : ces adresses ne "
                                           "deviennent pas observateurs."))
    update_bcc = StringField(_l("Cci"), validators=[Optional(), Length(max=2000)])


class ForwardForm(FlaskForm):
    to = StringField(_l("À"), validators=[DataRequired(), Length(max=2000)])
    content = TextAreaField(_l("Message"), validators=[Optional(), Length(max=200000)])


class GiveForm(FlaskForm):
    owner = SelectField(_l("Intervenant"), coerce=int)


class BasicsForm(FlaskForm):
    subject = StringField(_l("Sujet"), validators=[DataRequired(), Length(max=500)])
    queue = SelectField(_l("File"), coerce=int, validators=[Optional()])
    priority = IntegerField(_l("Priorité"), validators=[NumberRange(min=0, max=100)])
    starts = DateTimeLocalField(_l("Début prévu"), validators=[Optional(), plausible_date],
                                format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])
    due = DateTimeLocalField(_l("Échéance"), validators=[Optional(), plausible_date],
                             format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])
    time_estimated = IntegerField(_l("Temps estimé (minutes)"),
                                  validators=[Optional(), NumberRange(min=0, max=100000)])
    time_left = IntegerField(_l("Temps restant (minutes)"),
                             validators=[Optional(), NumberRange(min=0, max=100000)])

    def values(self) -> dict:
        """The fields as save_basics takes them (dates in UTC, the queue loaded)."""
        return dict(queue=domain.find_queue(self.queue.data), subject=self.subject.data,
                    priority=self.priority.data, due=local_to_utc(self.due.data),
                    starts=local_to_utc(self.starts.data),
                    time_estimated=self.time_estimated.data or 0,
                    time_left=self.time_left.data or 0)


class PeopleForm(FlaskForm):
    role = SelectField(_l("Rôle"), choices=choices([("Requestor", _l("Demandeur")),
                                                    ("Cc", "Cc"), ("AdminCc", "AdminCc")]))
    person = StringField(_l("Identifiant ou adresse"), validators=[DataRequired(),
                                                                   Length(max=320)])


# ---------------------------------------------------------------- building the forms

def owner_choices(queue) -> list[SelectChoice]:
    agents = names_with_right("OwnTicket", queue)
    return choices([(nobody().id, "Nobody")]
                   + [(user_id, f"{shown} ({name})") for user_id, name, shown in agents])


def give_form(ticket) -> GiveForm:
    form = GiveForm(owner=ticket.owner_id)
    form.owner.choices = owner_choices(ticket.queue)
    return form


def update_action() -> str:
    """The menu entry the update form was opened from (Répondre when unknown)."""
    action = request.values.get("action", "reply")
    return action if action in domain.ACTION_PRESETS else "reply"


def update_form(ticket, action: str) -> UpdateForm:
    """The update form preset by its menu entry; statuses the user may move to (lifecycle)."""
    preset = domain.ACTION_PRESETS[action]
    form = UpdateForm(action=action, kind=preset.kind, status=preset.status or "")
    form.status.choices = choices([("", _("(inchangé : %(status)s)",
                                          status=lifecycle.label(ticket.status)))] + [
        (name, lifecycle.label(name)) for name in lifecycle.allowed_targets(ticket.status)
        if can(current_user, lifecycle.right_for(ticket.status, name), ticket)])
    if request.method == "GET" and action in ("reply", "comment") and current_user.signature:
        # The manual's "Les signatures": the agent's signature waits in the message box.
        form.content.data = "\n\n-- \n" + current_user.signature
    return form


def forwarded_transaction():
    """The transaction a « Transférer ce message » link names, or None."""
    return domain.find_transaction(request.values.get("transaction", type=db_id))


def queue_choices(ticket) -> list[SelectChoice]:
    """Where the ticket may move: queues the agent may create tickets in, and its own."""
    targets = [q for q in visible_queues(current_user)
               if q.id != ticket.queue_id and can(current_user, "CreateTicket", q)]
    return choices((q.id, q.name) for q in sorted(targets + [ticket.queue],
                                                  key=lambda q: q.name.lower()))


def basics_form(ticket) -> BasicsForm:
    """« Les bases »: the ticket's values on GET (dates in local time), the posted ones after."""
    if request.method != "GET":
        form = BasicsForm()
    else:
        form = BasicsForm(obj=ticket)
        form.due.data, form.starts.data = utc_to_local(ticket.due), utc_to_local(ticket.starts)
        form.queue.data = ticket.queue_id
    form.queue.choices = queue_choices(ticket)
    return form


def removed_person() -> tuple:
    """The user and role a « retirer » button names; no user for a missing or impossible id."""
    user_id = request.form.get("user_id", type=db_id)
    return (domain.load_person(user_id) if user_id else None), request.form.get("role", "")


def creatable_queues() -> list:
    return [q for q in visible_queues(current_user) if can(current_user, "CreateTicket", q)]


def create_form(queues) -> tuple[CreateForm, object]:
    """The creation form and its queue. A change of queue re-renders the form (htmx GET)
    with what was typed so far."""
    from ...htmx import wants_fragment
    form = CreateForm(formdata=request.args) if request.method == "GET" and wants_fragment() \
        else CreateForm()
    form.queue.choices = choices((q.id, q.name) for q in queues)
    chosen_id = request.values.get("queue", type=db_id)
    queue = next((q for q in queues if q.id == chosen_id), queues[0])
    form.owner.choices = owner_choices(queue)
    from .custom_fields import attach_custom_fields
    attach_custom_fields(form, creation_fields(queue, current_user))
    if request.method == "GET":
        form.queue.data = queue.id
        parent = parent_ticket(request.args.get("parent"))
        if parent is not None and not form.requestors.data:  # a child asks for its parent
            form.parent.data = parent.id
            form.requestors.data = ", ".join(u.email or u.name for u in parent.requestors)
        form.requestors.data = form.requestors.data or current_user.email or current_user.name
        if form.owner.data not in [choice.value for choice in form.owner.choices]:
            form.owner.data = nobody().id
    return form, queue
