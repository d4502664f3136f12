"""Which statements a read runs, and how PostgreSQL executes each (EXPLAIN): the indexes it
uses, the tables it reads whole, and the pages it touches.

The statements are captured from the real code path (`captured_selects`), so what is explained
is exactly what the service sends, parameters included.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, event

# The tables that grow with every day of use; a read that scans one of them whole slows down
# as the history grows. The others (staff, patients, municipalities, a region's plans) stay
# small enough that a sequential scan is the planner's right choice.
BIG_TABLES = frozenset(
    {"audit_entry", "planstop", "planroute", "visitrequest", "visitstatusreport", "shift"}
)
SCAN_NODES = ("Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan", "Bitmap Index Scan")


@dataclass(frozen=True)
class Statement:
    sql: str
    parameters: Any


@dataclass(frozen=True)
class Scan:
    """One way a table is read in a plan: `node` is PostgreSQL's node type."""

    node: str
    relation: str | None
    index: str | None

    def __str__(self) -> str:
        on = f" on {self.relation}" if self.relation else ""
        return f"{self.node}{on}" + (f" using {self.index}" if self.index else "")


@contextmanager
def captured_selects(engine: Engine) -> Iterator[list[Statement]]:
    """Every SELECT the engine sends while the block runs, in order."""
    statements: list[Statement] = []

    def capture(
        conn: Connection,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(Statement(statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def explain(connection: Connection, statement: Statement) -> dict[str, Any]:
    """PostgreSQL's chosen plan for the statement (not run), as its JSON tree."""
    rows = connection.exec_driver_sql(
        "EXPLAIN (FORMAT JSON) " + statement.sql, statement.parameters
    ).scalar_one()
    plan: dict[str, Any] = rows[0]["Plan"]
    return plan


@dataclass(frozen=True)
class Executed:
    """What running the statement cost the server: its execution time, and the pages (8 kB
    buffers, from cache or disk) it touched. Pages do not depend on the machine's load."""

    execution_ms: float
    pages: int


def execute_and_measure(connection: Connection, statement: Statement) -> Executed:
    """Runs the statement under EXPLAIN ANALYZE (SELECTs only: it is really executed)."""
    rows = connection.exec_driver_sql(
        "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement.sql, statement.parameters
    ).scalar_one()
    top = rows[0]["Plan"]
    pages = int(top.get("Shared Hit Blocks", 0)) + int(top.get("Shared Read Blocks", 0))
    return Executed(float(rows[0]["Execution Time"]), pages)


def scans(plan: dict[str, Any]) -> list[Scan]:
    """Every table or index read in the plan tree, depth first."""
    found = []
    if plan.get("Node Type") in SCAN_NODES:
        found.append(Scan(plan["Node Type"], plan.get("Relation Name"), plan.get("Index Name")))
    for child in plan.get("Plans", []):
        found.extend(scans(child))
    return found
