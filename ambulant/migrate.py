"""Schema migrations with Alembic; the scripts live in ambulant/migrations inside the package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database(database_url: str) -> None:
    """Brings the database to the newest schema; a no-op when it is already there."""
    command.upgrade(alembic_config(database_url), "head")


def new_revision(database_url: str, message: str) -> None:
    """Writes a migration for the difference between the models and the database (developers)."""
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
