"""The problem compiled for search: one task per staff member a visit needs, with eligible staff.

A visit with `staff_count` 2 becomes two tasks (its parts) that must start at the same second on
two different routes. Everything here is indices, so the search never looks up ids.
"""

from __future__ import annotations

from dataclasses import dataclass

from solver.problem import Dependency, Problem, Staff, Visit, Weights


@dataclass(frozen=True, slots=True)
class Task:
    """Part `part` of visit `visit` (indices), and the staff (indices) who may do it.

    Soft timing, in cost units: each (deadline, weight) in `late_costs` costs `weight` per second
    of start after `deadline` (tardiness, or a replanned visit moving later than its tolerance);
    `tardy_after` is the soft latest start whose excess counts towards the maximum tardiness;
    `target_s` is the start a replanned visit had, which the final timing waits for when it can
    (moving earlier costs only beyond the tolerance, see the objective)."""

    index: int
    visit: int
    part: int
    location: int
    duration_s: int
    earliest_s: int
    latest_s: int
    eligible: frozenset[int]
    demand: int = 0
    late_costs: tuple[tuple[int, int], ...] = ()
    tardy_after: int | None = None
    target_s: int | None = None

    def late_cost(self, start: int) -> int:
        total = 0
        for deadline, weight in self.late_costs:
            if start > deadline:
                total += weight * (start - deadline)
        return total

    @property
    def soft_deadline(self) -> int | None:
        """The earliest soft deadline: starting later than this costs something."""
        return min(d for d, _ in self.late_costs) if self.late_costs else None


@dataclass(frozen=True, slots=True)
class Link:
    """A dependency seen from one of its visits: `other` must start within [lo, hi] seconds of
    this visit's start (negative for the visit that comes first)."""

    other: int
    lo: int
    hi: int


def has_skills(staff: Staff, visit: Visit, part: int) -> bool:
    return visit.skills_of_part(part) <= staff.skills


def may_do(staff: Staff, visit: Visit, part: int) -> bool:
    """Skills, refusals, municipality, pinning and capacity: everything but time."""
    if not has_skills(staff, visit, part):
        return False
    if staff.capacity is not None and visit.demand > staff.capacity:
        return False
    if staff.id in visit.refused_staff or not staff.can_serve(visit.municipality):
        return False
    return part >= len(visit.pinned_staff) or visit.pinned_staff[part] == staff.id


NO_LIMIT = 10**9


def _late_costs(visit: Visit, part: int, weights: Weights) -> tuple[tuple[int, int], ...]:
    """Tardiness counts per part (each staff member is late), a move once per visit."""
    costs = []
    if visit.soft_latest_start_s is not None and weights.tardiness_per_s > 0:
        costs.append((visit.soft_latest_start_s, weights.tardiness_per_s))
    if visit.previous_start_s is not None and weights.move_per_s > 0 and part == 0:
        costs.append((visit.previous_start_s + weights.move_tolerance_s, weights.move_per_s))
    return tuple(costs)


def _target(visit: Visit, weights: Weights) -> int | None:
    """A replanned visit's previous start: starting earlier is free within the tolerance, but
    every minute it moves is a minute someone has to be told about."""
    if visit.previous_start_s is None or weights.move_per_s == 0:
        return None
    return visit.previous_start_s


class Tasks:
    """Index of tasks, visits, staff and dependency links for one problem."""

    def __init__(self, problem: Problem, weights: Weights | None = None) -> None:
        self.problem = problem
        self.weights = weights = weights if weights is not None else Weights()
        self.travel = problem.travel_s
        self.visit_index = {v.id: i for i, v in enumerate(problem.visits)}
        self.staff_index = {s.id: i for i, s in enumerate(problem.staff)}
        self.tasks: list[Task] = []
        self.of_visit: list[tuple[int, ...]] = []
        for vi, visit in enumerate(problem.visits):
            parts = []
            for part in range(visit.staff_count):
                eligible = frozenset(
                    si for si, s in enumerate(problem.staff) if may_do(s, visit, part)
                )
                parts.append(len(self.tasks))
                self.tasks.append(
                    Task(
                        index=len(self.tasks),
                        visit=vi,
                        part=part,
                        location=visit.location,
                        duration_s=visit.duration_s,
                        earliest_s=visit.earliest_start_s,
                        latest_s=visit.latest_start_s,
                        eligible=eligible,
                        demand=visit.demand,
                        late_costs=_late_costs(visit, part, weights),
                        tardy_after=visit.soft_latest_start_s,
                        target_s=_target(visit, weights),
                    )
                )
            self.of_visit.append(tuple(parts))
        self.links: list[list[Link]] = [[] for _ in problem.visits]
        for dep in problem.dependencies:
            self._add_link(dep)

    def _add_link(self, dep: Dependency) -> None:
        before, after = self.visit_index[dep.before], self.visit_index[dep.after]
        hi = NO_LIMIT if dep.max_lag_s is None else dep.max_lag_s
        self.links[before].append(Link(after, dep.min_lag_s, hi))
        self.links[after].append(Link(before, -hi, -dep.min_lag_s))

    def is_coupled(self, visit: int) -> bool:
        """Joint or linked by a dependency: its start time ties it to other routes."""
        return len(self.of_visit[visit]) > 1 or bool(self.links[visit])

    def components(self) -> list[list[int]]:
        """Visits grouped by dependency links (singletons for unlinked visits)."""
        seen: set[int] = set()
        groups = []
        for start in range(len(self.of_visit)):
            if start in seen:
                continue
            group, stack = [], [start]
            seen.add(start)
            while stack:
                v = stack.pop()
                group.append(v)
                for link in self.links[v]:
                    if link.other not in seen:
                        seen.add(link.other)
                        stack.append(link.other)
            groups.append(sorted(group))
        return groups
