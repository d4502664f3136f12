"""The arrows point one way: api -> ambulant -> solver, and solver stays a pure library."""

from __future__ import annotations

import ast
import sys
import typing
from pathlib import Path

import solver

ROOT = Path(__file__).resolve().parents[1]
SOLVER_MAY_IMPORT = {"ortools", "numpy", "solver"}


def imported_top_modules(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_solver_imports_only_stdlib_ortools_and_numpy() -> None:
    """solver/ knows nothing of HTTP, databases or the application."""
    offenders = {
        path: sorted(n for n in names if n not in sys.stdlib_module_names | SOLVER_MAY_IMPORT)
        for path, names in imported_top_modules("solver").items()
    }
    assert {p: n for p, n in offenders.items() if n} == {}


def test_ambulant_never_imports_api() -> None:
    """The domain does not depend on the web layer."""
    offenders = [p for p, names in imported_top_modules("ambulant").items() if "api" in names]
    assert offenders == []


def test_what_a_route_holds_is_exported_by_the_solver() -> None:
    """A caller reads stops, breaks and kept appointments off a Route: each of those types is
    in `solver`'s public names, so nobody reaches into solver.result for one."""
    held = set()
    for hint in typing.get_type_hints(solver.Route).values():
        held.update(a for a in typing.get_args(hint) if isinstance(a, type))
    assert {solver.Stop, solver.BreakTaken, solver.AppointmentKept} <= held
    for kind in held:
        assert kind.__name__ in solver.__all__ and getattr(solver, kind.__name__) is kind
