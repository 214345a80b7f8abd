"""Which parts of the ticket page the recorded transactions changed.

The page has five parts (RT 6's ticket page boxes): basics (the summary), people, actions
(the menu, which follows status, owner and the actor's roles), history and files (the
« Pièces jointes » box, changed only by a message that brings files). A view
announces `ticket-<part>-changed` for each part changed but the box it answers with.
"""
from sqlalchemy import event
from sqlalchemy.orm import Session

from ...extensions import db
from ...models import Transaction, User

PARTS = ("basics", "people", "actions", "history", "files")
_KEY = "rtsuivi.recorded"


def remember(txn: Transaction) -> None:
    """Note a transaction recorded in this database transaction (see parts_changed)."""
    db.session.info.setdefault(_KEY, []).append(txn)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session) -> None:
    session.info.pop(_KEY, None)


def _parts_of(txn: Transaction, actor: User) -> set[str]:
    parts = {"basics", "history"}  # every entry moves Updated/UpdatedBy and the history
    if txn.type in ("Create", "Take", "Steal", "Give", "Untake"):
        parts |= {"people", "actions"}
    elif txn.type == "Status":
        parts.add("actions")
    elif txn.type in ("AddWatcher", "DelWatcher"):
        parts.add("people")
        if str(actor.id) in (txn.old_value, txn.new_value):
            parts.add("actions")  # the actor's own roles may grant rights (RT's role rights)
    elif txn.type == "Set" and txn.field == "Queue":
        parts |= {"people", "actions"}  # rights follow the queue; the owner may be reset
    if txn.type in ("Create", "Correspond", "Comment") and txn.files:
        parts.add("files")  # « Pièces jointes » lists them
    return parts


def parts_changed(actor: User) -> set[str]:
    """Name the page parts changed by the transactions recorded since the last commit.

    Call it before committing (a commit forgets them).
    """
    parts = set()
    for txn in db.session.info.get(_KEY, ()):
        parts |= _parts_of(txn, actor)
    return parts


def parts_of(transactions, viewer: User) -> set[str]:
    """Name the page parts that these entries changed, for a viewer catching up."""
    parts = set()
    for txn in transactions:
        parts |= _parts_of(txn, viewer)
    return parts
