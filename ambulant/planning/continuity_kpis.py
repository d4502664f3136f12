"""A day plan's continuity over the days, for its KPIs: how the faces the patients see add up
with those they have seen in the published plans of the days before (`seen_staff`)."""

from __future__ import annotations

import statistics
from collections import defaultdict

import solver
from ambulant.planning.problem_builder import BuiltProblem


def continuity_kpis(built: BuiltProblem, result: solver.Result) -> dict[str, float]:
    """- `horizon_distinct_staff_mean`, `…_median`: per patient visited in the plan, the distinct
      staff of the horizon (the days before and this plan) together;
    - `seen_staff_share`: of the visit parts of patients with a history, the share done by a
      staff member they have seen (1.0 when none has a history)."""
    seen_of_visit = {v.id: v.seen_staff for v in built.problem.visits}
    faces: dict[int, set[str]] = defaultdict(set)
    seen_parts = history_parts = 0
    for route in result.routes:
        for stop in route.stops:
            seen = seen_of_visit[stop.visit_id]
            patient = built.visits[int(stop.visit_id)].patient_id
            faces[patient].update(seen)
            faces[patient].add(route.staff_id)
            if seen:
                history_parts += 1
                seen_parts += route.staff_id in seen
    distinct = [len(staff) for staff in faces.values()]
    return {
        "horizon_distinct_staff_mean": round(statistics.fmean(distinct), 3) if distinct else 0.0,
        "horizon_distinct_staff_median": float(statistics.median(distinct)) if distinct else 0.0,
        "seen_staff_share": round(seen_parts / history_parts, 4) if history_parts else 1.0,
    }
