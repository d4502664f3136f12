"""The day as it happens: status reports from the field, positions, absences, and the state of a
plan at a moment (what is done, running, and where each staff member is)."""

from ambulant.execution.absences import record_absence
from ambulant.execution.state import PlanState, StaffProgress, VisitProgress, plan_state
from ambulant.execution.status_reports import StatusReport, record_status

__all__ = [
    "PlanState",
    "StaffProgress",
    "StatusReport",
    "VisitProgress",
    "plan_state",
    "record_absence",
    "record_status",
]
