"""The portal's views: read the request, call the domain, commit, answer with a page or a
redirect (no htmx here: every form is a plain POST that works on any phone)."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...domain import DomainError, portal
from ...domain.custom_fields import creation_fields
from ...domain.tickets import load_visible
from ...domain.tickets.requester import act_as_requester
from ...extensions import db
from ...htmx import render_fragment, wants_fragment
from ...models.base import db_id
from .. import page_number
from ..tickets.custom_fields import attach_custom_fields, custom_input, show_error
from . import bp
from .forms import NewRequestForm, ReplyForm


def _limit() -> int:
    return current_app.config["RTSUIVI_MAX_ATTACHMENT_SIZE"]


@bp.route("/")
@login_required
def index():
    state = request.args.get("etat") if request.args.get("etat") in portal.STATES \
        else "en-cours"
    found = portal.requests_of(current_user, state, page_number(request.args.get("page")))
    return render_template("portal/index.html", page=found, state=state)


def _new_form() -> NewRequestForm:
    """The form with the custom fields marked for requesters of the queue chosen (a GET
    with ?queue= re-renders it for another queue, with what was typed so far)."""
    form = NewRequestForm(formdata=request.args) if request.method == "GET" and \
        request.args else NewRequestForm()
    queues = portal.creatable_queues(current_user)
    form.queue.choices = [(q.id, q.name) for q in queues]
    chosen = request.values.get("queue", type=db_id)
    queue = next((q for q in queues if q.id == chosen), queues[0] if queues else None)
    return attach_custom_fields(
        form, creation_fields(queue, current_user, requester=True) if queue else [])


@bp.route("/nouvelle", methods=["GET", "POST"])
@login_required
def new():
    form = _new_form()
    if form.validate_on_submit():
        try:
            ticket = portal.create_request(current_user, form.queue.data, form.subject.data,
                                           form.content.data, request.files.getlist("files"),
                                           _limit(), custom_input(form))
            db.session.commit()
            flash(_("Votre demande n°%(id)s est enregistrée.", id=ticket.id), "success")
            return redirect(url_for("portal.show", ticket_id=ticket.id))
        except DomainError as refusal:
            db.session.rollback()
            if not show_error(form, refusal):
                form.content.errors = [str(refusal)]
    if wants_fragment() and request.method == "GET":
        return render_fragment("portal/new.html", "new_request", form=form)
    return render_template("portal/new.html", form=form)


@bp.route("/<int:ticket_id>", methods=["GET", "POST"])
@login_required
def show(ticket_id: int):
    if current_user.privileged:
        return redirect(url_for("tickets.show", ticket_id=ticket_id))
    found, form = portal.load_request(ticket_id, current_user), ReplyForm()
    if form.validate_on_submit():
        try:
            portal.reply_to_request(found.ticket, current_user, form.content.data,
                                    request.files.getlist("files"), _limit())
            db.session.commit()
            flash(_("Votre réponse est envoyée."), "success")
            return redirect(url_for("portal.show", ticket_id=ticket_id))
        except DomainError as refusal:
            db.session.rollback()
            found, form.content.errors = portal.load_request(ticket_id, current_user), \
                [str(refusal)]
    return render_template("portal/show.html", request_=found, form=form)


@bp.route("/<int:ticket_id>/<any(close, reopen):key>", methods=["POST"])
@login_required
def act(ticket_id: int, key: str):
    ticket = load_visible(ticket_id, current_user, include_deleted=False)
    try:
        act_as_requester(ticket, current_user, key)
        db.session.commit()
        flash(_("Demande close.") if key == "close" else _("Demande rouverte."), "success")
    except DomainError as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    return redirect(url_for("portal.show", ticket_id=ticket_id))
