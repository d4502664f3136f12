"""Breaks laid into a route's task order: each in the first gap that keeps the route feasible."""

from __future__ import annotations

from solver.schedule import RouteState


def with_breaks(route: RouteState, seq: list[int]) -> list[int] | None:
    """Place the route's breaks, one after another, in the first gap that keeps it feasible."""
    elems = list(seq)
    for b in range(len(route.breaks)):
        placed = False
        # Prefer the gap where the break's window opens, then earlier and later ones.
        for pos in _gap_order(route, elems, b):
            route.elems = [*elems[:pos], ~b, *elems[pos:]]
            if route.refresh():
                elems = route.elems
                placed = True
                break
        if not placed:
            return None
    route.elems = elems
    return elems if route.refresh() else None


def _gap_order(route: RouteState, elems: list[int], b: int) -> list[int]:
    opens = route.breaks[b].earliest_start_s
    route.elems = list(elems)
    route.refresh()
    # Tasks' earliest starts are a fine guide to where the break's window falls.
    positions = list(range(len(elems) + 1))
    starts = [route.before[p][0] for p in positions]
    return sorted(positions, key=lambda p: abs(starts[p] - opens))
