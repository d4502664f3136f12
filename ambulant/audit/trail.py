"""Writing the access log: entries are added to the caller's session, so a write and its entry
commit (or roll back) together, and a read's entry commits with the request. A refused attempt
is the exception: its request rolls back, so its entry is written in a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session

from ambulant.auth.principal import Principal
from ambulant.models import AuditAction, AuditEntry, AuditOutcome


def record(
    session: Session,
    principal: Principal,
    action: AuditAction,
    resource_type: str,
    resource_id: object = None,
    patient_id: int | None = None,
    client: str | None = None,
    purpose: str | None = None,
) -> AuditEntry:
    """One entry in `session` (not flushed: it goes in with the rest of the transaction)."""
    entry = AuditEntry(
        subject=principal.subject,
        user_id=principal.user_id,
        role=principal.role.value,
        action=action,
        resource_type=resource_type,
        resource_id=None if resource_id is None else str(resource_id),
        patient_id=patient_id,
        client=client[:100] if client else None,
        purpose=purpose,
    )
    session.add(entry)
    return entry


def record_denied(
    engine: Engine,
    *,
    subject: str,
    user_id: int | None,
    role: str,
    action: AuditAction,
    resource_type: str,
    resource_id: object = None,
    patient_id: int | None = None,
    client: str | None = None,
) -> AuditEntry:
    """One entry for an attempt that was refused, committed at once in its own short
    transaction: the request's own transaction rolls back with the refusal and would take the
    entry with it. `role` is the user's, or "none" for someone who is not a user of ambulant."""
    entry = AuditEntry(
        subject=subject[:200],
        user_id=user_id,
        role=role[:20],
        action=action,
        resource_type=resource_type[:40],
        resource_id=None if resource_id is None else str(resource_id)[:40],
        patient_id=patient_id,
        client=client[:100] if client else None,
        outcome=AuditOutcome.DENIED,
    )
    with Session(engine, expire_on_commit=False) as session:
        session.add(entry)
        session.commit()
    return entry


def record_patients(
    session: Session,
    principal: Principal,
    action: AuditAction,
    resource_type: str,
    resource_id: object,
    patient_ids: Iterable[int | None],
    client: str | None = None,
) -> list[AuditEntry]:
    """One entry per distinct patient whose data the access showed (one without a patient when
    it showed none), so each patient's report lists every access to them."""
    return [
        record(session, principal, action, resource_type, resource_id, patient, client)
        for patient in patient_targets(patient_ids)
    ]


def patient_targets(patient_ids: Iterable[int | None]) -> list[int | None]:
    """The patients of `record_patients`' entries: each distinct one, or None for an access that
    showed no patient."""
    distinct = sorted({p for p in patient_ids if p is not None})
    return [*distinct] if distinct else [None]


@dataclass(frozen=True)
class AuditTrail:
    """`record` bound to one request: its session, caller and client address."""

    session: Session
    principal: Principal
    client: str | None

    def record(
        self,
        action: AuditAction,
        resource_type: str,
        resource_id: object = None,
        *,
        patient_id: int | None = None,
        purpose: str | None = None,
    ) -> None:
        record(
            self.session,
            self.principal,
            action,
            resource_type,
            resource_id,
            patient_id,
            self.client,
            purpose,
        )

    def record_patients(
        self,
        action: AuditAction,
        resource_type: str,
        resource_id: object,
        patient_ids: Iterable[int | None],
    ) -> None:
        record_patients(
            self.session,
            self.principal,
            action,
            resource_type,
            resource_id,
            patient_ids,
            self.client,
        )
