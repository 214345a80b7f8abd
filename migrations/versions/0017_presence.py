"""issue 15: who has a ticket page open (live collaboration)

Revision ID: 0017
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ticket_presence',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('seen', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'user_id')
    )
    with op.batch_alter_table('ticket_presence', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_presence_ticket_seen', ['ticket_id', 'seen'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('ticket_presence', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_presence_ticket_seen')
    op.drop_table('ticket_presence')
