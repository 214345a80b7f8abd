"""Forms of the ticket pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (DateTimeLocalField, HiddenField, IntegerField, SelectField, StringField,
                     TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ...dates import plausible_date


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


class UpdateForm(FlaskForm):
    action = HiddenField()
    kind = SelectField(_l("Type de message"), choices=MESSAGE_KINDS, default="reply")
    status = SelectField(_l("Statut"))
    content = TextAreaField(_l("Message"), validators=[Optional(), Length(max=200000)])
    time_taken = IntegerField(_l("Temps passé (minutes)"),
                              validators=[Optional(), NumberRange(min=0, max=100000)])


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


class PeopleForm(FlaskForm):
    role = SelectField(_l("Rôle"), choices=choices([("Requestor", _l("Demandeur")),
                                                    ("Cc", "Cc"), ("AdminCc", "AdminCc")]))
    person = StringField(_l("Identifiant ou adresse"), validators=[DataRequired(),
                                                                   Length(max=320)])
