"""issue 12: custom fields (fields, their values, the queues they apply to, ticket values)

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('custom_fields',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('pattern', sa.String(length=500), nullable=True),
    sa.Column('pattern_message', sa.String(length=300), nullable=True),
    sa.Column('for_requesters', sa.Boolean(), nullable=False),
    sa.Column('applies_globally', sa.Boolean(), nullable=False),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('custom_field_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('field_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['field_id'], ['custom_fields.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('field_id', 'name', name='uq_custom_field_value')
    )
    with op.batch_alter_table('custom_field_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custom_field_values_field_id'), ['field_id'],
                              unique=False)
    op.create_table('custom_field_queues',
    sa.Column('field_id', sa.Integer(), nullable=False),
    sa.Column('queue_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['field_id'], ['custom_fields.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['queue_id'], ['queues.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('field_id', 'queue_id')
    )
    with op.batch_alter_table('custom_field_queues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custom_field_queues_queue_id'), ['queue_id'],
                              unique=False)
    op.create_table('ticket_custom_field_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('field_id', sa.Integer(), nullable=False),
    sa.Column('value_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['field_id'], ['custom_fields.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['value_id'], ['custom_field_values.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ticket_custom_field_values', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_cf_ticket_field', ['ticket_id', 'field_id'],
                              unique=False)
        batch_op.create_index('ix_ticket_cf_field_value', ['field_id', 'value_id'],
                              unique=False)


def downgrade():
    op.drop_table('ticket_custom_field_values')
    op.drop_table('custom_field_queues')
    op.drop_table('custom_field_values')
    op.drop_table('custom_fields')
