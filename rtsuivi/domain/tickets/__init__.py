"""Ticket actions: create, reply, comment, forward, take/steal/give, status, people, fields.

Each action takes the acting user explicitly, checks rights, changes the ticket, records
Transaction rows and flushes; the caller commits. One module per concern; callers use the
names re-exported here (`from ..domain import tickets as domain; domain.take(...)`).
"""
from .create import MAX_SUBJECT, NewTicket, create
from .describe import Description, describe
from .events import PARTS, parts_changed
from .fields import EDITABLE_FIELDS, MAX_PRIORITY, MIN_PRIORITY, save_basics, set_fields, set_queue
from .links import SIDES, add_link, children_time, relations, remove_link
from .loading import (
                      find_queue,
                      find_transaction,
                      history,
                      load_outgoing_mail,
                      load_person,
                      load_visible,
                      load_watchers,
)
from .menu import ACTION_PRESETS, Action, Preset, actions_for
from .merge import merge
from .messages import ADDRESS, COMMENT_RIGHTS, REPLY_RIGHTS, comment, forward, reply
from .owner import OwnerConflict, can_give, can_steal, can_take, give, steal, take
from .people import MAX_ADDRESSES, add_watcher, parse_people, remove_watcher
from .status import set_status
from .update import update

__all__ = [
    "ACTION_PRESETS", "ADDRESS", "Action", "COMMENT_RIGHTS", "Description", "EDITABLE_FIELDS",
    "MAX_ADDRESSES", "MAX_PRIORITY", "MAX_SUBJECT", "MIN_PRIORITY", "NewTicket", "OwnerConflict",
    "PARTS", "Preset", "REPLY_RIGHTS", "actions_for", "add_watcher", "can_give", "can_steal",
    "can_take", "comment", "create", "describe", "find_queue", "find_transaction", "forward",
    "give", "history", "load_outgoing_mail", "load_person", "load_visible", "load_watchers",
    "parse_people",
    "parts_changed", "remove_watcher", "reply", "save_basics", "set_fields", "set_queue",
    "set_status", "steal", "take", "update",
    "SIDES", "add_link", "children_time", "merge", "relations", "remove_link",
]
