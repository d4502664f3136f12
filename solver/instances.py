"""Seeded synthetic home-care days, for tests and benchmarks.

A rural region of a few villages and scattered farms in two municipalities, each with a base
where staff start and end. Shifts are 07:30-15:00 with a 30-minute break somewhere in
11:00-12:30. Most visits are short and flexible (a 3-4 hour window); some are at a fixed time
(a 30-60 minute window), e.g. medication. A share of visits needs two staff (a joint visit), and a
share are follow-ups that must come a few hours after a first visit at the same address.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace

from solver.problem import Break, Dependency, Priority, Problem, Staff, Visit

HOUR = 3600
MINUTE = 60

SHIFT_START_S = 7 * HOUR + 30 * MINUTE
SHIFT_END_S = 15 * HOUR
BREAK = Break(
    duration_s=30 * MINUTE, earliest_start_s=11 * HOUR, latest_end_s=12 * HOUR + 30 * MINUTE
)
MUNICIPALITIES = ("Nordvik", "Sørdal")

# (x km, y km, spread km, municipality): village centres; bases sit in the first of each.
_VILLAGES = (
    (8.0, 22.0, 2.0, 0),
    (14.0, 12.0, 2.5, 0),
    (4.0, 10.0, 1.5, 0),
    (28.0, 8.0, 2.0, 1),
    (34.0, 18.0, 2.5, 1),
    (24.0, 20.0, 1.5, 1),
)
_BASES = ((8.0, 21.0), (28.0, 9.0))


def synthetic_day(
    n_visits: int = 300,
    n_staff: int = 25,
    joint_share: float = 0.05,
    dependency_share: float = 0.05,
    seed: int = 0,
) -> Problem:
    """A realistic, seeded home-care day with `n_visits` visits (counting follow-ups)."""
    rng = random.Random(seed)
    staff = tuple(_make_staff(i, rng) for i in range(n_staff))
    n_follow_ups = round(n_visits * dependency_share)
    n_first = n_visits - n_follow_ups
    points: list[tuple[float, float]] = list(_BASES)
    visits: list[Visit] = []
    for i in range(n_first):
        x, y, municipality = _visit_point(rng)
        points.append((x, y))
        visits.append(_make_visit(f"v{i:03d}", len(points) - 1, municipality, rng))
    joint = rng.sample(range(n_first), round(n_visits * joint_share))
    for i in joint:
        visits[i] = _make_joint(visits[i], rng)
    singles = [i for i in range(n_first) if visits[i].staff_count == 1]
    dependencies: list[Dependency] = []
    for k, i in enumerate(rng.sample(singles, min(n_follow_ups, len(singles)))):
        first = visits[i] = _make_fixed_morning(visits[i], rng)
        follow_up, dependency = _make_follow_up(first, f"f{k:03d}", rng)
        visits.append(follow_up)
        dependencies.append(dependency)
    travel = _travel_matrix(points)
    return Problem(
        staff=staff,
        visits=tuple(visits),
        travel_s=travel,
        dependencies=tuple(dependencies),
    )


def without_links(problem: Problem) -> Problem:
    """The same day with every joint visit done by one person and no dependencies: the bound
    that joint visits and follow-ups are measured against."""
    visits = tuple(
        replace(v, staff_count=1, part_skills=(), pinned_staff=v.pinned_staff[:1])
        if v.staff_count > 1
        else v
        for v in problem.visits
    )
    return replace(problem, visits=visits, dependencies=())


# Roles cycle within each municipality, so even a small team covers every skill at home.
_ROLES = (
    frozenset({"personal_care", "nurse", "medication", "wound_care"}),
    frozenset({"personal_care", "medication"}),
    frozenset({"personal_care", "nurse", "medication"}),
    frozenset({"personal_care"}),
)


def _make_staff(i: int, rng: random.Random) -> Staff:
    home = i % len(MUNICIPALITIES)
    skills = _ROLES[(i // len(MUNICIPALITIES)) % len(_ROLES)]
    # Most staff stay in their home municipality; some float across the border.
    municipalities = frozenset() if rng.random() < 0.35 else frozenset({MUNICIPALITIES[home]})
    return Staff(
        id=f"s{i:02d}",
        shift_start_s=SHIFT_START_S,
        shift_end_s=SHIFT_END_S,
        start_location=home,
        end_location=home,
        skills=skills,
        breaks=(BREAK,),
        municipalities=municipalities,
        home_municipality=MUNICIPALITIES[home],
        max_overtime_s=30 * MINUTE,
    )


def _visit_point(rng: random.Random) -> tuple[float, float, int]:
    if rng.random() < 0.8:
        cx, cy, spread, municipality = rng.choice(_VILLAGES)
        return rng.gauss(cx, spread), rng.gauss(cy, spread), municipality
    x, y = rng.uniform(0.0, 38.0), rng.uniform(0.0, 28.0)
    return x, y, 0 if x < 19.0 else 1


def _duration_s(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.6:
        minutes = rng.choice((10, 15, 15, 20))
    elif r < 0.92:
        minutes = rng.choice((20, 25, 30))
    elif r < 0.98:
        minutes = rng.choice((40, 45, 60))
    else:
        minutes = rng.choice((75, 90))
    return minutes * MINUTE


def _priority(rng: random.Random) -> Priority:
    r = rng.random()
    if r < 0.08:
        return Priority.URGENT
    if r < 0.28:
        return Priority.HIGH
    if r < 0.9:
        return Priority.NORMAL
    return Priority.LOW


def _skills(rng: random.Random) -> frozenset[str]:
    r = rng.random()
    if r < 0.15:
        return frozenset({"nurse"})
    if r < 0.35:
        return frozenset({"medication"})
    if r < 0.42:
        return frozenset({"wound_care"})
    return frozenset({"personal_care"})


def _window(duration_s: int, rng: random.Random) -> tuple[int, int]:
    # A preferred time with a morning peak (care and medication), then a window around it.
    r = rng.random()
    if r < 0.45:
        centre = rng.uniform(8 * HOUR, 10.5 * HOUR)
    elif r < 0.8:
        centre = rng.uniform(10.5 * HOUR, 12.5 * HOUR)
    else:
        centre = rng.uniform(12.5 * HOUR, 14.25 * HOUR)
    latest_possible = SHIFT_END_S - duration_s - 20 * MINUTE
    if rng.random() < 0.3:
        # A fixed time: 30-60 minutes to start, e.g. medication or a morning routine.
        width = rng.choice((30, 45, 60)) * MINUTE
        first = 8 * HOUR
    else:
        width = rng.choice((180, 210, 240)) * MINUTE
        first = SHIFT_START_S + 15 * MINUTE
    start = int(centre - width / 2) // (15 * MINUTE) * (15 * MINUTE)
    start = max(first, min(start, latest_possible - width))
    return start, start + width


def _make_visit(visit_id: str, location: int, municipality: int, rng: random.Random) -> Visit:
    duration = _duration_s(rng)
    earliest, latest = _window(duration, rng)
    return Visit(
        id=visit_id,
        location=location,
        duration_s=duration,
        earliest_start_s=earliest,
        latest_start_s=latest,
        skills=_skills(rng),
        priority=_priority(rng),
        municipality=MUNICIPALITIES[municipality],
    )


def _make_joint(visit: Visit, rng: random.Random) -> Visit:
    # Two carers for a transfer or a heavy patient; sometimes a nurse plus a carer.
    part_skills: tuple[frozenset[str], ...] = ()
    if rng.random() < 0.3:
        part_skills = (frozenset({"nurse"}), frozenset())
    return replace(
        visit,
        staff_count=2,
        skills=frozenset({"personal_care"}),
        part_skills=part_skills,
        duration_s=max(visit.duration_s, 20 * MINUTE),
        earliest_start_s=min(visit.earliest_start_s, 12 * HOUR),
        latest_start_s=min(visit.latest_start_s, 13 * HOUR),
    )


def _make_fixed_morning(visit: Visit, rng: random.Random) -> Visit:
    start = rng.randrange(8 * HOUR, 10 * HOUR, 15 * MINUTE)
    duration = min(visit.duration_s, 45 * MINUTE)
    return replace(visit, duration_s=duration, earliest_start_s=start, latest_start_s=start + HOUR)


def _make_follow_up(first: Visit, visit_id: str, rng: random.Random) -> tuple[Visit, Dependency]:
    min_lag = rng.choice((3, 4)) * HOUR
    max_lag = min_lag + 2 * HOUR
    duration = rng.choice((10, 15, 20)) * MINUTE
    latest = min(first.latest_start_s + min_lag + HOUR, SHIFT_END_S - duration - 30 * MINUTE)
    follow_up = replace(
        first,
        id=visit_id,
        duration_s=duration,
        earliest_start_s=min(first.earliest_start_s + min_lag, latest),
        latest_start_s=latest,
        priority=first.priority,
    )
    return follow_up, Dependency(first.id, visit_id, min_lag_s=min_lag, max_lag_s=max_lag)


def _travel_matrix(points: list[tuple[float, float]]) -> tuple[tuple[int, ...], ...]:
    # Rural roads: five minutes to get going, then about 50 seconds a kilometre as the crow
    # flies; legs run from 5 to about 40 minutes. The fixed part keeps the triangle inequality.
    def seconds(a: tuple[float, float], b: tuple[float, float]) -> int:
        if a == b:
            return 0
        km = math.hypot(a[0] - b[0], a[1] - b[1])
        return round(5 * MINUTE + 50 * km)

    return tuple(tuple(seconds(a, b) for b in points) for a in points)
