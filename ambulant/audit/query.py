"""Reading the access log: filtered lists for auditors, and one patient's "who looked at me"."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from sqlmodel import Session, col, select

from ambulant.errors import InvalidInput
from ambulant.models import AuditEntry, AuditOutcome
from ambulant.registry.pagination import DEFAULT_LIMIT, Page, paginate


def list_entries(
    session: Session,
    *,
    patient_id: int | None = None,
    user_id: int | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> Page[AuditEntry]:
    """Entries matching every filter given, newest first; `until` is exclusive."""
    if since is not None and until is not None and until <= since:
        raise InvalidInput("until must be after since", field="until")
    query = select(AuditEntry)
    if patient_id is not None:
        query = query.where(AuditEntry.patient_id == patient_id)
    if user_id is not None:
        query = query.where(AuditEntry.user_id == user_id)
    if since is not None:
        query = query.where(col(AuditEntry.at) >= since)
    if until is not None:
        query = query.where(col(AuditEntry.at) < until)
    order = [col(AuditEntry.at).desc(), col(AuditEntry.id).desc()]
    return paginate(session, query, order_by=order, limit=limit, offset=offset)


class PatientAccess(BaseModel):
    """Everything one user did with one patient's data, and what they tried and were refused."""

    subject: str
    user_id: int | None
    role: str
    actions: list[str]
    accesses: int
    denied: int = 0
    first_at: dt.datetime
    last_at: dt.datetime
    purposes: list[str]


class PatientAccessReport(BaseModel):
    patient_id: int
    accesses: int
    denied: int = 0
    users: list[PatientAccess]


def patient_report(session: Session, *, patient_id: int) -> PatientAccessReport:
    """Who looked at or changed a patient's data: one line per user and role, most recent
    first (the patient's right of access, GDPR art. 15 and pasientjournalloven § 18)."""
    entries = session.exec(
        select(AuditEntry)
        .where(AuditEntry.patient_id == patient_id)
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    ).all()
    by_user: dict[tuple[str, int | None, str], list[AuditEntry]] = {}
    for entry in entries:
        by_user.setdefault((entry.subject, entry.user_id, entry.role), []).append(entry)
    users = []
    for (subject, user_id, role), rows in by_user.items():
        # A refused attempt showed nothing: it is counted apart, not as an access.
        allowed = [e for e in rows if e.outcome != AuditOutcome.DENIED]
        users.append(
            PatientAccess(
                subject=subject,
                user_id=user_id,
                role=role,
                actions=sorted({str(e.action) for e in allowed}),
                accesses=len(allowed),
                denied=len(rows) - len(allowed),
                first_at=rows[0].at,
                last_at=rows[-1].at,
                purposes=sorted({e.purpose for e in allowed if e.purpose}),
            )
        )
    users.sort(key=lambda u: u.last_at, reverse=True)
    accesses = sum(u.accesses for u in users)
    return PatientAccessReport(
        patient_id=patient_id, accesses=accesses, denied=len(entries) - accesses, users=users
    )
