"""What the solver (or anyone else) says the plan is: routes, times, what was left out and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Reason(StrEnum):
    """Why a visit is not in the plan. Each must be true of the problem, not a guess."""

    NO_SKILLED_STAFF = "no_skilled_staff"
    """No staff member in the problem has the skills for (a part of) the visit."""
    PINNED_STAFF_NOT_WORKING = "pinned_staff_not_working"
    """A pinned staff member has no shift in the problem."""
    NO_ALLOWED_STAFF = "no_allowed_staff"
    """Skilled staff exist, but every one is refused by the patient, may not serve the
    visit's municipality or has too little capacity for its demand."""
    NO_SHIFT_COVERS_WINDOW = "no_shift_covers_window"
    """No eligible staff member can reach, do and leave the visit inside their shift."""
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
class Route:
    """A staff member's day: leave the start location, visit the stops in order, return."""

    staff_id: str
    departure_s: int
    return_s: int
    stops: tuple[Stop, ...] = ()
    breaks: tuple[BreakTaken, ...] = ()
    return_travel_s: int = 0

    @property
    def travel_s(self) -> int:
        return sum(s.travel_s for s in self.stops) + self.return_travel_s


@dataclass(frozen=True)
class Unassigned:
    visit_id: str
    reason: Reason
    detail: str
    closest_staff: str | None = None


@dataclass(frozen=True)
class Result:
    """A plan. `objective` is the sum of `breakdown`; `kpis` are plain numbers for people."""

    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    objective: int = 0
    breakdown: dict[str, int] = field(default_factory=dict)
    kpis: dict[str, float] = field(default_factory=dict)
    status: str = "ok"
    wall_time_s: float = 0.0

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
