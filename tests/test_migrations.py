"""The migrations build exactly the schema the models describe, Nobody included."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from rtsuivi.extensions import db
from rtsuivi.models import User
from rtsuivi.models.base import described_by_models
from tests.conftest import DATABASE_URL


def test_migrated_schema_matches_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_name": described_by_models})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_migrations_create_nobody(app):
    assert db.session.scalar(select(User).where(User.name == "Nobody")) is not None


@pytest.mark.skipif(DATABASE_URL.startswith("postgresql"), reason="SQLite's batch mode")
def test_sqlite_upgrade_keeps_a_database_that_holds_tickets(tmp_path):
    """Batch mode rebuilds `users` (0008): the links of existing tickets must not stop it."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from rtsuivi import create_app
    from tests.conftest import _config
    config = dict(_config(), SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.sqlite3'}")
    app = create_app(config)
    with app.app_context():
        upgrade(revision="0007")
        nobody = db.session.scalar(text("SELECT id FROM users WHERE name = 'Nobody'"))
        db.session.execute(text(
            "INSERT INTO queues (name, description, correspond_address, comment_address,"
            " disabled) VALUES ('Support', '', '', '', 0)"))
        db.session.execute(text(
            "INSERT INTO tickets (queue_id, subject, status, owner_id, priority, created,"
            " updated, time_estimated, time_worked, time_left) SELECT id, 'Avant', 'new', :u,"
            " 0, '2026-01-01', '2026-01-01', 0, 0, 0 FROM queues"), {"u": nobody})
        db.session.commit()
        upgrade()
        assert db.session.scalar(text("SELECT subject FROM tickets")) == "Avant"
        assert db.session.scalar(text("PRAGMA foreign_keys")) == 1
        db.session.remove()
        db.engine.dispose()


@pytest.mark.skipif(not DATABASE_URL.startswith("postgresql"), reason="PostgreSQL's pg_trgm")
def test_postgresql_subjects_have_a_trigram_index(app):
    """`Subject LIKE` (ILIKE '%…%') is read through pg_trgm's GIN index (migration 0022)."""
    from sqlalchemy import text
    definition = db.session.scalar(text(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_tickets_subject_trgm'"))
    assert definition and "gin (subject gin_trgm_ops)" in definition
    with db.engine.connect() as conn:  # the planner takes it where a scan would cost more
        conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(conn.execute(text(
            "EXPLAIN SELECT id FROM tickets WHERE subject ILIKE '%imprimer%'")).scalars())
    assert "ix_tickets_subject_trgm" in plan
