"""Status reports: applied once per Idempotency-Key, only by the right people, with clear errors."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from ambulant.auth.principal import Principal
from ambulant.errors import Conflict, Forbidden, InvalidInput
from ambulant.execution import StatusReport, record_status
from ambulant.models import Role, StaffPosition, VisitStatus, VisitStatusReport
from tests.builders import TinyRegion, make_patient, make_region, make_staff, make_visit
from tests.replanning.day import at, hand_made_plan


def _day(session: Session) -> tuple[TinyRegion, int, int, int]:
    """Two nurses with one visit each in the published plan; returns (region, nurse, v1, v2)."""
    region = make_region(session)
    a, b = make_staff(session, region), make_staff(session, region)
    v1 = make_visit(session, region, make_patient(session, region))
    v2 = make_visit(session, region, make_patient(session, region))
    assert a.id and b.id and v1.id and v2.id
    hand_made_plan(
        session, region, {a.id: [(v1.id, "09:00", "09:30")], b.id: [(v2.id, "09:00", "09:30")]}
    )
    session.commit()
    return region, a.id, v1.id, v2.id


def _nurse(staff_id: int) -> Principal:
    return Principal(subject=f"nurse-{staff_id}", role=Role.NURSE, staff_id=staff_id)


def test_a_repeated_report_with_the_same_key_is_applied_once(session: Session) -> None:
    """The retry returns the stored report and stores nothing new."""
    _, nurse, v1, _ = _day(session)
    report = StatusReport(VisitStatus.DONE, at("09:31"), lat=63.47, lon=10.92)
    first, created = record_status(
        session,
        visit_id=v1,
        report=report,
        principal=_nurse(nurse),
        idempotency_key="k1",
        now=at("10:00"),
    )
    again, created_again = record_status(
        session,
        visit_id=v1,
        report=report,
        principal=_nurse(nurse),
        idempotency_key="k1",
        now=at("10:00"),
    )
    assert (created, created_again) == (True, False) and again.id == first.id
    assert len(session.exec(select(VisitStatusReport)).all()) == 1
    assert len(session.exec(select(StaffPosition)).all()) == 1
    assert first.staff_id == nurse and first.reported_by == f"nurse-{nurse}"


def test_the_same_key_for_another_report_is_a_conflict(session: Session) -> None:
    """A key names one report; reusing it for another is refused, naming the header."""
    _, nurse, v1, _ = _day(session)
    kwargs = {
        "visit_id": v1,
        "principal": _nurse(nurse),
        "idempotency_key": "k",
        "now": at("10:00"),
    }
    record_status(session, report=StatusReport(VisitStatus.STARTED, at("09:00")), **kwargs)  # type: ignore[arg-type]
    with pytest.raises(Conflict) as error:
        record_status(session, report=StatusReport(VisitStatus.DONE, at("09:30")), **kwargs)  # type: ignore[arg-type]
    assert error.value.field == "Idempotency-Key"


def test_a_nurse_reports_only_on_their_own_visits(session: Session) -> None:
    """Visit 2 is the other nurse's: forbidden; a coordinator may report on anyone's."""
    _, nurse, _, v2 = _day(session)
    with pytest.raises(Forbidden):
        record_status(
            session,
            visit_id=v2,
            report=StatusReport(VisitStatus.DONE, at("09:30")),
            principal=_nurse(nurse),
            now=at("10:00"),
        )
    coordinator = Principal(subject="c", role=Role.COORDINATOR)
    row, _ = record_status(
        session,
        visit_id=v2,
        report=StatusReport(VisitStatus.DONE, at("09:30")),
        principal=coordinator,
        now=at("10:00"),
    )
    assert row.staff_id is not None and row.staff_id != nurse  # the visit's own nurse


def test_bad_reports_name_their_field(session: Session) -> None:
    """A report from the future, a half position, a misplaced expected end: 422 naming it."""
    _, nurse, v1, _ = _day(session)
    cases = [
        (StatusReport(VisitStatus.DONE, at("11:00")), "at"),
        (StatusReport(VisitStatus.DONE, at("09:30"), lat=63.0), "lat"),
        (
            StatusReport(VisitStatus.DONE, at("09:30"), expected_end_at=at("09:45")),
            "expected_end_at",
        ),
    ]
    for report, field in cases:
        with pytest.raises(InvalidInput) as error:
            record_status(
                session,
                visit_id=v1,
                report=report,
                principal=_nurse(nurse),
                now=at("10:00"),
            )
        assert error.value.field == field
