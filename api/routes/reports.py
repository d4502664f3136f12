"""Reports over stored plans: continuity of care per patient (coordinators, admins, auditors)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from ambulant.auth import access, policy
from ambulant.auth.principal import Principal
from ambulant.models import AuditAction, Role
from ambulant.planning import municipality_report
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


# --- Figures per municipality over a range of days (cost sharing) ---

ReportFormat = Literal["json", "csv"]


@router.get(
    "/municipalities",
    response_model=municipality_report.MunicipalityReport,
    responses={
        200: {
            "description": "JSON, or with `Accept: text/csv` or `format=csv` one comma-separated "
            "table whose `section` column says what each row is.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def municipalities_report(
    request: Request,
    session: SessionDep,
    principal: ReportReaderDep,
    audit: AuditDep,
    start: Annotated[Day, Query(alias="from", description="First day (YYYY-MM-DD), Oslo.")],
    end: Annotated[
        Day,
        Query(
            alias="to",
            description=f"Last day, included; at most {municipality_report.MAX_DAYS} days in all.",
        ),
    ],
    output: Annotated[
        ReportFormat | None,
        Query(alias="format", description="`csv` for text/csv; default: by Accept."),
    ] = None,
) -> Response:
    """Per municipality served over the published plans of the days: visits, hours with
    patients, drive time and km, overtime, visits left out; border crossings per (from, to);
    the shared team's work split by municipality; per organisation. A coordinator sees the
    municipalities of their scope (docs/planning.md, "Figures for cost sharing")."""
    municipality_report.check_range(start, end)
    auditor = principal.role == Role.AUDITOR
    scope = None if auditor else policy.municipality_scope(principal)
    report = municipality_report.municipality_report(session, start=start, end=end, within=scope)
    # Sums per municipality show no patient's data: one entry for the report, none per patient.
    audit.record(AuditAction.READ, "municipality_report", f"{start}..{end}")
    wants_csv = output == "csv" or (
        output is None and "text/csv" in request.headers.get("accept", "")
    )
    if wants_csv:
        filename = f"municipalities-{start}-{end}.csv"
        return PlainTextResponse(
            municipality_report.report_csv(report),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return JSONResponse(report.model_dump(mode="json", by_alias=True))
