"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from ambulant.db import make_engine
from ambulant.migrate import upgrade_database


def test_upgrade_from_empty_matches_the_models(database_url: str) -> None:
    """After `upgrade head` autogenerate finds nothing to add; upgrading again is a no-op."""
    upgrade_database(database_url)
    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, SQLModel.metadata) == []
    finally:
        engine.dispose()
