"""What RT-suivi does, in RT's words. No Flask request objects in here."""


class DomainError(Exception):
    """A rule refused the action; the message is shown to the user and nothing changed."""


class Forbidden(Exception):
    """The actor lacks the right for this action (a 403, not a form error to re-show)."""


class NotFound(DomainError):
    """The object does not exist or the actor may not know it exists."""
