"""issue 16: ticket lists picked and counted on their indexes

`ix_tickets_effective_id` becomes partial (merged tickets only): every list asks
`effective_id IS NULL`, and with a few merges SQLite's statistics made that index look
selective, so a queue's list read nearly every ticket through it. The queue index gains
`effective_id`, and the status and priority index becomes (status, queue_id, priority):
a queue's list and a status and priority search, in a queue or not (rights filter
included), are picked and counted without reading the tickets.

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

MERGED = sa.text("effective_id IS NOT NULL")


def upgrade():
    # Plain index statements, no batch: SQLite creates and drops indexes in place.
    op.drop_index('ix_tickets_effective_id', table_name='tickets')
    op.drop_index('ix_tickets_queue_status', table_name='tickets')
    op.drop_index('ix_tickets_status_priority', table_name='tickets')
    op.create_index('ix_tickets_effective_id', 'tickets', ['effective_id'],
                    sqlite_where=MERGED, postgresql_where=MERGED)
    op.create_index('ix_tickets_queue_status', 'tickets', ['queue_id', 'status', 'effective_id'])
    op.create_index('ix_tickets_status_queue_priority', 'tickets',
                    ['status', 'queue_id', 'priority'])
    _refresh_statistics()


def _refresh_statistics():
    """On SQLite, give the new indexes statistics when the database keeps some (ANALYZE has
    run): the planner would otherwise guess, and it guessed a queue index cheaper than 600
    look-ups by id. PostgreSQL's autovacuum analyzes on its own."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.execute(sa.text(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        op.execute("ANALYZE tickets")


def downgrade():
    op.drop_index('ix_tickets_status_queue_priority', table_name='tickets')
    op.drop_index('ix_tickets_queue_status', table_name='tickets')
    op.drop_index('ix_tickets_effective_id', table_name='tickets')
    op.create_index('ix_tickets_status_priority', 'tickets', ['status', 'priority'])
    op.create_index('ix_tickets_queue_status', 'tickets', ['queue_id', 'status'])
    op.create_index('ix_tickets_effective_id', 'tickets', ['effective_id'])
    _refresh_statistics()
