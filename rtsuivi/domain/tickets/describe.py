"""What one history entry says, decoded once: the history template and the outgoing mail
both read it (values are stored as strings; user ids become users here, nowhere else)."""
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _

from ...models import Transaction, User
from .. import lifecycle
from .links import SIDES

USER_FIELDS = ("Owner", "Watcher")


@dataclass(frozen=True)
class Description:
    type: str          # the transaction type (Create, Correspond, Status, Take, Set…)
    actor: User
    field: str | None
    old: object        # a User for owner and watcher entries, else the stored text
    new: object
    role: str | None   # the watcher role of AddWatcher / DelWatcher
    to: str | None     # the addresses of a Forward

    def text(self, lang: str | None = None) -> str:
        """One line of plain text (the mail's transaction.description), in lang if given."""
        if lang:
            with force_locale(lang):
                return self.text()
        who = self.actor.display_name
        if self.type == "Create":
            return _("ticket créé par %(who)s", who=who)
        if self.field == "Owner":
            return _("affecté à %(new)s par %(who)s", who=who,
                     new=self.new.display_name if self.new else "?")
        if self.type == "Status":
            return _("statut changé en %(new)s par %(who)s",
                     new=lifecycle.label(self.new or ""), who=who)
        if self.type in ("AddLink", "DeleteLink", "Merge"):
            return self._link_text(who)
        return _("mis à jour par %(who)s", who=who)

    def _link_text(self, who: str) -> str:
        """The line of a relation added or removed, or of a merge."""
        if self.type == "Merge":
            return _("Ticket #%(old)s fusionné dans #%(new)s par %(who)s", old=self.old,
                     new=self.new, who=who)
        side = SIDES.get(self.field or "")
        relation = str(side.label) if side else self.field
        if self.type == "AddLink":
            return _("Relation ajoutée par %(who)s : %(relation)s #%(id)s", who=who,
                     relation=relation, id=self.new)
        return _("Relation retirée par %(who)s : %(relation)s #%(id)s", who=who,
                 relation=relation, id=self.old)


def _user(value: str | None, people: dict[int, User]) -> User | None:
    return people.get(int(value)) if value and value.isdigit() else None


def describe(txn: Transaction, people: dict[int, User] | None = None) -> Description:
    """Decode one history entry; people maps the user ids it names (see people_named)."""
    if people is None:
        from .loading import people_named
        people = people_named([txn])
    old, new = txn.old_value, txn.new_value
    if txn.field in USER_FIELDS:
        old, new = _user(old, people), _user(new, people)
    # A CustomField entry names its field by id and keeps the field's name of that day.
    field = txn.data if txn.type == "CustomField" else txn.field
    return Description(type=txn.type, actor=txn.creator, field=field, old=old, new=new,
                       role=txn.data if txn.field == "Watcher" else None,
                       to=txn.data if txn.type == "Forward" else None)
