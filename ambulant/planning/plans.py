"""Plans as the API sees them: ask for one, list them, read one, publish one.

Services flush but never commit: the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlmodel import Session, col, func, select

from ambulant.errors import Conflict, InvalidInput, NotFound
from ambulant.models import (
    Appointment,
    Municipality,
    Plan,
    PlanRoute,
    PlanStatus,
    PlanStop,
    Staff,
    UnassignedVisit,
    VisitRequest,
)
from ambulant.planning.cost_sharing import cost_sharing
from ambulant.planning.job_view import job_view
from ambulant.planning.municipality_kpis import municipality_kpis
from ambulant.planning.organisation_kpis import joint_visits, organisation_kpis
from ambulant.planning.problem_builder import staff_in_scope
from ambulant.planning.views import (
    PlanDetail,
    PlanSummary,
    RouteView,
    StopView,
    UnassignedView,
    UnkeptAppointmentView,
)
from ambulant.planning.weights import WeightOverrides
from ambulant.planning.workload_kpis import workload_spread
from ambulant.timeutil import now


def validate_scope(session: Session, scope: str) -> None:
    if scope != "all" and session.get(Municipality, scope) is None:
        raise InvalidInput(
            f"scope must be 'all' or a municipality code; {scope!r} is neither", field="scope"
        )


def request_plan(
    session: Session,
    *,
    day: dt.date,
    scope: str = "all",
    weights: WeightOverrides | None = None,
) -> Plan:
    """A queued plan for `day`; the caller commits and then hands its id to the job queue.
    `weights` override the settings' objective weights for this plan."""
    validate_scope(session, scope)
    if not staff_in_scope(session, day=day, scope=scope):
        raise InvalidInput(f"no shifts on {day.isoformat()} in scope {scope!r}", field="date")
    latest = session.exec(
        select(func.max(Plan.version)).where(Plan.date == day, Plan.scope == scope)
    ).one()
    given = weights.given() if weights is not None else {}
    plan = Plan(
        date=day,
        scope=scope,
        version=(latest or 0) + 1,
        status=PlanStatus.QUEUED,
        parameters={"weights": given} if given else {},
    )
    session.add(plan)
    session.flush()
    return plan


def list_plans(
    session: Session,
    *,
    day: dt.date | None = None,
    scope: str | None = None,
    scopes: Collection[str] | None = None,
) -> list[Plan]:
    """`scopes` limits the list to plans of those scopes (a caller's; None: no limit)."""
    query = select(Plan)
    if scopes is not None:
        query = query.where(col(Plan.scope).in_(sorted(scopes)))
    if day is not None:
        query = query.where(Plan.date == day)
    if scope is not None:
        query = query.where(Plan.scope == scope)
    return list(session.exec(query.order_by(col(Plan.date), col(Plan.scope), col(Plan.version))))


def get_plan(session: Session, *, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(f"plan {plan_id} not found")
    return plan


def plan_summary(plan: Plan) -> PlanSummary:
    assert plan.id is not None
    return PlanSummary(
        id=plan.id,
        date=plan.date,
        scope=plan.scope,
        version=plan.version,
        status=plan.status,
        created_at=plan.created_at,
        finished_at=plan.finished_at,
        published_at=plan.published_at,
        kpis=plan.kpis,
    )


def plan_detail(session: Session, *, plan_id: int) -> PlanDetail:
    plan = get_plan(session, plan_id=plan_id)
    people = {s.id: s for s in session.exec(select(Staff)).all()}
    stops_by_staff: dict[int, list[PlanStop]] = {}
    for stop in session.exec(
        select(PlanStop).where(PlanStop.plan_id == plan_id).order_by(col(PlanStop.sequence))
    ):
        stops_by_staff.setdefault(stop.staff_id, []).append(stop)
    patient_of = _patient_of_visits(session, plan_id)
    titles = _appointment_titles(session, plan_id)
    routes = [
        RouteView(
            staff_id=r.staff_id,
            staff_name=people[r.staff_id].name if r.staff_id in people else "",
            organisation_id=people[r.staff_id].organisation_id if r.staff_id in people else None,
            departure_at=r.departure_at,
            return_at=r.return_at,
            travel_s=r.travel_s,
            distance_m=r.distance_m,
            overtime_s=r.overtime_s,
            stops=[
                StopView(
                    sequence=s.sequence,
                    kind=s.kind,
                    visit_id=s.visit_id,
                    patient_id=patient_of.get(s.visit_id) if s.visit_id else None,
                    part=s.part,
                    arrival_at=s.arrival_at,
                    start_at=s.start_at,
                    end_at=s.end_at,
                    travel_s=s.travel_s,
                    distance_m=s.distance_m,
                    appointment_id=s.appointment_id,
                    title=titles.get(s.appointment_id) if s.appointment_id else None,
                )
                for s in stops_by_staff.get(r.staff_id, [])
            ],
        )
        for r in session.exec(
            select(PlanRoute).where(PlanRoute.plan_id == plan_id).order_by(col(PlanRoute.staff_id))
        )
    ]
    unassigned = [
        UnassignedView(
            visit_id=u.visit_id,
            patient_id=patient_of.get(u.visit_id),
            reason=u.reason,
            detail=u.detail,
            closest_staff_id=u.closest_staff_id,
        )
        for u in session.exec(
            select(UnassignedVisit)
            .where(UnassignedVisit.plan_id == plan_id)
            .order_by(col(UnassignedVisit.visit_id))
        )
    ]
    unkept = plan.solver_stats.get("unkept_appointments", [])
    if unkept:
        held = select(Appointment.id, Appointment.title).where(
            col(Appointment.id).in_([u["appointment_id"] for u in unkept])
        )
        titles.update(session.exec(held).all())
    summary = plan_summary(plan)
    return PlanDetail(
        **summary.model_dump(),
        started_at=plan.started_at,
        worker=plan.worker,
        attempts=plan.attempts,
        travel_provider=plan.travel_provider,
        travel_estimated=plan.travel_estimated,
        parameters=plan.parameters,
        solver_stats=plan.solver_stats,
        objective=plan.objective,
        error=plan.error,
        routes=routes,
        unassigned=unassigned,
        unkept_appointments=[
            UnkeptAppointmentView(**u, title=titles.get(u["appointment_id"])) for u in unkept
        ],
        kpis_by_municipality=municipality_kpis(session, plan_id=plan_id),
        kpis_by_organisation=organisation_kpis(session, plan_id=plan_id),
        joint_visits=joint_visits(session, plan_id=plan_id),
        job=job_view(plan),
        cost_sharing=cost_sharing(session, plan_id=plan_id),
        workload=workload_spread(session, plan),
    )


def _patient_of_visits(session: Session, plan_id: int) -> dict[int | None, int]:
    planned = select(PlanStop.visit_id).where(PlanStop.plan_id == plan_id)
    left_out = select(UnassignedVisit.visit_id).where(UnassignedVisit.plan_id == plan_id)
    rows = session.exec(
        select(VisitRequest.id, VisitRequest.patient_id).where(
            col(VisitRequest.id).in_(planned) | col(VisitRequest.id).in_(left_out)
        )
    )
    return dict(rows.all())


def _appointment_titles(session: Session, plan_id: int) -> dict[int | None, str]:
    held = select(PlanStop.appointment_id).where(PlanStop.plan_id == plan_id)
    rows = session.exec(
        select(Appointment.id, Appointment.title).where(col(Appointment.id).in_(held))
    )
    return dict(rows.all())


def publish_plan(session: Session, *, plan_id: int) -> Plan:
    """Makes a draft the plan staff see; the one it replaces becomes superseded."""
    plan = get_plan(session, plan_id=plan_id)
    if plan.status != PlanStatus.DRAFT:
        raise Conflict(
            f"plan {plan_id} is {plan.status}; only a draft can be published", field="status"
        )
    for older in session.exec(
        select(Plan).where(
            Plan.date == plan.date,
            Plan.scope == plan.scope,
            Plan.status == PlanStatus.PUBLISHED,
        )
    ):
        older.status = PlanStatus.SUPERSEDED
        session.add(older)
    plan.status = PlanStatus.PUBLISHED
    plan.published_at = now()
    session.add(plan)
    session.flush()
    return plan
