"""Upgrading a database holding care plans of the weekday form: each becomes the weekly rule it
meant, its generated visits become slot 0, and a downgrade gives the weekdays back."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import text

from ambulant.db import make_engine
from ambulant.migrate import alembic_config


def as_json(value: object) -> object:
    """A JSON column read with plain SQL: text on SQLite, parsed already on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def test_weekdays_become_rules_and_back(database_url: str) -> None:
    """[0, 2, 4] is FREQ=WEEKLY;BYDAY=MO,WE,FR after the upgrade and [0, 2, 4] again after a
    downgrade; the visit the older generation made is its plan's slot 0, hand-made ones (one
    naming the same care plan on the same day) none."""
    config = alembic_config(database_url)
    command.upgrade(config, "a7c3e9d51f02")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("insert into municipality (code, name) values ('5035', 'Stjørdal')"))
            conn.execute(
                text(
                    "insert into patient (id, name, address, lat, lon, municipality_code, notes, "
                    "preferred_staff, refused_staff) values (1, 'Ola', 'Vegen 1', 63.4, 10.9, "
                    "'5035', '', '[]', '[]')"
                )
            )
            conn.execute(
                text(
                    "insert into careplan (id, patient_id, description, weekdays, window_start, "
                    "window_end, duration_minutes, skills, second_staff_skills, staff_count, "
                    "priority) values (1, 1, '', '[4, 0, 2]', '08:00:00', '09:00:00', 20, '[]', "
                    "'[]', 1, 'normal')"
                )
            )
            for visit_id, care_plan_id in ((1, "1"), (2, "null"), (3, "1")):
                conn.execute(
                    text(
                        "insert into visitrequest (id, patient_id, care_plan_id, description, "
                        "window_start, window_end, duration_minutes, skills, "
                        "second_staff_skills, staff_count, priority, min_lag_minutes, date) "
                        f"values ({visit_id}, 1, {care_plan_id}, '', "
                        "'2026-11-25 07:00:00+00', '2026-11-25 08:00:00+00', 20, '[]', '[]', 1, "
                        "'normal', 0, '2026-11-25')"
                    )
                )
        command.upgrade(config, "head")
        with engine.connect() as conn:
            rule, exdates = conn.execute(text("select recurrence, exdates from careplan")).one()
            assert (rule, as_json(exdates)) == ("FREQ=WEEKLY;BYDAY=MO,WE,FR", [])
            slots = conn.execute(text("select id, care_plan_slot from visitrequest order by id"))
            assert slots.all() == [(1, 0), (2, None), (3, None)]
        command.downgrade(config, "a7c3e9d51f02")
        with engine.connect() as conn:
            weekdays = conn.execute(text("select weekdays from careplan")).scalar_one()
            assert as_json(weekdays) == [0, 2, 4]
    finally:
        engine.dispose()
