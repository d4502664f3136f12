"""The problem compiled for search: one task per staff member a visit needs, with eligible staff.

A visit with `staff_count` 2 becomes two tasks (its parts) that must start at the same second on
two different routes. Everything here is indices, so the search never looks up ids.

A staff member's fixed appointments become *fixed tasks*, after all the visits' tasks: pinned to
their route, at one start, with no visit behind them. Every plan starts with them on their routes
(`skeleton`) and nothing ever moves or removes them. Those that cannot be kept (they overlap, or
the shift cannot reach them) are left out here once, with the reason (`unkept`), so every plan of
the problem keeps the same ones.

Time off between the shifts of a split shift is a fixed task too, at the staff member's end
location: the route is back there by its start and leaves no earlier than its end. It is always
kept (the Problem has checked that an empty day can), and laid in before the appointments.
"""

from __future__ import annotations

from dataclasses import dataclass

from solver.breaks import with_breaks
from solver.problem import Appointment, Dependency, OffDuty, Problem, Staff, Visit, Weights
from solver.schedule import RouteState
from solver.task import Task


@dataclass(frozen=True, slots=True)
class Fixed:
    """A fixed task: staff member `route` keeps `appointment`, or is off duty (`off_duty`, then
    `appointment` stands for it: its times, at the end location)."""

    route: int
    appointment: Appointment
    off_duty: OffDuty | None = None


@dataclass(frozen=True, slots=True)
class Unkept:
    """An appointment no plan can keep, and why (`reason` a short code, `detail` for people)."""

    route: int
    appointment: Appointment
    reason: str
    detail: str


@dataclass(frozen=True, slots=True)
class Link:
    """A dependency seen from one of its visits: `other` must start within [lo, hi] seconds of
    this visit's start (negative for the visit that comes first)."""

    other: int
    lo: int
    hi: int


def has_skills(staff: Staff, visit: Visit, part: int) -> bool:
    return visit.skills_of_part(part) <= staff.skills


def of_organisation(staff: Staff, visit: Visit, part: int) -> bool:
    return visit.organisations_of_part(part) <= staff.organisations


def may_do(staff: Staff, visit: Visit, part: int) -> bool:
    """Skills and skill level, organisation, refusals, municipality, pinning and capacity:
    everything but time."""
    if not has_skills(staff, visit, part) or staff.skill_level < visit.skill_level:
        return False
    if not of_organisation(staff, visit, part):
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


def part_costs(problem: Problem, visit: Visit, weights: Weights) -> tuple[int, ...] | None:
    """What one part of the visit costs by itself with each staff member: over-qualification,
    work outside the staff member's home municipality, and a face the patient has not seen
    (None: nothing, for anyone)."""
    costs = []
    for staff in problem.staff:
        cost = 0
        above = staff.skill_level - visit.skill_level
        if above > 0:
            cost += weights.overqualification_per_level * above
        home = staff.home_municipality
        if home is not None and visit.municipality is not None and visit.municipality != home:
            cost += weights.outside_home_municipality
        if visit.seen_staff and staff.id not in visit.seen_staff:
            cost += weights.new_staff_per_visit
        costs.append(cost)
    return tuple(costs) if any(costs) else None


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
        # Per visit, per staff member: the part's own soft cost (see part_costs).
        self.part_cost = [part_costs(problem, v, weights) for v in problem.visits]
        self.links: list[list[Link]] = [[] for _ in problem.visits]
        # Per visit: (other visit, True for the same staff, False for different staff).
        self.staff_links: list[list[tuple[int, bool]]] = [[] for _ in problem.visits]
        for dep in problem.dependencies:
            self._add_link(dep)
        self._add_series()
        # Per visit with staff rules: the visits linked to it in time (itself included).
        self.link_unit: dict[int, tuple[int, ...]] = {
            v: tuple(unit)
            for unit in self.link_components()
            for v in unit
            if self.has_staff_rules(unit)
        }
        self.first_fixed = len(self.tasks)
        self.fixed: list[Fixed] = []
        self.unkept: list[Unkept] = []
        self.skeleton: list[list[int] | None] = [None] * len(problem.staff)
        self.needs_overtime = [False] * len(problem.staff)
        for si in range(len(problem.staff)):
            self._compile_appointments(si)

    def _add_link(self, dep: Dependency) -> None:
        before, after = self.visit_index[dep.before], self.visit_index[dep.after]
        # Durations are fixed, so a lag from the first visit's end is one from its start.
        offset = self.problem.visits[before].duration_s if dep.anchor == "end" else 0
        lo = dep.min_lag_s + offset
        hi = NO_LIMIT if dep.max_lag_s is None else dep.max_lag_s + offset
        self.links[before].append(Link(after, lo, hi))
        self.links[after].append(Link(before, -hi, -lo))
        if dep.staff != "any":
            self._add_staff_link(before, after, dep.staff == "same")

    def _add_staff_link(self, a: int, b: int, same: bool) -> None:
        if (b, same) not in self.staff_links[a]:
            self.staff_links[a].append((b, same))
            self.staff_links[b].append((a, same))

    def _add_series(self) -> None:
        """Every two visits of a series share a staff member (one does them all, for visits
        of one staff member each)."""
        series: dict[str, list[int]] = {}
        for v, visit in enumerate(self.problem.visits):
            if visit.series is not None:
                series.setdefault(visit.series, []).append(v)
        for members in series.values():
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    self._add_staff_link(a, b, True)

    def _compile_appointments(self, si: int) -> None:
        """Lay the staff member's time off and then their appointments on an empty route in
        time order, each appointment kept if the route stays feasible with it (breaks included,
        up to the shift end plus overtime)."""
        staff = self.problem.staff[si]
        if not staff.appointments and not staff.off_duty:
            return
        windows = [(t.earliest_s, t.latest_s) for t in self.tasks]
        limit = staff.shift_end_s + staff.max_overtime_s
        route = RouteState(staff, self.travel, self.tasks, windows, limit)
        kept: list[int] = []
        for k, off in enumerate(staff.off_duty):
            stand_in = Appointment(f"off duty {k + 1}", off.start_s, off.end_s, staff.end_location)
            kept.append(self._add_fixed(si, stand_in, windows, off_duty=True))
            self.fixed.append(Fixed(si, stand_in, off))
        for appointment in sorted(staff.appointments, key=lambda a: (a.start_s, a.end_s, a.id)):
            t = self._add_fixed(si, appointment, windows)
            laid = sorted([*kept, t], key=lambda u: self.tasks[u].earliest_s)
            if with_breaks(route, laid) is not None:
                kept = laid
                self.fixed.append(Fixed(si, appointment))
                continue
            self.tasks.pop()
            windows.pop()
            reason, detail = self._why_unkept(
                staff, [f for f in self.fixed if f.route == si], appointment
            )
            self.unkept.append(Unkept(si, appointment, reason, detail))
        if kept:
            elems = with_breaks(route, kept)
            assert elems is not None  # the last one kept fitted with all the others
            self.skeleton[si] = elems
            self.needs_overtime[si] = route.earliest_return_s > staff.shift_end_s

    def _add_fixed(
        self,
        si: int,
        appointment: Appointment,
        windows: list[tuple[int, int]],
        off_duty: bool = False,
    ) -> int:
        """A fixed task for `appointment` on route si (appended to the tasks and `windows`)."""
        t = len(self.tasks)
        self.tasks.append(
            Task(
                index=t,
                visit=len(self.problem.visits) + len(self.fixed),
                part=0,
                location=appointment.location,
                duration_s=appointment.end_s - appointment.start_s,
                earliest_s=appointment.start_s,
                latest_s=appointment.start_s,
                eligible=frozenset({si}),
                off_duty=off_duty,
            )
        )
        windows.append((appointment.start_s, appointment.start_s))
        return t

    def _why_unkept(
        self, staff: Staff, kept: list[Fixed], appointment: Appointment
    ) -> tuple[str, str]:
        """Why `appointment` (starting no earlier than any kept appointment) does not fit among
        the kept appointments and the time off."""
        for other in kept:
            held = other.appointment
            if held.start_s < appointment.end_s and appointment.start_s < held.end_s:
                return "overlap", f"overlaps {_named(other)}"
        before = [f for f in kept if f.appointment.end_s <= appointment.start_s]
        after = [f for f in kept if f.appointment.start_s >= appointment.end_s]
        if before:
            previous = max(before, key=lambda f: f.appointment.end_s)
            ready, where = previous.appointment.end_s, previous.appointment.location
            source = _named(previous)
        else:
            ready, where, source = staff.shift_start_s, staff.start_location, "the shift's start"
        if ready + self.travel[where][appointment.location] > appointment.start_s:
            return "unreachable", f"cannot get there in time from {source}"
        if after:
            following = min(after, key=lambda f: f.appointment.start_s)
            leg = self.travel[appointment.location][following.appointment.location]
            if appointment.end_s + leg > following.appointment.start_s:
                return "unreachable", f"cannot get from it to {_named(following)} in time"
        back = appointment.end_s + self.travel[appointment.location][staff.end_location]
        if back > staff.shift_end_s + staff.max_overtime_s:
            return "no_return", "cannot get back by the end of the shift (and overtime)"
        return "no_room_for_breaks", "leaves no time for the breaks inside their windows"

    def is_fixed(self, t: int) -> bool:
        """Task t is a kept appointment or time off (no visit behind it; never moved or
        removed)."""
        return t >= self.first_fixed

    def fixed_tasks(self) -> range:
        return range(self.first_fixed, len(self.tasks))

    def fixed_of(self, t: int) -> Fixed:
        return self.fixed[t - self.first_fixed]

    def is_coupled(self, visit: int) -> bool:
        """Joint or linked by a dependency: its start time ties it to other routes."""
        return len(self.of_visit[visit]) > 1 or bool(self.links[visit])

    def components(self) -> list[list[int]]:
        """Visits grouped by dependency links and staff rules (series, same or different
        staff), so a group is placed and removed together (singletons for unlinked visits)."""
        return self._components(with_staff=True)

    def link_components(self) -> list[list[int]]:
        """Visits grouped by dependency links only: those planned both or neither."""
        return self._components(with_staff=False)

    def has_staff_rules(self, group: list[int]) -> bool:
        return any(self.staff_links[v] for v in group)

    def _components(self, with_staff: bool) -> list[list[int]]:
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
                others = [link.other for link in self.links[v]]
                if with_staff:
                    others += [other for other, _ in self.staff_links[v]]
                for other in others:
                    if other not in seen:
                        seen.add(other)
                        stack.append(other)
            groups.append(sorted(group))
        return groups


def _named(fixed: Fixed) -> str:
    if fixed.off_duty is not None:
        return "the time off between shifts"
    return f"appointment {fixed.appointment.id}"
