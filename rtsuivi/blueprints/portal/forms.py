"""The portal's forms. Files are read from request.files by the domain (uploads)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length

from ...domain.tickets import MAX_SUBJECT


class NewRequestForm(FlaskForm):
    queue = SelectField(_l("Service concerné"), coerce=int, validate_choice=False)
    # Subject and message are checked by the domain (tickets.create, portal.create_request).
    subject = StringField(_l("Sujet"), validators=[Length(max=MAX_SUBJECT)])
    content = TextAreaField(_l("Votre message"))


class ReplyForm(FlaskForm):
    content = TextAreaField(_l("Votre réponse"))
