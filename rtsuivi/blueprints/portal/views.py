"""The portal's views: read the request, call the domain, commit, answer with a page or a
redirect (no htmx here: every form is a plain POST that works on any phone)."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...domain import DomainError, portal
from ...domain.tickets import load_visible
from ...domain.tickets.requester import act_as_requester
from ...extensions import db
from .. import page_number
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


@bp.route("/nouvelle", methods=["GET", "POST"])
@login_required
def new():
    form = NewRequestForm()
    form.queue.choices = [(q.id, q.name) for q in portal.creatable_queues(current_user)]
    if form.validate_on_submit():
        try:
            ticket = portal.create_request(current_user, form.queue.data, form.subject.data,
                                           form.content.data, request.files.getlist("files"),
                                           _limit())
            db.session.commit()
            flash(_("Votre demande n°%(id)s est enregistrée.", id=ticket.id), "success")
            return redirect(url_for("portal.show", ticket_id=ticket.id))
        except DomainError as refusal:
            db.session.rollback()
            form.content.errors = [str(refusal)]
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
