"""Seeds a database with a synthetic region: places, staff, shifts, patients, care plans, visits.

Everything follows from the region file and the seed: one `random.Random(seed)` drives every
choice, in file order, so the same seed gives identical rows. Every row is validated through the
API's Create schemas first, so demo data obeys the rules user input does. Nobody described here
is real: names are common given names and surnames drawn at random, streets are made up.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from ambulant.demo.region_spec import (
    ALL_WEEKDAYS,
    RegionSpec,
    SettlementSpec,
    VisitTypeSpec,
    joint_coverable,
    load_region,
)
from ambulant.demo.rich_care_plans import enrich_care_plans
from ambulant.errors import Conflict
from ambulant.models import (
    Appointment,
    AppointmentCreate,
    Base,
    CarePlan,
    CarePlanCreate,
    Municipality,
    Organisation,
    OrganisationCreate,
    Patient,
    PatientCreate,
    Priority,
    Shift,
    ShiftCreate,
    Staff,
    StaffCreate,
    StartFrom,
    Team,
    VisitRequest,
    VisitRequestCreate,
)
from ambulant.models.region import BaseFields
from ambulant.registry.care_plan_generation import generate_visit_requests
from ambulant.timeutil import local, to_day_seconds

KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class SeedSummary:
    region: str
    first_day: dt.date
    days: int
    municipalities: int
    bases: int
    staff: int
    shifts: int
    patients: int
    care_plans: int
    visit_requests: int
    visits_by_day: dict[dt.date, int]
    joint_visits: int
    dependent_visits: int
    urgent_visits: int
    appointments: int = 0


@dataclass
class _PlanDraft:
    visit_type: VisitTypeSpec
    weekdays: list[int]
    window: tuple[int, int]
    duration: int
    staff_count: int
    priority: Priority


@dataclass
class _PatientDraft:
    municipality: str
    settlement: SettlementSpec
    lat: float
    lon: float
    name: str
    address: str
    plans: list[_PlanDraft] = field(default_factory=list)


def is_seeded(session: Session) -> bool:
    """True when the database already holds a region (any municipality)."""
    return session.exec(select(Municipality).limit(1)).first() is not None


def seed_region(
    session: Session,
    *,
    region: str | RegionSpec = "vaernes",
    day: dt.date,
    days: int = 2,
    seed: int = 0,
) -> SeedSummary:
    """Insert a region and `days` days of work from `day` on. Flushes; the caller commits."""
    if days < 1:
        raise ValueError("days must be at least 1")
    spec = load_region(region) if isinstance(region, str) else region
    if is_seeded(session):
        raise Conflict("the database already holds a region; seed an empty database")
    return _Seeder(session, spec, seed).run(day, days)


def extend_region(
    session: Session,
    *,
    region: str | RegionSpec = "vaernes",
    day: dt.date,
    days: int = 1,
    seed: int = 0,
) -> SeedSummary:
    """Add shifts and visits for the days from `day` on that a seeded database lacks.

    The staff, patients and care plans stay as seeded; a day that already has shifts is left
    alone, so this is safe to repeat. A day comes out as it would have from `seed_region` with
    the same region and seed. Flushes; the caller commits.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    spec = load_region(region) if isinstance(region, str) else region
    if not is_seeded(session):
        raise Conflict("the database holds no region yet; seed it first")
    seeder = _Seeder(session, spec, seed)
    seeder.adopt_stored_region()
    dates = [day + dt.timedelta(days=i) for i in range(days)]
    new = [d for d in dates if session.exec(select(Shift).where(Shift.date == d)).first() is None]
    shifts = seeder.shifts(new)
    appointments = seeder.appointments(new)
    patients = list(session.exec(select(Patient).order_by(col(Patient.id))).all())
    visits = {d: seeder.day_of_work(d, patients) for d in new}
    return seeder.summary(
        day, days, shifts=shifts, visits=visits, added_region=False, appointments=appointments
    )


class _Seeder:
    def __init__(self, session: Session, spec: RegionSpec, seed: int) -> None:
        self.session = session
        self.spec = spec
        self.seed = seed
        self.rng = random.Random(seed)
        self.names: set[str] = set()
        self.staff: list[tuple[int, Staff]] = []  # (pool index, row)
        self.plan_types: dict[int, VisitTypeSpec] = {}
        self._drafts: list[_PatientDraft] = []
        self.bases: dict[str, Base] = {}
        self.organisations: dict[str, int] = {}
        self.weekday_use: dict[str, dict[int, int]] = {}

    def run(self, first_day: dt.date, days: int) -> SeedSummary:
        spec, session = self.spec, self.session
        session.add_all(Municipality(code=m.code, name=m.name) for m in spec.municipalities)
        session.flush()
        self._organisations()
        self._bases()
        self._staff()
        dates = [first_day + dt.timedelta(days=i) for i in range(days)]
        shifts = self.shifts(dates)
        appointments = self.appointments(dates)
        patients = self._patients()
        self._care_plans(patients)
        enrich_care_plans(session, first_day=first_day)
        visits = {d: self.day_of_work(d, patients) for d in dates}
        return self.summary(
            first_day,
            days,
            shifts=shifts,
            visits=visits,
            added_region=True,
            appointments=appointments,
        )

    def adopt_stored_region(self) -> None:
        """Take the staff and care plans of a database seeded from this region file."""
        stored = list(self.session.exec(select(Staff).order_by(col(Staff.id))).all())
        expected = [(i, pool) for i, pool in enumerate(self.spec.staff) for _ in range(pool.count)]
        alike = len(stored) == len(expected) and all(
            (row.municipality_code, row.team, row.discipline)
            == (pool.municipality, pool.team, pool.discipline)
            for row, (_, pool) in zip(stored, expected, strict=False)
        )
        if not alike:
            raise Conflict(
                f"the stored staff do not match region '{self.spec.region.key}'; extend the "
                "database with the region file it was seeded from"
            )
        self.staff = [(i, row) for row, (i, _) in zip(stored, expected, strict=True)]
        stored_organisations = {
            o.name: o.id for o in self.session.exec(select(Organisation)) if o.id is not None
        }
        self.organisations = {
            o.key: stored_organisations[o.name]
            for o in self.spec.organisations
            if o.name in stored_organisations
        }
        stored_bases = {b.name: b for b in self.session.exec(select(Base)).all()}
        self.bases = {
            b.key: stored_bases[b.name] for b in self.spec.bases if b.name in stored_bases
        }
        by_name = {vt.name: vt for vt in self.spec.visit_types}
        for plan in self.session.exec(select(CarePlan)).all():
            if plan.description in by_name:
                self.plan_types[_id(plan)] = by_name[plan.description]

    def day_of_work(self, day: dt.date, patients: Sequence[Patient]) -> list[VisitRequest]:
        """The day's visits: from the care plans, follow-ups, ad hoc calls.

        The day's random choices come from a generator of its own, seeded by the seed and the
        date, so a day is the same whether seeded at first or added later.
        """
        rng = random.Random(f"{self.seed}/{day.isoformat()}")
        today = generate_visit_requests(self.session, day=day)
        today += self._follow_ups(day, today, rng)
        today += self._ad_hoc(day, patients, rng)
        return today

    def summary(
        self,
        first_day: dt.date,
        days: int,
        *,
        shifts: int,
        visits: dict[dt.date, list[VisitRequest]],
        added_region: bool,
        appointments: int = 0,
    ) -> SeedSummary:
        """What was added: the region's rows only when `added_region`."""
        spec = self.spec
        everything = [v for day in visits.values() for v in day]
        return SeedSummary(
            region=spec.region.key,
            first_day=first_day,
            days=days,
            municipalities=len(spec.municipalities) if added_region else 0,
            bases=len(spec.bases) if added_region else 0,
            staff=len(self.staff) if added_region else 0,
            shifts=shifts,
            patients=len(self._drafts),
            care_plans=len(self.plan_types) if added_region else 0,
            visit_requests=len(everything),
            visits_by_day={d: len(v) for d, v in visits.items()},
            joint_visits=sum(v.staff_count > 1 for v in everything),
            dependent_visits=sum(v.depends_on_id is not None for v in everything),
            urgent_visits=sum(v.priority == Priority.URGENT for v in everything),
            appointments=appointments,
        )

    def _organisations(self) -> None:
        """The organisations in file order (a parent comes before its teams)."""
        for spec in self.spec.organisations:
            create = OrganisationCreate(
                name=spec.name,
                kind=spec.kind,
                municipality_code=spec.municipality,
                parent_id=self.organisations[spec.parent] if spec.parent else None,
            )
            row = Organisation.model_validate(create)
            self.session.add(row)
            self.session.flush()
            assert row.id is not None
            self.organisations[spec.key] = row.id

    def _organisation_id(self, key: str | None) -> int | None:
        return None if key is None else self.organisations[key]

    def _bases(self) -> None:
        rows = {}
        for b in self.spec.bases:
            valid = BaseFields(
                name=b.name,
                municipality_code=b.municipality,
                lat=b.lat,
                lon=b.lon,
                kind=b.kind,
                organisation_id=self._organisation_id(b.organisation),
            )
            rows[b.key] = Base.model_validate(valid.model_dump())
        self.session.add_all(rows.values())
        self.session.flush()
        self.bases = rows

    def _staff(self) -> None:
        for index, pool in enumerate(self.spec.staff):
            from_home = set(self.rng.sample(range(pool.count), pool.from_home))
            for k in range(pool.count):
                home: tuple[float, float] | tuple[None, None] = (None, None)
                if k in from_home:
                    home = self._scatter(self._settlement(pool.municipality))
                create = StaffCreate(
                    name=self._name(),
                    discipline=pool.discipline,
                    team=pool.team,
                    skills=sorted(self.spec.pool_skills(index)),
                    skill_level=self.spec.pool_level(index),
                    municipality_code=pool.municipality,
                    serves=pool.served(),
                    start_from=StartFrom.HOME if k in from_home else StartFrom.BASE,
                    base_id=self.bases[pool.base].id,
                    home_lat=home[0],
                    home_lon=home[1],
                    organisation_id=self._organisation_id(pool.organisation),
                )
                self.staff.append((index, Staff.model_validate(create.model_dump())))
        self.session.add_all(row for _, row in self.staff)
        self.session.flush()

    def shifts(self, dates: Sequence[dt.date]) -> int:
        """Each working staff member's shifts of each day: one, or two for a split shift."""
        rows = []
        for d in dates:
            for index, person in self.staff:
                pool = self.spec.staff[index]
                if d.weekday() not in pool.weekdays:
                    continue
                for key in pool.shift_keys():
                    pattern = self.spec.shift_patterns[key]
                    create = ShiftCreate(
                        staff_id=_id(person),
                        start_at=local(d, pattern.start),
                        end_at=local(d, pattern.end),
                        break_minutes=pattern.break_minutes,
                        break_earliest=local(d, pattern.break_earliest)
                        if pattern.break_earliest
                        else None,
                        break_latest=local(d, pattern.break_latest)
                        if pattern.break_latest
                        else None,
                    )
                    rows.append(Shift.model_validate({**create.model_dump(), "date": d}))
        self.session.add_all(rows)
        self.session.flush()
        return len(rows)

    def appointments(self, dates: Sequence[dt.date]) -> int:
        """The standing appointments of the staff who work on each of `dates`."""
        rows = []
        for d in dates:
            for index, person in self.staff:
                pool = self.spec.staff[index]
                if d.weekday() not in pool.weekdays:
                    continue
                for spec in self.spec.appointments:
                    if d.weekday() not in spec.weekdays or not spec.attended_by(pool):
                        continue
                    if spec.base not in self.bases:
                        raise Conflict(f"the stored region has no base named for '{spec.base}'")
                    create = AppointmentCreate(
                        staff_id=_id(person),
                        title=spec.title,
                        start_at=local(d, spec.start),
                        end_at=local(d, spec.end),
                        base_id=self.bases[spec.base].id,
                    )
                    rows.append(Appointment.model_validate(create, update={"date": d}))
        self.session.add_all(rows)
        self.session.flush()
        return len(rows)

    def _patients(self) -> list[Patient]:
        drafts: list[_PatientDraft] = []
        for m in self.spec.municipalities:
            for _ in range(m.patients):
                settlement = self._settlement(m.code)
                lat, lon = self._scatter(settlement)
                street = self.rng.choice(self.spec.names.streets)
                address = f"{street} {self.rng.randint(1, 60)}, {settlement.name}"
                drafts.append(_PatientDraft(m.code, settlement, lat, lon, self._name(), address))
        self._assign_plans(drafts)
        rows = []
        for draft in drafts:
            preferred, refused = self._continuity(draft)
            create = PatientCreate(
                name=draft.name,
                address=draft.address,
                lat=draft.lat,
                lon=draft.lon,
                municipality_code=draft.municipality,
                notes="Synthetic demo patient.",
                preferred_staff=preferred,
                refused_staff=refused,
            )
            rows.append(Patient.model_validate(create.model_dump()))
        self.session.add_all(rows)
        self.session.flush()
        self._drafts = drafts
        return rows

    def _assign_plans(self, drafts: list[_PatientDraft]) -> None:
        """Each visit type goes to its count of patients, those without a plan yet first."""
        for vt in self.spec.visit_types:
            for code, count in vt.patients.items():
                here = [i for i, d in enumerate(drafts) if d.municipality == code]
                self.rng.shuffle(here)
                here.sort(key=lambda i: len(drafts[i].plans) > 0)
                # Exactly the share of joint visits (rounded), not a coin flip per patient: a
                # few unlucky flips would double the two-staff work of a small municipality.
                joint = set(self.rng.sample(range(count), round(vt.joint_share * count)))
                for k, i in enumerate(here[:count]):
                    drafts[i].plans.append(self._plan(vt, municipality=code, joint=k in joint))

    def _plan(self, vt: VisitTypeSpec, *, municipality: str, joint: bool) -> _PlanDraft:
        duration = self._duration(vt)
        staff_count = 2 if joint else 1
        weekdays = list(vt.weekdays)
        if vt.times_per_week is not None:
            # Weekly visits go to the days with fewest of this type, then to the days with least
            # of the team's work in this municipality, so no weekday gets the heavy share.
            by_type = self.weekday_use.setdefault(vt.key, dict.fromkeys(ALL_WEEKDAYS, 0))
            by_team = self.weekday_use.setdefault(
                f"{vt.team}@{municipality}", dict.fromkeys(ALL_WEEKDAYS, 0)
            )
            order = sorted(weekdays, key=lambda d: (by_type[d], by_team[d], self.rng.random()))
            weekdays = sorted(order[: vt.times_per_week])
        for d in weekdays:
            self.weekday_use.setdefault(vt.key, dict.fromkeys(ALL_WEEKDAYS, 0))[d] += 1
            team = self.weekday_use.setdefault(
                f"{vt.team}@{municipality}", dict.fromkeys(ALL_WEEKDAYS, 0)
            )
            team[d] += duration * staff_count
        return _PlanDraft(
            visit_type=vt,
            weekdays=weekdays,
            window=self.rng.choice(vt.window.bounds()),
            duration=duration,
            staff_count=staff_count,
            priority=self._priority(vt.priority),
        )

    def _care_plans(self, patients: list[Patient]) -> None:
        rows: list[tuple[CarePlan, VisitTypeSpec]] = []
        for patient, draft in zip(patients, self._drafts, strict=True):
            for plan in draft.plans:
                vt = plan.visit_type
                create = CarePlanCreate(
                    patient_id=_id(patient),
                    description=vt.name,
                    weekdays=plan.weekdays,
                    window_start=_time(plan.window[0]),
                    window_end=_time(plan.window[1]),
                    duration_minutes=plan.duration,
                    skills=vt.skills,
                    second_staff_skills=vt.second_staff_skills if plan.staff_count > 1 else [],
                    staff_count=plan.staff_count,
                    priority=plan.priority,
                    required_skill_level=vt.skill_level,
                    organisation_id=self._organisation_id(vt.organisation),
                    part_organisation_ids=[self._organisation_id(k) for k in vt.part_organisations]
                    if plan.staff_count > 1
                    else [],
                )
                rows.append((CarePlan.model_validate(create.model_dump()), vt))
        self.session.add_all(row for row, _ in rows)
        self.session.flush()
        self.plan_types = {_id(row): vt for row, vt in rows}

    def _continuity(self, draft: _PatientDraft) -> tuple[list[int], list[int]]:
        """The patient's usual nurses from their municipality, and now and then one refused."""
        nurses = [
            (index, person)
            for index, person in self.staff
            if person.team == Team.HOME_NURSING and person.municipality_code == draft.municipality
        ]
        lo, hi = self.spec.continuity.preferred_staff
        chosen = self.rng.sample(nurses, min(len(nurses), self.rng.randint(lo, hi)))
        preferred = sorted(_id(person) for _, person in chosen)
        refused: list[int] = []
        if self.rng.random() < self.spec.continuity.refused_share:
            options = [
                (index, person)
                for index, person in nurses
                if _id(person) not in preferred and self._may_refuse(draft, index)
            ]
            if options:
                refused = [_id(self.rng.choice(options)[1])]
        return preferred, refused

    def _may_refuse(self, draft: _PatientDraft, pool: int) -> bool:
        """Whether every visit this patient may get stays coverable without one of `pool`."""
        types = self.spec.visit_type_by_key()
        needs = [
            (p.visit_type, p.weekdays, [p.window], p.duration, p.staff_count) for p in draft.plans
        ]
        for dep in self.spec.dependencies:
            for p in draft.plans:
                if p.visit_type.key == dep.before:
                    after = types[dep.after]
                    needs.append((after, p.weekdays, after.window.bounds(), after.duration[1], 1))
        for adhoc in self.spec.ad_hoc:
            vt = types[adhoc.visit_type]
            needs.append((vt, list(adhoc.weekdays), vt.window.bounds(), vt.duration[1], 1))
        for vt, weekdays, windows, duration, staff_count in needs:
            for weekday in weekdays:
                for window in windows:
                    pools = self.spec.covering_pools(
                        municipality=draft.municipality,
                        weekday=weekday,
                        skills=vt.skills,
                        window=window,
                        duration=duration,
                        skill_level=vt.skill_level,
                    )
                    left = [
                        (self.spec.staff[i].count - (i == pool), self.spec.pool_skills(i))
                        for i in pools
                    ]
                    left = [(n, skills) for n, skills in left if n > 0]
                    if staff_count == 1 and not left:
                        return False
                    if staff_count > 1 and not joint_coverable(left, vt.second_staff_skills):
                        return False
        return True

    def _follow_ups(
        self, day: dt.date, today: Sequence[VisitRequest], rng: random.Random
    ) -> list[VisitRequest]:
        """A share of each dependency's first visits get a follow-up, min..max lag after them."""
        types = self.spec.visit_type_by_key()
        rows = []
        for dep in self.spec.dependencies:
            before = [
                v
                for v in today
                if v.care_plan_id is not None
                and v.care_plan_id in self.plan_types
                and self.plan_types[v.care_plan_id].key == dep.before
                and v.staff_count == 1
            ]
            after = types[dep.after]
            for first in rng.sample(before, round(dep.share * len(before))):
                duration = self._duration(after, rng)
                earliest = _minute(day, first.window_start) + dep.min_lag_minutes
                latest_start = (
                    _minute(day, first.window_end) - first.duration_minutes + dep.max_lag_minutes
                )
                lo, hi = rng.choice(after.window.bounds())
                start, end = max(earliest, lo), min(latest_start + duration, hi)
                if end - start < duration:
                    continue
                create = VisitRequestCreate(
                    patient_id=first.patient_id,
                    description=f"{after.name} (after {first.description.lower()})",
                    window_start=local(day, _time(start)),
                    window_end=local(day, _time(end)),
                    duration_minutes=duration,
                    skills=after.skills,
                    required_skill_level=after.skill_level,
                    organisation_id=self._organisation_id(after.organisation),
                    priority=self._priority(after.priority, rng),
                    depends_on_id=first.id,
                    min_lag_minutes=dep.min_lag_minutes,
                    max_lag_minutes=dep.max_lag_minutes,
                )
                rows.append(VisitRequest.model_validate({**create.model_dump(), "date": day}))
        self.session.add_all(rows)
        self.session.flush()
        return rows

    def _ad_hoc(
        self, day: dt.date, patients: Sequence[Patient], rng: random.Random
    ) -> list[VisitRequest]:
        """Visits outside the care plans: an urgent call, a check after discharge."""
        types = self.spec.visit_type_by_key()
        rows = []
        for adhoc in self.spec.ad_hoc:
            if day.weekday() not in adhoc.weekdays:
                continue
            vt = types[adhoc.visit_type]
            for _ in range(adhoc.per_day):
                patient = rng.choice(patients)
                lo, hi = rng.choice(vt.window.bounds())
                create = VisitRequestCreate(
                    patient_id=_id(patient),
                    description=vt.name,
                    window_start=local(day, _time(lo)),
                    window_end=local(day, _time(hi)),
                    duration_minutes=self._duration(vt, rng),
                    skills=vt.skills,
                    required_skill_level=vt.skill_level,
                    organisation_id=self._organisation_id(vt.organisation),
                    priority=adhoc.priority,
                )
                rows.append(VisitRequest.model_validate({**create.model_dump(), "date": day}))
        self.session.add_all(rows)
        self.session.flush()
        return rows

    # Small random choices, each from self.rng so the seed decides everything.

    def _name(self) -> str:
        names = self.spec.names
        for _ in range(1000):
            name = f"{self.rng.choice(names.given)} {self.rng.choice(names.surnames)}"
            if name not in self.names:
                self.names.add(name)
                return name
        raise ValueError("region file: too few names for this many people; add names")

    def _settlement(self, municipality: str) -> SettlementSpec:
        places = self.spec.settlements_in(municipality)
        return self.rng.choices(places, weights=[s.weight for s in places])[0]

    def _scatter(self, s: SettlementSpec) -> tuple[float, float]:
        """A point within the settlement's radius (uniform over the disc or its land sector)."""
        distance = s.radius_km * math.sqrt(self.rng.random())
        if s.sector is None:
            bearing = self.rng.uniform(0.0, 360.0)
        else:
            span = (s.sector[1] - s.sector[0]) % 360 or 360.0
            bearing = s.sector[0] + self.rng.uniform(0.0, span)
        north = distance * math.cos(math.radians(bearing))
        east = distance * math.sin(math.radians(bearing))
        lat = s.lat + north / KM_PER_DEGREE
        lon = s.lon + east / (KM_PER_DEGREE * math.cos(math.radians(s.lat)))
        return round(lat, 5), round(lon, 5)

    def _duration(self, vt: VisitTypeSpec, rng: random.Random | None = None) -> int:
        lo, hi = vt.duration
        # Care plans say "30 minutes", not "31": round to five within the range.
        return min(hi, max(lo, 5 * round((rng or self.rng).randint(lo, hi) / 5)))

    def _priority(
        self, shares: dict[Priority, float], rng: random.Random | None = None
    ) -> Priority:
        levels = list(shares)
        return (rng or self.rng).choices(levels, weights=[shares[p] for p in levels])[0]


def _id(row: Staff | Patient | CarePlan) -> int:
    assert row.id is not None, "flush before reading ids"
    return row.id


def _time(minute: int) -> dt.time:
    return dt.time(minute // 60, minute % 60)


def _minute(day: dt.date, instant: dt.datetime) -> int:
    return to_day_seconds(day, instant) // 60
