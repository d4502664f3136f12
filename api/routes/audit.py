"""The access log, for auditors only: filtered entries and one patient's "who looked at me".

Filters are ids and times, never names: query strings end up in access logs.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ambulant.audit import PatientAccessReport, list_entries, patient_report
from ambulant.models import AuditAction, AuditEntry, AuditEntryPublic
from ambulant.registry.pagination import DEFAULT_LIMIT, Page
from ambulant.timeutil import WallClock, as_aware
from api.deps import AuditDep, Limit, Offset, PathId, QueryId, SessionDep, require_auditor

router = APIRouter(prefix="/audit", tags=["audit"], dependencies=[Depends(require_auditor)])

TimeQuery = Annotated[
    WallClock | None, Query(description="An instant; without an offset it is Oslo time.")
]


@router.get("", response_model=Page[AuditEntryPublic])
def read_audit_trail(
    session: SessionDep,
    audit: AuditDep,
    patient_id: QueryId = None,
    user_id: QueryId = None,
    since: TimeQuery = None,
    until: TimeQuery = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> Page[AuditEntry]:
    """Entries newest first; `since` inclusive, `until` exclusive."""
    page = list_entries(
        session,
        patient_id=patient_id,
        user_id=user_id,
        since=as_aware(since) if since else None,
        until=as_aware(until) if until else None,
        limit=limit,
        offset=offset,
    )
    # Reading the log is itself an access to the patients it names.
    audit.record(AuditAction.READ, "audit", patient_id=patient_id)
    return page


@router.get("/patients/{patient_id}", response_model=PatientAccessReport)
def read_patient_report(
    session: SessionDep, audit: AuditDep, patient_id: PathId
) -> PatientAccessReport:
    """Who read or changed the patient's data, when and why (for the patient's own request)."""
    report = patient_report(session, patient_id=patient_id)
    audit.record(AuditAction.READ, "audit", patient_id, patient_id=patient_id)
    return report
