"""The forms of « Utilisateurs », « Groupes » and « Préférences ». They only carry the
input: every rule (names taken, e-mail, language, timezone, password policy) is the
domain's (domain/people_admin.py, groups_admin.py, preferences.py)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from ...domain import DomainError
from ...extensions import db

LANG_CHOICES = [SelectChoice("", _l("Langue du navigateur")), SelectChoice("fr", "Français"),
                SelectChoice("en", "English")]


class UserForm(FlaskForm):
    name = StringField(_l("Nom d'utilisateur"), validators=[Length(max=200)])
    real_name = StringField(_l("Nom réel"), validators=[Length(max=200)])
    email = StringField(_l("Adresse électronique"), validators=[Length(max=320)])
    lang = SelectField(_l("Langue"), choices=LANG_CHOICES)
    timezone = StringField(_l("Fuseau horaire"), validators=[Length(max=64)],
                           description=_l("Par exemple Europe/Paris ; vide : celui du site."))
    signature = TextAreaField(_l("Signature"))
    privileged = BooleanField(_l("Privilégié (agent)"))
    comments = TextAreaField(_l("Commentaires"))


class NewUserForm(UserForm):
    password = PasswordField(_l("Mot de passe"),
                             description=_l("Facultatif : 10 caractères au moins."))


class PasswordForm(FlaskForm):
    password = PasswordField(_l("Nouveau mot de passe"))


class GroupForm(FlaskForm):
    name = StringField(_l("Nom"), validators=[Length(max=200)])
    description = StringField(_l("Description"), validators=[Length(max=500)])


class PreferencesForm(FlaskForm):
    real_name = StringField(_l("Nom réel"), validators=[Length(max=200)])
    email = StringField(_l("Adresse électronique"), validators=[Length(max=320)])
    lang = SelectField(_l("Langue"), choices=LANG_CHOICES,
                       description=_l("Celle des pages et des courriels que vous recevez."))
    timezone = StringField(_l("Fuseau horaire"), validators=[Length(max=64)],
                           description=_l("Par exemple Europe/Paris ; vide : celui du site."))
    signature = TextAreaField(_l("Signature"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Mot de passe actuel"))
    new = PasswordField(_l("Nouveau mot de passe"),
                        description=_l("10 caractères au moins, ni votre nom d'utilisateur ni "
                                       "un mot de passe courant."))
    confirm = PasswordField(_l("Confirmation du nouveau mot de passe"))


def attempt(change, *args) -> str | None:
    """Run a domain change and commit; on a DomainError roll back and return its message."""
    try:
        change(*args)
    except DomainError as error:
        db.session.rollback()
        return str(error)
    db.session.commit()
    return None
