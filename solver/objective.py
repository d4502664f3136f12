"""The objective's breakdown and the KPIs, computed from a plan as the Result states it."""

from __future__ import annotations

from solver.problem import Problem, Weights
from solver.result import Route, Unassigned


def breakdown(
    problem: Problem,
    weights: Weights,
    routes: tuple[Route, ...],
    unassigned: tuple[Unassigned, ...],
) -> dict[str, int]:
    """Cost by term; the objective is the sum. Preferred staff appear as a (negative) bonus."""
    staff = {s.id: s for s in problem.staff}
    visits = {v.id: v for v in problem.visits}
    travel = sum(r.travel_s for r in routes)
    overtime = sum(max(0, r.return_s - staff[r.staff_id].shift_end_s) for r in routes)
    preferred = sum(
        1 for r in routes for s in r.stops if r.staff_id in visits[s.visit_id].preferred_staff
    )
    return {
        "travel": weights.travel_per_s * travel,
        "overtime": weights.overtime_per_s * overtime,
        "unassigned": sum(
            weights.unassigned_penalty(visits[u.visit_id].priority) for u in unassigned
        ),
        "preferred_staff": -weights.preferred_staff_bonus * preferred,
    }


def kpis(
    problem: Problem, routes: tuple[Route, ...], unassigned: tuple[Unassigned, ...]
) -> dict[str, float]:
    staff = {s.id: s for s in problem.staff}
    n_visits = len(problem.visits)
    durations = [r.return_s - r.departure_s for r in routes]
    service = sum(s.end_s - s.start_s for r in routes for s in r.stops)
    waiting = sum(s.start_s - s.arrival_s for r in routes for s in r.stops)
    return {
        "visits": float(n_visits),
        "assigned_visits": float(n_visits - len(unassigned)),
        "unassigned_visits": float(len(unassigned)),
        "assignment_rate": (n_visits - len(unassigned)) / n_visits if n_visits else 1.0,
        "travel_s": float(sum(r.travel_s for r in routes)),
        "service_s": float(service),
        "waiting_s": float(waiting),
        "overtime_s": float(
            sum(max(0, r.return_s - staff[r.staff_id].shift_end_s) for r in routes)
        ),
        "staff": float(len(problem.staff)),
        "staff_used": float(len(routes)),
        "mean_route_duration_s": sum(durations) / len(durations) if durations else 0.0,
        "max_route_duration_s": float(max(durations, default=0)),
    }
