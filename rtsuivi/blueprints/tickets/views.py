"""Thin views: parse (forms.py), one domain call, answer (answers.py).

Loading a ticket the user may not see raises the domain's NotFound and a missing right its
Forbidden: errors.py turns them into 404 and 403, so the views do not catch them.
"""
import io

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...domain import DomainError, lifecycle, queries
from ...domain import custom_fields as cf
from ...domain import tickets as domain
from ...domain.rights import can
from ...extensions import db
from ...mail.message import parse as parse_mail
from ...mail.message import safe_filename
from .. import agent_required
from . import bp
from .answers import (
    acted,
    box,
    commit,
    create_page,
    done,
    explained,
    form_page,
    load,
    page,
    refused,
    saved_basics,
)
from .custom_fields import custom_input, show_error
from .files import forward_choices, forwarded_files, uploaded
from .forms import (
    ForwardForm,
    PeopleForm,
    basics_form,
    creatable_queues,
    create_form,
    forwarded_transaction,
    give_form,
    removed_person,
    update_action,
    update_form,
)
from .presence import seen_in_form
from .recipients import recipients_context, this_message

SAFE_TYPES = {"image/png", "image/jpeg", "image/gif", "application/pdf", "text/plain"}


# ---------------------------------------------------------------- the page and its boxes

@bp.route("/<int:ticket_id>")
@agent_required
def show(ticket_id: int):
    ticket = load(ticket_id, with_watchers=True)  # the page shows them
    if ticket.id != ticket_id:  # merged into another ticket: its old URL leads there
        return redirect(url_for("tickets.show", ticket_id=ticket.id))
    return page(ticket)


@bp.route("/<int:ticket_id>/<any(summary, people, actions, history):block>")
@agent_required
def block(ticket_id: int, block: str):
    return box(load(ticket_id), block)


# ---------------------------------------------------------------- owner

@bp.route("/<int:ticket_id>/take", methods=["POST"])
@agent_required
def take(ticket_id: int):
    ticket = load(ticket_id)
    try:
        domain.take(ticket, actor=current_user)
    except DomainError as error:
        return refused(ticket, error, "people")
    return acted(ticket, "people", _("Vous êtes maintenant l'intervenant de ce ticket."),
                 parts=commit())


@bp.route("/<int:ticket_id>/steal", methods=["POST"])
@agent_required
def steal(ticket_id: int):
    ticket = load(ticket_id)
    previous = ticket.owner.display_name
    try:
        domain.steal(ticket, actor=current_user)
    except DomainError as error:
        return refused(ticket, error, "people")
    return acted(ticket, "people", _(
        "Vous avez volé ce ticket à %(name)s. Aucun message ne lui a été envoyé : pensez à "
        "l'en informer.", name=previous), parts=commit())


@bp.route("/<int:ticket_id>/give", methods=["GET", "POST"])
@agent_required
def give(ticket_id: int):
    ticket = load(ticket_id)
    if not domain.can_give(ticket, current_user):
        abort(403)
    form = give_form(ticket)
    if form.validate_on_submit():
        try:
            domain.give(ticket, current_user, domain.load_person(form.owner.data))
            return done(ticket, _("Intervenant changé : %(name)s.",
                                  name=ticket.owner.display_name), parts=commit())
        except DomainError as error:
            db.session.rollback()
            form.owner.errors = [str(error)]
    return form_page("tickets/give.html", "give_form", ticket=ticket, form=form)


# ---------------------------------------------------------------- messages and status

@bp.route("/<int:ticket_id>/update", methods=["GET", "POST"])
@agent_required
def update(ticket_id: int):
    ticket, action = load(ticket_id), update_action()
    form = update_form(ticket, action)
    if form.validate_on_submit():
        try:
            domain.update(ticket, current_user, form.kind.data, form.content.data,
                          form.status.data, form.time_taken.data or 0,
                          files=uploaded(form.files.data), message=this_message(form),
                          seen=seen_in_form())
            return done(ticket, _("Ticket mis à jour."), parts=commit())
        except DomainError as error:
            db.session.rollback()
            ticket, form.content.errors = load(ticket_id), [explained(error)]
    return form_page("tickets/update.html", "update_form", ticket=ticket, form=form,
                     action=action, preset=domain.ACTION_PRESETS[action],
                     **recipients_context(ticket, form.kind.data))


@bp.route("/<int:ticket_id>/forward", methods=["GET", "POST"])
@agent_required
def forward(ticket_id: int):
    ticket, form, transaction = load(ticket_id), ForwardForm(), forwarded_transaction()
    if not can(current_user, "ForwardMessage", ticket):
        abort(403)
    if form.validate_on_submit():
        try:
            domain.forward(ticket, current_user, form.to.data, form.content.data, transaction,
                           files=forwarded_files())
            return done(ticket, _("Transfert envoyé à %(to)s.", to=form.to.data),
                        parts=commit())
        except DomainError as error:
            db.session.rollback()
            ticket, form.to.errors = load(ticket_id), [str(error)]
    return form_page("tickets/forward.html", "forward_form", ticket=ticket, form=form,
                     transaction=transaction, **forward_choices(ticket, transaction))


@bp.route("/<int:ticket_id>/attachments/<int:attachment_id>")
@login_required
def attachment(ticket_id: int, attachment_id: int):
    """Download a file; always as an attachment, so nothing from a mail runs in the page."""
    found = queries.load_attachment(attachment_id, current_user)
    if found.transaction.ticket_id != ticket_id:
        abort(404)
    data = found.content_bytes if found.content_bytes is not None else \
        (found.content or "").encode() if found.content is not None else None
    if data is None:
        abort(410)  # over the size limit: kept only in the raw message
    response = send_file(io.BytesIO(data), mimetype=found.content_type
                         if found.content_type in SAFE_TYPES else "application/octet-stream",
                         as_attachment=True,
                         download_name=safe_filename(found.filename) or f"piece-{found.id}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


@bp.route("/<int:ticket_id>/mails/<int:mail_id>")
@agent_required
def outgoing(ticket_id: int, mail_id: int):
    """Show one mail sent for the ticket, as it left (reading.can_read_mail)."""
    ticket = load(ticket_id)
    mail = domain.load_outgoing_mail(ticket, mail_id, current_user)
    return render_template("tickets/outgoing.html", ticket=ticket, mail=mail,
                           readable=parse_mail(mail.raw),
                           raw=mail.raw.decode("utf-8", "replace"))


@bp.route("/<int:ticket_id>/act/<key>", methods=["POST"])
@agent_required
def act(ticket_id: int, key: str):
    """A status action of the menu that acts at once (lifecycle.ACTIONS without message)."""
    ticket, action = load(ticket_id), lifecycle.action(key)
    if action is None or action.message:
        abort(404)
    try:
        domain.set_status(ticket, current_user, action.target)
    except DomainError as error:
        return refused(ticket, error, "summary")
    return acted(ticket, "summary", _("Ticket effacé.") if action.target == "deleted" else
                 _("Statut changé : %(status)s.", status=lifecycle.label(action.target)),
                 parts=commit())


@bp.route("/<int:ticket_id>/delete", methods=["POST"])
@agent_required
def delete(ticket_id: int):
    return act(ticket_id, "delete")


# ---------------------------------------------------------------- basics and people

@bp.route("/<int:ticket_id>/edit", methods=["GET", "POST"])
@agent_required
def edit(ticket_id: int):
    ticket = load(ticket_id)
    if not can(current_user, "ModifyTicket", ticket):
        abort(403)
    form = basics_form(ticket)
    if form.validate_on_submit():
        try:
            changes = domain.save_basics(ticket, current_user, **form.values())
            return saved_basics(ticket, changes, commit())
        except DomainError as error:
            db.session.rollback()
            ticket, form.subject.errors = load(ticket_id), [str(error)]
    return form_page("tickets/edit.html", "edit_form", ticket=ticket, form=form)


@bp.route("/<int:ticket_id>/people/add", methods=["POST"])
@agent_required
def add_person(ticket_id: int):
    ticket, form = load(ticket_id), PeopleForm()
    if not form.validate_on_submit():
        return acted(ticket, "people", _("Indiquez un identifiant ou une adresse."), "error")
    try:
        added = [domain.add_watcher(ticket, current_user, form.role.data, person)
                 for person in domain.parse_people(form.person.data)]
    except DomainError as error:
        return refused(ticket, error, "people")
    if not any(added):
        return acted(ticket, "people", _("Cette personne a déjà ce rôle."), "info",
                     parts=commit())
    return acted(ticket, "people", _("Contact ajouté."), parts=commit())


@bp.route("/<int:ticket_id>/people/remove", methods=["POST"])
@agent_required
def remove_person(ticket_id: int):
    ticket, (person, role) = load(ticket_id), removed_person()
    if person is None:
        abort(400)
    try:
        domain.remove_watcher(ticket, current_user, role, person)
    except DomainError as error:
        return refused(ticket, error, "people")
    return acted(ticket, "people", _("Contact retiré."), parts=commit())


# ---------------------------------------------------------------- create

@bp.route("/new", methods=["GET", "POST"])
@agent_required
def create():
    queues = creatable_queues()
    if not queues:
        abort(403)
    form, queue = create_form(queues)
    if form.validate_on_submit():
        try:
            ticket = cf.create_with_fields(
                current_user, form.new_ticket(queue, uploaded(form.files.data)),
                custom_input(form))
            db.session.commit()
            flash(_("Ticket n°%(id)s créé dans la file %(queue)s.", id=ticket.id,
                    queue=queue.name), "success")
            return redirect(url_for("tickets.show", ticket_id=ticket.id))
        except DomainError as error:
            db.session.rollback()
            if not show_error(form, error):
                form.subject.errors = list(form.subject.errors) + [str(error)]
    return create_page(form, queue)
