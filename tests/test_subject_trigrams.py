"""`Subject LIKE` in TicketSQL reads SQLite's trigram index for candidates and keeps its own
LIKE for the answer (migration 0021, domain/sql.subject_candidates): the same tickets as a
plain scan, whatever the pattern, and the index follows every change of subject."""
import pytest
from sqlalchemy import select, text

from rtsuivi.domain.ticketsql import compile_query, compiler
from rtsuivi.extensions import db
from rtsuivi.models import Ticket
from tests.conftest import DATABASE_URL

SUBJECTS = ["Imprimante en panne", "IMPRIMANTE du 2e", "imprimer le rapport", "Écran noir",
            "écran qui clignote", "Remise à 50% du contrat", "100_% prêt", "vpn", "Réseau lent"]
PATTERNS = ["imprim", "IMPRIM", "prim", "Im", "écran", "Écran", "50\\%", "0\\_", "imp%ante",
            "e%n", "", "an", "rapport", "réseau", "RÉSEAU", "xyz", "n p"]


def run(query, user):
    return set(db.session.scalars(select(Ticket.id).where(
        compile_query(query, user).condition)))


@pytest.fixture
def subjects(desk, make_ticket):
    made = {make_ticket(desk.support, subject=subject).id: subject for subject in SUBJECTS}
    db.session.commit()
    return made


@pytest.mark.parametrize("pattern", PATTERNS)
def test_like_finds_what_a_plain_scan_finds(subjects, desk, pattern, monkeypatch):
    """The reference: the same query compiled without the index (SQLite's LIKE alone)."""
    queries = [f"Subject {op} '{pattern}'" for op in
               ("LIKE", "STARTSWITH", "ENDSWITH", "NOT LIKE")] + [
        f"Subject LIKE '{pattern}' OR Subject LIKE 'vpn'"]
    with_index = [run(query, desk.alice) for query in queries]
    monkeypatch.setattr(compiler, "subject_candidates", lambda pattern: None)
    assert with_index == [run(query, desk.alice) for query in queries]
    assert with_index[0] | with_index[3] == set(subjects)


@pytest.mark.skipif(DATABASE_URL.startswith("postgresql"), reason="SQLite's FTS5 index")
def test_the_index_is_read_and_follows_every_change(subjects, desk, make_ticket):
    compiled = compile_query("Subject LIKE 'imprim'", desk.alice).condition
    plan = " ".join(str(row) for row in db.session.execute(text(
        "EXPLAIN QUERY PLAN " + str(select(Ticket.id).where(compiled).compile(
            db.engine, compile_kwargs={"literal_binds": True})))))
    assert "ticket_subjects" in plan and "VIRTUAL TABLE" in plan, plan
    first = next(i for i, s in subjects.items() if s == "Imprimante en panne")
    ticket = db.session.get(Ticket, first)
    ticket.subject = "Scanner bloqué"
    db.session.commit()
    assert first not in run("Subject LIKE 'imprim'", desk.alice)
    assert run("Subject LIKE 'scanner'", desk.alice) == {first}
    added = make_ticket(desk.support, subject="Imprimante neuve")
    db.session.commit()
    assert added.id in run("Subject LIKE 'imprim'", desk.alice)
    db.session.delete(added)
    db.session.commit()
    assert db.session.execute(text(
        "SELECT count(*) FROM ticket_subjects WHERE subject LIKE '%neuve%'")).scalar() == 0
    assert db.session.execute(text(
        "INSERT INTO ticket_subjects (ticket_subjects, rank) VALUES ('integrity-check', 1)")
    ) is not None  # raises if the index and the tickets disagree
