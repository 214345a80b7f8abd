"""Tables only: columns, relationships and tiny read-only helpers."""
from .users import Group, GroupMember, User, NOBODY_NAME, SYSTEM_NAME
from .queues import Queue
from .acl import ACE
from .tickets import Attachment, Ticket, Transaction, Watcher, utcnow
from .search import SavedSearch, SearchMark

__all__ = [
    "ACE", "Attachment", "Group", "GroupMember", "NOBODY_NAME", "Queue", "SYSTEM_NAME",
    "SavedSearch", "SearchMark",
    "Ticket", "Transaction", "User", "Watcher", "utcnow",
]
