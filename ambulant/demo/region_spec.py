"""A demo region as data: the TOML file format, validated, and how to load one.

A region file describes places (municipalities, bases, settlements), people (staff pools and the
names synthetic people are built from) and the work (visit types, dependencies, ad hoc visits).
The generator turns it into rows; nothing in a region file describes a real person.

Validation happens in two layers: each table checks its own values, and `RegionSpec` checks the
references between tables and that every kind of visit can be served by some staff pool on every
weekday it can occur, so a bad file fails at load time with the offending path in the message.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal, NamedTuple, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ambulant.errors import InvalidInput, NotFound
from ambulant.models.organisation import OrganisationKind
from ambulant.models.vocabulary import MAX_SKILL_LEVEL, Discipline, Priority, Skill, Team

ALL_WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
REGIONS_PACKAGE = "ambulant.demo"
REGIONS_DIR = "regions"


class RegionFileError(InvalidInput):
    """A region file that cannot be read or does not validate; `field` is the dotted path."""


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def minutes_of(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _check_weekdays(v: list[int]) -> list[int]:
    if not v:
        raise ValueError("must list at least one weekday")
    if any(d not in ALL_WEEKDAYS for d in v):
        raise ValueError("weekdays must be 0 (Monday) to 6 (Sunday)")
    return sorted(set(v))


Weekdays = Annotated[list[int], Field(default_factory=lambda: list(ALL_WEEKDAYS))]
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


class RegionInfo(_Spec):
    key: Key
    name: str = Field(min_length=1, max_length=100)
    description: str = ""


class TravelAssumptions(_Spec):
    """What the capacity estimate assumes about driving; matches the default geodesic provider."""

    speed_kmh: float = Field(default=60.0, gt=0, le=130)
    circuity: float = Field(default=1.4, ge=1.0, le=3.0)


class CapacityTargets(_Spec):
    """Bounds a region's workload must stay within for a planner to place nearly every visit."""

    max_utilisation: float = Field(default=0.75, gt=0, le=1)
    peak_utilisation: float = Field(default=0.9, gt=0, le=1)
    visits_per_trip: dict[Team, float] = Field(
        default_factory=lambda: {Team.HOME_NURSING: 4.0, Team.AMBULANT_TEAM: 2.0},
        description="How many visits one drive out to a settlement serves, by team.",
    )

    @field_validator("visits_per_trip")
    @classmethod
    def _positive(cls, v: dict[Team, float]) -> dict[Team, float]:
        if any(n < 1 for n in v.values()):
            raise ValueError("visits_per_trip must be at least 1")
        return v


class MunicipalitySpec(_Spec):
    code: str = Field(pattern=r"^\d{4}$", description="Kommunenummer.")
    name: str = Field(min_length=1, max_length=100)
    centre: str = Field(min_length=1)
    lat: Latitude
    lon: Longitude
    population: int = Field(gt=0)
    patients: int = Field(ge=0, description="Home-care patients to create here.")


class OrganisationSpec(_Spec):
    """An organisation staff work for: a municipality, a hospital trust, a team inside one
    (`parent`); its staff count as staff of the parent too."""

    key: Key
    name: str = Field(min_length=1, max_length=200)
    kind: OrganisationKind
    municipality: str | None = None
    parent: Key | None = None


class BaseSpec(_Spec):
    key: Key
    name: str = Field(min_length=1, max_length=200)
    municipality: str
    lat: Latitude
    lon: Longitude
    kind: str = Field(default="home_care", max_length=40)
    organisation: Key | None = None


class SettlementSpec(_Spec):
    """A place patient homes are scattered around, within `radius_km` (and `sector`, if given)."""

    name: str = Field(min_length=1, max_length=100)
    municipality: str
    lat: Latitude
    lon: Longitude
    weight: float = Field(gt=0, description="Relative share of the municipality's patients.")
    radius_km: float = Field(default=2.0, gt=0, le=10)
    hop_minutes: float = Field(
        default=10.0, ge=0, le=60, description="Typical drive between two visits here."
    )
    sector: tuple[float, float] | None = Field(
        default=None,
        description="Bearings (degrees clockwise from north), from first to second, where the "
        "land is; keeps homes out of the fjord or lake next to a shoreline settlement.",
    )


class ShiftPattern(_Spec):
    start: dt.time
    end: dt.time
    break_minutes: int = Field(default=30, ge=0, le=180)
    break_earliest: dt.time | None = None
    break_latest: dt.time | None = Field(default=None, description="The break must end by then.")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.end <= self.start:
            raise ValueError("end must be after start (shifts over midnight are not supported)")
        if self.break_minutes:
            earliest = self.break_earliest or self.start
            latest = self.break_latest or self.end
            if earliest < self.start or latest > self.end:
                raise ValueError("break_earliest and break_latest must lie inside the shift")
            if minutes_of(latest) - minutes_of(earliest) < self.break_minutes:
                raise ValueError(
                    "break_minutes does not fit between break_earliest and break_latest"
                )
        return self

    @property
    def working_minutes(self) -> int:
        return minutes_of(self.end) - minutes_of(self.start) - self.break_minutes


class StaffPoolSpec(_Spec):
    """`count` staff alike: one discipline, one team, one base, one shift pattern."""

    municipality: str = Field(description="Employing municipality.")
    base: Key
    team: Team = Team.HOME_NURSING
    discipline: Discipline
    label: str = Field(default="", max_length=100, description="For people reading the file.")
    count: int = Field(ge=1, le=200)
    shift: Key
    later_shift: Key | None = Field(
        default=None,
        description="A second shift the same day, after `shift` (a split shift: a morning at "
        "the medical centre, visits in the evening).",
    )
    organisation: Key | None = None
    weekdays: Weekdays
    from_home: int = Field(default=0, ge=0, description="How many of them start from home.")
    skills: list[Skill] | None = Field(
        default=None, description="Replaces the discipline's default skills."
    )
    extra_skills: list[Skill] = Field(default_factory=list)
    skill_level: int | None = Field(
        default=None, ge=0, le=MAX_SKILL_LEVEL, description="Replaces the discipline's level."
    )
    serves: list[str] | None = Field(
        default=None,
        description="Municipality codes; default: its own municipality for home nursing, "
        "every municipality ([]) for the ambulant team.",
    )

    _weekdays = field_validator("weekdays")(_check_weekdays)

    @model_validator(mode="after")
    def _from_home(self) -> Self:
        if self.from_home > self.count:
            raise ValueError(f"from_home ({self.from_home}) exceeds count ({self.count})")
        return self

    def served(self) -> list[str]:
        if self.serves is not None:
            return list(self.serves)
        return [self.municipality] if self.team == Team.HOME_NURSING else []

    def shift_keys(self) -> list[str]:
        return [self.shift] if self.later_shift is None else [self.shift, self.later_shift]


class FixedWindow(_Spec):
    """At one of `at` (chosen per patient), give or take `tolerance_minutes`."""

    kind: Literal["fixed"]
    at: list[dt.time] = Field(min_length=1)
    tolerance_minutes: int = Field(ge=0, le=240)

    @model_validator(mode="after")
    def _inside_day(self) -> Self:
        for t in self.at:
            if minutes_of(t) - self.tolerance_minutes < 0 or (
                minutes_of(t) + self.tolerance_minutes > 24 * 60 - 1
            ):
                raise ValueError(f"{t:%H:%M} +- {self.tolerance_minutes} min leaves the day")
        return self

    def bounds(self) -> list[tuple[int, int]]:
        """Each possible window as (start, end) minutes after midnight."""
        return [
            (minutes_of(t) - self.tolerance_minutes, minutes_of(t) + self.tolerance_minutes)
            for t in self.at
        ]


class FlexibleWindow(_Spec):
    kind: Literal["flexible"]
    start: dt.time
    end: dt.time

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self

    def bounds(self) -> list[tuple[int, int]]:
        return [(minutes_of(self.start), minutes_of(self.end))]


Window = Annotated[FixedWindow | FlexibleWindow, Field(discriminator="kind")]


class VisitTypeSpec(_Spec):
    """A kind of visit; `patients` says how many patients per municipality get it as a care plan.

    A share `joint_share` of those care plans need two staff: both bring `skills`, and one of
    them also `second_staff_skills` (the physiotherapist in a joint assessment).
    """

    key: Key
    name: str = Field(min_length=1, max_length=200)
    team: Team = Team.HOME_NURSING
    skills: list[Skill] = Field(default_factory=list)
    second_staff_skills: list[Skill] = Field(default_factory=list)
    joint_share: float = Field(default=0.0, ge=0, le=1)
    duration: tuple[int, int] = Field(description="Minutes, [shortest, longest].")
    window: Window
    weekdays: Weekdays
    times_per_week: int | None = Field(
        default=None, ge=1, le=7, description="Pick this many of `weekdays` per patient."
    )
    patients: dict[str, int] = Field(default_factory=dict)
    priority: dict[Priority, float] = Field(default_factory=lambda: {Priority.NORMAL: 1.0})
    skill_level: int = Field(
        default=0, ge=0, le=MAX_SKILL_LEVEL, description="The least staff level that may do it."
    )
    organisation: Key | None = Field(
        default=None, description="Staff of this organisation do it (every part)."
    )
    part_organisations: list[Key | None] = Field(
        default_factory=list,
        description="For joint visits: the organisation of each staff member (part 1, part 2).",
    )

    _weekdays = field_validator("weekdays")(_check_weekdays)

    def organisation_of_part(self, part: int) -> str | None:
        if self.part_organisations:
            return self.part_organisations[part]
        return self.organisation

    @field_validator("duration")
    @classmethod
    def _duration(cls, v: tuple[int, int]) -> tuple[int, int]:
        if not 1 <= v[0] <= v[1] <= 600:
            raise ValueError("duration must be [shortest, longest] with 1 <= shortest <= longest")
        return v

    @field_validator("patients")
    @classmethod
    def _counts(cls, v: dict[str, int]) -> dict[str, int]:
        if any(n < 0 for n in v.values()):
            raise ValueError("patient counts must not be negative")
        return v

    @field_validator("priority")
    @classmethod
    def _shares(cls, v: dict[Priority, float]) -> dict[Priority, float]:
        if not v or any(s < 0 for s in v.values()) or abs(sum(v.values()) - 1.0) > 1e-6:
            raise ValueError("priority shares must be non-negative and sum to 1")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        shortest = min(end - start for start, end in self.window.bounds())
        if self.duration[1] > shortest:
            raise ValueError(
                f"longest duration ({self.duration[1]} min) does not fit the window "
                f"({shortest} min)"
            )
        if self.times_per_week is not None and self.times_per_week > len(self.weekdays):
            raise ValueError("times_per_week exceeds the number of weekdays")
        if self.second_staff_skills and self.joint_share == 0:
            raise ValueError("second_staff_skills given but joint_share is 0")
        if self.part_organisations:
            if self.organisation is not None:
                raise ValueError("give organisation or part_organisations, not both")
            if len(self.part_organisations) != 2 or self.joint_share != 1.0:
                raise ValueError("part_organisations is for joint visits: two, joint_share 1")
        return self


class DependencySpec(_Spec):
    """On each day a `share` of `before` visits get an `after` visit, min..max lag after it."""

    before: Key
    after: Key
    share: float = Field(gt=0, le=1)
    min_lag_minutes: int = Field(ge=0, le=720)
    max_lag_minutes: int = Field(ge=0, le=720)

    @model_validator(mode="after")
    def _lags(self) -> Self:
        if self.max_lag_minutes < self.min_lag_minutes:
            raise ValueError("max_lag_minutes must not be below min_lag_minutes")
        return self


class AdHocSpec(_Spec):
    """Visits outside any care plan, `per_day` of them for random patients (e.g. urgent calls)."""

    visit_type: Key
    per_day: int = Field(ge=0, le=100)
    priority: Priority
    weekdays: Weekdays

    _weekdays = field_validator("weekdays")(_check_weekdays)


class AppointmentSpec(_Spec):
    """A standing appointment: on each of `weekdays`, every staff member of `team` (employed in
    `municipality`, if given; working shift pattern `shift`, if given) who works that day
    attends, at `base`, e.g. the weekly team meeting or the morning at the medical centre of
    those on a split shift. It must lie inside one of those staff members' shifts."""

    title: str = Field(min_length=1, max_length=200)
    base: Key
    start: dt.time
    end: dt.time
    weekdays: Weekdays
    team: Team | None = Field(default=None, description="Who attends; none: every team.")
    municipality: str | None = None
    shift: Key | None = Field(default=None, description="Only staff working this shift pattern.")

    _weekdays = field_validator("weekdays")(_check_weekdays)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self

    def attended_by(self, pool: StaffPoolSpec) -> bool:
        return (
            (self.team is None or pool.team == self.team)
            and (self.municipality is None or pool.municipality == self.municipality)
            and (self.shift is None or self.shift in pool.shift_keys())
        )


class ContinuitySpec(_Spec):
    preferred_staff: tuple[int, int] = Field(
        default=(1, 2), description="How many usual nurses a patient has, [fewest, most]."
    )
    refused_share: float = Field(default=0.03, ge=0, le=0.5)

    @field_validator("preferred_staff")
    @classmethod
    def _range(cls, v: tuple[int, int]) -> tuple[int, int]:
        if not 0 <= v[0] <= v[1] <= 5:
            raise ValueError("preferred_staff must be [fewest, most] with 0 <= fewest <= most <= 5")
        return v


class NamesSpec(_Spec):
    given: list[str] = Field(min_length=10)
    surnames: list[str] = Field(min_length=10)
    streets: list[str] = Field(min_length=5)


class RegionSpec(_Spec):
    region: RegionInfo
    travel: TravelAssumptions = Field(default_factory=TravelAssumptions)
    capacity: CapacityTargets = Field(default_factory=CapacityTargets)
    municipalities: list[MunicipalitySpec] = Field(min_length=1)
    organisations: list[OrganisationSpec] = Field(default_factory=list)
    bases: list[BaseSpec] = Field(min_length=1)
    settlements: list[SettlementSpec] = Field(min_length=1)
    shift_patterns: dict[Key, ShiftPattern] = Field(min_length=1)
    discipline_skills: dict[Discipline, list[Skill]]
    skill_levels: dict[Discipline, int] = Field(
        default_factory=dict,
        description="Staff skill level by discipline (0 when not listed): 1 assistant, "
        "2 nurse or therapist, 3 specialist.",
    )
    staff: list[StaffPoolSpec] = Field(min_length=1)
    visit_types: list[VisitTypeSpec] = Field(min_length=1)
    dependencies: list[DependencySpec] = Field(default_factory=list)
    ad_hoc: list[AdHocSpec] = Field(default_factory=list)
    appointments: list[AppointmentSpec] = Field(default_factory=list)
    continuity: ContinuitySpec = Field(default_factory=ContinuitySpec)
    names: NamesSpec

    @model_validator(mode="after")
    def _references(self) -> Self:
        codes = [m.code for m in self.municipalities]
        _unique("municipalities", "code", codes)
        _unique("bases", "key", [b.key for b in self.bases])
        _unique("visit_types", "key", [v.key for v in self.visit_types])
        # Stored care plans carry the name, and extending a seeded database maps it back.
        _unique("visit_types", "name", [v.name for v in self.visit_types])
        known = set(codes)
        bases = self.base_by_key()
        types = self.visit_type_by_key()
        organisations = self._check_organisations(known)
        for i, base in enumerate(self.bases):
            _known(f"bases[{i}].municipality", base.municipality, known)
            if base.organisation is not None:
                _known(f"bases[{i}].organisation", base.organisation, organisations)
        for i, settlement in enumerate(self.settlements):
            _known(f"settlements[{i}].municipality", settlement.municipality, known)
        for i, pool in enumerate(self.staff):
            where = f"staff[{i}]"
            _known(f"{where}.municipality", pool.municipality, known)
            _known(f"{where}.base", pool.base, set(bases))
            _known(f"{where}.shift", pool.shift, set(self.shift_patterns))
            if pool.later_shift is not None:
                _known(f"{where}.later_shift", pool.later_shift, set(self.shift_patterns))
                first = self.shift_patterns[pool.shift]
                if self.shift_patterns[pool.later_shift].start < first.end:
                    raise ValueError(
                        f"{where}.later_shift: it must start after '{pool.shift}' ends"
                    )
            if pool.organisation is not None:
                _known(f"{where}.organisation", pool.organisation, organisations)
            for code in pool.served():
                _known(f"{where}.serves", code, known)
            if pool.skills is None and pool.discipline not in self.discipline_skills:
                raise ValueError(
                    f"{where}: no skills given and discipline_skills has no "
                    f"'{pool.discipline}' entry"
                )
            if pool.from_home and not self.settlements_in(pool.municipality):
                raise ValueError(f"{where}.from_home: no settlement in {pool.municipality}")
        for i, vt in enumerate(self.visit_types):
            for name in [vt.organisation, *vt.part_organisations]:
                if name is not None:
                    _known(f"visit_types[{i}].organisation", name, organisations)
            for code, n in vt.patients.items():
                where = f"visit_types[{i}].patients"
                _known(where, code, known)
                available = self.municipality(code).patients
                if n > available:
                    raise ValueError(
                        f"{where}: {n} patients in {code}, but the municipality has {available}"
                    )
        for m in self.municipalities:
            if m.patients and not self.settlements_in(m.code):
                raise ValueError(f"municipality {m.code} has patients but no settlement")
        for i, dep in enumerate(self.dependencies):
            _known(f"dependencies[{i}].before", dep.before, set(types))
            _known(f"dependencies[{i}].after", dep.after, set(types))
        for i, adhoc in enumerate(self.ad_hoc):
            _known(f"ad_hoc[{i}].visit_type", adhoc.visit_type, set(types))
        for discipline, level in self.skill_levels.items():
            if not 0 <= level <= MAX_SKILL_LEVEL:
                raise ValueError(f"skill_levels.{discipline}: must be 0 to {MAX_SKILL_LEVEL}")
        self._check_appointments(known, set(bases))
        self._check_coverage()
        return self

    def _check_organisations(self, municipalities: set[str]) -> set[str]:
        keys = [o.key for o in self.organisations]
        _unique("organisations", "key", keys)
        for i, organisation in enumerate(self.organisations):
            if organisation.municipality is not None:
                _known(
                    f"organisations[{i}].municipality", organisation.municipality, municipalities
                )
            if organisation.parent is not None:
                _known(f"organisations[{i}].parent", organisation.parent, set(keys[:i]))
        return set(keys)

    def organisation_keys(self, pool: StaffPoolSpec) -> set[str]:
        """The pool's organisation and those it is part of."""
        parents = {o.key: o.parent for o in self.organisations}
        found: set[str] = set()
        current = pool.organisation
        while current is not None and current not in found:
            found.add(current)
            current = parents.get(current)
        return found

    def _check_appointments(self, municipalities: set[str], bases: set[str]) -> None:
        for i, appointment in enumerate(self.appointments):
            where = f"appointments[{i}]"
            _known(f"{where}.base", appointment.base, bases)
            if appointment.municipality is not None:
                _known(f"{where}.municipality", appointment.municipality, municipalities)
            attending = [p for p in self.staff if appointment.attended_by(p)]
            if not any(set(p.weekdays) & set(appointment.weekdays) for p in attending):
                raise ValueError(f"{where}: no staff pool works on its weekdays")
            for pool in attending:
                shifts = [self.shift_patterns[k] for k in pool.shift_keys()]
                if not any(
                    appointment.start >= s.start and appointment.end <= s.end for s in shifts
                ):
                    raise ValueError(
                        f"{where}: {appointment.start:%H:%M}-{appointment.end:%H:%M} lies outside "
                        f"the shift '{pool.shift}' of staff pool {self.staff.index(pool)}"
                    )

    def _check_coverage(self) -> None:
        """Every visit that can occur has staff with the skills, on that weekday, in that place."""
        for need in self.possible_needs():
            vt = self.visit_type_by_key()[need.visit_type]
            for start, end in vt.window.bounds():
                for joint in (False, True) if vt.joint_share > 0 else (False,):
                    pools = self.covering_pools(
                        municipality=need.municipality,
                        weekday=need.weekday,
                        skills=vt.skills,
                        window=(start, end),
                        duration=vt.duration[1],
                        skill_level=vt.skill_level,
                        organisation=vt.organisation,
                    )
                    if joint and vt.part_organisations:
                        self._check_parts(need, vt, (start, end))
                        continue
                    if not joint and not pools:
                        raise ValueError(
                            f"{need.origin}: no staff pool serves municipality "
                            f"{need.municipality} on {WEEKDAY_NAMES[need.weekday]} with skills "
                            f"{_names(vt.skills)} at level {vt.skill_level} and a shift covering "
                            f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
                        )
                    if joint and not joint_coverable(
                        [(self.staff[p].count, self.pool_skills(p)) for p in pools],
                        vt.second_staff_skills,
                    ):
                        raise ValueError(
                            f"{need.origin}: joint visits in {need.municipality} on "
                            f"{WEEKDAY_NAMES[need.weekday]} need two staff with {_names(vt.skills)}"
                            f", one also with {_names(vt.second_staff_skills)}"
                        )

    def _check_parts(self, need: Need, vt: VisitTypeSpec, window: tuple[int, int]) -> None:
        """A joint visit naming an organisation per part: two different staff, one of each."""
        found = []
        for part in (0, 1):
            found.append(
                self.covering_pools(
                    municipality=need.municipality,
                    weekday=need.weekday,
                    skills=[*vt.skills, *(vt.second_staff_skills if part else [])],
                    window=window,
                    duration=vt.duration[1],
                    skill_level=vt.skill_level,
                    organisation=vt.organisation_of_part(part),
                )
            )
        first, second = found
        both = set(first) | set(second)
        if not first or not second or sum(self.staff[p].count for p in both) < 2:
            raise ValueError(
                f"{need.origin}: joint visits in {need.municipality} on "
                f"{WEEKDAY_NAMES[need.weekday]} need a staff member of "
                f"{vt.organisation_of_part(0)} and another of {vt.organisation_of_part(1)}"
            )

    # Look-ups used by the validator, the generator and the capacity estimate.

    def municipality(self, code: str) -> MunicipalitySpec:
        return next(m for m in self.municipalities if m.code == code)

    def base_by_key(self) -> dict[str, BaseSpec]:
        return {b.key: b for b in self.bases}

    def visit_type_by_key(self) -> dict[str, VisitTypeSpec]:
        return {v.key: v for v in self.visit_types}

    def settlements_in(self, code: str) -> list[SettlementSpec]:
        return [s for s in self.settlements if s.municipality == code]

    def pool_skills(self, index: int) -> frozenset[Skill]:
        pool = self.staff[index]
        base = pool.skills if pool.skills is not None else self.discipline_skills[pool.discipline]
        return frozenset(base) | frozenset(pool.extra_skills)

    def pool_level(self, index: int) -> int:
        pool = self.staff[index]
        if pool.skill_level is not None:
            return pool.skill_level
        return self.skill_levels.get(pool.discipline, 0)

    def covering_pools(
        self,
        *,
        municipality: str,
        weekday: int,
        skills: Iterable[Skill],
        window: tuple[int, int],
        duration: int,
        skill_level: int = 0,
        organisation: str | None = None,
    ) -> list[int]:
        """Indexes of pools whose staff may do this visit: place, weekday, skills, level,
        organisation, a shift around the window."""
        needed = frozenset(skills)
        found = []
        for i, pool in enumerate(self.staff):
            served = pool.served()
            if served and municipality not in served:
                continue
            if weekday not in pool.weekdays or not needed <= self.pool_skills(i):
                continue
            if self.pool_level(i) < skill_level:
                continue
            if organisation is not None and organisation not in self.organisation_keys(pool):
                continue
            for key in pool.shift_keys():
                shift = self.shift_patterns[key]
                start = max(window[0], minutes_of(shift.start))
                end = min(window[1], minutes_of(shift.end))
                if end - start >= duration:
                    found.append(i)
                    break
        return found

    def possible_needs(self) -> list[Need]:
        """Every (visit type, municipality, weekday) a visit can occur for, with its origin."""
        types = self.visit_type_by_key()
        needs: dict[tuple[str, str, int], Need] = {}
        for i, vt in enumerate(self.visit_types):
            for code, n in vt.patients.items():
                for day in vt.weekdays if n else ():
                    origin = f"visit_types[{i}] ({vt.key})"
                    needs.setdefault((vt.key, code, day), Need(vt.key, code, day, origin))
        for i, dep in enumerate(self.dependencies):
            before = types[dep.before]
            for code, n in before.patients.items():
                for day in before.weekdays if n else ():
                    origin = f"dependencies[{i}] ({dep.after} after {dep.before})"
                    needs.setdefault((dep.after, code, day), Need(dep.after, code, day, origin))
        for i, adhoc in enumerate(self.ad_hoc):
            for m in self.municipalities if adhoc.per_day else ():
                for day in adhoc.weekdays if m.patients else ():
                    origin = f"ad_hoc[{i}] ({adhoc.visit_type})"
                    key = (adhoc.visit_type, m.code, day)
                    needs.setdefault(key, Need(adhoc.visit_type, m.code, day, origin))
        return list(needs.values())


class Need(NamedTuple):
    """A visit type that may be needed in a municipality on a weekday; `origin` is for errors."""

    visit_type: str
    municipality: str
    weekday: int
    origin: str


def joint_coverable(pools: list[tuple[int, frozenset[Skill]]], second: Iterable[Skill]) -> bool:
    """Two staff among `pools` (count, skills), at least one of them with `second` as well."""
    extra = frozenset(second)
    return sum(n for n, _ in pools) >= 2 and any(extra <= skills for _, skills in pools)


def _names(skills: Iterable[Skill]) -> list[str]:
    return sorted(str(s) for s in skills)


def _unique(table: str, field: str, values: list[str]) -> None:
    seen: set[str] = set()
    for i, v in enumerate(values):
        if v in seen:
            raise ValueError(f"{table}[{i}].{field}: '{v}' appears twice")
        seen.add(v)


def _known(where: str, value: str, known: set[str]) -> None:
    if value not in known:
        raise ValueError(f"{where}: unknown '{value}' (known: {', '.join(sorted(known))})")


def available_regions() -> list[str]:
    """Names of the region files bundled with ambulant."""
    folder = resources.files(REGIONS_PACKAGE) / REGIONS_DIR
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load_region(name_or_path: str) -> RegionSpec:
    """A bundled region by name ('vaernes'), or a region file by path (anything with / or .toml)."""
    if "/" in name_or_path or "\\" in name_or_path or name_or_path.endswith(".toml"):
        path = Path(name_or_path)
        if not path.is_file():
            raise NotFound(f"region file {name_or_path} does not exist", field="region")
        return parse_region(path.read_text(encoding="utf-8"), source=str(path))
    resource = resources.files(REGIONS_PACKAGE) / REGIONS_DIR / f"{name_or_path}.toml"
    if not resource.is_file():
        raise NotFound(
            f"no bundled region '{name_or_path}' (available: {', '.join(available_regions())})",
            field="region",
        )
    return parse_region(resource.read_text(encoding="utf-8"), source=f"{name_or_path}.toml")


def parse_region(text: str, *, source: str = "<region>") -> RegionSpec:
    """Parse and validate region TOML; errors name the source and the field's dotted path."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RegionFileError(f"{source}: not valid TOML: {error}", field="region") from error
    try:
        return RegionSpec.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        path = ".".join(str(part) for part in first["loc"]) or "region"
        lines = [
            f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: "
            + e["msg"].removeprefix("Value error, ")
            for e in error.errors()
        ]
        raise RegionFileError(
            f"{source}: invalid region file:\n  " + "\n  ".join(lines), field=path
        ) from error
