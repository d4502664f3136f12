"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import pytest
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


def test_rows_stored_before_appointments_get_the_new_defaults(database_url: str) -> None:
    """Upgrading a database that already holds staff and visits: staff are ungraded, and visits
    need no level, belong to no series and count a dependency's lag from the start, anyone."""
    from alembic import command
    from sqlalchemy import text

    from ambulant.migrate import alembic_config

    command.upgrade(alembic_config(database_url), "87dcb19a5c2b")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("insert into municipality (code, name) values ('5035', 'Stjørdal')"))
            conn.execute(
                text(
                    "insert into staff (id, name, discipline, team, skills, municipality_code, "
                    "serves, start_from) values (1, 'Ann', 'registered_nurse', 'home_nursing', "
                    "'[]', '5035', '[]', 'home')"
                )
            )
            conn.execute(
                text(
                    "insert into patient (id, name, address, lat, lon, municipality_code, notes, "
                    "preferred_staff, refused_staff) values (1, 'Ola', 'Vegen 1', 63.4, 10.9, "
                    "'5035', '', '[]', '[]')"
                )
            )
            conn.execute(
                text(
                    "insert into visitrequest (id, patient_id, description, window_start, "
                    "window_end, duration_minutes, skills, second_staff_skills, staff_count, "
                    "priority, min_lag_minutes, date) values (1, 1, '', "
                    "'2026-11-25 08:00:00+00', '2026-11-25 10:00:00+00', 30, '[]', '[]', 1, "
                    "'normal', 0, '2026-11-25')"
                )
            )
        upgrade_database(database_url)
        with engine.connect() as conn:
            assert conn.execute(text("select skill_level from staff")).one() == (0,)
            visit = conn.execute(
                text(
                    "select required_skill_level, series, dependency_anchor, dependency_staff "
                    "from visitrequest"
                )
            ).one()
            assert tuple(visit) == (0, None, "start", "any")
    finally:
        engine.dispose()


def test_audit_entries_stored_before_outcomes_are_allowed_and_stay_append_only(
    database_url: str,
) -> None:
    """The outcome column is added in place: older entries read 'allowed', and the triggers
    that refuse changes to the trail survive the migration (a table rebuild would drop them on
    SQLite)."""
    from alembic import command
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    from ambulant.migrate import alembic_config

    command.upgrade(alembic_config(database_url), "493acab1a6e4")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "insert into audit_entry (at, subject, role, action, resource_type) "
                    "values ('2026-11-25 08:00:00+00', 'ann', 'nurse', 'read', 'patient')"
                )
            )
        upgrade_database(database_url)
        with engine.connect() as conn:
            assert conn.execute(text("select outcome from audit_entry")).one() == ("allowed",)
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(text("update audit_entry set outcome = 'denied'"))
    finally:
        engine.dispose()
