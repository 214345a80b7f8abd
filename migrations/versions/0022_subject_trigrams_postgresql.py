"""issue 16: Subject LIKE read through a trigram index on PostgreSQL too

`Subject LIKE 'imprimer'` compiles to `subject ILIKE '%imprimer%'`, which PostgreSQL
answered by reading every ticket (26 ms at 100,000 tickets, the slowest of the bench's
TicketSQL queries). A GIN index with pg_trgm's operator class answers LIKE and ILIKE
patterns holding three characters in a row (4 ms), kept by PostgreSQL itself. pg_trgm
ships with the server as unaccent does (Debian: postgresql-15, contrib) and is a trusted
extension since PostgreSQL 13: the database owner may create it. SQLite has its own
(0021). The index is not described by the models (models/base.described_by_models).

Revision ID: 0022
Revises: 0021
"""
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

INDEX = "ix_tickets_subject_trgm"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON tickets USING gin "
               "(subject gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
