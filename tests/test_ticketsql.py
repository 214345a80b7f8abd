"""TicketSQL: the parser (valid queries, positioned errors, generated queries) and the
compiled conditions run against a small desk, always within the user's rights."""
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from rtsuivi.domain import tickets as domain
from rtsuivi.domain import ticketsql
from rtsuivi.domain.relative_dates import parse_date, zone_of
from rtsuivi.domain.simple_search import to_ticketsql
from rtsuivi.domain.ticketsql import TicketSQLError, compile_query, parse
from rtsuivi.extensions import db
from rtsuivi.models import Ticket


@pytest.fixture(autouse=True)
def french_request(app):
    """Messages are lazy French strings: read them inside a request."""
    with app.test_request_context():
        yield


VALID = [  # the query, and the tree it parses to (quoted values in quotes)
    ("", ""),
    ("id = 5", "id = 5"),
    ("Status = 'open'", "status = 'open'"),
    ('Status = "__Active__" AND Queue = \'Support\'',
     "(status = '__Active__' AND queue = 'Support')"),
    ("(Owner = '__CurrentUser__' OR Owner = 'Nobody') AND Priority >= 3",
     "((owner = '__CurrentUser__' OR owner = 'Nobody') AND priority >= 3)"),
    ("Requestor.EmailAddress LIKE '@example.org'",
     "requestor.emailaddress LIKE '@example.org'"),
    ("Requestors NOT LIKE 'denise'", "requestors NOT LIKE 'denise'"),
    ("Subject STARTSWITH 'Imp' OR Subject NOT ENDSWITH 'panne'",
     "(subject STARTSWITH 'Imp' OR subject NOT ENDSWITH 'panne')"),
    ("Due IS NULL AND Resolved IS NOT NULL", "(due IS NULL AND resolved IS NOT NULL)"),
    ("LastUpdated > Resolved", "lastupdated > Resolved"),  # a field, not a value
    ("Created > '-7 days' AND Created < 'today'",
     "(created > '-7 days' AND created < 'today')"),
    ("Content LIKE 'imprimante'", "content LIKE 'imprimante'"),
    ("id = '__Bookmarked__'", "id = '__Bookmarked__'"),
    ("AdminCc.Name SHALLOW = 'chloe'", "admincc.name = 'chloe'"),
    ("status = 'open' and queue != 'Info'", "(status = 'open' AND queue != 'Info')"),
    ("Subject = 'l\\'imprimante'", "subject = 'l'imprimante'"),
    ("((Status = 'new'))", "status = 'new'"),
]
INVALID = [
    ("Status =", 8, "Valeur attendue"),
    ("Status = 'open", 9, "Guillemet non fermé"),
    ("Foo = 1", 0, "Champ inconnu"),
    ("Status = 'open' Queue = 'x'", 16, "AND ou OR attendu"),
    ("(Status = 'open'", 16, "Parenthèse fermante attendue"),
    ("Status = 'open')", 15, "Parenthèse fermante sans ouvrante"),
    ("Status 'open'", 7, "Opérateur attendu"),
    ("Status IS 'open'", 10, "NULL attendu"),
    ("Subject NOT = 'x'", 12, "LIKE, STARTSWITH ou ENDSWITH attendu"),
    ("AND Status = 'open'", 0, "Nom de champ attendu"),
    ("Status = 'open' AND", 19, "Nom de champ attendu"),
    ("Owner.Shoe = 'x'", 0, "Champ inconnu"),
    ("TxnCF.{Service} = 'RH'", 0, "pas encore pris en charge"),
    ("DependsOn.Name = 5", 0, "Champ inconnu"),
    ("Status ! 'x'", 7, "Opérateur inconnu"),
]
COMPILE_ERRORS = [
    ("Priority LIKE 'x'", 9, "Opérateur LIKE impossible"),
    ("Priority = 'haute'", 11, "Nombre attendu"),
    ("Created < 'la semaine des quatre jeudis'", 10, "Date non comprise"),
    ("Created LIKE '2024'", 8, "Opérateur LIKE impossible"),
    ("Content < 'x'", 8, "Opérateur < impossible"),
    ("Owner.id = 'bob'", 11, "Nombre attendu"),
]


def _shape(node) -> str:
    """A parsed tree written back: fields canonical, groups in parentheses."""
    if node is None:
        return ""
    if isinstance(node, ticketsql.BoolOp):
        return "(" + f" {node.op} ".join(_shape(item) for item in node.items) + ")"
    value = node.value if node.value is None or node.value_is_word else f"'{node.value}'"
    name = node.field + (f".{node.sub}" if node.sub else "")
    return " ".join(part for part in (name, node.op, value) if part is not None)


@pytest.mark.parametrize("query,tree", VALID)
def test_valid_queries_parse_into_the_tree_they_say(query, tree):
    assert _shape(parse(query)) == tree


@pytest.mark.parametrize("query,position,message", INVALID)
def test_invalid_queries_name_the_position(query, position, message):
    with pytest.raises(TicketSQLError) as error:
        parse(query)
    assert error.value.position == position
    assert message in str(error.value.message)
    assert f"caractère {position + 1}" in str(error.value)


@pytest.mark.parametrize("query,position,message", COMPILE_ERRORS)
def test_invalid_values_name_the_position(desk, query, position, message):
    with pytest.raises(TicketSQLError) as error:
        compile_query(query, desk.alice, fulltext=lambda words, **hint: set())
    assert error.value.position == position
    assert message in str(error.value.message)


def test_the_tree_keeps_precedence_and_before_or():
    tree = parse("Status = 'new' OR Status = 'open' AND Priority > 2")
    assert tree.op == "OR"
    assert tree.items[1].op == "AND"


# ---------------------------------------------------------------- generated queries

TOKENS = st.sampled_from([
    "Status", "Queue", "Owner", "Requestor.EmailAddress", "Subject", "Priority", "Created",
    "Due", "Content", "id", "Foo", "CF.{X}", "=", "!=", "<", ">=", "LIKE", "NOT", "IS",
    "NULL", "AND", "OR", "(", ")", "'open'", "'x", '"a b"', "3", "-7 days", "'today'",
    "__CurrentUser__", "'2024-05-01'", "\\", "{", "}", "!", "'; DROP TABLE tickets; --",
    "'%'", "'_'", "SHALLOW", "'1e999'", "'-99999999999999999999'", "'+999999 years'",
])


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.lists(TOKENS, max_size=12).map(" ".join), st.text(max_size=40)))
def test_generated_queries_parse_or_fail_with_a_position(desk, query):
    """Never another exception; a failure points inside the query; values stay bound."""
    try:
        compiled = compile_query(query, desk.alice, fulltext=lambda words, **hint: {1, 2})
    except TicketSQLError as error:
        assert 0 <= error.position <= len(query)
        return
    sql = str(select(Ticket.id).where(compiled.condition).compile(db.engine))
    # User text never becomes SQL text. ('%' is not checked: a column-to-column LIKE such as
    # "Status LIKE Status" compiles to SQLAlchemy's own LIKE '%' || lower(?) || '%'.)
    for token in ("DROP", "today", "open'"):
        assert token not in sql
    db.session.execute(select(Ticket.id).where(compiled.condition)).all()


# ---------------------------------------------------------------- running queries

@pytest.fixture
def tickets(desk, make_ticket):
    printer = make_ticket(desk.support, requestors=[desk.denise], subject="Imprimante en panne",
                          priority=5)
    screen = make_ticket(desk.support, subject="Écran noir", priority=1)
    secret = make_ticket(desk.info, subject="Imprimante de la direction", priority=9)
    domain.take(screen, desk.alice)
    domain.set_status(printer, desk.alice, "open")
    db.session.commit()
    return printer, screen, secret


def run(query, user, **kwargs):
    compiled = compile_query(query, user, **kwargs)
    return set(db.session.scalars(select(Ticket.id).where(compiled.condition)))


def test_queries_select_the_right_tickets(tickets, desk):
    printer, screen, _ = tickets
    assert run("Subject LIKE 'imprimante'", desk.alice) == {printer.id}
    assert run("Owner = '__CurrentUser__'", desk.alice) == {screen.id}
    assert run("Owner = 'Nobody'", desk.alice) == {printer.id}
    assert run("Owner != 'alice'", desk.alice) == {printer.id}
    assert run("Requestor.EmailAddress = 'denise@example.org'", desk.alice) == {printer.id}
    assert run("Requestor IS NULL", desk.alice) == set()
    assert run("Status = 'ouvert'", desk.alice) == {printer.id}
    assert run("Status = '__Active__' AND Priority > 2", desk.alice) == {printer.id}
    assert run("Queue = 'support' AND (Priority < 2 OR Subject LIKE 'panne')",
               desk.alice) == {printer.id, screen.id}
    assert run("Priority > TimeWorked", desk.alice) == {printer.id, screen.id}


def test_a_query_never_reaches_tickets_the_user_may_not_see(tickets, desk):
    *_, secret = tickets
    assert secret.id not in run("Subject LIKE 'imprimante'", desk.alice)
    assert run("Queue = 'Info'", desk.alice) == set()
    assert run("", desk.chloe) == {secret.id}


def test_deleted_tickets_only_when_asked_by_status(tickets, desk):
    printer, screen, _ = tickets
    domain.set_status(screen, desk.alice, "deleted")
    db.session.commit()
    assert run("", desk.alice) == {printer.id}
    assert run("Status = 'deleted'", desk.alice) == {screen.id}


def test_dates_are_whole_days_in_the_user_timezone(tickets, desk):
    printer, screen, _ = tickets
    now = datetime(2024, 5, 1, 22, 30)  # UTC: already 2 May in Paris
    printer.created = datetime(2024, 5, 1, 21, 0)   # 23:00 on 1 May in Paris
    screen.created = datetime(2024, 5, 1, 22, 15)   # 00:15 on 2 May in Paris
    db.session.commit()
    assert run("Created = '2024-05-01'", desk.alice, now=now) == {printer.id}
    assert run("Created = 'today'", desk.alice, now=now) == {screen.id}
    assert run("Created > '2024-05-01'", desk.alice, now=now) == {screen.id}
    assert run("Created < '-1 hours'", desk.alice, now=now) == {printer.id}
    assert run("Created >= '2024-05-01 23:30'", desk.alice, now=now) == {screen.id}
    assert run("Created = '2024-05-01'", desk.alice, now=now, zone="UTC") == \
        {printer.id, screen.id}


def test_relative_dates_parse():
    now, zone = datetime(2024, 5, 15, 12, 0), zone_of("UTC")
    assert parse_date("-7 days", now, zone).at == now - timedelta(days=7)
    assert parse_date("7 days ago", now, zone).at == now - timedelta(days=7)
    assert parse_date("il y a 2 heures", now, zone).at == now - timedelta(hours=2)
    assert parse_date("now - 2 hours", now, zone).at == now - timedelta(hours=2)
    assert parse_date("last week", now, zone).at == now - timedelta(weeks=1)
    assert parse_date("yesterday", now, zone).at == now - timedelta(days=1)
    assert parse_date("beginning of last month", now, zone).at == datetime(2024, 4, 1)
    assert parse_date("aujourd'hui", now, zone).day
    assert parse_date("01/05/2024", now, zone).at == datetime(2024, 5, 1)


def test_content_goes_to_the_full_text_callable(tickets, desk):
    printer, screen, secret = tickets
    asked = []

    def fulltext(words, **hint):
        asked.append((words, hint))
        return {printer.id, secret.id}
    assert run("Content LIKE 'toner'", desk.alice, fulltext=fulltext) == {printer.id}
    assert asked == [("toner", {})]
    assert run("Content NOT LIKE 'toner'", desk.alice, fulltext=fulltext) == {screen.id}
    run("(Status = 'open' OR Status = '__Inactive__') AND Status != 'x' AND Content LIKE 'a'",
        desk.alice, fulltext=fulltext)
    assert asked[-1] == ("a", {"statuses": ("deleted", "open", "rejected", "resolved")})
    run("Status = '__Active__' AND Status = 'open' AND Content LIKE 'b'", desk.alice,
        fulltext=fulltext)
    assert asked[-1] == ("b", {"statuses": ("open",)})
    run("Status = 'open' OR Content LIKE 'c'", desk.alice, fulltext=fulltext)
    assert asked[-1] == ("c", {})  # an OR at the top: no narrowing


def test_unavailable_index_falls_back_to_subjects_with_a_notice(tickets, desk):
    def broken(words, **hint):
        raise ticketsql.FullTextUnavailable()
    compiled = compile_query("Content LIKE 'panne'", desk.alice, fulltext=broken)
    assert "reconstruction" in str(compiled.notices[0])
    assert set(db.session.scalars(select(Ticket.id).where(compiled.condition))) == \
        {tickets[0].id}


# ---------------------------------------------------------------- simple search

@pytest.mark.parametrize("words,expected", [
    ("42", "Status = '__Active__' AND id = 42"),
    ("imprimante", "Status = '__Active__' AND Content LIKE 'imprimante'"),
    ("owner:me résolu", "Owner = '__CurrentUser__' AND Status = 'resolved'"),
    ("support alice", "Queue = 'Support' AND Owner = 'alice' AND Status = '__Active__'"),
    ("denise@example.org", "Status = '__Active__' AND Requestor.EmailAddress = "
                           "'denise@example.org'"),
    ("@example.org", "Status = '__Active__' AND Requestor.EmailAddress ENDSWITH "
                     "'@example.org'"),
    ("status:open status:stalled", "( Status = 'open' OR Status = 'stalled' )"),
    ('"mot de passe" bloqué', "Status = '__Active__' AND Content LIKE "
                               "'\"mot de passe\" bloqué'"),
    ("queue:Info subject:écran", "Queue = 'Info' AND Status = '__Active__' AND "
                                 "Subject LIKE 'écran'"),
    ("status:any l'imprimante", "Status != 'deleted' AND Content LIKE 'l\\'imprimante'"),
])
def test_simple_search_compiles_to_ticketsql(desk, words, expected):
    assert to_ticketsql(words) == expected
    parse(to_ticketsql(words))


# ---------------------------------------------------------------- answering as RT does (issue 9)

def test_watcher_matches_the_owner_too(tickets, desk):
    """As in RT, Watcher covers Requestors, Cc, AdminCc and the Owner."""
    printer, screen, _ = tickets
    assert run("Watcher = 'alice'", desk.alice) == {screen.id}
    assert run("Watcher.EmailAddress = 'alice@example.org'", desk.alice) == {screen.id}
    assert run("Watcher = 'denise'", desk.alice) == {printer.id}
    assert run("Watcher != 'alice'", desk.alice) == {printer.id}
    assert run("Watcher LIKE 'alic'", desk.alice) == {screen.id}
    assert run("Watcher IS NULL", desk.alice) == set()  # each has a requestor or an owner


def test_owner_like_compares_names_and_addresses_not_real_names(tickets, desk):
    printer, screen, _ = tickets
    # Nobody's real name is "Nobody in particular": it matched every unowned ticket.
    assert run("Owner LIKE 'particular'", desk.alice) == set()
    assert run("Owner LIKE 'Martin'", desk.alice) == set()  # alice's real name
    assert run("Owner LIKE 'alic'", desk.alice) == {screen.id}
    assert run("Owner LIKE 'alice@example'", desk.alice) == {screen.id}
    assert run("Owner NOT LIKE 'alic'", desk.alice) == {printer.id}
    assert run("Owner.RealName LIKE 'Martin'", desk.alice) == {screen.id}


def test_queue_sub_fields_work_as_in_rt(tickets, desk):
    printer, screen, _ = tickets
    assert run("Queue.Name = 'Support'", desk.alice) == {printer.id, screen.id}
    assert run("Queue.Name LIKE 'supp'", desk.alice) == {printer.id, screen.id}
    assert run("Queue.Name != 'support'", desk.alice) == set()
    assert run(f"Queue.id = {desk.support.id}", desk.alice) == {printer.id, screen.id}
    assert run(f"Queue.id != {desk.support.id}", desk.alice) == set()
    assert run("Queue.Name = 'Info'", desk.chloe) == {tickets[2].id}
    with pytest.raises(TicketSQLError) as error:
        run("Queue.id = 'Support'", desk.alice)
    assert "Nombre attendu" in str(error.value)


def test_status_is_null_answers_no_ticket(tickets, desk):
    printer, screen, _ = tickets
    assert run("Status IS NULL", desk.alice) == set()
    assert run("Status IS NOT NULL", desk.alice) == {printer.id, screen.id}
    assert run("Status IS NULL OR Subject LIKE 'noir'", desk.alice) == {screen.id}


def test_percent_and_underscore_are_like_wildcards_as_in_rt(tickets, desk, make_ticket):
    printer, screen, _ = tickets
    migration = make_ticket(desk.support, subject="Migration du serveur de fichiers")
    full = make_ticket(desk.support, subject="Disque plein à 100% sur srv_web")
    thousand = make_ticket(desk.support, subject="1000 Mo de quota")
    db.session.commit()
    assert run("Subject LIKE 'Migration%'", desk.alice) == {migration.id}
    assert run("Subject LIKE 'Imprimante%panne'", desk.alice) == {printer.id}
    assert run("Subject LIKE 'Imprimante_en'", desk.alice) == {printer.id}
    assert run("Subject STARTSWITH 'Migr_tion'", desk.alice) == {migration.id}
    assert run("Subject ENDSWITH 'srv%web'", desk.alice) == {full.id}
    assert run("Subject LIKE '100%'", desk.alice) == {full.id, thousand.id}
    assert run("Subject NOT LIKE 'M%ration'", desk.alice) == \
        {printer.id, screen.id, full.id, thousand.id}
    # RT's values lose one level of backslashes when parsed, then "\" escapes in LIKE.
    assert run("Subject LIKE '100\\\\%'", desk.alice) == {full.id}
    assert run("Subject LIKE 'srv\\\\_web'", desk.alice) == {full.id}
    assert run("Subject LIKE 'srv\\\\'", desk.alice) == set()  # a trailing "\" is literal
    assert run("Owner LIKE 'a%e'", desk.alice) == {screen.id}
    assert run("Requestor.EmailAddress LIKE 'den_se@'", desk.alice) == {printer.id}


# ---------------------------------------------------------------- numbers past 64 bits (issue 10)

HUGE = "99999999999999999999999"


@pytest.mark.parametrize("query", [
    f"id = {HUGE}", f"id = '{HUGE}'", f"Priority > -{HUGE}", f"Owner = {HUGE}",
    f"Owner.id = {HUGE}", f"Requestor = '{HUGE}'", f"Cc.id != {HUGE}", f"Queue.id = {HUGE}",
    f"Creator = {HUGE}", "id = 9223372036854775808",
])
def test_numbers_past_64_bits_are_a_clear_ticketsql_error(tickets, desk, query):
    with pytest.raises(TicketSQLError) as error:
        run(query, desk.alice)
    assert "Nombre trop grand" in str(error.value)
    assert error.value.position == query.rindex(" ") + 1  # the value


def test_a_queue_named_by_a_huge_number_is_searched_by_name(tickets, desk):
    assert run(f"Queue = '{HUGE}'", desk.alice) == set()
