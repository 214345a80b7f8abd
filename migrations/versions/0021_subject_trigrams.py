"""issue 16: Subject LIKE read through a trigram index on SQLite

`Subject LIKE 'imprim'` used to read every subject (a scan of the tickets table, ~16 ms at
100,000 tickets). SQLite's FTS5 with the trigram tokenizer (SQLite 3.34) answers LIKE
patterns holding 3 letters in a row from an index: `ticket_subjects` is an external-content
FTS5 table over tickets.subject, kept by triggers in the same transaction as the ticket's
change. TicketSQL asks it for candidates and keeps its own LIKE for the exact answer
(domain/sql.subject_candidates). PostgreSQL is left as it was (its scan is cheaper, and
pg_trgm is an extension a site may not have).

Revision ID: 0021
Revises: 0020
"""
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

TRIGGERS = {
    "ticket_subjects_insert": """
        CREATE TRIGGER ticket_subjects_insert AFTER INSERT ON tickets BEGIN
            INSERT INTO ticket_subjects (rowid, subject) VALUES (new.id, new.subject);
        END""",
    "ticket_subjects_delete": """
        CREATE TRIGGER ticket_subjects_delete AFTER DELETE ON tickets BEGIN
            INSERT INTO ticket_subjects (ticket_subjects, rowid, subject)
            VALUES ('delete', old.id, old.subject);
        END""",
    "ticket_subjects_update": """
        CREATE TRIGGER ticket_subjects_update AFTER UPDATE OF subject ON tickets BEGIN
            INSERT INTO ticket_subjects (ticket_subjects, rowid, subject)
            VALUES ('delete', old.id, old.subject);
            INSERT INTO ticket_subjects (rowid, subject) VALUES (new.id, new.subject);
        END""",
}


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE VIRTUAL TABLE ticket_subjects USING fts5(subject, content='tickets', "
               "content_rowid='id', tokenize='trigram')")
    for sql in TRIGGERS.values():
        op.execute(sql)
    op.execute("INSERT INTO ticket_subjects (ticket_subjects) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS ticket_subjects")
