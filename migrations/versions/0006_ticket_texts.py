"""issue 16: rights serial row; tickets (owner_id, created) and (status, priority)
indexes; PostgreSQL full-text backend: ticket_texts (tsvector + GIN) and the "rtsuivi"
text search configuration (simple + unaccent, as Whoosh folds words)

Revision ID: 0006
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table('rights_serial',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.execute("INSERT INTO rights_serial (id, serial) VALUES (1, 0)")
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_owner_created', ['owner_id', 'created'], unique=False)
        batch_op.create_index('ix_tickets_status_priority', ['status', 'priority'],
                              unique=False)
    op.create_table('ticket_texts',
    sa.Column('ticket_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('public', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'),
              nullable=False),
    sa.Column('comments', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'),
              nullable=False),
    sa.Column('document', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'),
              nullable=False),
    sa.PrimaryKeyConstraint('ticket_id')
    )
    with op.batch_alter_table('ticket_texts', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_texts_public', ['public'], unique=False,
                              postgresql_using='gin')
        batch_op.create_index('ix_ticket_texts_comments', ['comments'], unique=False,
                              postgresql_using='gin')
        batch_op.create_index('ix_ticket_texts_document', ['document'], unique=False,
                              postgresql_using='gin')
    if postgres:
        # unaccent ships with the server (Debian: postgresql-15, in contrib); it is a
        # trusted extension since PostgreSQL 13: the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute("""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'rtsuivi') THEN
                    CREATE TEXT SEARCH CONFIGURATION rtsuivi (COPY = simple);
                    ALTER TEXT SEARCH CONFIGURATION rtsuivi
                        ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word,
                                          hword, hword_part
                        WITH unaccent, simple;
                END IF;
            END $$""")


def downgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_status_priority')
        batch_op.drop_index('ix_tickets_owner_created')
    op.drop_table('rights_serial')
    with op.batch_alter_table('ticket_texts', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_texts_document', postgresql_using='gin')
        batch_op.drop_index('ix_ticket_texts_comments', postgresql_using='gin')
        batch_op.drop_index('ix_ticket_texts_public', postgresql_using='gin')
    op.drop_table('ticket_texts')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS rtsuivi")
