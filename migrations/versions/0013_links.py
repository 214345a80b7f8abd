"""issue 14: links between tickets (DependsOn, MemberOf, RefersTo, MergedInto)

Revision ID: 0013
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('base_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('creator_id', sa.Integer(), nullable=True),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['base_id'], ['tickets.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['tickets.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['creator_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('base_id', 'type', 'target_id', name='uq_link')
    )
    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.create_index('ix_links_target_type', ['target_id', 'type'], unique=False)


def downgrade():
    op.drop_table('links')
