"""The fast full-text engine answers exactly what a slow reference answers.

The reference reads every ticket's indexed text from the database, splits it with the
index's own analyzer and evaluates the parsed words naively (a phrase is a run of
consecutive words); then it applies the rights ticket by ticket with rights.can(). The
engine (block-read postings, word pairs for phrases, rights and status narrowing inside the
index, long id lists as one parameter) must give the same tickets and the same count.
"""
import os

import pytest
from sqlalchemy import func, select
from whoosh.query import And, AndMaybe, AndNot, Not, Or, Phrase, Prefix, Term, Wildcard

from rtsuivi import search
from rtsuivi.domain import accounts, lifecycle, queries, rights
from rtsuivi.domain import custom_fields as cf
from rtsuivi.domain import sql as domain_sql
from rtsuivi.domain import tickets as domain
from rtsuivi.domain.simple_search import to_ticketsql
from rtsuivi.domain.ticketsql import compile_query
from rtsuivi.extensions import db
from rtsuivi.models import SearchMark, Ticket, TicketText
from rtsuivi.search import index as engine

from .conftest import AGENT_RIGHTS


@pytest.fixture
def indexed(app, tmp_path):
    app.config.update(RTSUIVI_INDEX_DIR=str(tmp_path / "index"), RTSUIVI_INDEX_MODE="inline",
                      RTSUIVI_INDEX_LOCK_TIMEOUT=0.5)
    return tmp_path / "index"


# ---------------------------------------------------------------- the slow reference

def _tokens(text):
    return [t.text for t in engine.ANALYZER(text or "")]


def _holds(query, doc) -> bool:
    """Evaluate a parsed whoosh query on one document's token lists, naively."""
    if isinstance(query, Term):
        return query.text in doc.get(query.fieldname, ())
    if isinstance(query, Phrase):
        words, tokens = list(query.words), doc.get(query.fieldname, [])
        return any(tokens[i:i + len(words)] == words for i in range(len(tokens)))
    if isinstance(query, Prefix):
        return any(t.startswith(query.text) for t in doc.get(query.fieldname, ()))
    if isinstance(query, Wildcard):
        import fnmatch
        return any(fnmatch.fnmatchcase(t, query.text) for t in doc.get(query.fieldname, ()))
    if isinstance(query, And):
        return all(_holds(q, doc) for q in query.subqueries)
    if isinstance(query, Or):
        return any(_holds(q, doc) for q in query.subqueries)
    if isinstance(query, Not):
        return not _holds(query.query, doc)
    if isinstance(query, AndNot):
        return _holds(query.a, doc) and not _holds(query.b, doc)
    if isinstance(query, AndMaybe):
        return _holds(query.a, doc)
    raise AssertionError(f"the reference does not know {query!r}")


def _readable(user, ticket) -> list[str]:
    """The restricted fields the user reads on this ticket (never comments for a
    requester, as in RT)."""
    return [name for name, right in engine.RESTRICTED.items()
            if rights.can(user, right, ticket)
            and (user.privileged or right != "ShowTicketComments")]


def reference(words, user, statuses=lifecycle.ACTIVE) -> set[int]:
    """The tickets a quick search for `words` must list, computed the slow way: the words
    hold on each ticket's public fields plus the restricted fields the user reads there."""
    found = set()
    ids = list(db.session.scalars(select(Ticket.id)))
    docs = engine._documents(db.session, ids)
    for ticket_id, doc in docs.items():
        ticket = db.session.get(Ticket, ticket_id)
        if ticket.status not in statuses or not rights.can(user, "ShowTicket", ticket):
            continue
        tokens = {name: _tokens(doc[name]) for name in engine.ALL_FIELDS}
        fields = engine.PUBLIC_FIELDS + tuple(_readable(user, ticket))
        if _holds(engine.parse(words, fields), tokens):
            found.add(ticket_id)
    return found


def quick_search(words, user) -> tuple[set[int], int]:
    """What the quick search lists: every id of every page, and the count it shows."""
    compiled = compile_query(to_ticketsql(words), user, fulltext=lambda w, statuses=None:
                             search.search(w, user, statuses))
    page = queries.search_tickets(compiled.condition, [("id", "asc")], 1, 10_000)
    return {t.id for t in page.items}, page.total


# ---------------------------------------------------------------- the data

@pytest.fixture
def library(indexed, make_user, make_queue, make_ticket):
    """Two queues, agents with different rights, requesters, and texts made to trap a
    phrase engine (pairs present but not in a row, repeated words, accents, punctuation)."""
    n1 = make_user("alice", groups=["N1"], real_name="Alice Martin")
    n2 = make_user("chloe", groups=["N2"], real_name="Chloé Dubois")
    # sees Info's tickets but not their comments
    reader = make_user("lecteur", real_name="Léo Lecteur")
    boss = make_user("patron", rights=["SuperUser"])
    denise = make_user("denise", privileged=False, real_name="Denise Garnier")
    support = make_queue("Support", rights={"group:N1": AGENT_RIGHTS})
    info = make_queue("Info", rights={"group:N2": AGENT_RIGHTS,
                                      "user:lecteur": ["SeeQueue", "ShowTicket"]})
    for right in ("ShowTicket", "ReplyToTicket"):
        accounts.grant("role:Requestor", right)
    accounts.grant("role:Owner", "ShowTicket")
    db.session.commit()
    texts = [
        (support, "Imprimante bloquée au 3e étage", "Le bourrage papier revient. Bonjour."),
        (support, "Mot de passe oublié", "Bonjour, mon mot de passe ne marche plus."),
        (support, "Passe-moi le mot", "Bonjour : un mot de travail, de passe ; passe mot."),
        (support, "Pièce commandée", "Bonjour, la pièce est commandée chez le fournisseur."),
        (support, "Pièce", "Bonjour, la pièce est là ; est commandée demain."),  # not a phrase
        (support, "Le le le", "Bonjour le le le le chat"),
        (info, "Écran cassé", "Bonjour, l'écran de l'inventaire est cassé. Mot de passe ?"),
        (info, "Inventaire", "Bonjour, inventaire annuel des écrans, capture jointe."),
        (info, "VPN coupé", "Bonjour, le tunnel tombe, bourrage réseau"),
        (support, "Capture", "Bonjour, voici la capture ; jointe plus tard"),
    ]
    tickets = [make_ticket(queue, subject=subject, content=content,
                           requestors=[denise] if i % 3 == 0 else None)
               for i, (queue, subject, content) in enumerate(texts)]
    # alice sees these two Info tickets only through her roles (Requestor, Owner)
    accounts.grant("user:alice", "OwnTicket", info)
    db.session.commit()
    tickets.append(make_ticket(info, subject="Bonjour de la requérante", requestors=[n1],
                               content="Bonjour, mot de passe et bourrage papier"))
    tickets.append(make_ticket(info, subject="Bonjour à l'intervenante", owner=n1,
                               content="Bonjour, la pièce est commandée"))
    # alice owns this Support ticket: comments (N1) and custom field values (Owner) there
    tickets.append(make_ticket(support, subject="Clavier", owner=n1,
                               content="Bonjour, touches collées"))
    domain.comment(tickets[0], boss, "Commentaire privé : toner Zanzibar mot de passe")
    domain.comment(tickets[12], boss, "Zanzibar encore")
    domain.comment(tickets[6], boss, "Interne : fournisseur Zanzibar pièce est commandée")
    domain.reply(tickets[1], boss, "Réponse : nouveau mot de passe envoyé, bourrage réglé")
    domain.set_status(tickets[9], boss, "resolved")
    db.session.commit()
    # Custom field values: alice sees them on Info (N1) and on the tickets she owns in
    # Support; chloe everywhere (she reads comments on Info only); requesters on Support;
    # lecteur nowhere.
    accounts.grant("group:N1", "SeeCustomField", info)
    accounts.grant("role:Owner", "SeeCustomField", support)
    accounts.grant("group:N2", "SeeCustomField")
    accounts.grant("role:Requestor", "SeeCustomField", support)
    reference_field = cf.create_field(boss, "Référence", "freeform", applies_globally=True)
    site = cf.create_field(boss, "Site", "select_many", applies_globally=True,
                           values=["Nord", "Orchidée"])
    db.session.commit()
    for i, values in ((0, {reference_field.id: "Orchidée bleue fournisseur"}),
                      (6, {reference_field.id: "Orchidée secrète", site.id: ["Nord"]}),
                      (11, {reference_field.id: "pièce orchidée"}),
                      (12, {site.id: ["Orchidée", "Nord"], reference_field.id: "Toner"}),
                      (3, {reference_field.id: "passe mot"})):
        cf.set_values(db.session.get(Ticket, tickets[i].id), boss, values)
    db.session.commit()
    ticket = db.session.get(Ticket, tickets[5].id)  # a new version: a deleted document
    domain.reply(ticket, boss, "Toujours le le le chat")
    db.session.commit()

    class Library:
        pass
    lib = Library()
    lib.users = {"alice": n1, "chloe": n2, "lecteur": reader, "patron": boss, "denise": denise}
    lib.tickets = tickets
    return lib


WORDS = [
    "bonjour", "imprimante", "etage", "étage", '"mot de passe"', '"bourrage papier"',
    '"pièce est commandée"', '"la pièce est commandée chez"', '"le le le"', '"le le le le"',
    "inventaire écran", "capture jointe", '"capture jointe"', "zanzibar", '"zanzibar mot"',
    "toner", "fournisseur", "mot -passe", "bourrage OR tunnel", "imprim*", "p?ece",
    "l'écran", "denise", '"denise garnier"', "garnier bonjour", "mot NOT passe",
    '"passe mot"', '"de passe"', "absentissime", '"absent mot"',
    # custom field values (SeeCustomField), alone, with public words, with comments
    "orchidée", '"orchidée bleue"', "orchid*", "nord", '"secrète nord"', "orchidée bonjour",
    "zanzibar orchidée", '"fournisseur orchidée"', "fournisseur orchidée", "toner nord",
    "bonjour NOT orchidée", "orchidée OR vpn", "orchidée -zanzibar", '"commandée passe"',
    "bonjour NOT zanzibar",
]


@pytest.mark.parametrize("name", ["alice", "chloe", "lecteur", "patron", "denise"])
def test_quick_search_gives_the_reference_tickets_and_count(library, name):
    user = library.users[name]
    for words in WORDS:
        expected = reference(words, user)
        ids, total = quick_search(words, user)
        assert (words, ids) == (words, expected)
        assert total == len(expected)


def test_the_traps_are_real(library):
    """The reference itself: pairs of a phrase present but apart do not make the phrase."""
    boss = library.users["patron"]
    t = library.tickets
    assert reference('"pièce est commandée"', boss) == {t[3].id, t[6].id, t[11].id}
    alice = library.users["alice"]
    assert {t[10].id, t[11].id} <= reference("bonjour", alice)
    assert t[2].id not in reference('"mot de passe"', boss)
    assert reference('"le le le le"', boss) == {t[5].id}


def test_a_long_list_of_hits_travels_as_one_parameter(library, monkeypatch):
    monkeypatch.setattr(domain_sql, "LITERAL_IDS", 2)
    user = library.users["patron"]
    expected = reference("bonjour", user)
    assert len(expected) > 2
    assert quick_search("bonjour", user) == (expected, len(expected))
    assert quick_search("-bonjour", user)[0] == reference("-bonjour", user)


def test_the_hints_only_narrow(library):
    """search() may leave out tickets the user cannot see; never one they can."""
    for user in library.users.values():
        if not user.privileged:
            continue
        hits = search.search("bonjour", user).ids
        visible = {t.id for t in library.tickets
                   if rights.can(user, "ShowTicket", db.session.get(Ticket, t.id))}
        assert visible <= hits


def test_out_of_time_the_search_says_so(library, app):
    app.config["RTSUIVI_SEARCH_TIME_LIMIT"] = -1
    hits = search.search("bonjour", library.users["patron"])
    assert hits.truncated and hits.ids == set()


# ---------------------------------------------------------------- the PostgreSQL backend

postgresql_only = pytest.mark.skipif(
    not os.environ.get("RTSUIVI_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the PostgreSQL full-text backend needs PostgreSQL (./test runs it)")
# Words the tsquery translation refuses (a joker inside a word): said, not guessed.
WHOOSH_ONLY = {"p?ece"}


@pytest.fixture
def on_postgresql(app, indexed):
    app.config["RTSUIVI_SEARCH_BACKEND"] = "postgresql"
    yield
    app.config["RTSUIVI_SEARCH_BACKEND"] = "whoosh"


@postgresql_only
@pytest.mark.parametrize("name", ["alice", "chloe", "lecteur", "patron", "denise"])
def test_postgresql_backend_gives_the_reference_tickets_and_count(on_postgresql, library,
                                                                  name):
    user = library.users[name]
    assert db.session.scalar(select(func.count()).select_from(TicketText)) == \
        len(library.tickets)  # written by the changes themselves: no indexer ran
    assert db.session.scalar(select(func.count()).select_from(SearchMark)) == 0
    for words in WORDS:
        if words in WHOOSH_ONLY:
            continue
        expected = reference(words, user)
        ids, total = quick_search(words, user)
        assert (words, ids) == (words, expected)
        assert total == len(expected)


@postgresql_only
def test_postgresql_backend_refuses_what_it_cannot_say(on_postgresql, library):
    from rtsuivi.domain.ticketsql import TicketSQLError
    with pytest.raises(TicketSQLError):
        quick_search("p?ece", library.users["patron"])


@postgresql_only
def test_postgresql_words_follow_each_change_in_its_transaction(on_postgresql, library):
    boss = library.users["patron"]
    ticket = db.session.get(Ticket, library.tickets[2].id)
    domain.reply(ticket, boss, "Le mot Ornithorynque arrive")
    assert quick_search("ornithorynque", boss)[0] == {ticket.id}  # before the commit
    db.session.rollback()
    assert quick_search("ornithorynque", boss)[0] == set()  # gone with the rollback
    assert search.rebuild() == len(library.tickets)
    assert quick_search('"mot de passe"', boss)[0] == reference('"mot de passe"', boss)


@postgresql_only
def test_postgresql_a_huge_message_never_fails_the_change(on_postgresql, library):
    """A tsvector holds 1 MB: a pasted 2 MB log is cut, the reply itself goes through."""
    boss = library.users["patron"]
    ticket = db.session.get(Ticket, library.tickets[0].id)
    log = "Début du journal " + " ".join(f"ligne{n}x{n * 7919 % 100003}" for n in range(150_000))
    assert len(log) > 2_000_000
    domain.reply(ticket, boss, log)
    db.session.commit()
    assert ticket.id in quick_search('"début du journal"', boss)[0]


# ---------------------------------------------------------------- another process's commit

def test_files_vanishing_under_a_reader_are_read_again_not_set_aside(library, indexed,
                                                                     monkeypatch):
    """Two web workers index in turn: a commit by one removes files (an old table of
    contents, merged segments) the other was about to read. That is read again, not taken
    for a damaged index (which was moved away and rebuilt for minutes)."""
    from whoosh import index as whoosh_index
    boss = library.users["patron"]
    expected = reference("bonjour", boss)
    real_exists, real_docs = whoosh_index.exists_in, engine._Engine.docs
    failures = {"exists": 1, "docs": 1}

    def exists_in(*args, **kwargs):
        if failures["exists"]:
            failures["exists"] -= 1
            raise FileNotFoundError("_MAIN_7.toc")
        return real_exists(*args, **kwargs)

    def docs(self, q):
        if failures["docs"]:
            failures["docs"] -= 1
            raise FileNotFoundError("MAIN_x.pst")
        return real_docs(self, q)
    monkeypatch.setattr(whoosh_index, "exists_in", exists_in)
    monkeypatch.setattr(engine._Engine, "docs", docs)
    assert quick_search("bonjour", boss) == (expected, len(expected))
    assert failures == {"exists": 0, "docs": 0}
    assert not (indexed / "REBUILDING").exists()
    assert not any(".corrupt-" in name for name in os.listdir(indexed.parent))


def test_the_custom_field_traps_are_real(library):
    """The reference itself on custom field values: each right is asked ticket by ticket."""
    t, users = library.tickets, library.users
    assert reference("orchidée", users["lecteur"]) == set()  # sees t6, not its values
    assert reference("orchidée", users["patron"]) == {t[0].id, t[6].id, t[11].id, t[12].id}
    # comments and values together where alice holds both rights (t12 only)
    assert reference("zanzibar orchidée", users["alice"]) == {t[12].id}
    assert reference("zanzibar orchidée", users["chloe"]) == {t[6].id}
    assert reference("orchidée", users["denise"]) == {t[0].id}  # hidden on Info's t6
    # NOT looks at the values the user reads there, and only there
    assert t[6].id in reference("bonjour NOT orchidée", users["lecteur"])
    assert t[6].id not in reference("bonjour NOT orchidée", users["chloe"])
    assert t[0].id not in reference("bonjour NOT zanzibar", users["alice"])


def test_the_columns_follow_new_segments(library, indexed):
    """The id, queue and status columns are read once per set of segments; after a change
    adds a segment, the segments read before are sliced out of the kept arrays, and every
    document's values still are whoosh's own."""
    from rtsuivi.search.index import engine as columns_engine
    from rtsuivi.search.index.store import _searcher
    boss = library.users["patron"]
    changes = (lambda: domain.reply(db.session.get(Ticket, library.tickets[2].id), boss,
                                    "Bonjour zébu"),
               lambda: domain.set_status(db.session.get(Ticket, library.tickets[4].id), boss,
                                         "stalled"))
    for change in changes:
        change()
        db.session.commit()
        for words in ("zébu", "bonjour", "imprimante"):
            assert quick_search(words, boss)[0] == reference(words, boss), words
    leaves = _searcher(str(indexed)).reader().leaf_readers()
    assert len(leaves) > 1  # the last change came as a new segment, beside one read before
    segments, sizes, kept = columns_engine._columns[str(indexed)]
    assert [r.segment().segment_id() for r, _ in leaves] == list(segments)
    assert [a.typecode for a in kept] == list(columns_engine.COLUMN_TYPES)
    for (reader, base), size in zip(leaves, sizes):
        assert size == reader.doc_count_all()
        for name, values in zip(("id", "queue", "status"), kept):
            column = reader.column_reader(name)
            assert [values[base + d] for d in range(size)] == [column[d] for d in range(size)]


@postgresql_only
def test_postgresql_long_id_lists_go_in_binary(library, monkeypatch):
    """A long list of hits is one INTEGER[] parameter sent in binary (half the time of the
    text form for 17,000 ids), and still gives the reference tickets."""
    from psycopg.adapt import PyFormat
    from psycopg.pq import Format
    monkeypatch.setattr(domain_sql, "LITERAL_IDS", 2)
    sent = []

    def spy(_conn, _cursor, statement, parameters, _context, _many):
        sent.extend(v for v in parameters.values() if isinstance(v, domain_sql.IdList))
    from sqlalchemy import event
    event.listen(db.engine, "before_cursor_execute", spy)
    try:
        user = library.users["patron"]
        assert quick_search("bonjour", user)[0] == reference("bonjour", user)
    finally:
        event.remove(db.engine, "before_cursor_execute", spy)
    assert sent and all(len(ids) > 2 for ids in sent)
    raw = db.session.connection().connection.driver_connection
    assert raw.adapters.get_dumper(domain_sql.IdList, PyFormat.AUTO).format == Format.BINARY
