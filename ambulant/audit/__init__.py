"""The access log Normen asks for: who touched which patient's data, when, from where, why."""

from ambulant.audit.group_commit import AuditWriter, ReadAudit
from ambulant.audit.query import PatientAccess, PatientAccessReport, list_entries, patient_report
from ambulant.audit.trail import AuditTrail, record, record_denied, record_patients

__all__ = [
    "AuditTrail",
    "AuditWriter",
    "PatientAccess",
    "PatientAccessReport",
    "ReadAudit",
    "list_entries",
    "patient_report",
    "record",
    "record_denied",
    "record_patients",
]
