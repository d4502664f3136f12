"""ambulant's optimisation core: a home-care routing problem in, a plan out.

Pure Python in, pure Python out: it imports only the standard library and OR-Tools, and knows
nothing of HTTP, databases, dates or coordinates.
"""

from solver.problem import (
    Break,
    Dependency,
    Parameters,
    Priority,
    Problem,
    Staff,
    Visit,
    Weights,
)
from solver.result import BreakTaken, Reason, Result, Route, Stop, Unassigned

__all__ = [
    "Break",
    "BreakTaken",
    "Dependency",
    "Parameters",
    "Priority",
    "Problem",
    "Reason",
    "Result",
    "Route",
    "Staff",
    "Stop",
    "Unassigned",
    "Visit",
    "Weights",
]
