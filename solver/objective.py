"""The objective's breakdown and the KPIs, computed from a plan as the Result states it."""

from __future__ import annotations

from dataclasses import dataclass

from solver.problem import Problem, Weights
from solver.result import Route, Unassigned


def breakdown(
    problem: Problem,
    weights: Weights,
    routes: tuple[Route, ...],
    unassigned: tuple[Unassigned, ...],
) -> dict[str, int]:
    """Cost by term; the objective is the sum. Preferred staff appear as a (negative) bonus.

    Tardiness counts per visit part (each staff member who starts late), the maximum over all
    parts once; a reassignment per part given to someone outside `previous_staff`; a move once
    per visit, for the seconds its start lies beyond the tolerance from `previous_start_s`.
    Over-qualification and work outside the home municipality count per part; the workload
    term is the seconds by which routes' time away exceeds their mean (see `workload_excess`)."""
    staff = {s.id: s for s in problem.staff}
    visits = {v.id: v for v in problem.visits}
    travel = sum(r.travel_s for r in routes)
    overtime = sum(max(0, r.return_s - staff[r.staff_id].shift_end_s) for r in routes)
    preferred = sum(
        1 for r in routes for s in r.stops if r.staff_id in visits[s.visit_id].preferred_staff
    )
    late = lateness(problem, routes)
    fit = staff_fit(problem, routes)
    return {
        "travel": weights.travel_per_s * travel,
        "overtime": weights.overtime_per_s * overtime,
        "unassigned": sum(
            weights.unassigned_penalty(visits[u.visit_id].priority) for u in unassigned
        ),
        "preferred_staff": -weights.preferred_staff_bonus * preferred,
        "tardiness": weights.tardiness_per_s * sum(late.tardiness.values()),
        "max_tardiness": weights.max_tardiness_per_s * max(late.tardiness.values(), default=0),
        "reassign": weights.reassign_per_visit * sum(late.reassigned.values()),
        "move": weights.move_per_s * sum(late.moved_s(weights.move_tolerance_s).values()),
        "overqualification": weights.overqualification_per_level * fit.levels_above,
        "outside_home_municipality": weights.outside_home_municipality * fit.outside_home,
        "workload": workload_cost(weights.workload_per_s, routes),
        "new_staff": weights.new_staff_per_visit * fit.new_staff,
    }


@dataclass(frozen=True)
class StaffFit:
    """Over all visit parts: skill levels above the visit's (summed), parts over-qualified,
    parts outside the staff member's home municipality; of the parts of visits whose patient
    has seen staff before (`Visit.seen_staff`), those by a new face and those by a seen one."""

    levels_above: int
    overqualified: int
    outside_home: int
    new_staff: int = 0
    seen_staff: int = 0


def staff_fit(problem: Problem, routes: tuple[Route, ...]) -> StaffFit:
    staff = {s.id: s for s in problem.staff}
    visits = {v.id: v for v in problem.visits}
    levels = overqualified = outside = new = seen = 0
    for route in routes:
        member = staff[route.staff_id]
        for stop in route.stops:
            visit = visits[stop.visit_id]
            above = member.skill_level - visit.skill_level
            if above > 0:
                levels += above
                overqualified += 1
            home = member.home_municipality
            if home is not None and visit.municipality is not None and visit.municipality != home:
                outside += 1
            if visit.seen_staff:
                if route.staff_id in visit.seen_staff:
                    seen += 1
                else:
                    new += 1
    return StaffFit(levels, overqualified, outside, new, seen)


def workload_cost(per_s: int, routes: tuple[Route, ...]) -> int:
    """`per_s` for each second a route's time away (departure to return, less time off between
    split shifts) exceeds the mean over all routes (the staff who work), rounded down to whole
    cost units."""
    if not per_s or not routes:
        return 0
    durations = [r.working_s for r in routes]
    n, total = len(durations), sum(durations)
    # n * (d - mean) = n * d - total: whole numbers until the one division at the end.
    return per_s * sum(n * d - total for d in durations if n * d > total) // n


@dataclass(frozen=True)
class Lateness:
    """Per visit: tardiness seconds (summed over parts), parts given to new staff, and how far
    the start moved from the previous plan's."""

    tardiness: dict[str, int]
    reassigned: dict[str, int]
    moved: dict[str, int]

    def moved_s(self, tolerance_s: int) -> dict[str, int]:
        return {v: m - tolerance_s for v, m in self.moved.items() if m > tolerance_s}


def lateness(problem: Problem, routes: tuple[Route, ...]) -> Lateness:
    visits = {v.id: v for v in problem.visits}
    tardiness: dict[str, int] = {}
    reassigned: dict[str, int] = {}
    moved: dict[str, int] = {}
    for route in routes:
        for stop in route.stops:
            visit = visits[stop.visit_id]
            if visit.soft_latest_start_s is not None and stop.start_s > visit.soft_latest_start_s:
                tardiness[visit.id] = (
                    tardiness.get(visit.id, 0) + stop.start_s - visit.soft_latest_start_s
                )
            if visit.previous_staff and route.staff_id not in visit.previous_staff:
                reassigned[visit.id] = reassigned.get(visit.id, 0) + 1
            if visit.previous_start_s is not None:
                moved[visit.id] = abs(stop.start_s - visit.previous_start_s)
    return Lateness(tardiness, reassigned, moved)


def kpis(
    problem: Problem,
    routes: tuple[Route, ...],
    unassigned: tuple[Unassigned, ...],
    tolerance_s: int = Weights().move_tolerance_s,
) -> dict[str, float]:
    """Plain numbers for people. A visit counts as moved when its start lies more than
    `tolerance_s` from its previous start, as reassigned when any part has new staff."""
    staff = {s.id: s for s in problem.staff}
    late = lateness(problem, routes)
    fit = staff_fit(problem, routes)
    n_visits = len(problem.visits)
    durations = [r.working_s for r in routes]
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
        "min_route_duration_s": float(min(durations, default=0)),
        "tardiness_s": float(sum(late.tardiness.values())),
        "visits_late": float(len(late.tardiness)),
        "visits_reassigned": float(len(late.reassigned)),
        "visits_moved": float(len(late.moved_s(tolerance_s))),
        "overqualified_parts": float(fit.overqualified),
        "parts_outside_home_municipality": float(fit.outside_home),
        "appointments": float(sum(len(s.appointments) for s in problem.staff)),
        "appointments_kept": float(sum(len(r.appointments) for r in routes)),
        "parts_by_new_staff": float(fit.new_staff),
        "parts_by_seen_staff": float(fit.seen_staff),
    }
