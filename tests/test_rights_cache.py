"""Each process keeps users' rights in memory while the rights serial row stays the same;
every grant, revoke or membership change moves the serial in its own transaction, so
another process sees it at its next request."""
from sqlalchemy import event, select, text

from rtsuivi.domain import accounts, rights
from rtsuivi.extensions import db
from rtsuivi.models import ACE, RightsSerial, User


def serial() -> int:
    return db.session.scalar(select(RightsSerial.serial).where(RightsSerial.id == 1)) or 0


class Statements:
    """Counts the SQL statements that read the rights table."""

    def __init__(self):
        self.count = 0

    def __call__(self, conn, cursor, statement, *args):
        if "FROM aces" in statement:
            self.count += 1


def in_new_request(app, fn):
    """Run fn(user alice) as a later request would: a new app context, a new session."""
    with app.app_context():
        return fn(db.session.scalar(select(User).where(User.name == "alice")))


def another_process_grants(right: str, queue_id: int, bump: bool) -> None:
    """What a grant made by another app process leaves in the database."""
    with db.engine.begin() as conn:
        user_id = conn.scalar(text("SELECT id FROM users WHERE name = 'alice'"))
        conn.execute(text("INSERT INTO aces (principal_kind, principal_id, right_name, "
                          "queue_id) VALUES ('user', :u, :r, :q)"),
                     {"u": user_id, "r": right, "q": queue_id})
        if bump:
            conn.execute(text("UPDATE rights_serial SET serial = serial + 1 WHERE id = 1"))


def test_rights_are_read_once_per_serial(app, make_user, make_queue):
    queue = make_queue("Support")
    make_user("alice", rights=["ShowTicket"], on=queue)
    db.session.commit()
    reads = Statements()
    event.listen(db.engine, "before_cursor_execute", reads)
    try:
        assert in_new_request(app, lambda alice: rights.can(alice, "ShowTicket", queue))
        first = reads.count
        assert in_new_request(app, lambda alice: rights.can(alice, "ShowTicket", queue))
        assert in_new_request(app, lambda alice: rights.can(alice, "OwnTicket", queue)) is False
    finally:
        event.remove(db.engine, "before_cursor_execute", reads)
    assert first == 1 and reads.count == 1  # the later requests read no rights


def test_a_grant_by_another_process_counts_from_its_commit(app, make_user, make_queue):
    queue = make_queue("Support")
    make_user("alice")
    db.session.commit()
    queue_id = queue.id

    def may_see(alice):
        return rights.can(alice, "ShowTicket", db.session.get(type(queue), queue_id))
    assert in_new_request(app, may_see) is False  # now cached
    another_process_grants("ShowTicket", queue_id, bump=False)
    assert in_new_request(app, may_see) is False  # the cache is used: same serial
    another_process_grants("OwnTicket", queue_id, bump=True)
    assert in_new_request(app, may_see) is True


def test_grant_revoke_and_membership_move_the_serial_in_their_transaction(app, make_user,
                                                                          make_queue):
    queue = make_queue("Support")
    alice = make_user("alice")
    db.session.commit()
    before = serial()
    accounts.grant("user:alice", "ShowTicket", queue)
    assert serial() == before + 1
    db.session.rollback()
    assert serial() == before  # undone with the grant
    assert db.session.scalar(select(ACE).where(ACE.right_name == "ShowTicket")) is None
    accounts.grant("user:alice", "ShowTicket", queue)
    accounts.revoke("user:alice", "ShowTicket", queue)
    accounts.add_member(accounts.create_group("N1"), alice)
    db.session.commit()
    assert serial() == before + 3


def test_a_privilege_change_is_seen_without_a_bump(app, make_user, make_queue):
    """The cache key holds the user's privileged and disabled flags too."""
    queue = make_queue("Support", rights={"system:Privileged": ["ShowTicket"]})
    make_user("alice", privileged=False)
    db.session.commit()
    queue_id = queue.id

    def may_see(alice):
        return rights.can(alice, "ShowTicket", db.session.get(type(queue), queue_id))
    assert in_new_request(app, may_see) is False
    db.session.execute(text("UPDATE users SET privileged = :yes WHERE name = 'alice'"),
                       {"yes": True})
    db.session.commit()
    assert in_new_request(app, may_see) is True


def test_who_may_own_is_kept_per_serial_and_follows_every_change(app, make_user, make_queue):
    """users_with_right (the reminder form's owners, asked on every ticket page) reads the
    rights once per serial; a grant, a new agent, a disabled one or a group change shows."""
    from rtsuivi.domain import people_admin
    make_user("alice", groups=["N1"])
    make_user("bruno")
    queue = make_queue("Support", rights={"group:N1": ["OwnTicket"]})
    db.session.commit()
    queue_id = queue.id

    def owners(_alice=None):
        found = rights.users_with_right("OwnTicket", db.session.get(type(queue), queue_id))
        return [user.name for user in found if user.name not in ("Nobody", "RT_System")]
    reads = Statements()
    event.listen(db.engine, "before_cursor_execute", reads)
    try:
        assert in_new_request(app, owners) == ["alice"]
        first = reads.count
        assert in_new_request(app, owners) == ["alice"]
        assert reads.count == first  # no second look at the rights
    finally:
        event.remove(db.engine, "before_cursor_execute", reads)
    accounts.grant("user:bruno", "OwnTicket", queue)
    db.session.commit()
    assert in_new_request(app, owners) == ["alice", "bruno"]
    accounts.grant("system:Privileged", "OwnTicket", queue)
    db.session.commit()
    assert in_new_request(app, owners) == ["alice", "bruno"]
    accounts.create_user("chloe", privileged=True)
    accounts.create_user("denise", privileged=False)
    db.session.commit()
    assert in_new_request(app, owners) == ["alice", "bruno", "chloe"]
    people_admin.set_disabled(None, db.session.scalar(select(User).where(
        User.name == "bruno")), True)
    db.session.commit()
    assert in_new_request(app, owners) == ["alice", "chloe"]


def test_owner_names_and_applying_fields_are_kept_per_serial_and_follow_changes(
        app, make_user, make_queue):
    """The reminder form's options (names_with_right) and whether a custom field applies to
    a queue (fields_for, asked by every ticket page) are read once per rights serial. A
    rename, a new field, a field applied elsewhere, back, or disabled shows at the next
    request: their flush bumps the serial (rights._follow_shown_changes), and so does
    another process's."""
    from rtsuivi.domain import custom_fields as cf
    admin = make_user("cfadmin", rights=("AdminCustomField",))
    make_user("alice", groups=["N1"], real_name="Alice Martin")
    queue = make_queue("Support", rights={"group:N1": ["OwnTicket", "SeeCustomField"]})
    other = make_queue("Info")
    db.session.commit()
    queue_id = queue.id

    def names(_alice=None):
        found = rights.names_with_right("OwnTicket", db.session.get(type(queue), queue_id))
        return [shown for _id, name, shown in found if name not in ("Nobody", "RT_System")]

    def fields(alice):
        return [f.name for f in cf.fields_for(db.session.get(type(queue), queue_id), alice)]

    class Reads:
        def __init__(self):
            self.names = self.fields = 0

        def __call__(self, conn, cursor, statement, *args):
            self.names += "FROM users" in statement and "users.id IN" in statement
            self.fields += "FROM custom_fields" in statement
    assert in_new_request(app, names) == ["Alice Martin"]
    assert in_new_request(app, fields) == []
    reads = Reads()
    event.listen(db.engine, "before_cursor_execute", reads)
    try:
        assert in_new_request(app, names) == ["Alice Martin"]
        assert in_new_request(app, fields) == []
        assert (reads.names, reads.fields) == (0, 0)  # neither read again
    finally:
        event.remove(db.engine, "before_cursor_execute", reads)
    alice = db.session.scalar(select(User).where(User.name == "alice"))
    alice.real_name = "Alice Renommée"
    db.session.commit()
    assert in_new_request(app, names) == ["Alice Renommée"]
    with db.engine.begin() as conn:  # another process renames her, its flush bumps the serial
        conn.execute(text("UPDATE users SET real_name = 'Alice Dupont' WHERE name = 'alice'"))
        conn.execute(text("UPDATE rights_serial SET serial = serial + 1 WHERE id = 1"))
    assert in_new_request(app, names) == ["Alice Dupont"]
    cf.create_field(admin, "Catégorie", "freeform", queues=[other])
    db.session.commit()
    assert in_new_request(app, fields) == []
    reference = cf.create_field(admin, "Référence", "freeform", queues=[queue])
    db.session.commit()
    assert in_new_request(app, fields) == ["Référence"]
    cf.set_queues(admin, reference, False, [other])
    db.session.commit()
    assert in_new_request(app, fields) == []
    cf.set_queues(admin, reference, False, [queue])
    db.session.commit()
    assert in_new_request(app, fields) == ["Référence"]
    cf.set_disabled(admin, reference, True)
    db.session.commit()
    assert in_new_request(app, fields) == []
