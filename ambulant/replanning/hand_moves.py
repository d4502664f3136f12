"""A visit moved by hand on the coordinator's board, checked by the solver's own validator before
anything is stored.

The day's problem is rebuilt from the database and the stored routes are read back as a solver
result. The move takes the visit off the routes it was on and puts it on the new staff's,
at the time asked for (or its old time, or as soon as the new route allows); every affected
route is re-timed along the travel matrix: a stop keeps its time unless the drive before it
makes that impossible, and then starts as soon as it can (waiting is allowed, nothing starts
earlier than planned). The validator then judges the whole day; the rules the stored plan
already broke (a visit reported late) are not blamed on the move.

A valid move is stored as a new draft version based on the one moved in (nothing else changed),
with its diff, as a replan's is. Services flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlmodel import Session, col, select

import solver
from ambulant.auth.principal import Principal
from ambulant.config import Settings
from ambulant.errors import Conflict, InvalidInput
from ambulant.execution.state import COMMITTED, newest_report_id
from ambulant.models import (
    Municipality,
    Plan,
    PlanRoute,
    PlanStatus,
    PlanStop,
    Staff,
    UnassignedVisit,
    VisitRequest,
    VisitStatusReport,
)
from ambulant.planning.plans import get_plan, plan_summary
from ambulant.planning.problem_builder import BuiltProblem, build_problem
from ambulant.planning.store import route_stops, route_walk, stored_result
from ambulant.planning.weights import stored_overrides
from ambulant.replanning.diff import PlanDiff, VisitChange, plan_diff
from ambulant.replanning.move_words import Wording, in_words
from ambulant.replanning.retime import Item, Kind, fresh_day_items, items_of_route, retime
from ambulant.replanning.versions import next_version, require_newest
from ambulant.replanning.views import MoveAnswer, MoveCheck, MoveRequest, MoveViolation
from ambulant.timeutil import OSLO, from_day_seconds, now, to_day_seconds
from ambulant.travel import TravelTimes

MOVABLE = (PlanStatus.DRAFT, PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED)
ALREADY_REPORTED = "already_reported"


class MoveInvalid(InvalidInput):
    """The move breaks rules; `violations` says which, in words (the API lists them)."""

    def __init__(self, violations: list[MoveViolation]) -> None:
        first = violations[0].message if violations else "the move breaks a rule"
        more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
        super().__init__(f"the move is not possible: {first}{more}")
        self.violations = [v.model_dump() for v in violations]


@dataclass
class PreparedMove:
    plan: Plan
    built: BuiltProblem
    moved: solver.Result
    affected_staff: set[str]
    check: MoveCheck


def check_move(
    session: Session,
    *,
    plan_id: int,
    request: MoveRequest,
    settings: Settings,
    travel: TravelTimes,
) -> PreparedMove:
    """The move applied in memory and judged; nothing is stored."""
    plan = get_plan(session, plan_id=plan_id)
    if plan.status not in MOVABLE:
        raise Conflict(
            f"plan {plan_id} is {plan.status}; only a solved plan can be changed by hand",
            field="status",
        )
    base = stored_result(session, plan)
    visit_id = str(request.visit_id)
    _require_in_plan(session, plan, base, request.visit_id)
    built = build_problem(
        session, day=plan.date, scope=plan.scope, travel=travel, settings=settings
    )
    problem = built.problem
    try:
        visit = problem.visit(visit_id)
    except KeyError:
        raise InvalidInput(
            f"visit {visit_id} is not in the scope {plan.scope!r} of plan {plan_id}",
            field="visit_id",
        ) from None
    current = _placement(base, visit_id)
    new_staff = _new_staff(problem, request, visit, current, plan)
    start_s = _requested_start(plan, request)
    if start_s is None and current is not None and tuple(new_staff) == current[0]:
        raise InvalidInput(
            "the move changes nothing: name other staff or a new start_at", field="start_at"
        )
    if start_s is not None:
        target = start_s
    else:
        target = current[1] if current is not None else visit.earliest_start_s

    affected = set(current[0] if current else ()) | set(new_staff)
    _require_rebuildable(problem, base, affected)
    moved = _moved_result(problem, base, visit, new_staff, affected, target, start_s is not None)

    already = solver.validate(problem, base)
    before = Counter(_key(v) for v in already)
    found = []
    for violation in solver.validate(problem, moved):
        key = _key(violation)
        if before[key] > 0:
            before[key] -= 1
        else:
            found.append(violation)
    wording = _wording(session, built, moved)
    violations = _reported(session, request.visit_id, wording)
    for said in (in_words(wording, v) for v in found):
        # Several rules say one thing to a person (a late arrival breaks `arrival` and `gap`).
        if not any(
            (o.message, o.visit_id, o.staff_id) == (said.message, said.visit_id, said.staff_id)
            for o in violations
        ):
            violations.append(said)
    assert plan.id is not None
    check = MoveCheck(
        plan_id=plan.id,
        version=plan.version,
        valid=not violations,
        violations=violations,
        changes=_changes(session, plan.date, base, moved, visit_id),
        existing_violations=len(already),
    )
    return PreparedMove(plan=plan, built=built, moved=moved, affected_staff=affected, check=check)


def make_move(
    session: Session,
    *,
    plan_id: int,
    request: MoveRequest,
    principal: Principal,
    settings: Settings,
    travel: TravelTimes,
    based_on_version: int | None,
) -> tuple[Plan, MoveAnswer]:
    """Stores the move as a new draft version, or raises MoveInvalid with the violations."""
    plan = get_plan(session, plan_id=plan_id)
    require_newest(session, plan, based_on_version=based_on_version)
    prepared = check_move(
        session, plan_id=plan_id, request=request, settings=settings, travel=travel
    )
    if not prepared.check.valid:
        raise MoveInvalid(prepared.check.violations)
    new = _store(session, prepared, request, principal)
    assert new.id is not None and plan.id is not None
    diff = plan_diff(session, plan_id=new.id, tolerance_min=settings.replan_move_tolerance_min)
    new.diff = diff.model_dump(mode="json")
    new.kpis = {
        **new.kpis,
        "reassigned_visits": diff.reassigned_visits,
        "retimed_visits": diff.retimed_visits,
        "affected_staff": len(diff.affected_staff_ids),
    }
    session.add(new)
    session.flush()
    return new, MoveAnswer(
        plan=plan_summary(new),
        based_on_plan_id=plan.id,
        based_on_version=plan.version,
        changes=prepared.check.changes,
        diff=PlanDiff.model_validate(new.diff),
    )


def _require_rebuildable(problem: solver.Problem, base: solver.Result, affected: set[str]) -> None:
    """The routes to re-time must be of staff working today and hold only visits and
    appointments of today's problem: a shift, visit or appointment deleted since the plan was
    made leaves nothing to time them by."""
    working = {s.id for s in problem.staff}
    visits = {v.id for v in problem.visits}
    for staff_id in sorted(affected):
        route = base.route_of(staff_id)
        if staff_id not in working:
            raise Conflict(
                f"staff {staff_id} has no shift on this day any more; replan instead",
                field="staff_id",
            )
        held = {a.id for a in problem.staff_member(staff_id).appointments}
        cancelled = sorted({a.appointment_id for a in route.appointments} - held) if route else []
        if cancelled:
            raise Conflict(
                f"staff {staff_id}'s appointment {cancelled[0]} in the plan has changed or gone "
                "since; replan instead",
                field="staff_id",
            )
        gone = sorted({s.visit_id for s in route.stops} - visits) if route else []
        if gone:
            raise Conflict(
                f"staff {staff_id}'s route holds visit {gone[0]}, which is no longer a visit "
                "of this day; replan instead",
                field="visit_id",
            )


def _key(violation: solver.Violation) -> tuple[str, str | None, str | None]:
    # Messages carry numbers that a re-timed route changes; a rule on a visit and staff member
    # the stored plan already broke is the same break.
    return (violation.rule, violation.visit_id, violation.staff_id)


def _require_in_plan(session: Session, plan: Plan, base: solver.Result, visit_id: int) -> None:
    planned = {s.visit_id for r in base.routes for s in r.stops}
    listed = {u.visit_id for u in base.unassigned}
    if str(visit_id) in planned or str(visit_id) in listed:
        return
    stored = session.get(VisitRequest, visit_id)
    why = "" if stored is None or stored.date != plan.date else " (replan to plan a new visit)"
    raise InvalidInput(f"visit {visit_id} is not in plan {plan.id}{why}", field="visit_id")


def _placement(result: solver.Result, visit_id: str) -> tuple[tuple[str, ...], int] | None:
    """Staff by part and start of a planned visit (None: unassigned)."""
    parts = sorted(
        (stop.part, route.staff_id, stop.start_s)
        for route in result.routes
        for stop in route.stops
        if stop.visit_id == visit_id
    )
    if not parts:
        return None
    return tuple(staff for _, staff, _ in parts), parts[0][2]


def _part_starts(result: solver.Result, visit_id: str) -> list[tuple[int, int]]:
    return sorted(
        (stop.part, stop.start_s)
        for route in result.routes
        for stop in route.stops
        if stop.visit_id == visit_id
    )


def _new_staff(
    problem: solver.Problem,
    request: MoveRequest,
    visit: solver.Visit,
    current: tuple[tuple[str, ...], int] | None,
    plan: Plan,
) -> list[str]:
    if request.staff_id is not None and request.staff_ids is not None:
        raise InvalidInput("send staff_id or staff_ids, not both", field="staff_ids")
    field = "staff_ids" if request.staff_ids is not None else "staff_id"
    if request.staff_ids is not None:
        wanted = [str(s) for s in request.staff_ids]
    elif request.staff_id is not None:
        if visit.staff_count > 1:
            raise InvalidInput(
                f"visit {visit.id} needs {visit.staff_count} staff: name them in staff_ids",
                field="staff_id",
            )
        wanted = [str(request.staff_id)]
    elif current is not None:
        wanted = list(current[0])
    else:
        raise InvalidInput(
            f"visit {visit.id} is unassigned: staff_id says who takes it", field="staff_id"
        )
    if len(wanted) != visit.staff_count:
        raise InvalidInput(
            f"visit {visit.id} needs {visit.staff_count} staff, {len(wanted)} given", field=field
        )
    if len(set(wanted)) != len(wanted):
        raise InvalidInput("a staff member is named twice", field=field)
    working = {s.id for s in problem.staff}
    for staff_id in wanted:
        if staff_id not in working:
            raise InvalidInput(
                f"staff {staff_id} has no shift on {plan.date} in the scope of plan {plan.id}",
                field=field,
            )
    return wanted


def _requested_start(plan: Plan, request: MoveRequest) -> int | None:
    if request.start_at is None:
        return None
    if request.start_at.astimezone(OSLO).date() != plan.date:
        raise InvalidInput(
            f"start_at is on {request.start_at.astimezone(OSLO).date()}, the plan on {plan.date}",
            field="start_at",
        )
    return to_day_seconds(plan.date, request.start_at)


def _moved_result(
    problem: solver.Problem,
    base: solver.Result,
    visit: solver.Visit,
    new_staff: list[str],
    affected: set[str],
    target_s: int,
    fixed: bool,
) -> solver.Result:
    """The base with the visit on `new_staff` and the affected routes re-timed."""
    unkept: dict[str, set[str]] = {}
    for u in base.unkept_appointments:
        unkept.setdefault(u.staff_id, set()).add(u.appointment_id)

    def day_of(staff_id: str, start_s: int, fixed_now: bool) -> list[Item]:
        route = base.route_of(staff_id)
        if route is not None:
            items = [i for i in items_of_route(problem, route) if i.visit_id != visit.id]
        else:
            items = fresh_day_items(problem.staff_member(staff_id), unkept.get(staff_id, set()))
        items.sort(key=lambda item: item.order)
        if staff_id in new_staff:
            moved = Item(
                Kind.VISIT,
                start_s,
                visit.duration_s,
                visit.location,
                visit_id=visit.id,
                part=new_staff.index(staff_id),
                fixed=fixed_now,
            )
            # Placed by the time asked for, before a stop planned at that very time (it is the
            # one asked for then); the order stays when the start is pushed later.
            order = (target_s, Kind.VISIT)
            at = next((i for i, item in enumerate(items) if item.order >= order), len(items))
            items.insert(at, moved)
        return items

    def timed(start_s: int, fixed_now: bool) -> dict[str, solver.Route]:
        out = {}
        for staff_id in sorted(affected):
            route = base.route_of(staff_id)
            result = retime(
                problem,
                problem.staff_member(staff_id),
                day_of(staff_id, start_s, fixed_now),
                departure_s=route.departure_s if route is not None else None,
            )
            out[staff_id] = result
        routes = {s: r.route for s, r in out.items()}
        if fixed_now:
            return routes
        # Parts of a joint visit start together: as soon as the last of them can.
        soonest = [
            r.earliest_start_s[(visit.id, part)]
            for part, staff_id in enumerate(new_staff)
            for r in [out[staff_id]]
        ]
        together = max([start_s, *soonest])
        if len(new_staff) > 1 and together != start_s:
            return timed(together, True)
        return routes

    new_routes = timed(target_s, fixed)
    routes = [r for r in base.routes if r.staff_id not in affected] + list(new_routes.values())
    return solver.Result(
        routes=tuple(sorted(routes, key=lambda r: int(r.staff_id))),
        unassigned=tuple(u for u in base.unassigned if u.visit_id != visit.id),
        unkept_appointments=base.unkept_appointments,
    )


def _reported(session: Session, visit_id: int, wording: Wording) -> list[MoveViolation]:
    """A visit a nurse has set out for, started or done stays where it is."""
    report = session.exec(
        select(VisitStatusReport)
        .where(VisitStatusReport.visit_id == visit_id)
        .order_by(col(VisitStatusReport.at).desc(), col(VisitStatusReport.id).desc())
    ).first()
    if report is None or report.status not in COMMITTED:
        return []
    who = wording.staff(str(report.staff_id)) if report.staff_id else "a nurse"
    return [
        MoveViolation(
            rule=ALREADY_REPORTED,
            message=(
                f"{wording.visit(str(visit_id))} was reported {report.status} by {who} at "
                f"{report.at.astimezone(OSLO):%H:%M}; it stays where it is"
            ),
            visit_id=visit_id,
            staff_id=report.staff_id,
        )
    ]


def _wording(session: Session, built: BuiltProblem, moved: solver.Result) -> Wording:
    names = {str(s.id): s.name for s in session.exec(select(Staff))}
    return Wording(
        day=built.day,
        problem=built.problem,
        result=moved,
        staff_names=names,
        visit_names={str(i): v.description for i, v in built.visits.items()},
        municipality_names=dict(session.exec(select(Municipality.code, Municipality.name)).all()),
        appointment_titles={str(i): a.title for i, a in built.appointments.items()},
    )


def _changes(
    session: Session, day: dt.date, base: solver.Result, moved: solver.Result, visit_id: str
) -> list[VisitChange]:
    """Every visit whose staff or start the move changes, the moved one first."""
    ids = {s.visit_id for r in moved.routes for s in r.stops} | {visit_id}
    changed = []
    for vid in sorted(ids, key=lambda v: (v != visit_id, int(v))):
        old, new = _placement(base, vid), _placement(moved, vid)
        if old == new and _part_starts(base, vid) == _part_starts(moved, vid):
            continue
        changed.append(
            VisitChange(
                visit_id=int(vid),
                patient_id=None,
                start_at=from_day_seconds(day, new[1]) if new else None,
                previous_start_at=from_day_seconds(day, old[1]) if old else None,
                staff_ids=[int(s) for s in new[0]] if new else [],
                previous_staff_ids=[int(s) for s in old[0]] if old else [],
                shift_minutes=round((new[1] - old[1]) / 60) if old and new else None,
            )
        )
    patients = dict(
        session.exec(
            select(VisitRequest.id, VisitRequest.patient_id).where(
                col(VisitRequest.id).in_([c.visit_id for c in changed])
            )
        ).all()
    )
    for change in changed:
        change.patient_id = patients.get(change.visit_id)
    return changed


def _store(
    session: Session, prepared: PreparedMove, request: MoveRequest, principal: Principal
) -> Plan:
    base, built = prepared.plan, prepared.built
    assert base.id is not None
    day = base.date
    moment = now()
    new = Plan(
        date=day,
        scope=base.scope,
        version=next_version(session, day=day, scope=base.scope),
        based_on_id=base.id,
        status=PlanStatus.DRAFT,
        started_at=moment,
        finished_at=moment,
        travel_provider=built.matrix.provider,
        travel_estimated=base.travel_estimated or built.matrix.estimated,
        parameters={
            "move": {
                "based_on_version": base.version,
                "requested_by": principal.subject,
                **request.model_dump(mode="json", exclude_none=True),
            },
            "weights": stored_overrides(base.parameters),
        },
        solver_stats={
            "status": "moved by hand",
            "report_watermark": newest_report_id(session, day=day),
            "warnings": built.warnings + built.matrix.notes,
            "unkept_appointments": base.solver_stats.get("unkept_appointments", []),
        },
        kpis={**base.kpis, **_totals(built.problem, prepared.moved)},
    )
    session.add(new)
    session.flush()
    assert new.id is not None
    affected = {int(s) for s in prepared.affected_staff}
    for stop in session.exec(select(PlanStop).where(PlanStop.plan_id == base.id)):
        if stop.staff_id not in affected:
            session.add(_copy_stop(stop, new.id))
    for row in session.exec(select(PlanRoute).where(PlanRoute.plan_id == base.id)):
        if row.staff_id not in affected:
            session.add(_copy_route(row, new.id))
    for route in prepared.moved.routes:
        if int(route.staff_id) in affected:
            _add_route(session, new.id, built, route)
    moved_id = request.visit_id
    for u in session.exec(select(UnassignedVisit).where(UnassignedVisit.plan_id == base.id)):
        if u.visit_id != moved_id:
            session.add(
                UnassignedVisit(
                    plan_id=new.id,
                    visit_id=u.visit_id,
                    reason=u.reason,
                    detail=u.detail,
                    closest_staff_id=u.closest_staff_id,
                )
            )
    session.flush()
    return new


def _add_route(session: Session, plan_id: int, built: BuiltProblem, route: solver.Route) -> None:
    day = built.day
    walk, back_m = route_walk(built.problem, built.matrix, route)
    shift_end = built.problem.staff_member(route.staff_id).shift_end_s
    session.add(
        PlanRoute(
            plan_id=plan_id,
            staff_id=int(route.staff_id),
            departure_at=from_day_seconds(day, route.departure_s),
            return_at=from_day_seconds(day, route.return_s),
            travel_s=route.travel_s,
            return_travel_s=route.return_travel_s,
            distance_m=sum(m for _, m in walk) + back_m,
            overtime_s=max(0, route.return_s - shift_end),
        )
    )
    stops = route_stops(plan_id, day, route, walk)
    stops.sort(key=lambda s: (s.start_at, s.kind != "break", s.part))
    for sequence, stop in enumerate(stops, start=1):
        stop.sequence = sequence
        session.add(stop)


def _totals(problem: solver.Problem, result: solver.Result) -> dict[str, float]:
    """The whole day's figures the plan summary shows, for the version with the move."""
    ends = {s.id: s.shift_end_s for s in problem.staff}
    planned = {s.visit_id for r in result.routes for s in r.stops}
    return {
        "assigned_visits": float(len(planned)),
        "unassigned_visits": float(len(result.unassigned)),
        "travel_s": float(sum(r.travel_s for r in result.routes)),
        "service_s": float(sum(s.end_s - s.start_s for r in result.routes for s in r.stops)),
        "waiting_s": float(sum(s.start_s - s.arrival_s for r in result.routes for s in r.stops)),
        "overtime_s": float(
            sum(max(0, r.return_s - ends.get(r.staff_id, r.return_s)) for r in result.routes)
        ),
        "staff_used": float(len(result.routes)),
    }


def _copy_stop(stop: PlanStop, plan_id: int) -> PlanStop:
    return PlanStop(
        plan_id=plan_id,
        **stop.model_dump(exclude={"id", "plan_id"}),
    )


def _copy_route(row: PlanRoute, plan_id: int) -> PlanRoute:
    return PlanRoute(plan_id=plan_id, **row.model_dump(exclude={"id", "plan_id"}))
