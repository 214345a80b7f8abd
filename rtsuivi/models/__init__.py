"""Tables only: columns, relationships and tiny read-only helpers."""
from .users import Group, GroupMember, User, NOBODY_NAME, SYSTEM_NAME
from .queues import Queue
from .acl import ACE, RightsSerial
from .tickets import Attachment, Ticket, Transaction, Watcher, utcnow
from .mail import InboundMail, MailTemplate, OutboxMail
from .search import SavedSearch, SearchMark, TicketText

__all__ = [
    "ACE", "Attachment", "Group", "GroupMember", "InboundMail", "MailTemplate", "NOBODY_NAME",
    "OutboxMail", "Queue", "RightsSerial", "SYSTEM_NAME", "SavedSearch", "SearchMark", "TicketText",
    "Ticket", "Transaction", "User", "Watcher", "utcnow",
]
