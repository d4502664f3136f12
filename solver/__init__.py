"""ambulant's optimisation core: a home-care routing problem in, a plan out.

Pure Python in, pure Python out: it imports only the standard library and OR-Tools, and knows
nothing of HTTP, databases, dates or coordinates.
"""

from solver.monitor import Monitor, Progress
from solver.problem import (
    Appointment,
    Break,
    Dependency,
    OffDuty,
    Parameters,
    Priority,
    Problem,
    Staff,
    Visit,
    Weights,
)
from solver.reasons import unplannable
from solver.recommend import recommend
from solver.result import (
    AppointmentKept,
    BreakTaken,
    OffDutyTaken,
    Option,
    Reason,
    Result,
    Route,
    SearchStats,
    Stop,
    Unassigned,
    UnkeptAppointment,
)
from solver.solve import solve
from solver.validator import PlanInvalid, Violation, assert_valid, validate
from solver.warm import with_previous_plan

__all__ = [
    "Appointment",
    "AppointmentKept",
    "Break",
    "BreakTaken",
    "Dependency",
    "Monitor",
    "OffDuty",
    "OffDutyTaken",
    "Option",
    "Parameters",
    "PlanInvalid",
    "Priority",
    "Problem",
    "Progress",
    "Reason",
    "Result",
    "Route",
    "SearchStats",
    "Staff",
    "Stop",
    "Unassigned",
    "UnkeptAppointment",
    "Violation",
    "Visit",
    "Weights",
    "assert_valid",
    "recommend",
    "solve",
    "unplannable",
    "validate",
    "with_previous_plan",
]
