"""The access log (Normen): one row per read or write of patient data, never changed.

Rows have no foreign keys on purpose: the log outlives the patients, staff and users it names.
The database refuses UPDATE and DELETE on the table (triggers, see `APPEND_ONLY_DDL`).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import DDL, Index, event
from sqlmodel import AutoString, Field, SQLModel

from ambulant.timeutil import AwareDateTime, now


class AuditAction(StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    PLAN = "plan"
    PUBLISH = "publish"
    EMERGENCY_READ = "emergency_read"
    CANCEL = "cancel"


class AuditOutcome(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    """Refused (403, or 404 for an object outside the caller's reach): the caller saw nothing."""


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    # A patient's entries newest first, a page at a time, without sorting them (docs/
    # operations.md, "PostgreSQL"); `at` alone serves the searches by time.
    __table_args__ = (Index("ix_audit_entry_patient_id_at_id", "patient_id", "at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=now, sa_type=AwareDateTime, index=True)
    subject: str = Field(max_length=200, index=True)
    user_id: int | None = Field(default=None, index=True)
    role: str = Field(max_length=20)
    action: AuditAction = Field(sa_type=AutoString)
    resource_type: str = Field(max_length=40)
    resource_id: str | None = Field(default=None, max_length=40)
    patient_id: int | None = Field(default=None)
    client: str | None = Field(default=None, max_length=100, description="Client address.")
    purpose: str | None = Field(default=None, max_length=500)
    outcome: AuditOutcome = Field(
        default=AuditOutcome.ALLOWED,
        sa_type=AutoString,
        sa_column_kwargs={"server_default": AuditOutcome.ALLOWED.value},
    )


class AuditEntryPublic(SQLModel):
    id: int
    at: dt.datetime
    subject: str
    user_id: int | None
    role: str
    action: AuditAction
    resource_type: str
    resource_id: str | None
    patient_id: int | None
    client: str | None
    purpose: str | None
    outcome: AuditOutcome


_REFUSAL = "audit_entry is append-only"

# The same statements are in the migration that creates the table; these make create_all (tests,
# fresh embedded databases) build the same guard.
APPEND_ONLY_DDL: dict[str, list[str]] = {
    "sqlite": [
        "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry "
        f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END",
        "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
        f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{_REFUSAL}'; END $$",
        "CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry "
        "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()",
        "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()",
    ],
}

for _dialect, _statements in APPEND_ONLY_DDL.items():
    for _statement in _statements:
        event.listen(
            AuditEntry.__table__,  # type: ignore[attr-defined]
            "after_create",
            DDL(_statement).execute_if(dialect=_dialect),  # type: ignore[no-untyped-call]
        )
