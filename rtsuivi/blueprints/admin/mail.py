"""Mail administration: inbound messages (failed ones can be re-run), the outbox (readable,
a failed mail can be sent again) and the mail templates (editable, French and English)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ...domain import DomainError, mail_templates, queries
from ...extensions import db
from ...htmx import answer, render_fragment, wants_fragment
from ...mail import inbound, sending
from ...mail.message import parse
from ...models import InboundMail, OutboxMail
from .. import page_number
from . import bp, section, superuser_required

INBOUND_STATUSES = ("failed", "refused", "done", "dropped", "duplicate", "received")
OUTBOX_STATUSES = ("pending", "sending", "failed", "sent")
PER_PAGE = 50

section("admin.inbound_list", _l("Courrier"), ("SuperUser",),
        ("admin.inbound", "admin.outbox", "admin.template"))
RAW_SHOWN = 200_000  # characters of a raw mail shown on its page


class TemplateForm(FlaskForm):
    subject = StringField(_l("Objet"), validators=[DataRequired(), Length(max=500)])
    body = TextAreaField(_l("Texte"), validators=[DataRequired(), Length(max=50000)])


def _listing(model, statuses, default: str):
    status = request.args.get("status", default)
    if status not in statuses:
        abort(400)
    page = page_number(request.args.get("page"))
    rows, counts = queries.mail_listing(model, status, page, PER_PAGE)
    return status, page, rows, counts


@bp.route("/courrier/entrant")
@superuser_required
def inbound_list():
    status, page, rows, counts = _listing(InboundMail, INBOUND_STATUSES, "failed")
    return render_template("admin/mail_inbound.html", status=status, page=page, mails=rows,
                           counts=counts, statuses=INBOUND_STATUSES)


@bp.route("/courrier/entrant/<int:mail_id>")
@superuser_required
def inbound_show(mail_id: int):
    mail = queries.load_mail(InboundMail, mail_id)
    return render_template("admin/mail_inbound_show.html", mail=mail,
                           raw=mail.raw[:RAW_SHOWN].decode("utf-8", "replace"))


@bp.route("/courrier/entrant/<int:mail_id>/relancer", methods=["POST"])
@superuser_required
def inbound_rerun(mail_id: int):
    mail = queries.load_mail(InboundMail, mail_id)
    try:
        outcome = inbound.rerun(mail)
    except DomainError as error:
        flash(str(error), "error")
    else:
        flash(_("Courriel relancé : %(result)s", result=outcome.body.strip()),
              "success" if outcome.status == "ok" else "error")
    mail = queries.load_mail(InboundMail, mail_id)
    if not wants_fragment():
        return redirect(url_for("admin.inbound_show", mail_id=mail_id))
    return answer(render_fragment("admin/mail_inbound_show.html", "inbound_status", mail=mail))


@bp.route("/courrier/sortant")
@superuser_required
def outbox_list():
    status, page, rows, counts = _listing(OutboxMail, OUTBOX_STATUSES, "pending")
    return render_template("admin/mail_outbox.html", status=status, page=page, mails=rows,
                           counts=counts, statuses=OUTBOX_STATUSES)


@bp.route("/courrier/sortant/<int:mail_id>")
@superuser_required
def outbox_show(mail_id: int):
    mail = queries.load_mail(OutboxMail, mail_id)
    return render_template("admin/mail_outbox_show.html", mail=mail, readable=parse(mail.raw),
                           raw=mail.raw[:RAW_SHOWN].decode("utf-8", "replace"))


@bp.route("/courrier/sortant/<int:mail_id>/renvoyer", methods=["POST"])
@superuser_required
def outbox_retry(mail_id: int):
    mail = queries.load_mail(OutboxMail, mail_id)
    try:
        sending.retry(mail)
    except DomainError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Le courriel repart au prochain passage de l'envoi."), "success")
    if not wants_fragment():
        return redirect(url_for("admin.outbox_show", mail_id=mail_id))
    return answer(render_fragment("admin/mail_outbox_show.html", "outbox_status", mail=mail))


@bp.route("/courrier/modeles")
@superuser_required
def templates():
    return render_template("admin/mail_templates.html", texts=mail_templates.all_texts(),
                           labels=mail_templates.LABELS)


@bp.route("/courrier/modeles/<name>/<lang>", methods=["GET", "POST"])
@superuser_required
def template_edit(name: str, lang: str):
    if name not in mail_templates.DEFAULTS or lang not in mail_templates.LANGS:
        abort(404)
    text = mail_templates.get(name, lang)
    form = TemplateForm(data={"subject": text.subject, "body": text.body})
    if request.form.get("reset"):
        mail_templates.reset(name, lang)
        db.session.commit()
        flash(_("Texte d'origine rétabli."), "success")
        return redirect(url_for("admin.template_edit", name=name, lang=lang))
    if form.validate_on_submit() and _saved(name, lang, form):
        flash(_("Modèle enregistré."), "success")
        return redirect(url_for("admin.templates"))
    return render_template("admin/mail_template_edit.html", form=form, text=text,
                           label=mail_templates.LABELS[name])


def _saved(name: str, lang: str, form: TemplateForm) -> bool:
    """Save the edited template; False, with the error on the form, when it is invalid."""
    try:
        mail_templates.save(name, lang, form.subject.data, form.body.data)
    except DomainError as error:
        db.session.rollback()
        form.body.errors = [str(error)]
        return False
    db.session.commit()
    return True
