"""issue 12: queue subject tag, queue watchers (Cc, AdminCc), notification rules switched off

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('queues', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_tag', sa.String(length=120), nullable=True))
    op.create_table('queue_watchers',
    sa.Column('queue_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['queue_id'], ['queues.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('queue_id', 'user_id', 'role')
    )
    with op.batch_alter_table('queue_watchers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queue_watchers_user_id'), ['user_id'],
                              unique=False)
    op.create_table('scrips_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scrip', sa.String(length=200), nullable=False),
    sa.Column('queue_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['queue_id'], ['queues.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('scrip', 'queue_id', name='uq_scrips_off')
    )


def downgrade():
    op.drop_table('scrips_off')
    with op.batch_alter_table('queue_watchers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_queue_watchers_user_id'))
    op.drop_table('queue_watchers')
    with op.batch_alter_table('queues', schema=None) as batch_op:
        batch_op.drop_column('subject_tag')
