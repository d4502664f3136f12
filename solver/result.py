"""What the solver (or anyone else) says the plan is: routes, times, what was left out and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Reason(StrEnum):
    """Why a visit is not in the plan. Each must be true of the problem, not a guess."""

    NO_SKILLED_STAFF = "no_skilled_staff"
    """No staff member in the problem has the skills for (a part of) the visit."""
    NO_STAFF_AT_LEVEL = "no_staff_at_level"
    """Staff with the skills exist, but too few at the visit's skill level."""
    NO_STAFF_OF_ORGANISATION = "no_staff_of_organisation"
    """Staff with the skills and level exist, but too few of the organisation a part needs
    (none of it on shift, or none of it with the skills)."""
    PINNED_STAFF_NOT_WORKING = "pinned_staff_not_working"
    """A pinned staff member has no shift in the problem."""
    NO_ALLOWED_STAFF = "no_allowed_staff"
    """Skilled staff exist, but every one is refused by the patient, may not serve the
    visit's municipality or has too little capacity for its demand."""
    NO_SHIFT_COVERS_WINDOW = "no_shift_covers_window"
    """No eligible staff member can reach, do and leave the visit inside their shift."""
    LINKED_STAFF_CONFLICT = "linked_staff_conflict"
    """Its series or a dependency needs the same (or a different) staff member as a linked
    visit, and no staff member who may do it can be that: nobody may do both (or only one
    person may do either), or no staff member the rule leaves has room while others do."""
    DEPENDENCY_UNPLANNED = "dependency_unplanned"
    """The visit it depends on (or that depends on it) could not be planned."""
    NO_ROOM = "no_room"
    """Eligible staff exist, but their routes are full; `closest_staff` is the best candidate."""


@dataclass(frozen=True)
class Stop:
    """One staff member's part of a visit. `travel_s` is the drive from the previous location."""

    visit_id: str
    part: int
    arrival_s: int
    start_s: int
    end_s: int
    travel_s: int


@dataclass(frozen=True)
class BreakTaken:
    start_s: int
    end_s: int


@dataclass(frozen=True)
class AppointmentKept:
    """A fixed appointment on the route: arrive at its location (`travel_s` from the previous
    place), be there from `start_s` to `end_s` (the appointment's own times)."""

    appointment_id: str
    arrival_s: int
    start_s: int
    end_s: int
    travel_s: int


@dataclass(frozen=True)
class OffDutyTaken:
    """Time off between two shifts of a split shift: back at the end location at `arrival_s`
    (`travel_s` from the previous place), off from `start_s` to `end_s` (the problem's own
    times). The next shift drives on from there."""

    arrival_s: int
    start_s: int
    end_s: int
    travel_s: int


@dataclass(frozen=True)
class UnkeptAppointment:
    """A fixed appointment the plan cannot keep: `reason` is `overlap` (with another of the
    staff member's appointments, the earlier one is kept), `unreachable` (not in time from the
    shift's start or the previous appointment), `no_return` (not back by the shift's end plus
    overtime), `no_room_for_breaks` or `solver_failed`; `detail` says it for people."""

    staff_id: str
    appointment_id: str
    reason: str
    detail: str


@dataclass(frozen=True)
class Route:
    """A staff member's day: leave the start location, visit the stops in order, return.
    `appointments` are the fixed appointments kept, in time order between the stops (order the
    two by start to walk the day); `off_duty` the time off between the shifts of a split shift,
    in the same way."""

    staff_id: str
    departure_s: int
    return_s: int
    stops: tuple[Stop, ...] = ()
    breaks: tuple[BreakTaken, ...] = ()
    return_travel_s: int = 0
    appointments: tuple[AppointmentKept, ...] = ()
    off_duty: tuple[OffDutyTaken, ...] = ()

    @property
    def travel_s(self) -> int:
        """All driving: to each stop and appointment, back for time off, and home."""
        return (
            sum(s.travel_s for s in self.stops)
            + sum(a.travel_s for a in self.appointments)
            + sum(o.travel_s for o in self.off_duty)
            + self.return_travel_s
        )

    @property
    def working_s(self) -> int:
        """Time away from departure to return, less the time off between shifts."""
        return self.return_s - self.departure_s - sum(o.end_s - o.start_s for o in self.off_duty)


@dataclass(frozen=True)
class Unassigned:
    visit_id: str
    reason: Reason
    detail: str
    closest_staff: str | None = None


@dataclass(frozen=True)
class SearchStats:
    """What the ruin-and-recreate search did: its iterations and the seconds they took (local
    search on new bests included), for measuring the search's speed."""

    iterations: int = 0
    seconds: float = 0.0

    @property
    def iterations_per_s(self) -> float | None:
        return self.iterations / self.seconds if self.seconds > 0 else None


@dataclass(frozen=True)
class Result:
    """A plan. `objective` is the sum of `breakdown`; `kpis` are plain numbers for people.
    `unkept_appointments` lists the fixed appointments no route keeps, with the reason.
    `stats` says what the search that found the plan did (zero where none ran)."""

    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    objective: int = 0
    breakdown: dict[str, int] = field(default_factory=dict)
    kpis: dict[str, float] = field(default_factory=dict)
    status: str = "ok"
    wall_time_s: float = 0.0
    unkept_appointments: tuple[UnkeptAppointment, ...] = ()
    stats: SearchStats = field(default_factory=SearchStats)

    def route_of(self, staff_id: str) -> Route | None:
        for r in self.routes:
            if r.staff_id == staff_id:
                return r
        return None


@dataclass(frozen=True)
class Option:
    """One way to fit a new visit into an existing plan without replanning the rest.

    `staff_ids` do it (one per part) starting at `start_s`; `added_travel_s` is the extra driving
    on their routes; `shifted_visits` are the visits on those routes whose start changes,
    `dropped_visits` those that must come out to make room (then unassigned). `cost_delta` is
    the change of the objective against the plan without the new visit (dropped visits' penalties
    included). `routes` are the staff members' new routes: replace theirs in the plan, list the
    dropped visits as unassigned, and the plan holds the new visit. An infeasible option
    (`feasible` False, no routes) says that staff member cannot take it even with one visit
    dropped; its `cost_delta` is what leaving the visit out costs."""

    staff_ids: tuple[str, ...]
    start_s: int
    added_travel_s: int
    shifted_visits: tuple[str, ...]
    dropped_visits: tuple[str, ...]
    cost_delta: int
    feasible: bool
    routes: tuple[Route, ...] = ()
