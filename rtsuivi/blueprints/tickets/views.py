"""Thin views: load the ticket (404 when not visible), call the domain, answer.

The rule (STYLE.md): answer with the box you acted on; announce "ticket-changed" so the
other boxes of the page refresh themselves. Without htmx, redirect to the ticket page.
"""
import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...dates import local_to_utc, utc_to_local
from ...domain import DomainError, NotFound, lifecycle
from ...domain import tickets as domain
from ...domain.accounts import nobody
from ...domain import queries
from ...domain.queries import visible_queues
from ...domain.reading import can_read_mail
from ...domain.rights import can, users_with_right
from ...extensions import db
from ...htmx import announce, redirect_client, render_fragment, wants_fragment
from ...mail.message import parse as parse_mail, safe_filename
from ...models import OutboxMail, Queue, Transaction, User
from ...models.base import db_id
from .. import agent_required
from . import bp
from .forms import (BasicsForm, CreateForm, ForwardForm, GiveForm, PeopleForm, UpdateForm,
                    choices)

SHOW = "tickets/show.html"
SAFE_TYPES = {"image/png", "image/jpeg", "image/gif", "application/pdf", "text/plain"}
BLOCKS = ("summary", "people", "actions", "history")


def _load(ticket_id: int):
    try:
        return domain.load_visible(ticket_id, current_user)
    except NotFound:
        abort(404)


def _show_context(ticket, blocks=BLOCKS) -> dict:
    context = {"ticket": ticket, "people_form": PeopleForm()}
    if "actions" in blocks:
        context["actions"] = domain.actions_for(ticket, current_user)
    if "history" in blocks:
        context["transactions"], context["people"] = domain.history(ticket, current_user)
        context["outgoing"] = queries.outgoing_mails(ticket, current_user)
    return context


def _messages() -> str:
    """Flashed messages as an out-of-band swap into the page's message area."""
    return render_template("_messages_oob.html")


def _answer(ticket, block: str, message: str | None = None, category: str = "success"):
    """Answer an action: the acted-on box plus messages (htmx), or a redirect."""
    if message:
        flash(message, category)
    if not wants_fragment():
        return redirect(url_for("tickets.show", ticket_id=ticket.id))
    html = render_fragment(SHOW, block, **_show_context(ticket, (block,)))
    return announce(html + _messages(), "ticket-changed")


def _close_update(ticket, message: str, category: str = "success"):
    """Answer a form of the update box: empty it, show the message, refresh the boxes."""
    flash(message, category)
    if not wants_fragment():
        return redirect(url_for("tickets.show", ticket_id=ticket.id))
    return announce(_messages(), "ticket-changed")


def _refused(ticket, error: DomainError, block: str):
    """Tell why nothing changed; roll back whatever the failed action had started.

    A missing right (Forbidden) is not caught here: errors.py answers it with a 403.
    """
    db.session.rollback()
    ticket = _load(ticket.id)
    return _answer(ticket, block, str(error), "error")


# ---------------------------------------------------------------- the page and its boxes

@bp.route("/<int:ticket_id>")
@agent_required
def show(ticket_id: int):
    ticket = _load(ticket_id)
    return render_template(SHOW, **_show_context(ticket))


@bp.route("/<int:ticket_id>/<any(summary, people, actions, history):block>")
@agent_required
def block(ticket_id: int, block: str):
    ticket = _load(ticket_id)
    if not wants_fragment():
        return redirect(url_for("tickets.show", ticket_id=ticket_id))
    return render_fragment(SHOW, block, **_show_context(ticket, (block,)))


# ---------------------------------------------------------------- owner

@bp.route("/<int:ticket_id>/take", methods=["POST"])
@agent_required
def take(ticket_id: int):
    ticket = _load(ticket_id)
    try:
        domain.take(ticket, actor=current_user)
    except DomainError as error:
        return _refused(ticket, error, "people")
    db.session.commit()
    return _answer(ticket, "people", _("Vous êtes maintenant l'intervenant de ce ticket."))


@bp.route("/<int:ticket_id>/steal", methods=["POST"])
@agent_required
def steal(ticket_id: int):
    ticket = _load(ticket_id)
    previous = ticket.owner.display_name
    try:
        domain.steal(ticket, actor=current_user)
    except DomainError as error:
        return _refused(ticket, error, "people")
    db.session.commit()
    return _answer(ticket, "people", _(
        "Vous avez volé ce ticket à %(name)s. Aucun message ne lui a été envoyé : pensez à "
        "l'en informer.",
        name=previous))


def _owner_choices(ticket_queue: Queue) -> list[tuple[int, str]]:
    agents = users_with_right("OwnTicket", ticket_queue)
    return choices([(nobody().id, "Nobody")]
                   + [(u.id, f"{u.display_name} ({u.name})") for u in agents])


@bp.route("/<int:ticket_id>/give", methods=["GET", "POST"])
@agent_required
def give(ticket_id: int):
    ticket = _load(ticket_id)
    if not domain.can_give(ticket, current_user):
        abort(403)
    form = GiveForm(owner=ticket.owner_id)
    form.owner.choices = _owner_choices(ticket.queue)
    if form.validate_on_submit():
        try:
            domain.give(ticket, current_user, db.session.get(User, form.owner.data))
        except DomainError as error:
            db.session.rollback()
            form.owner.errors = [str(error)]
        else:
            db.session.commit()
            return _close_update(ticket, _("Intervenant changé : %(name)s.",
                                           name=ticket.owner.display_name))
    return _form_page("tickets/give.html", "give_form", ticket=ticket, form=form)


def _form_page(template: str, block: str, **context):
    """A form as its own page, or as a box loaded into the ticket page by htmx."""
    if wants_fragment():
        return render_fragment(template, block, **context) + _messages()
    return render_template(template, **context)


# ---------------------------------------------------------------- messages and status

def _update_form(ticket, action: str) -> UpdateForm:
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


@bp.route("/<int:ticket_id>/update", methods=["GET", "POST"])
@agent_required
def update(ticket_id: int):
    ticket = _load(ticket_id)
    action = request.values.get("action", "reply")
    if action not in domain.ACTION_PRESETS:
        action = "reply"
    form = _update_form(ticket, action)
    if form.validate_on_submit():
        try:
            domain.update(ticket, current_user, form.kind.data, form.content.data,
                          form.status.data, form.time_taken.data or 0)
        except DomainError as error:
            db.session.rollback()
            ticket = _load(ticket_id)
            form.content.errors = [str(error)]
        else:
            db.session.commit()
            return _close_update(ticket, _("Ticket mis à jour."))
    return _form_page("tickets/update.html", "update_form", ticket=ticket, form=form,
                      action=action, preset=domain.ACTION_PRESETS[action])


@bp.route("/<int:ticket_id>/forward", methods=["GET", "POST"])
@agent_required
def forward(ticket_id: int):
    ticket = _load(ticket_id)
    if not can(current_user, "ForwardMessage", ticket):
        abort(403)
    form = ForwardForm()
    txn_id = request.values.get("transaction", type=db_id)
    transaction = db.session.get(Transaction, txn_id) if txn_id else None
    if form.validate_on_submit():
        try:
            domain.forward(ticket, current_user, form.to.data, form.content.data, transaction)
        except DomainError as error:
            db.session.rollback()
            ticket = _load(ticket_id)
            form.to.errors = [str(error)]
        else:
            db.session.commit()
            return _close_update(ticket, _("Transfert envoyé à %(to)s.", to=form.to.data))
    return _form_page("tickets/forward.html", "forward_form", ticket=ticket, form=form,
                      transaction=transaction)


@bp.route("/<int:ticket_id>/attachments/<int:attachment_id>")
@login_required
def attachment(ticket_id: int, attachment_id: int):
    """Download a file; always as an attachment, so nothing from a mail runs in the page."""
    try:
        found = queries.load_attachment(attachment_id, current_user)
    except NotFound:
        abort(404)
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
    ticket = _load(ticket_id)
    mail = db.session.get(OutboxMail, mail_id)
    if mail is None or mail.ticket_id != ticket.id:
        abort(404)
    if not can_read_mail(current_user, mail):
        abort(403)
    return render_template("tickets/outgoing.html", ticket=ticket, mail=mail,
                           readable=parse_mail(mail.raw),
                           raw=mail.raw.decode("utf-8", "replace"))


@bp.route("/<int:ticket_id>/act/<key>", methods=["POST"])
@agent_required
def act(ticket_id: int, key: str):
    """A status action of the menu that acts at once (lifecycle.ACTIONS without message)."""
    ticket = _load(ticket_id)
    action = lifecycle.action(key)
    if action is None or action.message:
        abort(404)
    try:
        domain.set_status(ticket, current_user, action.target)
    except DomainError as error:
        return _refused(ticket, error, "summary")
    db.session.commit()
    return _answer(ticket, "summary", _("Ticket effacé.") if action.target == "deleted" else
                   _("Statut changé : %(status)s.", status=lifecycle.label(action.target)))


@bp.route("/<int:ticket_id>/delete", methods=["POST"])
@agent_required
def delete(ticket_id: int):
    return act(ticket_id, "delete")


# ---------------------------------------------------------------- basics and people

def _queue_choices(ticket):
    """Where the ticket may move: queues the agent may create tickets in, and its own."""
    targets = [q for q in visible_queues(current_user)
               if q.id != ticket.queue_id and can(current_user, "CreateTicket", q)]
    return choices((q.id, q.name) for q in sorted(targets + [ticket.queue],
                                                  key=lambda q: q.name.lower()))


def _moved_out_of_sight(ticket):
    """The agent moved the ticket to a queue they cannot see: send them home, and say so."""
    flash(_("Ticket n°%(id)s déplacé dans la file %(queue)s, où vous ne le voyez plus.",
            id=ticket.id, queue=ticket.queue.name), "success")
    home = url_for("home.index")
    return redirect_client(home) if wants_fragment() else redirect(home)


@bp.route("/<int:ticket_id>/edit", methods=["GET", "POST"])
@agent_required
def edit(ticket_id: int):
    ticket = _load(ticket_id)
    if not can(current_user, "ModifyTicket", ticket):
        abort(403)
    form = BasicsForm(obj=ticket) if request.method == "GET" else BasicsForm()
    if request.method == "GET":
        form.due.data, form.starts.data = utc_to_local(ticket.due), utc_to_local(ticket.starts)
        form.queue.data = ticket.queue_id
    form.queue.choices = _queue_choices(ticket)
    if form.validate_on_submit():
        try:
            changes = domain.save_basics(
                ticket, current_user, queue=db.session.get(Queue, form.queue.data or 0),
                subject=form.subject.data, priority=form.priority.data,
                due=local_to_utc(form.due.data), starts=local_to_utc(form.starts.data),
                time_estimated=form.time_estimated.data or 0,
                time_left=form.time_left.data or 0)
        except DomainError as error:
            db.session.rollback()
            ticket = _load(ticket_id)
            form.subject.errors = [str(error)]
        else:
            db.session.commit()
            if not can(current_user, "ShowTicket", ticket):
                return _moved_out_of_sight(ticket)
            message = _("Modifications enregistrées.") if changes else _("Aucune modification.")
            return _close_update(ticket, message, "success" if changes else "info")
    return _form_page("tickets/edit.html", "edit_form", ticket=ticket, form=form)


@bp.route("/<int:ticket_id>/people/add", methods=["POST"])
@agent_required
def add_person(ticket_id: int):
    ticket = _load(ticket_id)
    form = PeopleForm()
    if not form.validate_on_submit():
        return _answer(ticket, "people", _("Indiquez un identifiant ou une adresse."), "error")
    try:
        person = domain.parse_people(form.person.data)
        added = [domain.add_watcher(ticket, current_user, form.role.data, p) for p in person]
    except DomainError as error:
        return _refused(ticket, error, "people")
    db.session.commit()
    if not any(added):
        return _answer(ticket, "people", _("Cette personne a déjà ce rôle."), "info")
    return _answer(ticket, "people", _("Contact ajouté."))


@bp.route("/<int:ticket_id>/people/remove", methods=["POST"])
@agent_required
def remove_person(ticket_id: int):
    ticket = _load(ticket_id)
    person = db.session.get(User, request.form.get("user_id", type=db_id) or 0)
    if person is None:
        abort(400)
    try:
        domain.remove_watcher(ticket, current_user, request.form.get("role", ""), person)
    except DomainError as error:
        return _refused(ticket, error, "people")
    db.session.commit()
    return _answer(ticket, "people", _("Contact retiré."))


# ---------------------------------------------------------------- create

@bp.route("/new", methods=["GET", "POST"])
@agent_required
def create():
    queues = [q for q in visible_queues(current_user) if can(current_user, "CreateTicket", q)]
    if not queues:
        abort(403)
    # A change of queue re-renders the form (htmx GET) with what was typed so far.
    form = CreateForm(formdata=request.args) if request.method == "GET" and wants_fragment() \
        else CreateForm()
    form.queue.choices = choices((q.id, q.name) for q in queues)
    chosen_id = request.values.get("queue", type=db_id)
    queue = next((q for q in queues if q.id == chosen_id), queues[0])
    form.owner.choices = _owner_choices(queue)
    if request.method == "GET":
        form.queue.data = queue.id
        form.requestors.data = form.requestors.data or current_user.email or current_user.name
        if form.owner.data not in [choice.value for choice in form.owner.choices]:
            form.owner.data = nobody().id
    if form.validate_on_submit():
        try:
            ticket = domain.create(current_user, domain.NewTicket(
                queue=queue, subject=form.subject.data, content=form.content.data,
                requestors=domain.parse_people(form.requestors.data),
                cc=domain.parse_people(form.cc.data),
                admin_cc=domain.parse_people(form.admin_cc.data),
                priority=form.priority.data or 0, due=local_to_utc(form.due.data),
                owner=db.session.get(User, form.owner.data)))
        except DomainError as error:
            db.session.rollback()
            form.subject.errors = list(form.subject.errors) + [str(error)]
        else:
            db.session.commit()
            flash(_("Ticket n°%(id)s créé dans la file %(queue)s.", id=ticket.id,
                    queue=queue.name), "success")
            return redirect(url_for("tickets.show", ticket_id=ticket.id))
    if wants_fragment() and request.method == "GET":
        return render_fragment("tickets/create.html", "create_form", form=form, queue=queue)
    return render_template("tickets/create.html", form=form, queue=queue)
