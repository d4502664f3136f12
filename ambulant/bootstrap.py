"""Getting a database ready to use: schema, demo data and today's plan for `ambulant run`."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from ambulant.config import Settings
from ambulant.db import engine_for
from ambulant.demo.generator import extend_region, is_seeded, seed_region
from ambulant.migrate import upgrade_database
from ambulant.models import Plan, PlanStatus, Shift
from ambulant.planning.plans import request_plan

log = logging.getLogger(__name__)


def prepare_database(settings: Settings) -> Engine:
    upgrade_database(settings.database_url)
    return engine_for(settings.database_url)


def seed_demo(engine: Engine, *, region: str, day: dt.date, days: int, seed: int) -> str:

    with Session(engine) as session:
        summary = seed_region(session, region=region, day=day, days=days, seed=seed)
        session.commit()
    return str(summary)


def ensure_demo_day(engine: Engine, *, region: str, day: dt.date) -> None:
    """Seeds the demo region on first start; later starts on a new day add that day's shifts and
    visits, so the demo always has a day to plan."""

    with Session(engine) as session:
        if not is_seeded(session):
            log.info("seeding the demo region %s for %s", region, day)
            seed_region(session, region=region, day=day, days=2, seed=0)
        elif session.exec(select(Shift).where(Shift.date == day)).first() is None:
            log.info("adding %s to the demo region %s", day, region)
            extend_region(session, region=region, day=day, days=2, seed=0)
        session.commit()


def queue_day_plan(engine: Engine, *, day: dt.date, scope: str = "all") -> int:
    """The plan of `day` to show: an existing usable one, or a new queued one (the API's job queue
    picks queued plans up when it starts)."""

    usable = (PlanStatus.QUEUED, PlanStatus.SOLVING, PlanStatus.DRAFT, PlanStatus.PUBLISHED)
    with Session(engine) as session:
        existing = session.exec(
            select(Plan)
            .where(Plan.date == day, Plan.scope == scope, col(Plan.status).in_(usable))
            .order_by(col(Plan.version).desc())
        ).first()
        if existing is not None and existing.id is not None:
            return existing.id
        plan = request_plan(session, day=day, scope=scope)
        session.commit()
        assert plan.id is not None
        return plan.id
