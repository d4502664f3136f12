"""What a plan and a schedule look like to their readers (coordinators and nurses)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from ambulant.planning.cost_sharing import CostSharing
from ambulant.planning.job_view import JobView
from ambulant.planning.municipality_kpis import MunicipalityKpis
from ambulant.planning.organisation_kpis import JointVisitView, OrganisationKpis
from ambulant.planning.workload_kpis import WorkloadSpread


class StopView(BaseModel):
    """A visit, a break or a fixed appointment (kind 'appointment': `appointment_id`, `title`)."""

    sequence: int
    kind: str
    visit_id: int | None
    patient_id: int | None
    part: int
    arrival_at: dt.datetime
    start_at: dt.datetime
    end_at: dt.datetime
    travel_s: int
    distance_m: int
    appointment_id: int | None = None
    title: str | None = None


class RouteView(BaseModel):
    staff_id: int
    staff_name: str
    organisation_id: int | None = None
    departure_at: dt.datetime
    return_at: dt.datetime
    travel_s: int
    distance_m: int
    overtime_s: int
    stops: list[StopView]


class UnassignedView(BaseModel):
    visit_id: int
    patient_id: int | None
    reason: str
    detail: str
    closest_staff_id: int | None


class UnkeptAppointmentView(BaseModel):
    """A fixed appointment the plan could not keep (too far to reach in time, overlapping
    another); the staff member's day is planned without it."""

    staff_id: int
    appointment_id: int
    title: str | None
    reason: str
    detail: str


class PlanSummary(BaseModel):
    id: int
    date: dt.date
    scope: str
    version: int
    status: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    published_at: dt.datetime | None
    kpis: dict[str, Any]


class PlanDetail(PlanSummary):
    started_at: dt.datetime | None
    worker: str | None
    """host:pid of the worker that last ran the plan's job."""
    attempts: int
    """How often a worker started the job (over 1: a worker died and the job was retried)."""
    travel_provider: str
    travel_estimated: bool
    parameters: dict[str, Any]
    solver_stats: dict[str, Any]
    objective: dict[str, Any]
    error: str | None
    routes: list[RouteView]
    unassigned: list[UnassignedView]
    unkept_appointments: list[UnkeptAppointmentView] = []
    kpis_by_municipality: list[MunicipalityKpis] = []
    """Per municipality (by code) what the plan does there, then the day total (code 'all');
    the rules of attribution are in ambulant.planning.municipality_kpis."""
    kpis_by_organisation: list[OrganisationKpis] = []
    """Per organisation of the staff what they do in the plan (visits, hours with patients,
    drive), then the day total; rules in ambulant.planning.organisation_kpis."""
    joint_visits: list[JointVisitView] = []
    """The visits several staff do together, with each one's organisation, and whether they
    bring organisations together (a hospital team's specialist with a municipal nurse)."""
    job: JobView | None = None
    """The plan's job: queued, running (with the best plan so far), done, failed, cancelled."""
    workload: WorkloadSpread | None = None
    """Working minutes per staff member on shift and their spread (max - min, standard
    deviation); rules in ambulant.planning.workload_kpis."""
    cost_sharing: CostSharing = CostSharing()
    """Border crossings per (from, to) municipality and the shared team's work split by the
    municipality served; rules in ambulant.planning.cost_sharing."""


class ScheduleStop(BaseModel):
    """One stop on a nurse's day: only what the visit needs (data minimisation). A fixed
    appointment (kind 'appointment') has its `title` and its place in `address`, `lat`, `lon`."""

    sequence: int
    kind: str
    visit_id: int | None
    arrival_at: dt.datetime
    start_at: dt.datetime
    end_at: dt.datetime
    travel_s: int
    distance_m: int
    patient_id: int | None = None
    patient_name: str | None = None
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    notes: str | None = None
    description: str | None = None
    joint: bool = False
    navigation_url: str | None = None
    appointment_id: int | None = None
    title: str | None = None
    shift: int = 1
    """Which of the day's shifts it belongs to (1, or 2 after the time off of a split shift)."""


class ScheduleShift(BaseModel):
    """One shift of the day as planned: when the nurse leaves for it and is back, and its break.
    `start_at` and `end_at` are the shift's own times on a split-shift day (None on a day of
    one shift, where the day's departure and return say it all, and if the roster changed since
    the plan was made and they no longer match)."""

    number: int
    start_at: dt.datetime | None
    end_at: dt.datetime | None
    departure_at: dt.datetime
    return_at: dt.datetime
    break_start_at: dt.datetime | None = None
    break_end_at: dt.datetime | None = None


class Schedule(BaseModel):
    staff_id: int
    staff_name: str
    date: dt.date
    plan_id: int
    plan_version: int
    published_at: dt.datetime | None
    departure_at: dt.datetime
    return_at: dt.datetime
    travel_s: int
    distance_m: int
    travel_estimated: bool
    stops: list[ScheduleStop]
    shifts: list[ScheduleShift] = []
    """The day's shifts: one, or several for a split shift (each stop says which)."""
