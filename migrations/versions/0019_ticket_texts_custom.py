"""custom field values in their own tsvector (ticket_texts.custom, GIN), read only where
the user holds SeeCustomField; the words written before are dropped (`rtsuivi reindex`)

Revision ID: 0019
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0019'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # The old rows mix custom field values into `public`, which anyone who sees the
        # ticket searches: drop them rather than keep them searchable. `rtsuivi reindex`
        # writes them again (docs/deploy.md).
        op.execute("DELETE FROM ticket_texts")
    with op.batch_alter_table('ticket_texts', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'custom', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'),
            nullable=False, server_default=''))
    with op.batch_alter_table('ticket_texts', schema=None) as batch_op:
        batch_op.alter_column('custom', server_default=None)
        batch_op.create_index('ix_ticket_texts_custom', ['custom'], unique=False,
                              postgresql_using='gin')


def downgrade():
    with op.batch_alter_table('ticket_texts', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_texts_custom', postgresql_using='gin')
        batch_op.drop_column('custom')
