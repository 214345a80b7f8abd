"""What one history entry says, decoded once: the history template and the outgoing mail
both read it (values are stored as strings; user ids become users here, nowhere else)."""
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from flask_babel import force_locale
from flask_babel import gettext as _

from ...extensions import db
from ...models import Transaction, User
from ...models.base import stored_id
from .. import lifecycle
from .links import SIDES

USER_FIELDS = ("Owner", "Watcher")


@dataclass(frozen=True)
class Description:
    type: str          # the transaction type (Create, Correspond, Status, Take, Set…)
    actor: User
    field: str | None
    old_value: str | None  # as stored; .old and .new decode them
    new_value: str | None
    role: str | None   # the watcher role of AddWatcher / DelWatcher
    to: str | None     # the addresses of a Forward
    names_people: bool = False  # an owner or watcher entry: its values are user ids
    people: dict = dataclass_field(default_factory=dict, compare=False, repr=False)

    @property
    def old(self):
        """A User for owner and watcher entries, else the stored text."""
        return self._decoded(self.old_value)

    @property
    def new(self):
        return self._decoded(self.new_value)

    def _decoded(self, value):
        if not self.names_people:
            return value
        user_id = stored_id(value)
        if user_id is None:
            return None
        # A user the history does not show (Prendre's old owner, Nobody) is not in people
        # (loading._shown_people): read here only if asked for.
        return self.people.get(user_id) or db.session.get(User, user_id)

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


def describe(txn: Transaction, people: dict[int, User] | None = None) -> Description:
    """Decode one history entry; people maps the user ids it names (see people_named)."""
    if people is None:
        from .loading import people_named
        people = people_named([txn])
    # A CustomField entry names its field by id and keeps the field's name of that day.
    shown_field = txn.data if txn.type == "CustomField" else txn.field
    return Description(type=txn.type, actor=txn.creator, field=shown_field,
                       old_value=txn.old_value, new_value=txn.new_value,
                       role=txn.data if txn.field == "Watcher" else None,
                       to=txn.data if txn.type == "Forward" else None,
                       names_people=txn.field in USER_FIELDS, people=people)
