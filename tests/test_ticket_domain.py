"""The ticket rules, asked of the domain directly (issue 11 item 6): each refusal is the
domain's own Forbidden or DomainError, never a form that stops earlier."""
from contextlib import contextmanager

import pytest

from rtsuivi.domain import DomainError, Forbidden, accounts
from rtsuivi.domain import tickets as domain
from rtsuivi.domain.lifecycle import TransitionRefused
from rtsuivi.extensions import db

# ---------------------------------------------------------------- describe()

def test_describe_decodes_user_ids_once_for_page_and_mail(desk, make_ticket):
    ticket = make_ticket(desk.support)
    given = domain.give(ticket, desk.alice, desk.bruno)
    watched = domain.add_watcher(ticket, desk.alice, "Cc", desk.chloe)
    status = domain.set_status(ticket, desk.alice, "open")
    db.session.flush()
    described = domain.describe(given)
    assert described.new == desk.bruno and described.old.is_nobody
    assert described.text("fr") == "affecté à Bruno Lefèvre par Alice Martin"
    assert described.text("en") == "given to Bruno Lefèvre by Alice Martin"
    cc = domain.describe(watched, {desk.chloe.id: desk.chloe})
    assert (cc.new, cc.role) == (desk.chloe, "Cc")
    assert domain.describe(status).text("fr") == "statut changé en ouvert par Alice Martin"


def test_describe_of_an_unknown_user_id_is_none_not_an_error(desk, make_ticket):
    ticket = make_ticket(desk.support)
    txn = domain.give(ticket, desk.alice, desk.bruno)
    txn.new_value = "999999"
    assert domain.describe(txn, {}).new is None


# ---------------------------------------------------------------- rules, asked directly

def test_take_of_own_ticket_is_a_domain_error(desk, make_ticket):
    ticket = make_ticket(desk.support)
    domain.take(ticket, desk.alice)
    with pytest.raises(DomainError, match="déjà l'intervenant"):
        domain.take(ticket, desk.alice)


def test_take_of_a_ticket_someone_owns_is_an_owner_conflict(desk, make_ticket):
    ticket = make_ticket(desk.support)
    domain.take(ticket, desk.bruno)
    with pytest.raises(domain.OwnerConflict, match="Bruno Lefèvre"):
        domain.take(ticket, desk.alice)


def test_steal_of_an_unowned_ticket_says_to_take_it(desk, make_ticket):
    ticket = make_ticket(desk.support)
    with pytest.raises(DomainError, match="Prendre"):
        domain.steal(ticket, desk.alice)


def test_give_to_someone_who_may_not_own_is_refused(desk, make_ticket):
    ticket = make_ticket(desk.support)
    with pytest.raises(DomainError, match="ne peut pas être intervenant"):
        domain.give(ticket, desk.alice, desk.chloe)  # an agent of another queue
    with pytest.raises(DomainError, match="ne peut pas être intervenant"):
        domain.give(ticket, desk.alice, desk.denise)  # a requester
    assert ticket.owner.is_nobody


def test_give_to_the_owner_is_refused(desk, make_ticket):
    ticket = make_ticket(desk.support)
    domain.take(ticket, desk.alice)
    with pytest.raises(DomainError, match="déjà l'intervenant"):
        domain.give(ticket, desk.alice, desk.alice)


@pytest.mark.parametrize("target, message", [("new", "nouveau"), ("bogus", "inconnu")])
def test_status_changes_the_lifecycle_refuses(desk, make_ticket, target, message):
    ticket = make_ticket(desk.support)
    domain.set_status(ticket, desk.alice, "open")
    with pytest.raises(TransitionRefused, match=message):
        domain.set_status(ticket, desk.alice, target)
    assert ticket.status == "open"


def test_status_to_the_same_status_is_refused(desk, make_ticket):
    ticket = make_ticket(desk.support)
    with pytest.raises(TransitionRefused, match="déjà au statut"):
        domain.set_status(ticket, desk.alice, "new")


def test_people_rules(desk, make_ticket):
    from rtsuivi.domain.accounts import nobody
    ticket = make_ticket(desk.support)
    with pytest.raises(DomainError, match="Rôle inconnu"):
        domain.add_watcher(ticket, desk.alice, "Boss", desk.bruno)
    with pytest.raises(DomainError, match="Nobody"):
        domain.add_watcher(ticket, desk.alice, "Cc", nobody())
    with pytest.raises(DomainError, match="n'est pas Cc"):
        domain.remove_watcher(ticket, desk.alice, "Cc", desk.bruno)
    assert domain.add_watcher(ticket, desk.alice, "Cc", desk.bruno) is not None
    assert domain.add_watcher(ticket, desk.alice, "Cc", desk.bruno) is None  # already there
    with pytest.raises(DomainError, match="Au plus"):
        domain.parse_people(", ".join(f"p{i}@example.org" for i in range(51)))


def test_update_refuses_a_status_before_writing_the_message(desk, make_ticket, make_user):
    agent = make_user(rights=("ReplyToTicket",), on=desk.support)
    ticket = make_ticket(desk.support)
    with pytest.raises(Forbidden):
        domain.update(ticket, agent, "reply", "Je résous.", status="resolved")
    assert [t.type for t in ticket.transactions] == ["Create"]


# ---------------------------------------------------------------- action x right matrix

def _take(ticket, actor, desk):
    return domain.take(ticket, actor)


def _steal(ticket, actor, desk):
    domain.take(ticket, desk.bruno)
    return domain.steal(ticket, actor)


def _give(ticket, actor, desk):
    return domain.give(ticket, actor, desk.bruno)


def _add_cc(ticket, actor, desk):
    return domain.add_watcher(ticket, actor, "Cc", desk.bruno)


def _watch(ticket, actor, desk):
    return domain.add_watcher(ticket, actor, "Cc", actor)


def _watch_as_admin_cc(ticket, actor, desk):
    return domain.add_watcher(ticket, actor, "AdminCc", actor)


def _move(ticket, actor, desk):
    return domain.set_queue(ticket, actor, desk.info)


# action: (do, the minimal sets of rights that allow it; any one set suffices)
MATRIX = {
    "take": (_take, [{"OwnTicket", "TakeTicket"}, {"OwnTicket", "ModifyTicket"},
                     {"OwnTicket", "ReassignTicket"}]),
    "steal": (_steal, [{"OwnTicket", "StealTicket"}, {"OwnTicket", "ReassignTicket"}]),
    "give": (_give, [{"ReassignTicket"}, {"ModifyTicket"}]),
    "reply": (lambda t, a, d: domain.reply(t, a, "Bonjour"),
              [{"ReplyToTicket"}, {"ModifyTicket"}]),
    "comment": (lambda t, a, d: domain.comment(t, a, "Note"),
                [{"CommentOnTicket"}, {"ModifyTicket"}]),
    "forward": (lambda t, a, d: domain.forward(t, a, "compta@example.org"),
                [{"ForwardMessage"}]),
    "open": (lambda t, a, d: domain.set_status(t, a, "open"), [{"ModifyTicket"}]),
    "resolve": (lambda t, a, d: domain.set_status(t, a, "resolved"), [{"ModifyTicket"}]),
    "delete": (lambda t, a, d: domain.set_status(t, a, "deleted"), [{"DeleteTicket"}]),
    "add_cc": (_add_cc, [{"ModifyTicket"}]),
    "watch": (_watch, [{"Watch"}, {"ModifyTicket"}]),
    "watch_as_admin_cc": (_watch_as_admin_cc, [{"WatchAsAdminCc"}, {"ModifyTicket"}]),
    "fields": (lambda t, a, d: domain.set_fields(t, a, priority=9), [{"ModifyTicket"}]),
    # ModifyTicket here, CreateTicket in the target queue (Info): see _agent.
    "move": (_move, [{"ModifyTicket", "CreateTicket@info"}]),
}
ALLOWED = [(action, sorted(rights)) for action, (_, sets) in MATRIX.items()
           for rights in sets]
REFUSED = [(action, sorted(rights - {missing}), missing)
           for action, (_, sets) in MATRIX.items() for rights in sets for missing in rights]


def _agent(make_user, desk, rights):
    agent = make_user(rights=[r for r in rights if "@" not in r], on=desk.support)
    for right in (r.split("@")[0] for r in rights if "@" in r):
        accounts.grant(f"user:{agent.name}", right, desk.info)
    db.session.commit()
    return agent


@pytest.mark.parametrize("action, rights", ALLOWED,
                         ids=[f"{a}-{'+'.join(r)}" for a, r in ALLOWED])
def test_each_right_set_allows_the_action(desk, make_ticket, make_user, action, rights):
    ticket = make_ticket(desk.support)
    agent = _agent(make_user, desk, rights)
    assert MATRIX[action][0](ticket, agent, desk) is not None


@pytest.mark.parametrize("action, rights, missing", REFUSED,
                         ids=[f"{a}-without-{m}" for a, _, m in REFUSED])
def test_each_missing_right_refuses_the_action(desk, make_ticket, make_user, action, rights,
                                               missing):
    ticket = make_ticket(desk.support)
    agent = _agent(make_user, desk, rights)
    before = len(ticket.transactions)
    with pytest.raises(Forbidden):
        MATRIX[action][0](ticket, agent, desk)
    db.session.rollback()
    assert len(ticket.transactions) <= before + (1 if action == "steal" else 0)


def test_the_people_a_history_names_come_from_the_session_when_loaded(desk, make_ticket):
    """loading.people_named: the users Owner entries show (the new owner; the old one only
    for a theft) are taken from the session when it holds them whole (no query), and loaded
    when it does not."""
    from sqlalchemy import event, select

    from rtsuivi.domain.tickets.loading import people_named
    from rtsuivi.models import Transaction
    ticket = make_ticket(desk.support)
    domain.take(ticket, desk.alice)
    domain.give(ticket, desk.alice, desk.bruno)
    expected = {desk.alice.id, desk.bruno.id}  # Nobody, Prendre's old owner, is not shown
    ticket_id = ticket.id
    db.session.commit()
    db.session.expunge_all()  # the session holds only what the history loads: its authors
    transactions = list(db.session.scalars(select(Transaction).where(
        Transaction.ticket_id == ticket_id).order_by(Transaction.id)))
    statements = []

    def count(*_args, **_kwargs):
        statements.append(1)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        named = people_named(transactions)  # Bruno, given the ticket, is not loaded: a query
        assert len(statements) == 1 and set(named) == expected
        again = people_named(transactions)  # now whole in the session: no query
        assert len(statements) == 1 and again == named
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_history_brings_the_people_its_entries_name_in_its_own_rows(desk, make_ticket):
    """loading.history: the people owner and watcher entries show come with the entries (no
    query of their own), the same as people_named finds; a value that is no user id (an
    imported entry) names nobody and breaks nothing, on PostgreSQL's cast included."""
    from rtsuivi.domain.tickets.loading import people_named
    from rtsuivi.models import Ticket, Transaction, User
    ticket = make_ticket(desk.support)
    domain.give(ticket, desk.alice, desk.bruno)
    domain.steal(ticket, desk.alice)
    domain.add_watcher(ticket, desk.alice, "Cc", desk.denise)
    db.session.commit()
    domain.remove_watcher(ticket, desk.alice, "Cc", desk.denise)
    for field, value in (("Owner", "inconnu"), ("Watcher", "12345678901234"), ("Owner", "")):
        db.session.add(Transaction(ticket=ticket, type="Give" if field == "Owner" else
                                   "AddWatcher", field=field, new_value=value,
                                   old_value=value, creator=desk.alice))
    db.session.commit()
    ticket_id, alice, bruno, denise = ticket.id, desk.alice.id, desk.bruno.id, desk.denise.id
    db.session.expunge_all()
    ticket, reader = db.session.get(Ticket, ticket_id), db.session.get(User, alice)
    domain.history(ticket, reader)  # the reader's rights read once beforehand
    with counted_statements() as statements:
        entries, people = domain.history(ticket, reader)
    assert len(statements) == 1, statements
    assert set(people) == {alice, bruno, denise}
    assert set(people) == set(people_named(entries))
    assert all(people[i].display_name == db.session.get(User, i).display_name for i in people)
    page = [domain.describe(entry, people) for entry in entries]
    assert [d.new.id for d in page if d.type == "Give" and d.new][:1] == [bruno]
    assert [d.old.id for d in page if d.type == "Steal"] == [bruno]
    assert [d.old.id for d in page if d.type == "DelWatcher"] == [denise]


def test_a_theft_shows_whom_the_ticket_was_taken_from(desk, make_ticket, login_as):
    ticket = make_ticket(desk.support)
    domain.give(ticket, desk.alice, desk.bruno)
    domain.steal(ticket, desk.alice)
    db.session.commit()
    page = login_as(desk.alice).get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "Volé à" in page and desk.bruno.display_name in page.split("Volé à", 1)[1][:300]


def _as_shown(entry) -> tuple:
    """What the history page reads of an entry, ORM transaction or HistoryEntry alike."""
    return (entry.id, entry.ticket_id, entry.type, entry.field, entry.old_value,
            entry.new_value, entry.data, entry.created, entry.time_taken,
            (entry.creator.id, entry.creator.display_name, entry.creator.email,
             entry.creator.name, entry.creator.is_nobody),
            entry.content, entry.html_content,
            [(f.id, f.filename, f.content_type, f.stored, f.size, f.transaction_id,
              f.transaction.id) for f in entry.files])


@contextmanager
def counted_statements():
    """The SQL statements run inside the block."""
    from sqlalchemy import event
    statements = []

    def count(_conn, _cursor, sql, *_args, **_kwargs):
        statements.append(sql)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_history_read_as_rows_says_what_the_transactions_say(desk, make_ticket):
    """loading.history reads the entries and their parts as rows (HistoryEntry): for each
    kind of reader, the same entries as the ORM's transactions under the same rule, with
    the same text, HTML part, files (stored or not) and authors, merged tickets included."""
    from sqlalchemy import select

    from rtsuivi.domain.reading import reader_kind, transactions_condition
    from rtsuivi.models import Attachment, Ticket, Transaction, User
    ticket, other = make_ticket(desk.support, requestors=[desk.denise]), \
        make_ticket(desk.support)
    domain.comment(other, desk.bruno, "Vu avec le fournisseur.")
    other_id = other.id
    html = domain.reply(ticket, desk.alice, "Voici la procédure.")
    html.attachments.append(Attachment(content_type="text/html",
                                       content="<p>Voici la <b>procédure</b>.</p>"))
    for name, data in (("schema.png", b"\x89PNG"), ("gros.iso", None)):
        html.attachments.append(Attachment(content_type="application/octet-stream",
                                           filename=name, content_bytes=data, size=9))
    domain.comment(ticket, desk.bruno, "Interne.")
    domain.take(ticket, desk.alice)
    db.session.commit()
    domain.merge(other, desk.alice, ticket.id)
    ticket_id, reader_ids = ticket.id, (desk.alice.id, desk.denise.id)
    db.session.commit()
    for reader_id in reader_ids:
        db.session.expunge_all()  # nothing of the history in the session beforehand
        ticket, reader = db.session.get(Ticket, ticket_id), db.session.get(User, reader_id)
        reader_kind(reader, ticket)  # the reader's rights, read once per process and serial
        with counted_statements() as statements:  # authors and parts come with the entries;
            entries, _people = domain.history(ticket, reader)  # the owner, with the ticket
        assert len(statements) == 1, statements
        shown = select(Ticket.id).where((Ticket.id == ticket.id)
                                        | (Ticket.effective_id == ticket.id))
        expected = db.session.scalars(select(Transaction).where(
            Transaction.ticket_id.in_(shown), transactions_condition(reader, ticket))
            .order_by(Transaction.id)).all()
        assert [_as_shown(e) for e in entries] == [_as_shown(t) for t in expected]
        types = [e.type for e in entries]
        assert ("Comment" in types) == ("Take" in types) == reader.privileged
        assert {e.ticket_id for e in entries} == {ticket.id, other_id}
    assert [f.filename for e in entries for f in e.files] == ["schema.png", "gros.iso"]
    assert [f.stored for e in entries for f in e.files] == [True, False]


def test_the_ticket_page_reads_the_ticket_with_its_watchers_in_one_query(desk, make_ticket):
    """load_visible(with_watchers=True): the ticket, its queue, owner and watchers (with
    their users, in order) in one statement, none included; a merged ticket leads to the
    one it was merged into (the page redirects there); a ticket the user may not see is
    still not found."""
    from rtsuivi.domain import NotFound
    from rtsuivi.models import Ticket, User
    lonely = make_ticket(desk.support)
    crowded = make_ticket(desk.support, requestors=[desk.denise], cc=[desk.bruno])
    merged = make_ticket(desk.support, requestors=[desk.chloe])
    lonely.watchers.clear()  # no requester left: the outer join's empty row
    db.session.commit()
    domain.merge(merged, desk.alice, crowded.id)
    db.session.commit()
    ids, alice_id, denise_id = (lonely.id, crowded.id, merged.id), desk.alice.id, desk.denise.id
    expected = {ticket_id: [(w.id, w.role, w.user.name) for w in db.session.get(
        Ticket, ticket_id).watchers] for ticket_id in ids[:2]}
    assert expected[ids[0]] == [] and len(expected[ids[1]]) == 3  # denise, bruno, chloe
    for ticket_id in ids[:2]:
        db.session.expunge_all()
        reader = db.session.get(User, alice_id)
        domain.load_visible(ticket_id, reader)  # the reader's rights, read once
        db.session.expunge_all()
        reader = db.session.get(User, alice_id)
        with counted_statements() as statements:
            ticket = domain.load_visible(ticket_id, reader, with_watchers=True)
            watchers = [(w.id, w.role, w.user.name) for w in ticket.watchers]
        assert ticket.id == ticket_id and watchers == expected[ticket_id]
        assert len(statements) == 1, statements
    db.session.expunge_all()
    reader = db.session.get(User, alice_id)
    assert domain.load_visible(ids[2], reader, with_watchers=True).id == ids[1]
    with pytest.raises(NotFound):  # a requester, not on `lonely`
        domain.load_visible(ids[0], db.session.get(User, denise_id), with_watchers=True)
