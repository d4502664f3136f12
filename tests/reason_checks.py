"""Checks, from the stored rows alone, that each unassigned visit's reason is true of the day.

Independent of the solver's own explanation code: it reads the visit, the staff who have a shift
that day in the plan's scope and the plan's other unassigned visits, and tests each reason's claim.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from ambulant.models import Plan, Shift, Staff, UnassignedVisit, VisitRequest
from solver import Reason


def _part_skills(visit: VisitRequest) -> list[set[str]]:
    first = set(visit.skills)
    return [first, first | set(visit.second_staff_skills)][: visit.staff_count]


def _distinct(candidates: list[set[int]]) -> bool:
    """Can each part go to a different staff member from its candidates?"""
    if len(candidates) == 1:
        return bool(candidates[0])
    a, b = candidates
    return any(x != y for x in a for y in b)


def falsehoods(session: Session, plan_id: int) -> list[str]:
    """Every unassigned visit of the plan whose stated reason the rows contradict."""
    plan = session.get(Plan, plan_id)
    assert plan is not None
    working_ids = {s.staff_id for s in session.exec(select(Shift).where(Shift.date == plan.date))}
    # A municipality's plan is planned with that municipality's staff only.
    working = [
        s
        for s in session.exec(select(Staff))
        if s.id in working_ids and plan.scope in ("all", s.municipality_code)
    ]
    working_ids = {s.id for s in working if s.id is not None}
    rows = session.exec(select(UnassignedVisit).where(UnassignedVisit.plan_id == plan_id)).all()
    out_ids = {u.visit_id for u in rows}
    wrong = []
    for row in rows:
        visit = session.get(VisitRequest, row.visit_id)
        assert visit is not None
        skilled = [
            {s.id for s in working if s.id is not None and need <= set(s.skills)}
            for need in _part_skills(visit)
        ]
        level = visit.required_skill_level or 0
        at_level = [{i for i in ids if _level(working, i) >= level} for ids in skilled]
        holds = {
            Reason.NO_SKILLED_STAFF: not _distinct(skilled),
            Reason.NO_STAFF_AT_LEVEL: _distinct(skilled) and not _distinct(at_level),
            Reason.PINNED_STAFF_NOT_WORKING: visit.pinned_staff_id is not None
            and visit.pinned_staff_id not in working_ids,
            Reason.DEPENDENCY_UNPLANNED: _dependency_out(session, visit, out_ids),
            Reason.NO_ROOM: _distinct(at_level)
            and row.closest_staff_id is not None
            and any(row.closest_staff_id in ids for ids in at_level),
        }.get(Reason(row.reason), _distinct(at_level))  # the rest need qualified staff at work
        if not holds or not row.detail:
            wrong.append(f"visit {visit.id}: {row.reason} ({row.detail!r}) is not true of the day")
    return wrong


def _level(staff: list[Staff], staff_id: int) -> int:
    return next(s.skill_level for s in staff if s.id == staff_id)


def _dependency_out(session: Session, visit: VisitRequest, out_ids: set[int]) -> bool:
    if visit.depends_on_id in out_ids:
        return True
    dependants = session.exec(select(VisitRequest.id).where(VisitRequest.depends_on_id == visit.id))
    return any(d in out_ids for d in dependants)


def assert_reasons_hold(engine: Engine, plan_id: int) -> int:
    """Fails naming every untrue reason; returns how many unassigned visits were checked."""
    with Session(engine) as session:
        wrong = falsehoods(session, plan_id)
        checked = len(
            session.exec(select(UnassignedVisit).where(UnassignedVisit.plan_id == plan_id)).all()
        )
    assert not wrong, "\n".join(wrong)
    return checked
