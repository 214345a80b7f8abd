"""Tables only: columns, relationships and tiny read-only helpers."""
from .acl import ACE
from .mail import InboundMail, MailTemplate, OutboxMail
from .queues import Queue
from .search import SavedSearch, SearchMark
from .tickets import Attachment, Ticket, Transaction, Watcher, utcnow
from .users import NOBODY_NAME, SYSTEM_NAME, Group, GroupMember, LoginThrottle, User

__all__ = [
    "ACE", "Attachment", "Group", "GroupMember", "InboundMail", "LoginThrottle", "MailTemplate",
    "NOBODY_NAME",
    "OutboxMail", "Queue", "SYSTEM_NAME", "SavedSearch", "SearchMark",
    "Ticket", "Transaction", "User", "Watcher", "utcnow",
]
