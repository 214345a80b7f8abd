"""search index marks and saved searches (issue 5)

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('search_marks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_marks_ticket_id'), ['ticket_id'], unique=False)
    op.create_table('saved_searches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('privacy', sa.String(length=10), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('columns', sa.String(length=500), nullable=False),
    sa.Column('order_by', sa.String(length=200), nullable=False),
    sa.Column('rows_per_page', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('saved_searches', schema=None) as batch_op:
        batch_op.create_index('ix_saved_searches_owner', ['privacy', 'owner_id'], unique=False)
    # Tickets that exist before the index does are all stale: the indexer builds them.
    op.execute("INSERT INTO search_marks (ticket_id) SELECT id FROM tickets")


def downgrade():
    with op.batch_alter_table('saved_searches', schema=None) as batch_op:
        batch_op.drop_index('ix_saved_searches_owner')
    op.drop_table('saved_searches')
    with op.batch_alter_table('search_marks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_marks_ticket_id'))
    op.drop_table('search_marks')
