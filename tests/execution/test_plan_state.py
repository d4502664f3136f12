"""The state of a plan at a moment: what is frozen, and when and where each staff member is free."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from ambulant.execution import plan_state, record_absence
from ambulant.models import PlanStop, StaffPosition, VisitStatus
from tests.builders import TinyRegion, make_patient, make_region, make_staff, make_visit
from tests.replanning.day import at, hand_made_plan, report


def _region(session: Session) -> TinyRegion:
    region = make_region(session)
    make_staff(session, region)
    make_staff(session, region)
    for _ in range(4):
        make_visit(session, region, make_patient(session, region), start=dt.time(8, 0))
    session.commit()
    return region


def test_unreported_visits_before_the_moment_are_presumed_as_planned(session: Session) -> None:
    """No reports: a visit that ended is presumed done, one under way started, later ones stay
    ahead; the staff member is free when the running one ends."""
    region = _region(session)
    nurse, (v1, v2, v3, _) = region.staff[0].id, [v.id for v in region.visits]
    assert nurse is not None and v1 and v2 and v3
    plan = hand_made_plan(
        session,
        region,
        {nurse: [(v1, "08:00", "08:30"), (v2, "09:50", "10:20"), (v3, "11:00", "11:30")]},
    )
    state = plan_state(session, plan=plan, at=at("10:00"))
    assert (state.visits[v1].status, state.visits[v1].source) == ("done", "presumed")
    assert (state.visits[v2].status, state.visits[v2].frozen) == ("started", True)
    assert (state.visits[v3].status, state.visits[v3].frozen) == ("planned", False)
    assert state.frozen_visit_ids == {v1, v2}
    staff = state.staff[nurse]
    assert staff.available_from == at("10:20")
    assert staff.running_visit_id == v2
    patient = region.patients[1]
    assert staff.location == (patient.lat, patient.lon)


def test_reports_win_over_the_plan(session: Session) -> None:
    """A later visit reported done early is frozen with its reported end; a visit cancelled is
    not frozen and is listed cancelled."""
    region = _region(session)
    nurse, (v1, v2, v3, _) = region.staff[0].id, [v.id for v in region.visits]
    assert nurse is not None and v1 and v2 and v3
    plan = hand_made_plan(
        session,
        region,
        {nurse: [(v1, "08:00", "08:30"), (v2, "11:00", "11:30"), (v3, "12:00", "12:30")]},
    )
    report(session, v2, VisitStatus.STARTED, at("09:00"), staff_id=nurse)
    report(session, v2, VisitStatus.DONE, at("09:25"), staff_id=nurse)
    report(session, v3, VisitStatus.CANCELLED, at("09:30"))
    state = plan_state(session, plan=plan, at=at("10:00"))
    assert state.visits[v2].frozen and state.visits[v2].source == "reported"
    assert (state.visits[v2].start_at, state.visits[v2].end_at) == (at("09:00"), at("09:25"))
    assert state.cancelled == {v3} and not state.visits[v3].frozen
    assert state.staff[nurse].available_from == at("10:00")


def test_a_running_late_visit_frees_its_staff_at_the_expected_end(session: Session) -> None:
    """Started with an expected end: the staff member is free at that end, at that patient."""
    region = _region(session)
    nurse, v1 = region.staff[0].id, region.visits[0].id
    assert nurse is not None and v1
    plan = hand_made_plan(session, region, {nurse: [(v1, "09:30", "10:00")]})
    report(
        session, v1, VisitStatus.STARTED, at("09:35"), staff_id=nurse, expected_end_at=at("10:40")
    )
    state = plan_state(session, plan=plan, at=at("10:00"))
    assert state.staff[nurse].available_from == at("10:40")
    assert state.staff[nurse].location_source == "visit"


def test_a_position_newer_than_the_last_visit_is_where_they_are(session: Session) -> None:
    """A position sent after the last visit ended moves the start; one sent before does not."""
    region = _region(session)
    nurse, v1 = region.staff[0].id, region.visits[0].id
    assert nurse is not None and v1
    plan = hand_made_plan(session, region, {nurse: [(v1, "08:00", "08:30")]})
    session.add(StaffPosition(staff_id=nurse, date=region.day, at=at("08:10"), lat=63.1, lon=10.1))
    session.flush()
    assert plan_state(session, plan=plan, at=at("10:00")).staff[nurse].location_source == "visit"
    session.add(StaffPosition(staff_id=nurse, date=region.day, at=at("09:40"), lat=63.2, lon=10.2))
    session.flush()
    staff = plan_state(session, plan=plan, at=at("10:00")).staff[nurse]
    assert (staff.location, staff.location_source) == ((63.2, 10.2), "position")


def test_an_absent_staff_members_later_visits_are_not_presumed_done(session: Session) -> None:
    """Sick from 09:00: the 08:00 visit is presumed done, the 09:30 one is ahead (to move)."""
    region = _region(session)
    nurse, (v1, v2, _, _) = region.staff[0].id, [v.id for v in region.visits]
    assert nurse is not None and v1 and v2
    plan = hand_made_plan(
        session, region, {nurse: [(v1, "08:00", "08:30"), (v2, "09:30", "10:00")]}
    )
    record_absence(
        session, staff_id=nurse, day=region.day, from_at=at("09:00"), reason="sick", by="c"
    )
    state = plan_state(session, plan=plan, at=at("10:30"))
    assert state.visits[v1].frozen and not state.visits[v2].frozen
    assert state.staff[nurse].absent_from == at("09:00")


def test_a_visit_the_plan_had_them_driving_to_is_presumed_en_route(session: Session) -> None:
    """Left at 09:40 (arrival 10:10 after a 30-minute drive), moment 10:00: the visit is frozen
    en route, and the nurse is free when it ends, at that patient."""
    region = _region(session)
    nurse, v1 = region.staff[0].id, region.visits[0].id
    assert nurse is not None and v1
    plan = hand_made_plan(session, region, {nurse: [(v1, "10:10", "10:40")]})
    stop = session.exec(select(PlanStop).where(PlanStop.plan_id == plan.id)).one()
    stop.travel_s = 30 * 60
    session.add(stop)
    session.flush()
    state = plan_state(session, plan=plan, at=at("10:00"))
    assert (state.visits[v1].status, state.visits[v1].frozen) == ("en_route", True)
    assert state.staff[nurse].available_from == at("10:40")
