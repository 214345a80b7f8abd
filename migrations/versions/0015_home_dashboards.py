"""issue 15: home page layouts, dashboards (portlets), dashboard subscriptions

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dashboards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('privacy', sa.String(length=10), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('home', sa.Boolean(), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('dashboards', schema=None) as batch_op:
        batch_op.create_index('ix_dashboards_owner', ['home', 'privacy', 'owner_id'],
                              unique=False)

    op.create_table('portlets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dashboard_id', sa.Integer(), nullable=False),
    sa.Column('pane', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('argument', sa.String(length=200), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('refresh', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['dashboard_id'], ['dashboards.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('portlets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portlets_dashboard_id'), ['dashboard_id'],
                              unique=False)

    op.create_table('dashboard_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dashboard_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.String(length=10), nullable=False),
    sa.Column('weekdays', sa.String(length=20), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('recipients', sa.String(length=1000), nullable=False),
    sa.Column('last_period', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['dashboard_id'], ['dashboards.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dashboard_id', 'user_id', name='uq_subscription')
    )
    with op.batch_alter_table('dashboard_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboard_subscriptions_dashboard_id'),
                              ['dashboard_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dashboard_subscriptions_user_id'), ['user_id'],
                              unique=False)


def downgrade():
    op.drop_table('dashboard_subscriptions')
    op.drop_table('portlets')
    op.drop_table('dashboards')
