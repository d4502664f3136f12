"""Reports over stored plans: continuity of care per patient (coordinators, admins, auditors)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ambulant.auth import access, policy
from ambulant.auth.principal import Principal
from ambulant.models import AuditAction, Role
from ambulant.reports import continuity
from ambulant.timeutil import Day
from api.deps import AuditDep, MunicipalityQuery, SessionDep, require_role

router = APIRouter(prefix="/reports", tags=["reports"])

ReportReaderDep = Annotated[Principal, Depends(require_role(*policy.PLANNERS, Role.AUDITOR))]


@router.get("/continuity")
def continuity_report(
    session: SessionDep,
    principal: ReportReaderDep,
    audit: AuditDep,
    start: Annotated[Day, Query(description="First day (YYYY-MM-DD), Oslo.")],
    end: Annotated[
        Day,
        Query(description=f"Last day, included; at most {continuity.MAX_DAYS} days in all."),
    ],
    municipality: MunicipalityQuery = None,
) -> continuity.ContinuityReport:
    """Per patient over the days: visits planned, distinct staff, who came how often, and the
    share of visits with a preferred staff member (docs/continuity.md says which plans count)."""
    continuity.check_range(start, end)
    continuity.check_municipality(session, municipality)
    # An auditor oversees every municipality; a coordinator sees their own.
    auditor = principal.role == Role.AUDITOR
    if municipality is not None and not auditor:
        access.require_municipality(principal, municipality, field="municipality")
    scope = None if auditor else policy.municipality_scope(principal)
    report = continuity.continuity_report(
        session,
        start=start,
        end=end,
        municipality=municipality,
        within=scope,
        visible_scopes=None if auditor or scope is None else scope,
    )
    resource = f"{start.isoformat()}..{end.isoformat()}" + (
        f"/{municipality}" if municipality else ""
    )
    audit.record_patients(
        AuditAction.READ, "continuity_report", resource, (p.patient_id for p in report.patients)
    )
    return report
