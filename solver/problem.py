"""The planning problem as the solver sees it: plain data, integer seconds, indices into a matrix.

Times are seconds from the start of the planning day (the caller picks the origin, usually local
midnight), so the solver never sees a date, a time zone or a coordinate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum


class Priority(IntEnum):
    """How much it matters that a visit is planned; lower value, more important."""

    URGENT = 0
    HIGH = 1
    NORMAL = 2
    LOW = 3


@dataclass(frozen=True)
class Break:
    """A break of `duration_s` that must lie wholly inside [earliest_start_s, latest_end_s]."""

    duration_s: int
    earliest_start_s: int
    latest_end_s: int

    def __post_init__(self) -> None:
        if self.duration_s <= 0:
            raise ValueError("Break.duration_s must be positive")
        if self.latest_end_s - self.earliest_start_s < self.duration_s:
            raise ValueError("Break window is shorter than its duration")


@dataclass(frozen=True)
class Appointment:
    """A fixed appointment in a staff member's day (a team meeting, clinic hours at the medical
    centre): at `location` from `start_s` to `end_s`. Hard: the route gets there in time, stays
    for the whole of it, and the visits are planned around it."""

    id: str
    start_s: int
    end_s: int
    location: int

    def __post_init__(self) -> None:
        if self.end_s <= self.start_s:
            raise ValueError(f"Appointment {self.id}: it must end after it starts")


@dataclass(frozen=True)
class OffDuty:
    """Time off between two shifts of one staff member's day (a split shift, e.g. 07-11 and
    15-19): back at `Staff.end_location` by `start_s`, out again no earlier than `end_s`."""

    start_s: int
    end_s: int

    def __post_init__(self) -> None:
        if self.end_s <= self.start_s:
            raise ValueError("OffDuty: it must end after it starts")


@dataclass(frozen=True)
class Staff:
    """One staff member's working day: a shift from start to end location, with breaks.

    A split shift is one day with `off_duty` periods: the shifts are the stretches of
    [shift_start_s, shift_end_s] between them. The staff member is one route, so everything
    said of a staff member (refusals, preferences, pinning, series, who does which part of a
    joint visit) holds across their shifts. Each break window lies inside one shift; overtime
    only follows the last one (an off-duty period is not moved).

    The route may end up to `max_overtime_s` after `shift_end_s`; each second of that costs
    `Weights.overtime_per_s`. `municipalities` empty means the staff member may work anywhere.
    `capacity` (None: no limit) bounds the total `Visit.demand` on the route. The start and end
    locations may differ, e.g. a replan from where someone is at the moment.

    `appointments` are fixed (see Appointment). `skill_level` is how qualified the staff member
    is (e.g. 1 assistant, 2 nurse, 3 specialist nurse): a visit needing a higher level is not
    theirs, one needing a lower level costs `Weights.overqualification_per_level` per level.
    Visits outside `home_municipality` cost `Weights.outside_home_municipality` (affinity, soft);
    `municipalities` is the hard coverage. `organisations` are those the staff member works for:
    their own and those it is part of (a specialist team and its hospital trust); a visit may
    require one of them (`Visit.organisation`, `Visit.part_organisations`).
    """

    id: str
    shift_start_s: int
    shift_end_s: int
    start_location: int
    end_location: int
    skills: frozenset[str] = frozenset()
    breaks: tuple[Break, ...] = ()
    municipalities: frozenset[str] = frozenset()
    home_municipality: str | None = None
    max_overtime_s: int = 0
    capacity: int | None = None
    appointments: tuple[Appointment, ...] = ()
    skill_level: int = 0
    organisations: frozenset[str] = frozenset()
    off_duty: tuple[OffDuty, ...] = ()

    def __post_init__(self) -> None:
        if self.shift_end_s <= self.shift_start_s:
            raise ValueError(f"Staff {self.id}: shift must end after it starts")
        self._check_off_duty()
        if self.max_overtime_s < 0:
            raise ValueError(f"Staff {self.id}: max_overtime_s must not be negative")
        if self.capacity is not None and self.capacity < 0:
            raise ValueError(f"Staff {self.id}: capacity must not be negative")
        for brk in self.breaks:
            if brk.earliest_start_s < self.shift_start_s or brk.latest_end_s > self.shift_end_s:
                raise ValueError(f"Staff {self.id}: break window outside the shift")
        for appointment in self.appointments:
            if appointment.start_s < self.shift_start_s or appointment.end_s > self.shift_end_s:
                raise ValueError(f"Staff {self.id}: appointment {appointment.id} outside the shift")
        _require_unique(f"staff {self.id} appointment", [a.id for a in self.appointments])

    def _check_off_duty(self) -> None:
        """Off-duty periods lie inside the day, in time order, apart, and no break window or
        appointment reaches into one."""
        edge = self.shift_start_s
        for off in self.off_duty:
            if off.start_s <= edge or off.end_s >= self.shift_end_s:
                raise ValueError(
                    f"Staff {self.id}: off-duty periods must lie inside the day, in time order, "
                    "with working time before, between and after them"
                )
            edge = off.end_s
            for brk in self.breaks:
                if brk.earliest_start_s < off.end_s and off.start_s < brk.latest_end_s:
                    raise ValueError(f"Staff {self.id}: a break window reaches into time off")
            for appointment in self.appointments:
                if appointment.start_s < off.end_s and off.start_s < appointment.end_s:
                    raise ValueError(
                        f"Staff {self.id}: appointment {appointment.id} falls in time off"
                    )

    def shifts(self) -> tuple[tuple[int, int], ...]:
        """The day's shifts as (start, end): one, or one more than there are off-duty periods."""
        starts = [self.shift_start_s, *(off.end_s for off in self.off_duty)]
        ends = [*(off.start_s for off in self.off_duty), self.shift_end_s]
        return tuple(zip(starts, ends, strict=True))

    def can_serve(self, municipality: str | None) -> bool:
        return (
            not self.municipalities or municipality is None or municipality in self.municipalities
        )


@dataclass(frozen=True)
class Visit:
    """A visit at one location, started within [earliest_start_s, latest_start_s].

    `staff_count` staff attend together (a joint visit) and start at the same second. Every one of
    them needs `skills`; when `part_skills` is given (one set per staff member) part i also needs
    `part_skills[i]`, e.g. a nurse and a physiotherapist. `pinned_staff` lists staff who must do it
    (one per part, in part order); `refused_staff` may never do it.

    `demand` counts against `Staff.capacity` (used by the VRPTW benchmarks, not by home care).
    `soft_latest_start_s`, when set, is a soft limit: starting after it is tardiness, costed per
    second (the Mankowska benchmarks); `latest_start_s` stays the hard limit.

    When replanning, `previous_staff` and `previous_start_s` say where the visit was in the plan
    being replaced: giving it to someone else, or moving its start by more than a tolerance,
    costs (see Weights), so a new plan moves as little as it can.

    `skill_level` is the least `Staff.skill_level` that may do it (hard; more is
    over-qualification, soft). Visits with the same `series` (e.g. a patient's morning and
    evening visit) are all done by one staff member (hard).

    `seen_staff` are the staff the patient has seen in the days before (continuity over a
    week): when it is not empty, each part done by someone outside it costs
    `Weights.new_staff_per_visit`, so the plan keeps to familiar faces. Empty: no history, no
    cost.

    `organisation` is one every part's staff member must work for (see `Staff.organisations`);
    `part_organisations` (one entry per staff member, None for any) names it per part, e.g. a
    specialist of the hospital's ambulant team and a nurse of the municipality (hard).
    """

    id: str
    location: int
    duration_s: int
    earliest_start_s: int
    latest_start_s: int
    skills: frozenset[str] = frozenset()
    staff_count: int = 1
    part_skills: tuple[frozenset[str], ...] = ()
    priority: Priority = Priority.NORMAL
    pinned_staff: tuple[str, ...] = ()
    refused_staff: frozenset[str] = frozenset()
    preferred_staff: frozenset[str] = frozenset()
    municipality: str | None = None
    demand: int = 0
    soft_latest_start_s: int | None = None
    previous_staff: tuple[str, ...] = ()
    previous_start_s: int | None = None
    skill_level: int = 0
    series: str | None = None
    organisation: str | None = None
    part_organisations: tuple[str | None, ...] = ()
    seen_staff: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.duration_s <= 0:
            raise ValueError(f"Visit {self.id}: duration_s must be positive")
        if self.latest_start_s < self.earliest_start_s:
            raise ValueError(f"Visit {self.id}: latest_start_s is before earliest_start_s")
        if self.staff_count < 1:
            raise ValueError(f"Visit {self.id}: staff_count must be at least 1")
        if self.part_skills and len(self.part_skills) != self.staff_count:
            raise ValueError(f"Visit {self.id}: part_skills needs one entry per staff member")
        if self.part_organisations and len(self.part_organisations) != self.staff_count:
            raise ValueError(
                f"Visit {self.id}: part_organisations needs one entry per staff member"
            )
        if len(self.pinned_staff) > self.staff_count:
            raise ValueError(f"Visit {self.id}: more pinned staff than staff_count")
        if len(set(self.pinned_staff)) != len(self.pinned_staff):
            raise ValueError(f"Visit {self.id}: the same staff member is pinned twice")
        if self.demand < 0:
            raise ValueError(f"Visit {self.id}: demand must not be negative")

    def skills_of_part(self, part: int) -> frozenset[str]:
        if self.part_skills:
            return self.skills | self.part_skills[part]
        return self.skills

    def organisations_of_part(self, part: int) -> frozenset[str]:
        """The organisations the staff member doing this part must work for (all of them)."""
        needed = [self.organisation]
        if self.part_organisations:
            needed.append(self.part_organisations[part])
        return frozenset(o for o in needed if o is not None)


DEPENDENCY_ANCHORS = ("start", "end")
DEPENDENCY_STAFF = ("any", "same", "different")


@dataclass(frozen=True)
class Dependency:
    """`after` starts between min_lag_s and max_lag_s after `before` starts, or after it ends
    with `anchor="end"` (max None: no limit). `staff` says whether the two must be done by the
    same staff member, by different ones, or by anyone ("any").

    Both are planned or neither is: a follow-up without its first visit makes no sense.
    """

    before: str
    after: str
    min_lag_s: int = 0
    max_lag_s: int | None = None
    anchor: str = "start"
    staff: str = "any"

    def __post_init__(self) -> None:
        if self.anchor not in DEPENDENCY_ANCHORS:
            raise ValueError(f"Dependency: anchor must be one of {DEPENDENCY_ANCHORS}")
        if self.staff not in DEPENDENCY_STAFF:
            raise ValueError(f"Dependency: staff must be one of {DEPENDENCY_STAFF}")
        if self.before == self.after:
            raise ValueError("Dependency: a visit cannot depend on itself")
        if self.max_lag_s is not None and self.max_lag_s < self.min_lag_s:
            raise ValueError("Dependency: max_lag_s is below min_lag_s")


@dataclass(frozen=True)
class Weights:
    """Objective weights, in cost units. Travel and overtime cost per second; an unassigned visit
    costs a lump sum by priority, set high enough that dropping one is a last resort.

    `tardiness_per_s` costs each second a visit part starts after its `soft_latest_start_s`, and
    `max_tardiness_per_s` each second of the largest such delay in the plan (the Mankowska
    objective's max term; 0 leaves it out). When replanning, `reassign_per_visit` costs each
    visit part given to someone outside its `previous_staff`, and `move_per_s` each second its
    start lies more than `move_tolerance_s` away from `previous_start_s`.

    `overqualification_per_level` costs each level a staff member's `skill_level` exceeds the
    visit's, per part; `outside_home_municipality` each part done outside the staff member's
    home municipality; `workload_per_s` each second a staff member's working time (first
    departure to return) exceeds the mean over the staff who work, so that the day is shared
    and not only the longest route shortened. It is 1 by default, the smallest setting that
    shares the day: on the Værnes demo days it halves the spread of working time for about 2 %
    more driving (docs/benchmarks.md, "Workload balance on by default"); staff with no route are
    not in the mean, so it never pays to give an idle person a route only to lower it.

    `new_staff_per_visit` costs each visit part done by a staff member outside the visit's
    `seen_staff` (when it has any): continuity of care over the days.
    """

    travel_per_s: int = 1
    overtime_per_s: int = 4
    unassigned: tuple[int, int, int, int] = (10_000_000, 1_000_000, 200_000, 50_000)
    preferred_staff_bonus: int = 600
    tardiness_per_s: int = 1
    max_tardiness_per_s: int = 0
    reassign_per_visit: int = 3_000
    move_per_s: int = 2
    move_tolerance_s: int = 15 * 60
    overqualification_per_level: int = 120
    outside_home_municipality: int = 300
    workload_per_s: int = 1
    new_staff_per_visit: int = 600

    def __post_init__(self) -> None:
        for name in (
            "travel_per_s",
            "overtime_per_s",
            "preferred_staff_bonus",
            "tardiness_per_s",
            "max_tardiness_per_s",
            "reassign_per_visit",
            "move_per_s",
            "move_tolerance_s",
            "overqualification_per_level",
            "outside_home_municipality",
            "workload_per_s",
            "new_staff_per_visit",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"Weights.{name} must not be negative")

    def unassigned_penalty(self, priority: Priority) -> int:
        return self.unassigned[int(priority)]


@dataclass(frozen=True)
class Parameters:
    """How to search. A fixed seed and the default (non-guided) local search give reproducible
    plans; `time_limit_s` bounds the wall time. `max_iterations` caps the ruin-and-recreate
    search, so that a plan does not depend on the machine's speed (None: until its time share
    runs out). `workers` > 1 runs that many searches with different seeds in separate processes
    and keeps the best plan; 1 searches in the calling process. `stop_when_settled` ends the
    search early once it has long stopped finding better plans (a small day answers in a second
    or two, not at the time limit); benchmarks turn it off to use the whole time limit."""

    time_limit_s: float = 10.0
    seed: int = 0
    weights: Weights = field(default_factory=Weights)
    guided_local_search: bool = True
    max_iterations: int | None = None
    workers: int = 1
    stop_when_settled: bool = True

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise ValueError("Parameters.time_limit_s must be positive")
        if self.max_iterations is not None and self.max_iterations < 0:
            raise ValueError("Parameters.max_iterations must not be negative")
        if self.workers < 1:
            raise ValueError("Parameters.workers must be at least 1")


@dataclass(frozen=True)
class Problem:
    """Staff, visits and the travel-time matrix (seconds, travel_s[i][j] from location i to j)."""

    staff: tuple[Staff, ...]
    visits: tuple[Visit, ...]
    travel_s: tuple[tuple[int, ...], ...]
    dependencies: tuple[Dependency, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.travel_s)
        if any(len(row) != n for row in self.travel_s):
            raise ValueError("Problem.travel_s must be square")
        if any(t < 0 for row in self.travel_s for t in row):
            raise ValueError("Problem.travel_s must not be negative")
        _require_unique("staff", [s.id for s in self.staff])
        _require_unique("visit", [v.id for v in self.visits])
        for s in self.staff:
            if not (0 <= s.start_location < n and 0 <= s.end_location < n):
                raise ValueError(f"Staff {s.id}: location index outside the matrix")
            self._check_off_duty_reachable(s)
        for v in self.visits:
            if not 0 <= v.location < n:
                raise ValueError(f"Visit {v.id}: location index outside the matrix")
        visit_ids = {v.id for v in self.visits}
        for d in self.dependencies:
            if d.before not in visit_ids or d.after not in visit_ids:
                raise ValueError(f"Dependency {d.before}->{d.after}: unknown visit")

    def _check_off_duty_reachable(self, staff: Staff) -> None:
        """Each off-duty period can be kept on a day with nothing else: back at the end location
        in time after the shift before it, its breaks taken as a route takes them (each as soon
        as its window opens, during the drive or before it). Appointments the day cannot keep
        with it are left out, as any appointment that does not fit."""
        where, ready = staff.start_location, staff.shift_start_s
        ordered = sorted(staff.breaks, key=lambda b: (b.earliest_start_s, b.latest_end_s))
        for off in staff.off_duty:
            free, taken = ready, 0
            for brk in ordered:
                if ready <= brk.earliest_start_s and brk.latest_end_s <= off.start_s:
                    free = max(free, brk.earliest_start_s) + brk.duration_s
                    taken += brk.duration_s
            back = max(ready + taken + self.travel_s[where][staff.end_location], free)
            if back > off.start_s:
                raise ValueError(
                    f"Staff {staff.id}: cannot be back at the end location by the time off at "
                    f"{off.start_s} s"
                )
            where, ready = staff.end_location, off.end_s

    def visit(self, visit_id: str) -> Visit:
        for v in self.visits:
            if v.id == visit_id:
                return v
        raise KeyError(visit_id)

    def staff_member(self, staff_id: str) -> Staff:
        for s in self.staff:
            if s.id == staff_id:
                return s
        raise KeyError(staff_id)


def _require_unique(kind: str, ids: Sequence[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ValueError(f"duplicate {kind} id {i!r}")
        seen.add(i)
