"""Is a seeded day's workload plannable? A quick estimate, no routing.

The estimate is a linear relaxation of the planning problem on a coarse clock. Every visit is
worth its duration plus a travel allowance: the settlement's `hop_minutes` (driving between
neighbouring homes) and, for homes away from a staff member's start, the round trip out there
shared by `visits_per_trip` visits. Work may be split freely between the staff allowed to do it
(municipality, skills, organisation) and between the 30-minute buckets of its time window, and
each staff member's breaks take their minutes inside the break window (a split shift is a worker
per shift). Two numbers come out:

- `utilisation`: the smallest possible share of the busiest staff member's working minutes
  (shift minus breaks) that the work needs; a planner has little hope above ~75 %, because
  time windows, joint visits and real routes waste time the relaxation does not see.
- `overload_minutes`: work that does not fit at all when no staff member may spend more than
  `peak_utilisation` of any bucket working, e.g. every insulin visit at 08:00 with too few nurses.

It is a necessary condition for a good plan, not a sufficient one; it exists to keep the demo
data honest, not to replace the planner.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp
from sqlmodel import Session, col, select

from ambulant.demo.region_spec import RegionSpec, SettlementSpec, load_region
from ambulant.models import (
    Appointment,
    Base,
    Organisation,
    Patient,
    Shift,
    Staff,
    StartFrom,
    Team,
    VisitRequest,
)
from ambulant.registry.organisations import with_parents
from ambulant.timeutil import to_day_seconds
from ambulant.travel.geodesic import great_circle_matrix_m
from ambulant.travel.protocol import Point

BUCKET_MIN = 30
OVERLOAD_PENALTY = 1_000.0


@dataclass(frozen=True)
class Overload:
    staff_id: int
    bucket_start: dt.time
    minutes: float


@dataclass(frozen=True)
class CapacityEstimate:
    day: dt.date
    staff_count: int
    visit_count: int
    working_minutes: float
    visit_minutes: float
    travel_minutes: float
    utilisation: float
    overall_utilisation: float
    overload_minutes: float
    max_utilisation: float
    uncovered_visit_ids: list[int] = field(default_factory=list)
    overloads: list[Overload] = field(default_factory=list)
    # Each staff member's share in one balanced assignment (the busiest is `utilisation`).
    staff_utilisation: dict[int, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            not self.uncovered_visit_ids
            and self.overload_minutes < 1.0
            and self.utilisation <= self.max_utilisation
        )

    def summary(self) -> str:
        return (
            f"{self.day}: {self.visit_count} visits, {self.staff_count} staff; visits "
            f"{self.visit_minutes:.0f} + travel {self.travel_minutes:.0f} of "
            f"{self.working_minutes:.0f} working minutes ({self.overall_utilisation:.0%} overall, "
            f"busiest {self.utilisation:.0%}, limit {self.max_utilisation:.0%}); "
            f"overload {self.overload_minutes:.0f} min; uncovered {len(self.uncovered_visit_ids)}"
        )


@dataclass
class _Worker:
    staff: Staff
    start: tuple[float, float]
    shift_start: int
    shift_end: int
    break_minutes: int
    break_window: tuple[int, int]
    # Fixed appointments (start, end minutes): time the worker is not free for visits.
    appointments: list[tuple[int, int]] = field(default_factory=list)
    # The staff member's organisation and those it is part of.
    organisations: frozenset[int] = frozenset()

    @property
    def working_minutes(self) -> int:
        fixed = sum(end - start for start, end in self.appointments)
        return self.shift_end - self.shift_start - self.break_minutes - fixed


@dataclass
class _Class:
    """Visit parts alike: same settlement, municipality, skills and window."""

    settlement: int
    municipality: str
    skills: frozenset[str]
    window: tuple[int, int]
    level: int = 0
    organisation: int | None = None
    units: int = 0
    minutes: float = 0.0
    visit_ids: list[int] = field(default_factory=list)


def estimate_capacity(
    session: Session, *, day: dt.date, region: str | RegionSpec
) -> CapacityEstimate:
    """How heavily the day's visits load the day's staff (see the module docstring)."""
    spec = load_region(region) if isinstance(region, str) else region
    workers = _workers(session, day)
    visits = list(session.exec(select(VisitRequest).where(VisitRequest.date == day)).all())
    patient_ids = {v.patient_id for v in visits}
    patients = {
        p.id: p for p in session.exec(select(Patient).where(col(Patient.id).in_(patient_ids)))
    }
    settlements = spec.settlements
    classes = _classes(day, visits, patients, settlements)
    eligible = {
        key: [w for w, worker in enumerate(workers) if _may_do(worker, c)]
        for key, c in classes.items()
    }
    uncovered = sorted(i for key, c in classes.items() if not eligible[key] for i in c.visit_ids)
    drive = _drive_minutes(spec, [w.start for w in workers], settlements)

    solver = pywraplp.Solver.CreateSolver("GLOP")
    z = solver.NumVar(0.0, solver.infinity(), "z")
    load: dict[int, list[pywraplp.Variable]] = defaultdict(list)
    per_bucket: dict[tuple[int, int], list[pywraplp.Variable]] = defaultdict(list)
    approach: dict[int, list[tuple[float, pywraplp.Variable]]] = defaultdict(list)
    for key, c in classes.items():
        if not eligible[key]:
            continue
        per_unit = c.minutes / c.units
        served = []
        for w in eligible[key]:
            worker = workers[w]
            for b in _buckets(
                max(c.window[0], worker.shift_start), min(c.window[1], worker.shift_end)
            ):
                # Minutes of this class's visits (with hops) that w works in bucket b.
                var = solver.NumVar(0.0, solver.infinity(), "")
                load[w].append(var)
                per_bucket[(w, b)].append(var)
                served.append(var)
                trip = spec.capacity.visits_per_trip.get(Team(worker.staff.team), 4.0)
                approach[w].append((2 * drive[w][c.settlement] / trip / per_unit, var))
        solver.Add(solver.Sum(served) == c.units * per_unit)
    overload_vars: dict[tuple[int, int], pywraplp.Variable] = {}
    peak = spec.capacity.peak_utilisation
    for w, worker in enumerate(workers):
        shift = (worker.shift_start, worker.shift_end)
        if worker.break_minutes:
            breaks = []
            for b in _buckets(*worker.break_window):
                breaks.append(solver.NumVar(0.0, BUCKET_MIN, ""))
                per_bucket[(w, b)].append(breaks[-1])
            solver.Add(solver.Sum(breaks) == worker.break_minutes)
        if approach[w]:
            # Driving out to a settlement may happen outside the visits' windows, e.g. before
            # 09:00 to reach Tydal: it only has to fit in the shift.
            drives = []
            for b in _buckets(*shift):
                drives.append(solver.NumVar(0.0, solver.infinity(), ""))
                per_bucket[(w, b)].append(drives[-1])
            solver.Add(solver.Sum(drives) == solver.Sum([f * v for f, v in approach[w]]))
            load[w].extend(drives)
        solver.Add(solver.Sum(load[w]) <= z * worker.working_minutes)
        for b in _buckets(*shift):
            if (w, b) not in per_bucket:
                continue
            over = solver.NumVar(0.0, solver.infinity(), "")
            overload_vars[(w, b)] = over
            bucket = (b, b + BUCKET_MIN)
            open_minutes = _overlap(bucket, shift) - sum(
                _overlap(bucket, a) for a in worker.appointments
            )
            solver.Add(solver.Sum(per_bucket[(w, b)]) <= peak * max(0, open_minutes) + over)
    solver.Minimize(z + OVERLOAD_PENALTY * solver.Sum(list(overload_vars.values())))
    status = solver.Solve()
    if status != pywraplp.Solver.OPTIMAL:  # pragma: no cover - the LP is always feasible
        raise RuntimeError(f"capacity LP ended with status {status}")

    visit_minutes = float(
        sum(v.duration_minutes * v.staff_count for v in visits if v.id not in set(uncovered))
    )
    total_work = sum(v.solution_value() for w in load for v in load[w])
    working = float(sum(w.working_minutes for w in workers))
    overloads = sorted(
        (
            Overload(workers[w].staff.id or 0, _clock(b), var.solution_value())
            for (w, b), var in overload_vars.items()
            if var.solution_value() > 0.5
        ),
        key=lambda o: -o.minutes,
    )
    return CapacityEstimate(
        day=day,
        staff_count=len({w.staff.id for w in workers}),
        visit_count=len(visits),
        working_minutes=working,
        visit_minutes=visit_minutes,
        travel_minutes=max(0.0, total_work - visit_minutes),
        utilisation=z.solution_value(),
        overall_utilisation=total_work / working if working else math.inf,
        overload_minutes=sum(o.minutes for o in overloads),
        max_utilisation=spec.capacity.max_utilisation,
        uncovered_visit_ids=uncovered,
        overloads=overloads,
        staff_utilisation={
            workers[w].staff.id or 0: sum(v.solution_value() for v in load[w])
            / workers[w].working_minutes
            for w in range(len(workers))
        },
    )


def _workers(session: Session, day: dt.date) -> list[_Worker]:
    shifts = session.exec(select(Shift).where(Shift.date == day).order_by(col(Shift.id))).all()
    staff = {
        s.id: s
        for s in session.exec(select(Staff).where(col(Staff.id).in_({s.staff_id for s in shifts})))
    }
    bases = {b.id: b for b in session.exec(select(Base)).all()}
    fixed: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for a in session.exec(select(Appointment).where(Appointment.date == day)):
        fixed[a.staff_id].append((_minute(day, a.start_at), _minute(day, a.end_at)))
    organisations = {o.id: o for o in session.exec(select(Organisation)) if o.id is not None}
    workers = []
    for shift in shifts:
        person = staff[shift.staff_id]
        if person.start_from == StartFrom.HOME and person.home_lat is not None:
            start = (person.home_lat, person.home_lon or 0.0)
        else:
            base = bases[person.base_id]
            start = (base.lat, base.lon)
        begin, end = _minute(day, shift.start_at), _minute(day, shift.end_at)
        workers.append(
            _Worker(
                staff=person,
                start=start,
                shift_start=begin,
                shift_end=end,
                break_minutes=shift.break_minutes,
                break_window=(
                    _minute(day, shift.break_earliest) if shift.break_earliest else begin,
                    _minute(day, shift.break_latest) if shift.break_latest else end,
                ),
                # A split shift is a worker per shift, each with the appointments in it.
                appointments=[a for a in fixed[shift.staff_id] if begin <= a[0] and a[1] <= end],
                organisations=frozenset(
                    with_parents(organisations, person.organisation_id)
                    if person.organisation_id is not None
                    else ()
                ),
            )
        )
    return workers


def _classes(
    day: dt.date,
    visits: Sequence[VisitRequest],
    patients: dict[int | None, Patient],
    settlements: Sequence[SettlementSpec],
) -> dict[tuple[object, ...], _Class]:
    homes = [(patients[v.patient_id].lat, patients[v.patient_id].lon) for v in visits]
    nearest = _nearest(homes, [(s.lat, s.lon) for s in settlements])
    classes: dict[tuple[object, ...], _Class] = {}
    for v, s in zip(visits, nearest, strict=True):
        parts = [frozenset(v.skills)]
        if v.staff_count == 2:
            parts.append(frozenset(v.skills) | frozenset(v.second_staff_skills))
        window = (_minute(day, v.window_start), _minute(day, v.window_end))
        municipality = patients[v.patient_id].municipality_code
        for part, skills in enumerate(parts):
            organisation = v.organisation_id
            if len(v.part_organisation_ids or []) == len(parts):
                organisation = v.part_organisation_ids[part]
            key = (s, municipality, skills, window, v.required_skill_level, organisation)
            c = classes.setdefault(
                key,
                _Class(s, municipality, skills, window, v.required_skill_level, organisation),
            )
            c.units += 1
            c.minutes += v.duration_minutes + settlements[s].hop_minutes
            c.visit_ids.append(v.id or 0)
    return classes


def _may_do(worker: _Worker, c: _Class) -> bool:
    staff = worker.staff
    return (
        (not staff.serves or c.municipality in staff.serves)
        and c.skills <= set(staff.skills)
        and staff.skill_level >= c.level
        and (c.organisation is None or c.organisation in worker.organisations)
    )


def _nearest(points: list[tuple[float, float]], places: list[tuple[float, float]]) -> list[int]:
    if not points:
        return []
    everything = [Point(lat, lon) for lat, lon in [*places, *points]]
    metres = great_circle_matrix_m(everything)[len(places) :, : len(places)]
    return [int(i) for i in metres.argmin(axis=1)]


def _drive_minutes(
    spec: RegionSpec, starts: list[tuple[float, float]], settlements: Sequence[SettlementSpec]
) -> list[list[float]]:
    if not starts:
        return []
    places = [Point(s.lat, s.lon) for s in settlements]
    everything = [*[Point(lat, lon) for lat, lon in starts], *places]
    metres = great_circle_matrix_m(everything)[: len(starts), len(starts) :]
    per_minute = spec.travel.speed_kmh * 1000 / 60
    return (metres * spec.travel.circuity / per_minute).tolist()  # type: ignore[no-any-return]


def _buckets(start: int, end: int) -> range:
    """Buckets (by start minute) that overlap [start, end)."""
    first = (start // BUCKET_MIN) * BUCKET_MIN
    return range(first, end, BUCKET_MIN) if end > start else range(0)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _minute(day: dt.date, instant: dt.datetime) -> int:
    return to_day_seconds(day, instant) // 60


def _clock(minute: int) -> dt.time:
    return dt.time(minute // 60 % 24, minute % 60)
