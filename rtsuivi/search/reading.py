"""Which indexed fields a user's words may match, for both backends.

The public fields (subject, messages, requestors) count on every ticket the user sees. Each
restricted field (schema.RESTRICTED: comments for ShowTicketComments, custom field values
for SeeCustomField) counts only on the tickets where the user holds its right. On each
ticket the words are matched against exactly the fields the user reads there: they may
combine a public field and a restricted one, or, where the user holds both rights, the two
restricted fields; `-word` also looks at them.

SeeCustomField is granted per queue (or globally, or to a role), never per field, so one
`custom` field holds every value of a ticket's enabled fields; a disabled field's values are
not indexed at all (custom_fields.custom_field_texts).
"""
from dataclasses import dataclass
from itertools import combinations

from ..domain.custom_fields import any_enabled
from ..domain.rights import rights_of
from ..models import User
from .index import PUBLIC_FIELDS, RESTRICTED, is_monotone, is_single_unit


def _readable(user: User, right: str) -> bool | None:
    """True on every ticket, False on none, None on some tickets only."""
    if right == "ShowTicketComments" and not user.privileged:
        return False  # as in RT, comments are never shown to requesters
    held = rights_of(user)
    if held.queues_with(right) is None:
        return True
    if held.queues_with(right) or held.roles_with(right):
        return None
    return False


@dataclass
class Step:
    """Ask these fields; keep the hits on tickets where the user holds every right of
    `needed` and none of `lacking` (both empty: keep them all)."""
    fields: tuple[str, ...]
    needed: tuple[str, ...] = ()
    lacking: tuple[str, ...] = ()


@dataclass
class Reading:
    everywhere: tuple[str, ...]  # the fields read on every ticket the user sees
    somewhere: tuple[str, ...]  # restricted fields read on some tickets only

    def steps(self, text: str) -> list[Step]:
        """The queries whose filtered hits, together, are the tickets matching the words.

        Without NOT, reading more fields only adds matches: the `everywhere` fields first,
        then each group of restricted fields where the user holds all their rights. One
        word or one phrase matches within one field: each field alone tells what it adds
        (cheap, the field is small). With NOT, each group counts on the tickets where the
        user reads exactly that group (a word they may read there can exclude the ticket).
        """
        groups = [group for size in range(1, len(self.somewhere) + 1)
                  for group in combinations(self.somewhere, size)]
        if is_single_unit(text):
            return [Step(self.everywhere)] + [
                Step((name,), _rights((name,))) for name in self.somewhere]
        if is_monotone(text):
            return [Step(self.everywhere)] + [
                Step(self.everywhere + group, _rights(group)) for group in groups]
        return [Step(self.everywhere + group, _rights(group),
                     _rights(tuple(n for n in self.somewhere if n not in group)))
                for group in [(), *groups]]


def _rights(group: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(RESTRICTED[name] for name in group)


def reading(user: User) -> Reading:
    """The fields the user's words may match, everywhere and on some tickets."""
    everywhere, somewhere = list(PUBLIC_FIELDS), []
    for name, right in RESTRICTED.items():
        if name == "custom" and not any_enabled():
            continue  # no value is indexed: asking the field would only cost a query
        readable = _readable(user, right)
        if readable:
            everywhere.append(name)
        elif readable is None:
            somewhere.append(name)
    return Reading(tuple(everywhere), tuple(somewhere))
