"""The continuity report: which plans count, and per patient the visits, staff and familiar
faces over the days."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from ambulant.errors import InvalidInput
from ambulant.models import PlanStatus, VisitRequest
from ambulant.reports.continuity import MAX_DAYS, continuity_report
from tests.builders import MERAKER, STJORDAL, make_region
from tests.reports.scenario import make_scenario, plan


def test_patients_staff_and_preferred_share_over_three_days(session: Session) -> None:
    """Day 1 counts its published plan (not the newer draft), day 2 its newer draft (not the
    older one or the failed one), day 3 has none. Ola saw only Ann, whom she prefers; Kari saw
    Bob twice and Cai once (a joint visit is one visit with two staff), and one visit of hers
    was left out; Per saw Cai."""
    s = make_scenario(session, make_region(session))
    day3 = s.day1 + dt.timedelta(days=2)
    report = continuity_report(session, start=s.day1, end=day3)

    assert report.days_without_plan == [day3]
    counted = [(p.date, p.status, p.version) for p in report.plans]
    assert counted == [
        (s.day1, PlanStatus.PUBLISHED, 2),
        (s.day1 + dt.timedelta(days=1), PlanStatus.DRAFT, 2),
    ]
    assert [p.plan_id for p in report.plans] == [s.published_day1, s.newer_draft_day2]

    rows = {r.patient_id: r for r in report.patients}
    assert list(rows) == sorted([s.ola, s.kari, s.per])
    ola = rows[s.ola]
    assert (ola.visits, ola.days, ola.distinct_staff, ola.unassigned) == (2, 2, 1, 0)
    assert [(e.staff_id, e.visits) for e in ola.staff] == [(s.ann, 2)]
    assert (ola.preferred_staff, ola.preferred_visits, ola.preferred_share) == ([s.ann], 2, 1.0)
    kari = rows[s.kari]
    assert (kari.visits, kari.days, kari.distinct_staff, kari.unassigned) == (2, 1, 2, 1)
    assert [(e.staff_id, e.visits) for e in kari.staff] == [(s.bob, 2), (s.cai, 1)]
    assert (kari.preferred_staff, kari.preferred_share) == ([], None)
    per = rows[s.per]
    assert (per.municipality_code, per.visits, per.distinct_staff) == (MERAKER, 1, 1)

    summary = report.summary
    assert (summary.patients, summary.visits, summary.unassigned) == (3, 5, 1)
    assert summary.mean_distinct_staff == round((1 + 2 + 1) / 3, 2)
    assert summary.preferred_share == 1.0


def test_municipality_and_scope_limit_the_patients(session: Session) -> None:
    """A municipality filter, or a caller's scope, keeps only patients living there; plan ids of
    scopes the caller cannot open are withheld."""
    s = make_scenario(session, make_region(session))
    end = s.day1 + dt.timedelta(days=1)
    only_meraker = continuity_report(session, start=s.day1, end=end, municipality=MERAKER)
    assert [r.patient_id for r in only_meraker.patients] == [s.per]
    scoped = continuity_report(
        session, start=s.day1, end=end, within=[STJORDAL], visible_scopes=[STJORDAL]
    )
    assert [r.patient_id for r in scoped.patients] == sorted([s.ola, s.kari])
    assert [p.plan_id for p in scoped.plans] == [None, None]  # both are 'all' plans


def test_a_newer_published_plan_of_another_scope_decides_a_visit(session: Session) -> None:
    """When a visit is in the day's 'all' plan and in a municipality's plan published later, the
    later one counts."""
    s = make_scenario(session, make_region(session))

    ola_day1 = session.exec(
        select(VisitRequest).where(VisitRequest.patient_id == s.ola, VisitRequest.date == s.day1)
    ).one()
    plan(session, s.day1, PlanStatus.PUBLISHED, [(ola_day1, [s.bob])], version=1, scope=STJORDAL)
    session.commit()
    report = continuity_report(session, start=s.day1, end=s.day1)
    ola = next(r for r in report.patients if r.patient_id == s.ola)
    assert [(e.staff_id, e.visits) for e in ola.staff] == [(s.bob, 1)]
    assert ola.preferred_share == 0.0
    assert len(report.plans) == 2


def test_the_range_is_checked(session: Session) -> None:
    """The end may not be before the start, and at most MAX_DAYS days are covered (both 422 on
    end); an unknown municipality is 422 on municipality."""
    start = dt.date(2026, 11, 1)
    make_region(session)
    assert continuity_report(session, start=start, end=start).patients == []
    last = start + dt.timedelta(days=MAX_DAYS - 1)
    assert len(continuity_report(session, start=start, end=last).days_without_plan) == MAX_DAYS
    for end in (start - dt.timedelta(days=1), last + dt.timedelta(days=1)):
        with pytest.raises(InvalidInput) as error:
            continuity_report(session, start=start, end=end)
        assert error.value.field == "end"
    with pytest.raises(InvalidInput) as error:
        continuity_report(session, start=start, end=start, municipality="9999")
    assert error.value.field == "municipality"
