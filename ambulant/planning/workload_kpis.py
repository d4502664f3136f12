"""How evenly a plan shares the day: each staff member's working time (first departure to
return, less the time off of a split shift, as the solver's workload term counts it), and its
spread.

Two views, because they answer two questions: over the staff **who work** (have a route), the
spread the workload weight acts on (max - min, standard deviation); over the staff **on
shift** in the plan's scope, idle ones counting 0 minutes, the mean a coordinator compares
with the roster (`mean_min_on_shift`, `staff_idle`). The solver's term takes its mean over
those who work, so it never pays to hand an idle person a short route only to lower the mean
(docs/planning.md, "Workload balance").
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping

from pydantic import BaseModel
from sqlmodel import Session, col, select

from ambulant.models import Plan, PlanRoute, PlanStop
from ambulant.planning.problem_builder import staff_in_scope
from ambulant.planning.store import OFF_DUTY


class StaffWorkload(BaseModel):
    staff_id: int
    working_min: int
    """0: on shift without a route."""


class WorkloadSpread(BaseModel):
    staff_on_shift: int
    staff_working: int
    staff_idle: int
    mean_min: float
    """Over the staff who work."""
    mean_min_on_shift: float
    """Over everyone on shift, the idle at 0."""
    min_min: int
    max_min: int
    spread_min: int
    """max - min over the staff who work."""
    stdev_min: float
    """Population standard deviation over the staff who work."""
    staff: list[StaffWorkload]


def spread(working_s: Mapping[int, int], on_shift: Iterable[int]) -> WorkloadSpread:
    """`working_s`: per staff member with a route, seconds working; `on_shift`: everyone on
    shift (those with a route are added if missing)."""
    everyone = sorted(set(on_shift) | set(working_s))
    minutes = [round(s / 60) for s in working_s.values()]
    return WorkloadSpread(
        staff_on_shift=len(everyone),
        staff_working=len(minutes),
        staff_idle=len(everyone) - len(minutes),
        mean_min=round(statistics.fmean(minutes), 1) if minutes else 0.0,
        mean_min_on_shift=round(sum(minutes) / len(everyone), 1) if everyone else 0.0,
        min_min=min(minutes, default=0),
        max_min=max(minutes, default=0),
        spread_min=max(minutes, default=0) - min(minutes, default=0),
        stdev_min=round(statistics.pstdev(minutes), 1) if minutes else 0.0,
        staff=[
            StaffWorkload(staff_id=s, working_min=round(working_s.get(s, 0) / 60)) for s in everyone
        ],
    )


def workload_spread(session: Session, plan: Plan) -> WorkloadSpread:
    """From the stored rows of any version (solved, replanned, moved by hand), and the shifts
    of the plan's day and scope."""
    routes = session.exec(select(PlanRoute).where(PlanRoute.plan_id == plan.id)).all()
    time_off: dict[int, int] = {}
    for stop in session.exec(
        select(PlanStop).where(PlanStop.plan_id == plan.id, col(PlanStop.kind) == OFF_DUTY)
    ):
        off = int((stop.end_at - stop.start_at).total_seconds())
        time_off[stop.staff_id] = time_off.get(stop.staff_id, 0) + off
    working = {
        r.staff_id: int((r.return_at - r.departure_at).total_seconds())
        - time_off.get(r.staff_id, 0)
        for r in routes
    }
    on_shift = {
        staff.id
        for staff, _ in staff_in_scope(session, day=plan.date, scope=plan.scope)
        if staff.id is not None
    }
    return spread(working, on_shift)


def workload_kpis(working_s: Mapping[int, int], on_shift: Iterable[int]) -> dict[str, float]:
    """The spread as plain numbers for a plan's `kpis`."""
    found = spread(working_s, on_shift)
    return {
        "workload_spread_min": float(found.spread_min),
        "workload_stdev_min": found.stdev_min,
        "workload_mean_min": found.mean_min,
        "workload_mean_min_on_shift": found.mean_min_on_shift,
        "staff_idle": float(found.staff_idle),
    }
