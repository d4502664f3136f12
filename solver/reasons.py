"""Why each unassigned visit is out: the first true reason, checked in the Reason enum's order.

Each check is a statement about the problem or the final plan that has been verified, never a
guess: skills (can the parts go to different staff with the skills?), a pinned staff member
missing from the day, eligibility (refusals, municipality, pinning), time (could any eligible
staff member do it on an otherwise empty day?), a dependency partner that is out, and finally
no room, naming the staff member whose route comes closest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from solver.plan import Plan
from solver.problem import Staff, Visit
from solver.result import Reason, Unassigned
from solver.tasks import Tasks, has_skills


def explain(plan: Plan, visits: Sequence[int]) -> list[Unassigned]:
    """Reasons for the given unplanned visits of a finished plan."""
    tasks = plan.tasks
    empty = Plan(tasks, plan.weights, overtime=True)
    hard: dict[int, Unassigned] = {}
    for v in visits:
        found = _hard_reason(tasks, empty, v)
        if found is not None:
            hard[v] = found
    out = []
    for v in visits:
        if v in hard:
            out.append(hard[v])
            continue
        out.append(_dependency_reason(plan, v, hard) or _no_room(plan, v))
    return out


def _hard_reason(tasks: Tasks, empty: Plan, v: int) -> Unassigned | None:
    problem = tasks.problem
    visit = problem.visits[v]
    parts = range(visit.staff_count)
    staff = problem.staff

    skilled = [[s for s in staff if has_skills(s, visit, p)] for p in parts]
    if not _distinct_staff(skilled):
        return Unassigned(visit.id, Reason.NO_SKILLED_STAFF, _skills_detail(visit, skilled))
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
    if not empty.placements(v, top=None):
        return Unassigned(
            visit.id,
            Reason.NO_SHIFT_COVERS_WINDOW,
            "no eligible staff member can get there, do it within its window and get back "
            "within their shift (and overtime), even on an otherwise empty day",
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


def _dependency_reason(plan: Plan, v: int, hard: dict[int, Unassigned]) -> Unassigned | None:
    tasks = plan.tasks
    visit = tasks.problem.visits[v]
    out = [link.other for link in tasks.links[v] if not plan.is_planned(link.other)]
    if not out:
        return None
    # Out because of a partner: either the partner cannot be planned at all, or this visit
    # would fit on its own and only the pair does not.
    if any(o in hard for o in out) or plan.placements(v, top=None, ignore_links=True):
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
