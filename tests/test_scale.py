"""What keeps pages cheap at 100,000 tickets and more (issue 16): claims on the work a page
does, which the benchmark (bench/run.py) then measures."""
from jinja2.runtime import Macro
from sqlalchemy import text

from rtsuivi.domain import queries
from rtsuivi.domain import tickets as domain
from rtsuivi.extensions import db


def macro_calls(monkeypatch, fn) -> int:
    """How many Jinja macro calls fn() makes."""
    calls = [0]
    real = Macro._invoke

    def counting(self, *args, **kwargs):
        calls[0] += 1
        return real(self, *args, **kwargs)
    monkeypatch.setattr(Macro, "_invoke", counting)
    try:
        fn()
    finally:
        monkeypatch.setattr(Macro, "_invoke", real)
    return calls[0]


def test_a_plain_history_entry_costs_one_macro_call(desk, make_ticket, login_as, monkeypatch):
    short = make_ticket(desk.support, status="open")
    long = make_ticket(desk.support, status="open")  # replies add no Status entry
    for n in range(10):
        domain.reply(long, desk.alice, f"Réponse numéro {n}")
    db.session.commit()
    client = login_as(desk.alice)
    pages = {}

    def show(ticket):
        pages[ticket.id] = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    one = macro_calls(monkeypatch, lambda: show(short))
    eleven = macro_calls(monkeypatch, lambda: show(long))
    assert eleven - one <= 10  # the entry's own macro; not person() and message_body() too
    assert "Réponse numéro 9" in pages[long.id]
    assert pages[long.id].count('<span class="person" title="alice@example.org">Alice Martin'
                                '</span>') >= 10


def test_the_newest_unowned_tickets_come_from_an_index_not_a_sort(desk, make_ticket):
    """Home's "unowned tickets": read in created order from (owner_id, created), stopping
    at ten, rather than sorting every unowned active ticket (10k at 100k tickets)."""
    for _ in range(3):
        make_ticket(desk.support)
    query = queries.unowned_query(desk.alice, 10)
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name != "sqlite":
        return  # PostgreSQL's planner chooses by its statistics; the index is there too
    plan = [row[3] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))]
    assert any("ix_tickets_owner_created" in step for step in plan), plan
    assert not any("TEMP B-TREE FOR ORDER BY" in step for step in plan), plan
    assert len(queries.unowned_tickets(desk.alice)) == 3


def test_a_subject_search_on_sqlite_ignores_case_without_lower_on_every_row(desk, make_ticket):
    from sqlalchemy import select

    from rtsuivi.domain.ticketsql import compile_query
    from rtsuivi.models import Ticket
    printer = make_ticket(desk.support, subject="Imprimante du 3e étage")
    make_ticket(desk.support, subject="Écran noir")
    condition = compile_query("Subject LIKE 'IMPRIM'", desk.alice).condition
    assert set(db.session.scalars(select(Ticket.id).where(condition))) == {printer.id}
    sql = str(select(Ticket.id).where(condition).compile(db.engine))
    if db.engine.dialect.name == "sqlite":
        assert "lower(" not in sql


def test_status_and_priority_searches_count_on_an_index(desk, make_ticket):
    from sqlalchemy import func, select

    from rtsuivi.domain.ticketsql import compile_query
    from rtsuivi.models import Ticket
    for priority in (10, 60, 90):
        make_ticket(desk.support, priority=priority)
    condition = compile_query("(Status = 'new' OR Status = 'open') AND Priority >= 50",
                              desk.alice).condition
    query = select(func.count(Ticket.id)).where(condition)
    assert db.session.scalar(query) == 2
    if db.engine.dialect.name == "sqlite":
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = " ".join(row[3] for row in db.session.execute(
            text(f"EXPLAIN QUERY PLAN {compiled}")))
        assert "ix_tickets_status_queue_priority" in plan, plan


def test_one_indexer_round_is_one_batch_and_one_index_commit(app, tmp_path, desk, make_ticket,
                                                             monkeypatch):
    """The indexer thread takes one batch per round (then waits a moment for more): under a
    burst of mail the marks arriving meanwhile join the next round's single index commit."""
    from sqlalchemy import func, select

    from rtsuivi import search
    from rtsuivi.models import SearchMark
    app.config.update(RTSUIVI_INDEX_DIR=str(tmp_path / "index"), RTSUIVI_INDEX_MODE="off")
    search.rebuild()
    for _ in range(5):
        make_ticket(desk.support)
    commits = []
    real = search.index._commit
    monkeypatch.setattr(search.index.writer, "_commit", lambda w: (commits.append(1), real(w)))

    def marks():
        db.session.commit()
        return db.session.scalar(select(func.count()).select_from(SearchMark))
    pending = marks()
    assert pending >= 5
    search.index.drain(batch=2, rounds=1)
    assert len(commits) == 1 and marks() == pending - 2
    search.index.drain(batch=2)
    assert marks() == 0


def test_a_list_row_costs_one_macro_call(desk, make_ticket, login_as, monkeypatch):
    """Search results and home lists draw a row in one macro call, not one per cell (plus
    status_badge and person): 50 rows made ~550 calls."""
    from urllib.parse import urlencode
    client = login_as(desk.alice)
    url = "/recherche/resultats?" + urlencode({"query": "Queue = 'Support'"})
    make_ticket(desk.support, requestors=[desk.denise])
    one = macro_calls(monkeypatch, lambda: client.get(url))
    for _ in range(10):
        make_ticket(desk.support, requestors=[desk.denise])
    eleven = macro_calls(monkeypatch, lambda: client.get(url))
    assert eleven - one <= 10
    page = client.get(url).get_data(as_text=True)
    assert page.count('<span class="person" title="denise@example.org">Denise Garnier</span>') == 11
    assert page.count('<span class="status status-new">') == 11


def test_pages_and_totals_are_exact_on_both_sides_of_the_window(desk, make_ticket,
                                                                 monkeypatch):
    """paginate() reads the first WINDOW ids at once: with fewer matches they give the
    count without a count query; with more, the count query does, unless the page asked is
    the last and not full. Same pages either way."""
    from sqlalchemy import event

    from rtsuivi.models import Ticket
    monkeypatch.setattr(queries, "WINDOW", 4)
    made = []
    for n in range(7):
        made.append(make_ticket(desk.support).id)
        for per_page in (1, 2, 3, 5):
            for page in (1, 2, 3, 4):
                got = queries.paginate([Ticket.queue_id == desk.support.id], [("id", "asc")],
                                       page, per_page)
                start = (page - 1) * per_page
                assert (got.total, [t.id for t in got.items]) == \
                    (len(made), made[start:start + per_page]), (n, per_page, page)
    counts = []

    def seen(conn, cursor, statement, *args):
        counts.append("count(" in statement)
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        queries.paginate([Ticket.id.in_(made[:3])], [("id", "asc")], 1, 2)
        assert not any(counts)  # 3 matches, within the window: no count query
        last = queries.paginate([Ticket.queue_id == desk.support.id], [("id", "asc")], 2, 5)
        assert not any(counts)  # a last page not full, past the window: its total is known
        assert (last.total, len(last.items)) == (7, 2)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


def test_a_queue_list_of_every_status_is_counted_on_the_queue_index(desk, make_ticket,
                                                                     monkeypatch):
    """The list of a queue's tickets, merged ones left out (effective_id IS NULL), is read
    and counted on (queue_id, status, effective_id) alone; the effective_id index holds only
    merged tickets, so SQLite never walks it for IS NULL (every ticket: the whole table)."""
    from sqlalchemy import event
    for status in ("new", "open", "resolved"):
        make_ticket(desk.support, status=status)
    statements = []

    def seen(conn, cursor, statement, parameters, *args):
        statements.append((" ".join(statement.split()), parameters))
    monkeypatch.setattr(queries, "WINDOW", 2)  # 3 matches: the ids, then the count query
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        page = queries.queue_tickets(desk.alice, desk.support, "all", per_page=2)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert page.total == 3 and len(page.items) == 2
    if db.engine.dialect.name != "sqlite":
        return  # PostgreSQL's planner chooses by its statistics; the indexes are there too
    asked = [(statement, parameters) for statement, parameters in statements
             if "FROM tickets WHERE" in statement and "effective_id IS NULL" in statement]
    assert len(asked) == 2  # the ids and the count
    for statement, parameters in asked:
        plan = " ".join(row[3] for row in db.session.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", parameters))
        assert "COVERING INDEX ix_tickets_queue_status" in plan, plan

