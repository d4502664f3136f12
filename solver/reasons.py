"""Why each unassigned visit is out: the first true reason, checked in the Reason enum's order.

Each check is a statement about the problem or the final plan that has been verified, never a
guess: skills (can the parts go to different staff with the skills?), skill level, organisation
(are there enough staff of the organisation a part needs, with the skills and level?), a pinned
staff member missing from the day, eligibility (refusals, municipality, pinning), time (could any
eligible staff member do it on a day with only their fixed appointments and time off between
split shifts?), a staff rule with a
linked visit that nobody can keep (or that only staff without room could keep), a dependency
partner that is out, and finally no room, naming the staff member whose route comes closest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from solver.linked import placements
from solver.plan import Plan
from solver.problem import Problem, Staff, Visit, Weights
from solver.result import Reason, Unassigned
from solver.tasks import Tasks, has_skills, of_organisation


def explain(plan: Plan, visits: Sequence[int]) -> list[Unassigned]:
    """Reasons for the given unplanned visits of a finished plan."""
    tasks = plan.tasks
    empty = Plan(tasks, plan.weights, overtime=True)
    hard: dict[int, Unassigned] = {}
    for v in visits:
        found = _hard_reason(tasks, empty, v)
        if found is not None:
            hard[v] = found
    conflicts = {v: c for v in visits if v not in hard for c in [_staff_conflict(tasks, v, hard)]}
    out = []
    for v in visits:
        if v in hard:
            out.append(hard[v])
            continue
        out.append(
            conflicts[v]
            or _staff_conflict_in_plan(plan, v)
            or _dependency_reason(plan, v, hard)
            or _no_room(plan, v)
        )
    return out


def unplannable(
    problem: Problem, visit_id: str, weights: Weights | None = None
) -> Unassigned | None:
    """Why the visit could not be planned even on a day with nothing else planned (skills,
    level, pinning, eligibility, time), or None when some staff member could take it."""
    weights = weights or Weights()
    tasks = Tasks(problem, weights)
    empty = Plan(tasks, weights, overtime=True)
    return _hard_reason(tasks, empty, tasks.visit_index[visit_id])


def _hard_reason(tasks: Tasks, empty: Plan, v: int) -> Unassigned | None:
    problem = tasks.problem
    visit = problem.visits[v]
    parts = range(visit.staff_count)
    staff = problem.staff

    skilled = [[s for s in staff if has_skills(s, visit, p)] for p in parts]
    if not _distinct_staff(skilled):
        return Unassigned(visit.id, Reason.NO_SKILLED_STAFF, _skills_detail(visit, skilled))
    at_level = [[s for s in found if s.skill_level >= visit.skill_level] for found in skilled]
    if not _distinct_staff(at_level):
        best = max(s.skill_level for found in skilled for s in found)
        return Unassigned(
            visit.id,
            Reason.NO_STAFF_AT_LEVEL,
            f"needs skill level {visit.skill_level}; "
            + (
                f"the skilled staff are at most level {best}"
                if best < visit.skill_level
                else f"too few skilled staff at that level for {visit.staff_count} parts"
            ),
        )
    skilled = at_level
    of_theirs = [
        [s for s in found if of_organisation(s, visit, p)] for p, found in enumerate(skilled)
    ]
    if not _distinct_staff(of_theirs):
        return Unassigned(
            visit.id, Reason.NO_STAFF_OF_ORGANISATION, _organisation_detail(visit, staff, skilled)
        )
    skilled = of_theirs
    working = {s.id for s in staff}
    missing = [s for s in visit.pinned_staff if s not in working]
    if missing:
        return Unassigned(
            visit.id,
            Reason.PINNED_STAFF_NOT_WORKING,
            f"pinned staff {', '.join(missing)} not working this day",
        )
    allowed = [[staff[i] for i in sorted(tasks.tasks[t].eligible)] for t in tasks.of_visit[v]]
    if not _distinct_staff(allowed):
        return Unassigned(visit.id, Reason.NO_ALLOWED_STAFF, _allowed_detail(visit, skilled))
    if not placements(empty, v, top=None, limit=1):
        return Unassigned(
            visit.id,
            Reason.NO_SHIFT_COVERS_WINDOW,
            "no eligible staff member can get there, do it within its window and get back "
            "within their shift (and overtime), even on a day with nothing else planned "
            "(but their fixed appointments and time off between shifts)",
        )
    return None


def _distinct_staff(candidates: list[list[Staff]]) -> bool:
    """Can every part get its own staff member from its candidates?"""

    def assign(part: int, used: frozenset[str]) -> bool:
        if part == len(candidates):
            return True
        return any(assign(part + 1, used | {s.id}) for s in candidates[part] if s.id not in used)

    return assign(0, frozenset())


def _skills_detail(visit: Visit, skilled: list[list[Staff]]) -> str:
    for part, found in enumerate(skilled):
        if not found:
            skills = ", ".join(sorted(visit.skills_of_part(part))) or "none"
            return f"nobody working has the skills for part {part + 1} ({skills})"
    return f"needs {visit.staff_count} different staff with the skills; not enough have them"


def _organisation_detail(visit: Visit, staff: Sequence[Staff], skilled: list[list[Staff]]) -> str:
    """Which organisation is short: none of it on shift, none of it with the skills and level,
    or too few for the parts that need it."""
    for part, found in enumerate(skilled):
        needed = visit.organisations_of_part(part)
        if any(needed <= s.organisations for s in found):
            continue
        names = ", ".join(sorted(needed))
        which = f" for part {part + 1}" if visit.staff_count > 1 else ""
        if not any(needed <= s.organisations for s in staff):
            return f"no staff of organisation {names} on shift{which}"
        return f"the staff of organisation {names} on shift lack the skills or level{which}"
    return (
        f"needs {visit.staff_count} different staff of the organisations its parts name; "
        "too few are on shift"
    )


def _allowed_detail(visit: Visit, skilled: list[list[Staff]]) -> str:
    names = sorted({s.id for found in skilled for s in found})
    why = []
    if visit.refused_staff & set(names):
        why.append(f"refused: {', '.join(sorted(visit.refused_staff & set(names)))}")
    outside = [
        n for found in skilled for s in found if not s.can_serve(visit.municipality) for n in [s.id]
    ]
    if outside:
        why.append(f"not covering {visit.municipality}: {', '.join(sorted(set(outside)))}")
    if visit.pinned_staff:
        why.append(f"pinned to {', '.join(visit.pinned_staff)}")
    small = sorted(
        {s.id for found in skilled for s in found if s.capacity is not None}
        & {s.id for found in skilled for s in found if visit.demand > (s.capacity or 0)}
    )
    if small:
        why.append(f"demand {visit.demand} above the capacity of {', '.join(small)}")
    return "skilled staff exist but none may do it (" + "; ".join(why) + ")"


def _staff_conflict(tasks: Tasks, v: int, hard: dict[int, Unassigned]) -> Unassigned | None:
    """No staff member can keep a staff rule with a linked visit that could itself be planned:
    nobody may do both (same staff), or the one person who may do either must do both
    (different staff)."""
    problem = tasks.problem

    def may(visit: int) -> set[int]:
        return {r for t in tasks.of_visit[visit] for r in tasks.tasks[t].eligible}

    for other, same in tasks.staff_links[v]:
        if other in hard:
            continue
        name = problem.visits[other].id
        if same and not may(v) & may(other):
            detail = f"must have a staff member in common with {name}, but nobody may do both"
        elif (
            not same
            and len(tasks.of_visit[v]) == len(tasks.of_visit[other]) == 1
            and len(may(v)) == 1
            and may(v) == may(other)
        ):
            (r,) = may(v)
            detail = (
                f"must not share staff with {name}, but only {problem.staff[r].id} may do either"
            )
        else:
            continue
        return Unassigned(problem.visits[v].id, Reason.LINKED_STAFF_CONFLICT, detail)
    return None


def _staff_conflict_in_plan(plan: Plan, v: int) -> Unassigned | None:
    """A single visit tied only by staff rules (e.g. a series) that would fit on an eligible
    route, but not on any route its rules leave given where the linked visits are."""
    tasks = plan.tasks
    if len(tasks.of_visit[v]) != 1 or tasks.links[v] or not tasks.staff_links[v]:
        return None
    (t,) = tasks.of_visit[v]
    plan.windows[t] = plan.base[t]

    def fits(r: int) -> bool:
        route = plan.routes[r]
        return route.has_room_for(tasks.tasks[t].demand) and bool(route.insertions(t))

    allowed = plan.allowed_routes(v, t)
    if any(fits(r) for r in allowed):
        return None
    room = sorted(r for r in tasks.tasks[t].eligible - allowed if fits(r))
    if not room:
        return None
    problem = tasks.problem
    linked = ", ".join(
        f"{problem.visits[o].id} ({'same' if same else 'different'} staff)"
        for o, same in tasks.staff_links[v]
        if plan.is_planned(o)
    )
    return Unassigned(
        problem.visits[v].id,
        Reason.LINKED_STAFF_CONFLICT,
        f"fits on {problem.staff[room[0]].id}'s route, but its staff rule with {linked} "
        "leaves only staff without room",
        closest_staff=problem.staff[room[0]].id,
    )


def _dependency_reason(plan: Plan, v: int, hard: dict[int, Unassigned]) -> Unassigned | None:
    tasks = plan.tasks
    visit = tasks.problem.visits[v]
    out = [link.other for link in tasks.links[v] if not plan.is_planned(link.other)]
    if not out:
        return None
    # Out because of a partner: either the partner cannot be planned at all, or this visit
    # would fit on its own and only the pair does not.
    if any(o in hard for o in out) or placements(plan, v, top=None, ignore_links=True, limit=1):
        names = ", ".join(tasks.problem.visits[o].id for o in out)
        because = "; ".join(f"{hard[o].reason.value}" for o in out if o in hard)
        detail = f"linked visit {names} is not planned" + (f" ({because})" if because else "")
        return Unassigned(visit.id, Reason.DEPENDENCY_UNPLANNED, detail)
    return None


def _no_room(plan: Plan, v: int) -> Unassigned:
    tasks = plan.tasks
    visit = tasks.problem.visits[v]
    best: tuple[int, str, str] | None = None
    for t in tasks.of_visit[v]:
        plan.windows[t] = plan.base[t]
        for r in sorted(tasks.tasks[t].eligible):
            route = plan.routes[r]
            amount, _, what = route.overflow(t)
            if best is None or amount < best[0]:
                best = (amount, route.staff.id, what)
    assert best is not None  # eligible staff exist, or an earlier reason would have applied
    amount, staff_id, what = best
    minutes = -(-amount // 60)
    describe: dict[str, Callable[[], str]] = {
        "start": lambda: f"would start {minutes} min after the window closes on {staff_id}'s route",
        "next": lambda: f"would make the next visit {minutes} min late on {staff_id}'s route",
        "return": lambda: (
            f"would bring {staff_id} back {minutes} min after the shift (and overtime) ends"
        ),
    }
    if amount <= 0:
        detail = (
            f"{staff_id}'s route has room for one part, but no other staff member is free "
            "at the same time"
            if visit.staff_count > 1
            else f"fits nowhere; {staff_id}'s route comes closest"
        )
    else:
        detail = describe[what]()
    return Unassigned(visit.id, Reason.NO_ROOM, detail, closest_staff=staff_id)
