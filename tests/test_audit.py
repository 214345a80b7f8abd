"""The audit log records administrative changes: who, what, before and after."""
from rtsuivi.domain import audit
from rtsuivi.extensions import db


def test_update_records_only_the_fields_that_changed(make_user):
    admin = make_user("boss")
    entry = audit.record(admin, "user", 7, "alice", "update",
                         {"real_name": "Alice", "lang": "fr"},
                         {"real_name": "Alice Martin", "lang": "fr"})
    db.session.commit()
    assert audit.decoded(entry.before) == {"real_name": "Alice"}
    assert audit.decoded(entry.after) == {"real_name": "Alice Martin"}
    assert entry.actor_id == admin.id


def test_update_that_changed_nothing_records_nothing(make_user):
    admin = make_user("boss")
    assert audit.record(admin, "queue", 1, "Général", "update", {"a": 1}, {"a": 1}) is None
    db.session.commit()
    assert audit.entries()[1] == 0


def test_entries_filter_by_kind_and_actor_newest_first(make_user):
    one, two = make_user("one"), make_user("two")
    audit.record(one, "group", 1, "Support", "create", after={"name": "Support"})
    audit.record(two, "queue", 2, "Général", "disable")
    audit.record(one, "queue", 2, "Général", "enable")
    db.session.commit()
    rows, total = audit.entries(kind="queue")
    assert total == 2 and [r.action for r in rows] == ["enable", "disable"]
    rows, total = audit.entries(actor_id=one.id)
    assert total == 2 and {r.object_kind for r in rows} == {"group", "queue"}


def test_long_values_are_cut(make_user):
    entry = audit.record(None, "user", 1, "x", "create",
                         after=audit.snapshot(type("U", (), {"signature": "s" * 5000})(),
                                              ("signature",)))
    assert len(audit.decoded(entry.after)["signature"]) == audit.MAX_VALUE + 1
