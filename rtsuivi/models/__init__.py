"""Tables only: columns, relationships and tiny read-only helpers."""
from .acl import ACE, RightsSerial
from .audit import AuditEntry
from .custom_fields import CustomField, CustomFieldQueue, CustomFieldValue, TicketCustomFieldValue
from .mail import InboundMail, MailTemplate, OutboxMail
from .queues import Queue
from .search import SavedSearch, SearchMark, TicketText
from .tickets import Attachment, Ticket, Transaction, Watcher, utcnow
from .users import NOBODY_NAME, SYSTEM_NAME, Group, GroupMember, LoginThrottle, User

__all__ = [
    "ACE", "Attachment", "AuditEntry", "CustomField", "CustomFieldQueue", "CustomFieldValue",
    "TicketCustomFieldValue", "Group", "GroupMember", "InboundMail", "LoginThrottle",
    "MailTemplate",
    "NOBODY_NAME", "OutboxMail", "Queue", "RightsSerial", "SYSTEM_NAME", "SavedSearch",
    "SearchMark", "TicketText",
    "Ticket", "Transaction", "User", "Watcher", "utcnow",
]
