"""Tables only: columns, relationships and tiny read-only helpers."""
from .account_links import AccountLink
from .acl import ACE, RightsSerial
from .audit import AuditEntry
from .custom_fields import CustomField, CustomFieldQueue, CustomFieldValue, TicketCustomFieldValue
from .dashboards import Dashboard, DashboardSubscription, Portlet
from .desk import Bookmark, CannedResponse, Reminder
from .links import Link
from .mail import InboundMail, MailTemplate, OutboxMail
from .presence import TicketPresence
from .queues import Queue, QueueWatcher, ScripOff
from .search import SavedSearch, SearchMark, TicketText
from .tickets import Attachment, Ticket, Transaction, Watcher, utcnow
from .users import NOBODY_NAME, SYSTEM_NAME, Group, GroupMember, LoginThrottle, User

__all__ = [
    "ACE", "AccountLink",
    "Attachment", "AuditEntry", "CustomField", "CustomFieldQueue", "CustomFieldValue",
    "TicketCustomFieldValue", "Group", "GroupMember", "InboundMail", "Link", "LoginThrottle",
    "MailTemplate",
    "NOBODY_NAME", "OutboxMail", "Queue", "QueueWatcher", "RightsSerial", "ScripOff",
    "SYSTEM_NAME", "SavedSearch",
    "SearchMark", "TicketText",
    "Ticket", "Transaction", "User", "Watcher", "utcnow",
    "Bookmark", "CannedResponse", "Reminder",
    "TicketPresence",
    "Dashboard", "DashboardSubscription", "Portlet",
]
