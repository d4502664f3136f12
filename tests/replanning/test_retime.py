"""Re-timing a route after a move by hand: stops keep their time unless the drive before them
makes it impossible, breaks fit between, and a fixed start that cannot be reached is left for
the validator to name."""

from __future__ import annotations

import solver
from ambulant.replanning.retime import Item, Kind, retime

# Location 0 is the base; 1, 2 and 3 are patients 10 min from each other and from the base.
TRAVEL = tuple(tuple(0 if i == j else 600 for j in range(4)) for i in range(4))
HOUR = 3600


def _problem(*visits: solver.Visit, breaks: tuple[solver.Break, ...] = ()) -> solver.Problem:
    staff = solver.Staff("1", 7 * HOUR, 15 * HOUR, 0, 0, breaks=breaks)
    return solver.Problem(staff=(staff,), visits=visits, travel_s=TRAVEL)


def _visit(visit_id: str, location: int, earliest_h: float, latest_h: float) -> solver.Visit:
    return solver.Visit(visit_id, location, 30 * 60, int(earliest_h * HOUR), int(latest_h * HOUR))


def _item(visit: solver.Visit, start_h: float, *, fixed: bool = False) -> Item:
    return Item(
        Kind.VISIT,
        int(start_h * HOUR),
        visit.duration_s,
        visit.location,
        visit_id=visit.id,
        fixed=fixed,
    )


def _result(route: solver.Route) -> solver.Result:
    return solver.Result(routes=(route,), unassigned=())


def test_a_stop_keeps_its_time_unless_the_move_pushes_it() -> None:
    """A visit put in at 09:00 before one planned at 09:20 pushes that one to 09:40 (09:00 +
    30 min + 10 min drive); a third at 11:00 keeps its time. The validator accepts it."""
    a, b, c = _visit("a", 1, 8, 12), _visit("b", 2, 8, 12), _visit("c", 3, 8, 12)
    problem = _problem(a, b, c)
    timed = retime(
        problem, problem.staff[0], [_item(a, 9), _item(b, 9 + 1 / 3), _item(c, 11)]
    ).route
    starts = [s.start_s for s in timed.stops]
    assert starts == [9 * HOUR, 9 * HOUR + 40 * 60, 11 * HOUR]
    assert timed.return_s == 11 * HOUR + 30 * 60 + 600
    assert solver.validate(problem, _result(timed)) == []


def test_a_break_between_two_visits_fits_without_moving_them() -> None:
    """A 30 min break planned at 11:00 between visits ending 10:30 and starting 11:40 stays at
    11:00; the validator counts the drive and the break in the gap."""
    a, b = _visit("a", 1, 8, 12), _visit("b", 2, 8, 12)
    problem = _problem(a, b, breaks=(solver.Break(30 * 60, 11 * HOUR, 12 * HOUR + 30 * 60),))
    items = [_item(a, 10), Item(Kind.BREAK, 11 * HOUR, 30 * 60), _item(b, 11 + 2 / 3)]
    timed = retime(problem, problem.staff[0], items).route
    assert [(b.start_s, b.end_s) for b in timed.breaks] == [(11 * HOUR, 11 * HOUR + 30 * 60)]
    assert timed.stops[1].start_s == 11 * HOUR + 40 * 60
    assert solver.validate(problem, _result(timed)) == []


def test_a_fixed_start_that_cannot_be_reached_is_the_validators_to_name() -> None:
    """Asked to start at 10:35 right after a visit ending at 10:30 ten minutes away, the stop
    starts at 10:35 as asked, and the validator says it cannot be reached by then."""
    a, b = _visit("a", 1, 8, 12), _visit("b", 2, 8, 12)
    problem = _problem(a, b)
    items = [_item(a, 10), _item(b, 10 + 35 / 60, fixed=True)]
    timed = retime(problem, problem.staff[0], items)
    assert timed.route.stops[1].start_s == 10 * HOUR + 35 * 60
    assert timed.earliest_start_s[("b", 0)] == 10 * HOUR + 40 * 60
    rules = {v.rule for v in solver.validate(problem, _result(timed.route))}
    assert "start_before_arrival" in rules


def test_the_day_leaves_earlier_for_an_early_first_visit_but_not_before_the_shift() -> None:
    """Stored departure 08:00; a visit moved to 07:35 needs leaving at 07:25, and the shift
    starts at 07:00: the route leaves at 07:25."""
    a = _visit("a", 1, 7, 12)
    problem = _problem(a)
    timed = retime(problem, problem.staff[0], [_item(a, 7 + 35 / 60)], departure_s=8 * HOUR)
    assert timed.route.departure_s == 7 * HOUR + 25 * 60
    assert solver.validate(problem, _result(timed.route)) == []
