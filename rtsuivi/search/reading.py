"""Which indexed fields a user's words may match, for both backends.

The public fields (subject, messages, requestors) count on every ticket the user sees. Each
restricted field (schema.RESTRICTED: comments for ShowTicketComments, custom field values
for SeeCustomField) counts only on the tickets where the user holds its right. A ticket
matches when the words hold on its public fields plus some of the restricted fields the
user may read there: words may combine a public field and a restricted one, or, where the
user holds both rights, the two restricted fields.

SeeCustomField is granted per queue (or globally, or to a role), never per field, so one
`custom` field holds every value of a ticket's enabled fields; a disabled field's values are
not indexed at all (custom_fields.custom_field_texts).
"""
from dataclasses import dataclass
from itertools import combinations

from ..domain.rights import rights_of
from ..models import User
from .index import PUBLIC_FIELDS, RESTRICTED, is_single_unit


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
class Reading:
    everywhere: tuple[str, ...]  # the fields read on every ticket the user sees
    somewhere: tuple[str, ...]  # restricted fields read on some tickets only

    def extensions(self, text: str) -> list[tuple[str, ...]]:
        """The groups of restricted fields to try after the `everywhere` fields, each
        counted only where the user holds every right of the group.

        One word or one phrase matches within one field: each field alone tells what it
        adds (cheap, the field is small). Several words may match across fields: every
        combination, asked together with the `everywhere` fields.
        """
        if not self.somewhere:
            return []
        if is_single_unit(text):
            return [(name,) for name in self.somewhere]
        return [group for size in range(1, len(self.somewhere) + 1)
                for group in combinations(self.somewhere, size)]

    def fields(self, text: str, group: tuple[str, ...]) -> tuple[str, ...]:
        """The fields to ask for one group of extensions(text)."""
        return group if is_single_unit(text) else self.everywhere + group


def reading(user: User) -> Reading:
    """The fields the user's words may match, everywhere and on some tickets."""
    everywhere, somewhere = list(PUBLIC_FIELDS), []
    for name, right in RESTRICTED.items():
        readable = _readable(user, right)
        if readable:
            everywhere.append(name)
        elif readable is None:
            somewhere.append(name)
    return Reading(tuple(everywhere), tuple(somewhere))


def rights_of_group(group: tuple[str, ...]) -> list[str]:
    """The rights a ticket needs for a group of restricted fields to count on it."""
    return [RESTRICTED[name] for name in group]
