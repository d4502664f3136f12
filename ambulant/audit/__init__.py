"""The access log Normen asks for: who touched which patient's data, when, from where, why."""

from ambulant.audit.query import PatientAccess, PatientAccessReport, list_entries, patient_report
from ambulant.audit.trail import AuditTrail, record, record_denied, record_patients

__all__ = [
    "AuditTrail",
    "PatientAccess",
    "PatientAccessReport",
    "list_entries",
    "patient_report",
    "record",
    "record_denied",
    "record_patients",
]
