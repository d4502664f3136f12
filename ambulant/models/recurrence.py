"""When a care plan asks for visits: an RFC 5545 recurrence rule (RRULE), read by python-dateutil.

The rule runs on Oslo wall-clock time: its DTSTART is the plan's `valid_from` at its
`window_start`, and every occurrence is the start of one visit window as long as the plan's own
window. So `FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH` is Monday and Thursday every second week counted
from `valid_from`, and `FREQ=DAILY;BYHOUR=8,20` is a morning and an evening window every day.
Occurrences are naive local times; turning them into instants (`ambulant.timeutil.local`) is
where the clock changes are handled, so a rule never sees a UTC offset.

Days are taken out afterwards: EXDATE days (holidays) and the patient's absences.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Collection, Iterable

from dateutil.rrule import rrule, rruleset, rrulestr

# More windows than this on one day is a typing error (BYMINUTE=0,1,2,...), not a care plan.
MAX_WINDOWS_PER_DAY = 6
# How many occurrences the input check expands to count the windows of a day.
_CHECK_OCCURRENCES = 64
_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_SUB_DAILY = frozenset({"HOURLY", "MINUTELY", "SECONDLY"})
# Parts whose meaning depends on where the rule starts (its DTSTART).
_ANCHORED = frozenset({"COUNT", "BYSETPOS", "BYWEEKNO", "BYYEARDAY"})
_DATE_ONLY_UNTIL = re.compile(r"^UNTIL=(\d{8})$")
_LOCAL_UNTIL = re.compile(r"^UNTIL=\d{8}T\d{6}$")
# Where a rule without valid_from is tried out: any Monday would do, since such a rule does not
# depend on where it starts.
_SAMPLE_START = dt.date(2026, 1, 5)


class RecurrenceError(ValueError):
    """A rule that cannot be read, or that no care plan can mean."""


def weekdays_rule(weekdays: Iterable[int]) -> str:
    """The rule of the older form of a care plan: these weekdays (0 = Monday) every week."""
    days = sorted(set(weekdays))
    if not days or any(d < 0 or d > 6 for d in days):
        raise RecurrenceError("weekdays must be 0 (Monday) to 6 (Sunday), at least one")
    return "FREQ=WEEKLY;BYDAY=" + ",".join(_WEEKDAY_CODES[d] for d in days)


def normalise_rule(text: str) -> str:
    """The rule as stored: upper case, no `RRULE:` prefix, a date-only UNTIL made inclusive.

    RFC 5545 wants UNTIL to be a date-time when DTSTART is one; people write the last day
    (`UNTIL=20270630`) and mean that day's visits too, so it becomes the end of that day.
    """
    rule = text.strip().upper().removeprefix("RRULE:")
    if not rule:
        raise RecurrenceError("give an RRULE, e.g. FREQ=WEEKLY;BYDAY=MO,WE,FR")
    if "\n" in rule or ":" in rule:
        raise RecurrenceError(
            "give one RRULE value (FREQ=...); DTSTART is valid_from and window_start, and "
            "exception days go in exdates"
        )
    parts = []
    for part in rule.split(";"):
        if match := _DATE_ONLY_UNTIL.match(part):
            part = f"UNTIL={match.group(1)}T235959"
        elif part.startswith("UNTIL=") and not _LOCAL_UNTIL.match(part):
            raise RecurrenceError(
                "UNTIL is an Oslo date (YYYYMMDD) or wall-clock time (YYYYMMDDTHHMMSS), "
                "without Z: the rule runs on local time"
            )
        parts.append(part)
    return ";".join(parts)


def _parts(rule: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in rule.split(";") if "=" in part)


def parse_rule(rule: str, *, dtstart: dt.datetime) -> rrule:
    """The dateutil rule of `rule` starting at `dtstart` (naive Oslo wall-clock time)."""
    try:
        parsed = rrulestr(rule, dtstart=dtstart)
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise RecurrenceError(f"not an RFC 5545 RRULE: {error}") from None
    if not isinstance(parsed, rrule):  # pragma: no cover - one RRULE value parses to a rule
        raise RecurrenceError("give one RRULE value")
    return parsed


def check_rule(
    rule: str,
    *,
    valid_from: dt.date | None,
    window_start: dt.time,
    window_length: dt.timedelta,
) -> str:
    """`rule` normalised, or RecurrenceError saying what is wrong with it for a care plan."""
    rule = normalise_rule(rule)
    parts = _parts(rule)
    if parts.get("FREQ") in _SUB_DAILY:
        raise RecurrenceError(
            f"FREQ={parts['FREQ']} is not a care plan's rhythm; for several windows a day use "
            "FREQ=DAILY (or WEEKLY) with BYHOUR, e.g. FREQ=DAILY;BYHOUR=8,20"
        )
    if "BYSECOND" in parts:
        raise RecurrenceError("BYSECOND: visit windows start on whole minutes")
    if valid_from is None:
        anchored = sorted(_ANCHORED & parts.keys())
        if int(parts.get("INTERVAL", "1")) > 1:
            anchored.insert(0, "INTERVAL")
        if parts.get("FREQ") == "WEEKLY" and "BYDAY" not in parts:
            anchored.append("FREQ=WEEKLY without BYDAY")
        if parts.get("FREQ") in {"MONTHLY", "YEARLY"} and not {"BYDAY", "BYMONTHDAY"} & set(parts):
            anchored.append(f"FREQ={parts['FREQ']} without BYDAY or BYMONTHDAY")
        if anchored:
            raise RecurrenceError(
                f"{', '.join(anchored)} counts from where the rule starts: give valid_from"
            )
    start = dt.datetime.combine(valid_from or _SAMPLE_START, window_start)
    parsed = parse_rule(rule, dtstart=start)
    sample = list(_first(parsed, _CHECK_OCCURRENCES))
    per_day = Counter(when.date() for when in sample)
    if per_day and max(per_day.values()) > MAX_WINDOWS_PER_DAY:
        raise RecurrenceError(
            f"at most {MAX_WINDOWS_PER_DAY} windows a day; this rule gives {max(per_day.values())}"
        )
    for when in sample:
        if (when + window_length).date() != when.date():
            raise RecurrenceError(
                f"the window starting {when:%H:%M} runs past midnight; a visit window lies "
                "within one day"
            )
    if valid_from is not None and not sample:
        raise RecurrenceError("this rule gives no visit at all from valid_from on")
    return rule


def _first(rule: rrule, n: int) -> Iterable[dt.datetime]:
    for index, when in enumerate(rule):
        if index >= n:
            return
        yield when


def occurrences(
    rule: str,
    *,
    first: dt.date,
    last: dt.date,
    valid_from: dt.date | None,
    window_start: dt.time,
    exdates: Collection[dt.date] = (),
    absent: Collection[dt.date] = (),
) -> list[dt.datetime]:
    """The window starts (naive Oslo wall-clock times) the rule gives from `first` to `last`,
    both included, without the `exdates` and `absent` days.

    A rule without `valid_from` does not depend on where it starts (`check_rule` sees to it),
    so it starts on `first`, which keeps the expansion short.
    """
    anchor = valid_from if valid_from is not None else first
    parsed = parse_rule(rule, dtstart=dt.datetime.combine(anchor, window_start))
    begin = dt.datetime.combine(first, dt.time())
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time())
    rules = rruleset()
    rules.rrule(parsed)
    # EXDATE takes out single occurrences; a day off takes out every window of that day.
    for day in sorted({*exdates, *absent}):
        if first <= day <= last:
            day_start = dt.datetime.combine(day, dt.time())
            for when in parsed.between(day_start, day_start + dt.timedelta(days=1), inc=True):
                if when.date() == day:
                    rules.exdate(when)
    return [when for when in rules.between(begin, end, inc=True) if when < end]
