"""Timing of one staff member's route: feasibility, O(1) insertion checks and final times.

A route is a sequence of elements: tasks (index >= 0) and breaks (`~b` for the staff member's
break b). A break has no place; it is taken somewhere between the previous task's end and the next
task's start (during the drive or the wait), so the gap must hold the travel plus the breaks.

The forward pass keeps, before each position, the state (anchor, location, breaks, free): the end
of the last task (or the departure), where that was, the break time taken since, and when the last
break ended. The backward pass keeps, for each position, the latest arrival at the next task (or
the end location) that keeps the rest of the route feasible, with the break time and the break
windows in between. Together they answer "can task t go at position p, and between which start
times?" in constant time, the classic forward/backward slack trick extended to breaks.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from solver.problem import Break, Staff
from solver.task import Task

INF = 1 << 60


def break_elem(b: int) -> int:
    return ~b


class Insertion(NamedTuple):
    """Task at position `pos` could start anywhere in [lo, hi]; `cost` is the added travel.
    (A named tuple: built in the innermost loops, where a frozen dataclass costs twice as much.)"""

    pos: int
    lo: int
    hi: int
    cost: int


@dataclass(frozen=True, slots=True)
class TaskTime:
    task: int
    arrival_s: int
    start_s: int
    end_s: int
    travel_s: int


@dataclass(frozen=True, slots=True)
class Timeline:
    departure_s: int
    return_s: int
    return_travel_s: int
    tasks: tuple[TaskTime, ...]
    breaks: tuple[tuple[int, int], ...]


class RouteState:
    """One route and its cached forward/backward times. `windows[t]` is task t's start window,
    shared with the other routes so that fixing a joint visit's time narrows it everywhere."""

    def __init__(
        self,
        staff: Staff,
        travel: Sequence[Sequence[int]],
        tasks: Sequence[Task],
        windows: list[tuple[int, int]],
        limit_s: int,
        elems: list[int] | None = None,
    ) -> None:
        self.staff = staff
        self.breaks: tuple[Break, ...] = tuple(
            sorted(staff.breaks, key=lambda b: (b.earliest_start_s, b.latest_end_s))
        )
        self.travel = travel
        self.tasks = tasks
        self.windows = windows
        self.limit_s = limit_s
        # Time off between split shifts is inside every route of this staff member (a fixed
        # task), and no working time.
        self.off_duty_s = sum(off.end_s - off.start_s for off in staff.off_duty)
        self.elems: list[int] = (
            list(elems) if elems is not None else [~b for b in range(len(self.breaks))]
        )
        self.feasible = True
        self.refresh()

    # -- caches ----------------------------------------------------------------------------
    def refresh(self) -> bool:
        """Recompute the forward and backward passes; False if the route is infeasible."""
        travel, tasks, windows = self.travel, self.tasks, self.windows
        n = len(self.elems)
        anchor, loc, brk, free = self.staff.shift_start_s, self.staff.start_location, 0, 0
        free = anchor
        before: list[tuple[int, int, int, int]] = [(0, 0, 0, 0)] * (n + 1)
        starts = [0] * n
        feasible = True
        soft_cost, max_late, load, soft = 0, 0, 0, False
        driven, used = 0, False
        for p, e in enumerate(self.elems):
            before[p] = (anchor, loc, brk, free)
            if e < 0:
                b = self.breaks[~e]
                start = max(free, b.earliest_start_s)
                if start + b.duration_s > b.latest_end_s:
                    feasible = False
                free = start + b.duration_s
                brk += b.duration_s
            else:
                task = tasks[e]
                lo, hi = windows[e]
                leg = travel[loc][task.location]
                driven += leg
                used = True
                start = anchor + brk + leg
                if free > start:
                    start = free
                if lo > start:
                    start = lo
                if start > hi:
                    feasible = False
                anchor = free = start + task.duration_s
                loc, brk = task.location, 0
                load += task.demand
                if task.late_costs:
                    soft = True
                    soft_cost += task.late_cost(start)
                if task.tardy_after is not None and start - task.tardy_after > max_late:
                    max_late = start - task.tardy_after
            starts[p] = start
        before[n] = (anchor, loc, brk, free)
        home = travel[loc][self.staff.end_location]
        ret = max(anchor + brk + home, free)
        if ret > self.limit_s:
            feasible = False
        capacity = self.staff.capacity
        if capacity is not None and load > capacity:
            feasible = False
        self.earliest_return_s = ret
        self.before = before
        self.starts = starts
        self.soft = soft
        self.soft_cost = soft_cost
        self.max_late = max_late
        self.load = load
        self._working_s: int | None = None  # see working_s
        self.used = used
        self.travel_total_s = driven + home if used else 0
        self.deadline, self.sumd, self.cap, self.nxt = self._backward_arrays(self.limit_s)
        self.feasible = feasible
        return feasible

    def has_room_for(self, demand: int) -> bool:
        capacity = self.staff.capacity
        return capacity is None or self.load + demand <= capacity

    def _backward_arrays(
        self, limit_s: int, caps: dict[int, int] | None = None
    ) -> tuple[list[int], list[int], list[int], list[int]]:
        """For each position: the latest start there (or arrival at the end) that keeps the rest
        feasible, the break time after it, the latest break bound and the next location.
        `caps` lowers some tasks' latest starts (e.g. to keep them from becoming late)."""
        n = len(self.elems)
        travel, tasks, windows = self.travel, self.tasks, self.windows
        deadline = [0] * (n + 1)
        sumd = [0] * (n + 1)
        cap = [INF] * (n + 1)
        nxt = [0] * (n + 1)
        deadline[n], nxt[n] = limit_s, self.staff.end_location
        for p in range(n - 1, -1, -1):
            e = self.elems[p]
            if e < 0:
                b = self.breaks[~e]
                deadline[p], nxt[p] = deadline[p + 1], nxt[p + 1]
                sumd[p] = sumd[p + 1] + b.duration_s
                cap[p] = min(b.latest_end_s, cap[p + 1]) - b.duration_s
            else:
                task = tasks[e]
                latest_end = deadline[p + 1] - sumd[p + 1] - travel[task.location][nxt[p + 1]]
                if cap[p + 1] < latest_end:
                    latest_end = cap[p + 1]
                hi = windows[e][1]
                if caps is not None and e in caps and caps[e] < hi:
                    hi = caps[e]
                latest_start = latest_end - task.duration_s
                deadline[p] = hi if hi < latest_start else latest_start
                nxt[p] = task.location
        return deadline, sumd, cap, nxt

    def soft_delta(self, t: int, pos: int, start: int) -> tuple[int, int]:
        """Inserting task t at `pos`, starting at `start`: the added soft cost (its own lateness
        and the later tasks' pushed starts) and the largest tardiness among the tasks it moves.
        Stops at the first task whose start does not change: the rest of the route is the same."""
        tasks, travel, elems, starts = self.tasks, self.travel, self.elems, self.starts
        task = tasks[t]
        cost = task.late_cost(start)
        most = 0 if task.tardy_after is None else max(0, start - task.tardy_after)
        anchor = free = start + task.duration_s
        loc, brk = task.location, 0
        for p in range(pos, len(elems)):
            e = elems[p]
            if e < 0:
                b = self.breaks[~e]
                begin = max(free, b.earliest_start_s)
                free = begin + b.duration_s
                brk += b.duration_s
                continue
            other = tasks[e]
            begin = max(anchor + brk + travel[loc][other.location], free, self.windows[e][0])
            if begin == starts[p]:
                break
            if other.late_costs:
                cost += other.late_cost(begin) - other.late_cost(starts[p])
            if other.tardy_after is not None and begin - other.tardy_after > most:
                most = begin - other.tardy_after
            anchor = free = begin + other.duration_s
            loc, brk = other.location, 0
        return cost, most

    # -- insertion ----------------------------------------------------------------------------
    def insertion(self, t: int, pos: int) -> Insertion | None:
        """Task t placed before element `pos`, if that keeps the route feasible."""
        task = self.tasks[t]
        lo_w, hi_w = self.windows[t]
        anchor, loc, brk, free = self.before[pos]
        travel = self.travel
        to_task = travel[loc][task.location]
        nxt = self.nxt[pos]
        from_task = travel[task.location][nxt]
        lo = max(anchor + brk + to_task, free, lo_w)
        hi = min(
            hi_w,
            min(self.deadline[pos] - self.sumd[pos] - from_task, self.cap[pos]) - task.duration_s,
        )
        if lo > hi:
            return None
        return Insertion(pos, lo, hi, to_task + from_task - travel[loc][nxt])

    def insertions(self, t: int) -> list[Insertion]:
        """Every feasible position for task t (same test as `insertion`, unrolled for speed)."""
        task = self.tasks[t]
        lo_w, hi_w = self.windows[t]
        travel, loc_t, dur = self.travel, task.location, task.duration_s
        row_from = travel[loc_t]
        deadline, sumd, cap, nxt = self.deadline, self.sumd, self.cap, self.nxt
        found = []
        before = self.before
        # `deadline` never decreases along the route: positions before the first one whose
        # latest start leaves room for this task after its earliest start cannot take it.
        first = bisect_left(deadline, lo_w + dur)
        for pos in range(first, len(before)):
            anchor, loc, brk, free = before[pos]
            if free > hi_w:
                break  # `free` never decreases along the route: no later position fits
            to_task = travel[loc][loc_t]
            lo = anchor + brk + to_task
            if free > lo:
                lo = free
            if lo_w > lo:
                lo = lo_w
            nx = nxt[pos]
            from_task = row_from[nx]
            hi = deadline[pos] - sumd[pos] - from_task
            if cap[pos] < hi:
                hi = cap[pos]
            hi -= dur
            if hi_w < hi:
                hi = hi_w
            if lo <= hi:
                found.append(Insertion(pos, lo, hi, to_task + from_task - travel[loc][nx]))
        return found

    def best_insertion(self, t: int) -> tuple[int, int, int] | None:
        """(added travel, position, earliest start) of the cheapest feasible position."""
        task = self.tasks[t]
        lo_w, hi_w = self.windows[t]
        travel, loc_t, dur = self.travel, task.location, task.duration_s
        row_from = travel[loc_t]
        best: tuple[int, int, int] | None = None
        deadline, sumd, cap, nxt = self.deadline, self.sumd, self.cap, self.nxt
        before = self.before
        first = bisect_left(deadline, lo_w + dur)  # as in `insertions`
        for pos in range(first, len(before)):
            anchor, loc, brk, free = before[pos]
            if free > hi_w:
                break  # `free` never decreases along the route: no later position fits
            to_task = travel[loc][loc_t]
            lo = anchor + brk + to_task
            if free > lo:
                lo = free
            if lo_w > lo:
                lo = lo_w
            if lo > hi_w:
                continue
            nx = nxt[pos]
            from_task = row_from[nx]
            end = lo + dur
            if end > cap[pos] or end > deadline[pos] - sumd[pos] - from_task:
                continue
            cost = to_task + from_task - travel[loc][nx]
            if best is None or cost < best[0]:
                best = (cost, pos, lo)
        return best

    def overflow(self, t: int) -> tuple[int, int, str]:
        """How far the best position misses: (seconds, position, what is late) for reasons."""
        task = self.tasks[t]
        lo_w, hi_w = self.windows[t]
        best = (INF, 0, "")
        for pos in range(len(self.elems) + 1):
            anchor, loc, brk, free = self.before[pos]
            nxt = self.nxt[pos]
            start = max(anchor + brk + self.travel[loc][task.location], free, lo_w)
            late_start = start - hi_w
            latest_end = min(
                self.deadline[pos] - self.sumd[pos] - self.travel[task.location][nxt],
                self.cap[pos],
            )
            push = start + task.duration_s - latest_end
            amount = max(late_start, push, 0)
            what = (
                "start" if late_start >= push else ("return" if pos == len(self.elems) else "next")
            )
            if self._next_is_end(pos) and what == "next":
                what = "return"
            if amount < best[0]:
                best = (amount, pos, what)
        return best

    def _next_is_end(self, pos: int) -> bool:
        return all(e < 0 for e in self.elems[pos:])

    def insert(self, t: int, pos: int) -> None:
        self.elems.insert(pos, t)
        self.refresh()

    def remove(self, t: int) -> None:
        self.elems.remove(t)
        self.refresh()

    def task_elems(self) -> list[int]:
        return [e for e in self.elems if e >= 0]

    def has_tasks(self) -> bool:
        return self.used

    def travel_s(self) -> int:
        """Driving on this route; an empty route drives nowhere."""
        return self.travel_total_s

    def working_s(self) -> int:
        """Time away (departure to return) of a feasible route when it leaves as late as its
        earliest return allows, as `timeline` does (less its soft-timing refinements): what the
        workload balance weighs. Kept until the next refresh."""
        if self._working_s is None:
            deadline, sumd, cap, nxt = self._backward_arrays(self.earliest_return_s)
            first = self.travel[self.staff.start_location][nxt[0]]
            departure = max(min(deadline[0] - sumd[0] - first, cap[0]), self.staff.shift_start_s)
            self._working_s = self.earliest_return_s - departure - self.off_duty_s
        return self._working_s

    # -- final times --------------------------------------------------------------------------
    def timeline(self) -> Timeline:
        """Times for a feasible route with the least time away: return as early as the route
        allows, leave as late as that return allows, start each task as early as possible after
        that, and take each break as soon as its window and the previous task allow. After time
        off between shifts, leave for the next task as late as its start allows (nobody waits
        at a door when they could wait at the base).

        Soft timing: leaving late never makes a task later than its soft deadline (or than its
        earliest possible start, if that is later already). A task with a target (a replanned
        visit) waits for it when the rest of the route can absorb the wait without anything
        becoming later than that, nor the return later than the shift end."""
        assert self.feasible
        caps: dict[int, int] = {}
        targets = False
        for p, e in enumerate(self.elems):
            if e >= 0:
                task = self.tasks[e]
                deadline = task.soft_deadline
                if deadline is not None:
                    caps[e] = max(deadline, self.starts[p])
                targets = targets or task.target_s is not None
        deadline_, sumd, cap, nxt = self._backward_arrays(self.earliest_return_s, caps)
        start_loc = self.staff.start_location
        departure = min(deadline_[0] - sumd[0] - self.travel[start_loc][nxt[0]], cap[0])
        departure = max(departure, self.staff.shift_start_s)
        latest: list[int] | None = None
        if targets:
            limit = max(self.earliest_return_s, min(self.staff.shift_end_s, self.limit_s))
            latest = self._backward_arrays(limit, caps)[0]
        anchor, loc, brk, free = departure, start_loc, 0, departure
        times: list[TaskTime] = []
        breaks: list[tuple[int, int]] = []
        resuming = False  # the previous element was time off between shifts
        for p, e in enumerate(self.elems):
            if e < 0:
                b = self.breaks[~e]
                start = max(free, b.earliest_start_s)
                breaks.append((start, start + b.duration_s))
                free = start + b.duration_s
                brk += b.duration_s
                resuming = False
            else:
                task = self.tasks[e]
                leg = self.travel[loc][task.location]
                arrival = max(anchor + brk + leg, free)
                start = max(arrival, self.windows[e][0])
                if latest is not None and task.target_s is not None and start < task.target_s:
                    start = max(start, min(task.target_s, latest[p]))
                if resuming:
                    arrival = start
                times.append(TaskTime(e, arrival, start, start + task.duration_s, leg))
                anchor = free = start + task.duration_s
                loc, brk = task.location, 0
                resuming = task.off_duty
        if times and self.elems[0] >= 0 and times[0].start_s > times[0].arrival_s:
            # Waiting at the first door: leave later instead.
            first = times[0]
            departure += first.start_s - first.arrival_s
            times[0] = TaskTime(
                first.task, first.start_s, first.start_s, first.end_s, first.travel_s
            )
        leg = self.travel[loc][self.staff.end_location]
        ret = max(anchor + brk + leg, free)
        return Timeline(departure, ret, leg, tuple(times), tuple(breaks))
