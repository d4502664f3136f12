"""Moving a visit by hand on the coordinator's board (coordinators, for their scope): check a
move without storing anything, then make it, which stores a new draft version.

Both answer what the solver's validator says of the whole day with the move applied: 200 with
`valid` and the violations in words for a check; 201 with the new version and its diff for a
move that keeps every rule, 422 with the violations for one that does not, and 409 when the
version moved in (If-Match) is no longer the newest.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from ambulant.auth import access
from ambulant.models import AuditAction
from ambulant.replanning.hand_moves import check_move, make_move
from ambulant.replanning.views import MoveAnswer, MoveCheck, MoveRequest
from ambulant.travel.factory import travel_times_from_settings
from api.deps import (
    AuditDep,
    EngineDep,
    IfMatch,
    PathId,
    PlannerDep,
    SessionDep,
    SettingsDep,
    if_match_version,
    require_planner,
)

router = APIRouter(prefix="/plans", tags=["replanning"], dependencies=[Depends(require_planner)])


def _check_references(session: SessionDep, principal: PlannerDep, body: MoveRequest) -> None:
    """Staff named in the body are within the caller's reach (a 422 as for no such staff)."""
    field = "staff_ids" if body.staff_ids is not None else "staff_id"
    for staff_id in [*(body.staff_ids or []), *([body.staff_id] if body.staff_id else [])]:
        access.staff_ref(session, principal, staff_id, field=field)


@router.post("/{plan_id}/moves/check")
def check(
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    principal: PlannerDep,
    audit: AuditDep,
    plan_id: PathId,
    body: MoveRequest,
) -> MoveCheck:
    """Would the move keep every rule, and what else would it move? Nothing is stored."""
    plan = access.visible_plan(session, principal, plan_id)
    access.require_planning(principal, plan.scope)
    _check_references(session, principal, body)
    prepared = check_move(
        session,
        plan_id=plan_id,
        request=body,
        settings=settings,
        travel=travel_times_from_settings(settings, engine=engine),
    )
    patients = [c.patient_id for c in prepared.check.changes]
    audit.record_patients(AuditAction.READ, "plan", plan_id, patients)
    return prepared.check


@router.post(
    "/{plan_id}/moves",
    status_code=201,
    response_model=MoveAnswer,
    responses={
        409: {"description": "The version moved in (If-Match) is not the newest any more."},
        422: {"description": "The move breaks rules: `violations` lists them in words."},
    },
)
def move(
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    principal: PlannerDep,
    audit: AuditDep,
    plan_id: PathId,
    body: MoveRequest,
    response: Response,
    if_match: IfMatch = None,
) -> MoveAnswer:
    """Stores a new draft version with the move applied, based on this one; nothing else in it
    changes but the stops re-timed after the moved visit."""
    plan = access.visible_plan(session, principal, plan_id)
    access.require_planning(principal, plan.scope)
    _check_references(session, principal, body)
    new, answer = make_move(
        session,
        plan_id=plan_id,
        request=body,
        principal=principal,
        settings=settings,
        travel=travel_times_from_settings(settings, engine=engine),
        based_on_version=if_match_version(if_match),
    )
    assert new.id is not None
    audit.record(AuditAction.PLAN, "plan", new.id)
    response.headers["Location"] = f"/api/v1/plans/{new.id}"
    response.headers["ETag"] = f'"{new.version}"'
    return answer
