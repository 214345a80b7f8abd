"""The migrations build exactly the schema the models describe, Nobody included."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from rtsuivi.extensions import db
from rtsuivi.models import User


def test_migrated_schema_matches_models(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_migrations_create_nobody(app):
    assert db.session.scalar(select(User).where(User.name == "Nobody")) is not None
