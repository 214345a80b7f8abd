"""« Règles de notification »: the default scrips (domain/notifications.py) described in
French, and switched off everywhere or for one queue (table scrips_off).

A rule is off for a ticket when it is off globally or for the ticket's queue.
ShowScrips lets one see the rules, ModifyScrips switch them (globally: held globally).
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from ..extensions import db
from ..models import Queue, ScripOff, User
from . import DomainError, audit, rights

# What each default rule sends to whom, in the manual's words.
DESCRIPTIONS = {
    "On Create Autoreply To Requestors": _l(
        "À la création : accusé de réception aux demandeurs (avec le numéro du ticket)."),
    "On Create Notify Owner and AdminCcs": _l(
        "À la création : prévient le propriétaire et les AdminCc (du ticket et de la file)."),
    "On Create Notify Ccs": _l(
        "À la création : envoie le message aux Cc (du ticket et de la file)."),
    "On Correspond Notify Owner and AdminCcs": _l(
        "À chaque réponse : copie au propriétaire et aux AdminCc (du ticket et de la file)."),
    "On Correspond Notify Requestors and Ccs": _l(
        "À chaque réponse : envoie la réponse aux demandeurs et aux Cc (du ticket et de la "
        "file)."),
    "On Correspond Notify Other Recipients": _l(
        "À chaque réponse : envoie la réponse aux Cc et Cci saisis pour ce seul message."),
    "On Comment Notify Other Recipients as Comment": _l(
        "À chaque commentaire : envoie le commentaire aux Cc et Cci saisis pour ce seul "
        "message."),
    "On Comment Notify AdminCcs as Comment": _l(
        "À chaque commentaire : envoie le commentaire aux AdminCc (du ticket et de la file), "
        "jamais aux demandeurs."),
    "On Resolve Notify Requestors": _l(
        "À la résolution : prévient les demandeurs que leur demande est résolue."),
    "On Owner Change Notify Owner": _l(
        "Au changement de propriétaire : prévient le nouveau propriétaire (sauf s'il a pris "
        "le ticket lui-même)."),
    "On Forward Send forwarded message": _l(
        "Au transfert : envoie le ticket ou le message aux adresses saisies."),
}


@dataclass
class RuleState:
    name: str
    description: object
    off_globally: bool
    off_here: bool  # for the queue asked about (False without a queue)


def rule_names() -> tuple[str, ...]:
    """The names of the notification rules, in the scrips' order."""
    from .notifications import SCRIPS
    return tuple(scrip.name for scrip in SCRIPS)


def switched_off(queue_id: int | None) -> set[str]:
    """Names of the rules off for tickets of this queue (globally or for it)."""
    query = select(ScripOff.scrip).where(or_(ScripOff.queue_id.is_(None),
                                             ScripOff.queue_id == queue_id))
    return set(db.session.scalars(query))


def states(queue: Queue | None = None) -> list[RuleState]:
    """Every default rule, its French description and where it is switched off."""
    rows = db.session.execute(select(ScripOff.scrip, ScripOff.queue_id)).all()
    off_global = {name for name, queue_id in rows if queue_id is None}
    off_here = {name for name, queue_id in rows if queue and queue_id == queue.id}
    return [RuleState(name, DESCRIPTIONS.get(name, name), name in off_global, name in off_here)
            for name in rule_names()]


def off_everywhere() -> list[tuple[str, str | None]]:
    """Every (rule, queue name or None) switched off, for export."""
    rows = db.session.execute(select(ScripOff.scrip, Queue.name).outerjoin(
        Queue, Queue.id == ScripOff.queue_id)).all()
    return sorted(((scrip, name) for scrip, name in rows), key=lambda r: (r[0], r[1] or ""))


def may_view(actor: User, queue: Queue | None) -> bool:
    """Whether the actor may see the rules (ShowScrips or ModifyScrips, there)."""
    return rights.can_any(actor, ("ShowScrips", "ModifyScrips"), queue)


def switch(actor: User | None, name: str, queue: Queue | None, on: bool) -> bool:
    """Switch a rule on or off, globally or for one queue (ModifyScrips); True if it changed."""
    if actor is not None:
        rights.require(actor, "ModifyScrips", queue)
    if name not in rule_names():
        raise DomainError(_l("Règle de notification inconnue : %(name)s", name=name))
    queue_id = queue.id if queue else None
    row = db.session.scalar(select(ScripOff).where(
        ScripOff.scrip == name,
        ScripOff.queue_id.is_(None) if queue_id is None else ScripOff.queue_id == queue_id))
    if on == (row is None):
        return False
    if on:
        db.session.delete(row)
    else:
        db.session.add(ScripOff(scrip=name, queue_id=queue_id))
    db.session.flush()
    audit.record(actor, "scrip", queue_id, name, "enable" if on else "disable",
                 after={"queue": queue.name if queue else None})
    return True
