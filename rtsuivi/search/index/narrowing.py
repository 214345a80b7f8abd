"""Rights as the index knows them: hints that let the engine drop, before anything leaves
it, the hits a user may not see (the SQL rights filter still decides).
"""
from dataclasses import dataclass


@dataclass
class Hint:
    """Tickets a user may see: any of the alternatives (queues or None for any queue, and a
    role term the ticket must have or None). None as a hint means every ticket."""
    alternatives: list[tuple[frozenset | None, tuple[str, str] | None]]


def rights_hint(held, right: str, user_id: int) -> Hint | None:
    """The tickets where the user holds `right`, as the index knows them (queue column,
    owner and watcher role terms), mirroring rights.visible_tickets_filter; None when that
    is every ticket.

    Only a hint: the SQL rights filter decides. It lets the engine drop, before anything
    leaves it, the hits the user may not see.
    """
    direct = held.queues_with(right)
    if direct is None:
        return None
    alternatives = [(frozenset(direct), None)] if direct else []
    for role, queues in held.roles_with(right).items():
        term = ("owner", str(user_id)) if role == "Owner" else ("watchers", f"{role}:{user_id}")
        alternatives.append((None if queues is None else frozenset(queues), term))
    return Hint(alternatives)


def both(*hints) -> list:
    """Hints that must all hold (None stands for no narrowing)."""
    return [h for h in hints if h is not None]
