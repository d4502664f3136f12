"""Who each patient has seen lately: the staff of their visits in the published plans of the
days before the day being planned, and of that day's own published plan (a replan, or a new
version of a published day). The solver costs a visit by anyone else
(`solver.Weights.new_staff_per_visit`), so the week keeps to familiar faces.

Only published plans count (what the patient was told and the staff were sent to); drafts,
superseded and failed plans do not. A day published in several scopes counts each.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection

from sqlmodel import Session, col, select

from ambulant.models import Plan, PlanStatus, PlanStop, VisitRequest

HORIZON_DAYS = 7
"""The days before the planned day whose published plans count (and the day itself)."""


def seen_staff(
    session: Session,
    *,
    day: dt.date,
    patient_ids: Collection[int],
    horizon_days: int = HORIZON_DAYS,
) -> dict[int, frozenset[int]]:
    """Per patient (of `patient_ids`) with any, the staff ids of their visits in the published
    plans from `horizon_days` before `day` to `day`."""
    if not patient_ids:
        return {}
    rows = session.exec(
        select(VisitRequest.patient_id, PlanStop.staff_id)
        .join(Plan, col(Plan.id) == col(PlanStop.plan_id))
        .join(VisitRequest, col(VisitRequest.id) == col(PlanStop.visit_id))
        .where(
            col(Plan.date) >= day - dt.timedelta(days=horizon_days),
            col(Plan.date) <= day,
            Plan.status == PlanStatus.PUBLISHED,
            PlanStop.kind == "visit",
            col(VisitRequest.patient_id).in_(sorted(patient_ids)),
        )
        .distinct()
    ).all()
    seen: dict[int, set[int]] = defaultdict(set)
    for patient_id, staff_id in rows:
        seen[patient_id].add(staff_id)
    return {patient: frozenset(staff) for patient, staff in seen.items()}
