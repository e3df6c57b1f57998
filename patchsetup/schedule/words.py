"""A schedule in plain words: "03:00 on the first Tuesday of every month (Europe/London)".

Pure.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from itertools import pairwise

from patchsetup.schedule.cron import YEAR_MAX, YEAR_MIN, Cron
from patchsetup.schedule.expressions import At, Rate, parse
from patchsetup.schedule.names import FULL_DAY_NAMES, ORDINAL_WORDS, join
from patchsetup.schedule.zones import validate_timezone


def _steps(values: Sequence[int]) -> int | None:
    """Return the common difference of an evenly spaced sequence of 2+ values, else None."""
    if len(values) < 2:
        return None
    step = values[1] - values[0]
    if all(b - a == step for a, b in pairwise(values)):
        return step
    return None


def _describe_times(cron: Cron) -> tuple[str, bool]:
    """Describe the times of day; the flag says whether the phrase repeats within a day."""
    times = cron.times
    if len(times) <= 4:
        clocks = [
            f"{h:02d}:{m:02d}:{s:02d}" if cron.has_seconds else f"{h:02d}:{m:02d}"
            for h, m, s in times
        ]
        return join(clocks), False
    minutes, hours = cron.minutes, cron.hours
    if len(cron.seconds) == 1:
        minute_step = _steps(minutes)
        # Only a step that fills the whole clock reads as "every N minutes" ("0-30/15"
        # stops at half past, so it falls through to the generic wording).
        if (
            len(hours) == 24
            and minutes[0] == 0
            and minute_step
            and 60 % minute_step == 0
            and len(minutes) == 60 // minute_step
        ):
            return f"every {minute_step} minutes", True
        hour_step = _steps(hours)
        if len(minutes) == 1 and len(hours) == 24:
            return f"every hour at minute {minutes[0]:02d}", True
        if len(minutes) == 1 and hour_step:
            first, last = f"{hours[0]:02d}:{minutes[0]:02d}", f"{hours[-1]:02d}:{minutes[0]:02d}"
            return f"every {hour_step} hours from {first} to {last}", True
    minute_raw, hour_raw = cron.fields[0], cron.fields[1]
    hours_text = "every hour" if hour_raw == "*" else f"hours {hour_raw}"
    return f"at minutes {minute_raw} of {hours_text}", True


def _week_days_phrase(values: frozenset[int]) -> str:
    """Name a set of AWS day numbers: "Tuesday", "Monday through Friday", "Monday and Friday"."""
    ordered = sorted(values)
    names = [FULL_DAY_NAMES[value - 1] for value in ordered]
    if len(ordered) >= 3 and _steps(ordered) == 1:
        return f"{names[0]} through {names[-1]}"
    return join(names)


def _describe_days(cron: Cron, repeating: bool) -> str:
    """Describe the day, month and year fields."""
    months = cron.months
    all_months = len(months) == 12
    month_names = join([calendar.month_name[m] for m in months])
    of_months = "of every month" if all_months else f"of {month_names}"
    days = cron.days
    if days.kind == "all":
        phrase = "" if repeating else "every day"
        monthly = False
    elif days.kind == "week_days":
        if len(days.values) == 7:
            phrase, monthly = ("" if repeating else "every day"), False
        else:
            prefix = "on" if repeating else "every"
            phrase, monthly = f"{prefix} {_week_days_phrase(days.values)}", False
    else:
        monthly = True
        if days.kind == "nth":
            (value,) = days.values
            phrase = f"on the {ORDINAL_WORDS[days.n]} {FULL_DAY_NAMES[value - 1]} {of_months}"
        elif days.kind == "last_of":
            (value,) = days.values
            phrase = f"on the last {FULL_DAY_NAMES[value - 1]} {of_months}"
        elif days.kind == "last_day":
            phrase = f"on the last day {of_months}"
        elif days.kind == "last_weekday":
            phrase = f"on the last weekday {of_months}"
        elif days.kind == "nearest_weekday":
            phrase = f"on the weekday nearest day {days.n} {of_months}"
        else:
            ordered = sorted(days.values)
            label = "day" if len(ordered) == 1 else "days"
            listed = join([str(value) for value in ordered])
            if len(ordered) > 4 and _steps(ordered) == 1:
                listed = f"{ordered[0]} through {ordered[-1]}"
            phrase = f"on {label} {listed} {of_months}"
    if not monthly and not all_months:
        phrase = f"{phrase} in {month_names}".strip()
    if len(cron.years) != YEAR_MAX - YEAR_MIN + 1:
        years = sorted(cron.years)
        year_text = join([str(y) for y in years]) if len(years) <= 3 else cron.fields[5]
        phrase = f"{phrase} in {year_text}".strip()
    return phrase


def describe(expression: str, timezone: str | None = None) -> str:
    """Describe a schedule in plain words.

    E.g. "03:00 on the first Tuesday of every month (Europe/London)", "every 6 hours",
    "09:00 every day (UTC)". The time zone is appended when one is given; rate
    expressions don't depend on it. Complex cron expressions get a generic description.
    """
    parsed = parse(expression)
    suffix = f" ({validate_timezone(timezone)})" if timezone is not None else ""
    if isinstance(parsed, Rate):
        if parsed.value == 1:
            return f"every {parsed.unit}"
        return f"every {parsed.value} {parsed.unit}s"
    if isinstance(parsed, At):
        return f"once, at {parsed.when:%Y-%m-%d %H:%M:%S}{suffix}"
    times, repeating = _describe_times(parsed)
    days = _describe_days(parsed, repeating)
    text = f"{times} {days}".strip()
    return f"{text}{suffix}"
