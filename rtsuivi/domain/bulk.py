"""Bulk update of search results: the same change applied ticket by ticket, each one
checked against its own rights by the ordinary domain actions and reported on its own."""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import Queue, Ticket, User
from . import DomainError, Forbidden, NotFound, custom_fields, lifecycle
from . import tickets as domain
from .accounts import find_user, nobody

# One request must not hold the desk (on SQLite, the whole database's write lock): at most
# MAX_TICKETS tickets and MAX_PEOPLE_CHANGES watcher changes (tickets x addresses, about
# 10 ms each) a run, committed BATCH tickets at a time so other agents' changes interleave.
MAX_TICKETS = 100
MAX_PEOPLE_CHANGES = 1000
BATCH = 1


@dataclass
class Changes:
    """One bulk change (blueprints/search_forms.py reads it from the form)."""
    owner: str = ""        # a user name, "Nobody", or empty for no change
    status: str = ""
    queue_id: int | None = None
    priority: int | None = None
    watchers: list[tuple[str, str, bool]] = field(default_factory=list)  # (who, role, add)
    message_kind: str = "comment"
    message: str = ""
    custom_fields: dict = field(default_factory=dict)  # {field id: value}, as set_values


@dataclass
class Outcome:
    ticket_id: int
    subject: str = ""
    done: list = field(default_factory=list)
    refused: object = None  # the reason nothing changed on this ticket


def update(actor: User, ticket_ids: list[int], changes: Changes) -> list[Outcome]:
    """Apply the changes to each ticket in its own savepoint; one outcome per ticket.

    A refusal (missing right, lifecycle rule, unknown person) rolls back that ticket only.
    The caller commits, one batch (batches()) at a time.
    """
    outcomes = []
    for ticket_id in sorted(set(ticket_ids)):
        outcome = Outcome(ticket_id)
        savepoint = db.session.begin_nested()
        try:
            ticket = domain.load_visible(ticket_id, actor)
            outcome.subject = ticket.subject
            outcome.done = _apply(ticket, actor, changes)
            savepoint.commit()
        except (DomainError, Forbidden) as error:
            savepoint.rollback()
            outcome.done, outcome.refused = [], error
        outcomes.append(outcome)
    return outcomes


def batches(ticket_ids: list[int], changes: Changes) -> list[list[int]]:
    """Split a run into the batches committed one by one; refuse a run over MAX_TICKETS
    tickets or MAX_PEOPLE_CHANGES watcher changes."""
    ids = sorted(set(ticket_ids))
    if len(ids) > MAX_TICKETS:
        raise DomainError(_l("Au plus %(n)d tickets par modification groupée (%(count)d "
                             "sélectionnés) : rien n'a été modifié.", n=MAX_TICKETS,
                             count=len(ids)))
    if len(ids) * len(changes.watchers) > MAX_PEOPLE_CHANGES:
        raise DomainError(_l("Au plus %(n)d ajouts ou retraits de personnes par modification "
                             "groupée (tickets × adresses) : sélectionnez moins de tickets ou "
                             "d'adresses. Rien n'a été modifié.", n=MAX_PEOPLE_CHANGES))
    return [ids[start:start + BATCH] for start in range(0, len(ids), BATCH)]


def not_done(ticket_ids: list[int], reason) -> list[Outcome]:
    """Outcomes for tickets a run did not reach (the database was busy)."""
    return [Outcome(ticket_id, refused=reason) for ticket_id in ticket_ids]


def _apply(ticket: Ticket, actor: User, changes: Changes) -> list:
    """Apply the changes to one ticket; say what was done, in order."""
    done = (_apply_queue_owner_priority(ticket, actor, changes)
            + _apply_watchers(ticket, actor, changes) + _apply_message(ticket, actor, changes)
            + _apply_custom_fields(ticket, actor, changes))
    return done or [_l("aucun changement")]


def _apply_queue_owner_priority(ticket: Ticket, actor: User, changes: Changes) -> list:
    done = []
    if changes.queue_id is not None:
        queue = db.session.get(Queue, changes.queue_id)
        if queue is None:
            raise NotFound(_l("File introuvable."))
        if queue.id != ticket.queue_id:
            domain.set_queue(ticket, actor, queue)
            done.append(_l("file : %(name)s", name=queue.name))
    if changes.owner:
        owner = nobody() if changes.owner == "Nobody" else find_user(changes.owner)
        if owner is None:
            raise DomainError(_l("Utilisateur inconnu : %(name)s", name=changes.owner))
        if owner.id != ticket.owner_id:
            domain.give(ticket, actor, owner)
            done.append(_l("intervenant : %(name)s", name=owner.display_name))
    if changes.priority is not None and changes.priority != ticket.priority:
        domain.set_fields(ticket, actor, priority=changes.priority)
        done.append(_l("priorité : %(value)d", value=changes.priority))
    return done


def _apply_watchers(ticket: Ticket, actor: User, changes: Changes) -> list:
    done = []
    for who, role, add in changes.watchers:
        person = find_user(who) if not add else domain.parse_people(who)[0]
        if person is None:
            raise DomainError(_l("Utilisateur inconnu : %(name)s", name=who))
        if add:
            if domain.add_watcher(ticket, actor, role, person):
                done.append(_l("%(name)s ajouté (%(role)s)", name=person.display_name,
                               role=role))
        else:
            domain.remove_watcher(ticket, actor, role, person)
            done.append(_l("%(name)s retiré (%(role)s)", name=person.display_name, role=role))
    return done


def _apply_message(ticket: Ticket, actor: User, changes: Changes) -> list:
    done = []
    if changes.message.strip() or (changes.status and changes.status != ticket.status):
        domain.update(ticket, actor, changes.message_kind, changes.message,
                      status=changes.status or None)
        if changes.message.strip():
            done.append(_l("réponse ajoutée") if changes.message_kind == "reply"
                        else _l("commentaire ajouté"))
        if changes.status:
            done.append(_l("statut : %(status)s", status=lifecycle.label(changes.status)))
    return done


def _apply_custom_fields(ticket: Ticket, actor: User, changes: Changes) -> list:
    """Set the custom fields given that apply to the ticket's queue (ModifyCustomField)."""
    if not changes.custom_fields:
        return []
    applying = {f.id for f in custom_fields.fields_for(ticket.queue, actor, None)}
    wanted = {k: v for k, v in changes.custom_fields.items() if k in applying}
    if not wanted:
        return []
    return [_l("%(field)s : %(value)s", field=txn.data, value=txn.new_value or "—")
            for txn in custom_fields.set_values(ticket, actor, wanted)]
