"""Maintenance-window schedules: seed names, validation, next runs, warnings and descriptions.

This module is pure: it never talks to AWS. It encodes the rules of the AWS Systems
Manager reference "Cron and rate expressions for Systems Manager"
(https://docs.aws.amazon.com/systems-manager/latest/userguide/reference-cron-and-rate-expressions.html)
for maintenance-window schedules:

* ``cron(Minutes Hours Day-of-month Month Day-of-week Year)``: six fields separated by
  spaces. Maintenance windows also accept a leading seventh ``Seconds`` field, but not
  the value 0 in it.
* Values: Minutes 0-59, Hours 0-23, Day-of-month 1-31, Month 1-12 or JAN-DEC,
  Day-of-week 1-7 or SUN-SAT (1 is Sunday), Year 1970-2199.
* Wildcards ``, - * /`` in every field, ``? L W`` in Day-of-month, ``? L #`` in
  Day-of-week (``/`` is listed for Day-of-week too). One of Day-of-month and
  Day-of-week must be ``?``, never both.
* Cron expressions that lead to rates faster than five minutes are not supported.
* ``rate(value unit)``: value a positive whole number; unit ``minute``, ``hour`` or
  ``day`` when the value is 1, ``minutes``, ``hours`` or ``days`` when it is greater.
  AWS documents no largest value; this tool refuses intervals over 3650 days (10 years,
  so at most ``rate(3650 days)``, ``rate(87600 hours)``, ``rate(5256000 minutes)``):
  no patch schedule needs more, and next-run dates stay computable.
* ``at(yyyy-mm-ddThh:mm:ss)``: a single run.
* ScheduleOffset: the number of days (1-6, per the CreateMaintenanceWindow API) to wait
  after each cron occurrence; cron expressions only. An occurrence that has already
  passed is not run even if its offset date is still in the future.
"""

from __future__ import annotations

import calendar
import difflib
import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import timezone as FixedOffset
from itertools import pairwise
from typing import Literal
from zoneinfo import ZoneInfo, available_timezones

from dateutil import rrule as rr
from dateutil import tz as dtz

__all__ = [
    "DAY_NAMES",
    "ScheduleError",
    "daily_cron",
    "describe",
    "next_runs",
    "parse_day",
    "parse_time",
    "schedule_warnings",
    "seed_cron",
    "seed_patch_group",
    "seed_window_name",
    "validate_expression",
    "validate_timezone",
    "window_cron",
]

DAY_NAMES: tuple[str, ...] = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")

_FULL_DAY_NAMES: tuple[str, ...] = (
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
)
_MONTH_NAMES: tuple[str, ...] = (
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
)  # fmt: skip
_ORDINAL_WORDS: Mapping[int, str] = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}

# The CreateMaintenanceWindow API model limits Schedule to 1-256 characters and
# ScheduleOffset to 1-6 days.
_MAX_SCHEDULE_LENGTH = 256
_MAX_OFFSET_DAYS = 6
# "Cron expressions that lead to rates faster than five (5) minute are not supported."
_MIN_CRON_INTERVAL = timedelta(minutes=5)
_YEAR_MIN = 1970
_YEAR_MAX = 2199
# A wall time in a gap is moved later by at most the gap's size; the largest real gap
# (Pacific/Apia skipping 2011-12-30) is one day, so two days of slack is always enough.
_GAP_SLACK = timedelta(days=2)

# dateutil weekday constants indexed like DAY_NAMES (0 = Sunday).
_RRULE_DAYS: tuple[rr.weekday, ...] = (rr.SU, rr.MO, rr.TU, rr.WE, rr.TH, rr.FR, rr.SA)


class ScheduleError(ValueError):
    """One-line, user-facing message of what is wrong."""


# --------------------------------------------------------------------------- seeds


def parse_day(value: str) -> int:
    """Parse a day of week given as 0-7 (0 and 7 are Sunday) or a day name in any case.

    Numbers are returned as given (7 stays 7); names map to 0 (Sunday) through 6
    (Saturday). Both three-letter abbreviations ("tue") and full names ("Tuesday")
    are accepted.
    """
    text = value.strip()
    if re.fullmatch(r"[0-7]", text):
        return int(text)
    upper = text.upper()
    for index, (short, full) in enumerate(zip(DAY_NAMES, _FULL_DAY_NAMES, strict=True)):
        if upper in (short, full.upper()):
            return index
    raise ScheduleError(f"day must be 0-7 or a day name like TUE, got {value!r}")


def _check_seed(week: int, day: int, hour: int, minute: int = 0) -> None:
    """Raise ScheduleError unless week, day, hour and minute are in their seed ranges."""
    # Week means the n-th weekday of the month, which only goes up to 5 (TUE#5).
    if not 1 <= week <= 5:
        raise ScheduleError(f"week must be 1-5 (the n-th weekday of the month), got {week}")
    if not 0 <= day <= 7:
        raise ScheduleError(f"day must be 0-7 (0 and 7 are Sunday), got {day}")
    if not 0 <= hour <= 23:
        raise ScheduleError(f"hour must be 0-23, got {hour}")
    if not 0 <= minute <= 59:
        raise ScheduleError(f"minute must be 0-59, got {minute}")


def seed_window_name(week: int, day: int, hour: int) -> str:
    """Return the seed maintenance-window name, e.g. ``Week1Day2Unattended0300``."""
    _check_seed(week, day, hour)
    return f"Week{week}Day{day}Unattended{hour:02d}00"


def seed_patch_group(week: int, day: int, hour: int) -> str:
    """Return the seed patch-group name, e.g. ``Week 1 Day 2 - Unattended - 03:00``."""
    _check_seed(week, day, hour)
    return f"Week {week} Day {day} - Unattended - {hour:02d}:00"


def seed_cron(week: int, day: int, hour: int, minute: int = 0) -> str:
    """Return the seed cron expression, e.g. ``cron(00 03 ? * TUE#1 *)``.

    Week ``n`` is the n-th such weekday of the month (``TUE#2`` is the second Tuesday,
    not the Tuesday of the second full week). The zero-padded layout is byte for byte
    what the tool this project replaces produced, so existing windows compare equal.
    """
    _check_seed(week, day, hour, minute)
    return f"cron({minute:02d} {hour:02d} ? * {DAY_NAMES[day % 7]}#{week} *)"


def window_cron(week: int | Literal["last"], day: int, hour: int, minute: int = 0) -> str:
    """Return the cron expression for one weekday of the month at a time of day.

    ``week`` 1-5 is the n-th such weekday (the seed layout, ``cron(30 03 ? * TUE#2 *)``);
    ``"last"`` is the last one of the month, ``cron(30 03 ? * 3L *)``. ``day`` is 0-7
    with 0 and 7 for Sunday, as :func:`parse_day` returns it. The last-weekday form
    uses SSM's day number (1 is SUN), because ``dayL`` is documented with numbers.
    Whole hours keep the seed's zero-padded ``00`` minutes, so such windows compare
    equal to the ones the seed tool made.
    """
    if week == "last":
        # Week 1 stands in for the range check; "last" has no number of its own.
        _check_seed(1, day, hour, minute)
        return f"cron({minute:02d} {hour:02d} ? * {day % 7 + 1}L *)"
    if isinstance(week, bool) or not isinstance(week, int):
        raise ScheduleError(f"week must be 1-5 or 'last', got {week!r}")
    return seed_cron(week, day, hour, minute)


def daily_cron(hour: int, minute: int = 0) -> str:
    """Return the cron expression for every day at a time of day: ``cron(00 01 ? * * *)``."""
    _check_seed(1, 0, hour, minute)
    return f"cron({minute:02d} {hour:02d} ? * * *)"


def parse_time(value: str) -> tuple[int, int]:
    """Parse a 24-hour ``HH:MM`` time of day (``06:00``, ``3:30``) into (hour, minute)."""
    match = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", value.strip())
    if match is None:
        raise ScheduleError(f"time must be HH:MM on a 24-hour clock, like 06:00, got {value!r}")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ScheduleError(f"time {value!r} is not a time of day: hours 0-23, minutes 0-59")
    return hour, minute


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class _FieldSpec:
    """Name, allowed numeric range and symbolic names of one cron field."""

    name: str
    low: int
    high: int
    names: Mapping[str, int]
    hint: str


_SECONDS = _FieldSpec("seconds", 0, 59, {}, "a number 0-59")
_MINUTES = _FieldSpec("minutes", 0, 59, {}, "a number 0-59")
_HOURS = _FieldSpec("hours", 0, 23, {}, "a number 0-23")
_DAY_OF_MONTH = _FieldSpec("day-of-month", 1, 31, {}, "a number 1-31")
_MONTH = _FieldSpec(
    "month",
    1,
    12,
    {name: index + 1 for index, name in enumerate(_MONTH_NAMES)},
    "a number 1-12 or a name JAN-DEC",
)
_DAY_OF_WEEK = _FieldSpec(
    "day-of-week",
    1,
    7,
    {name: index + 1 for index, name in enumerate(DAY_NAMES)},
    "a number 1-7 (1 is SUN) or a name SUN-SAT",
)
_YEAR = _FieldSpec("year", _YEAR_MIN, _YEAR_MAX, {}, f"a year {_YEAR_MIN}-{_YEAR_MAX}")


@dataclass(frozen=True)
class _DaySpec:
    """Which days of a month a cron expression selects.

    ``kind`` is one of: ``all`` (every day), ``month_days`` (``values`` are days of
    the month), ``last_day`` (L), ``last_weekday`` (LW), ``nearest_weekday`` (nW,
    ``n`` is the day), ``week_days`` (``values`` are AWS day numbers 1-7), ``last_of``
    (dL, ``values`` holds the day) and ``nth`` (d#n).
    """

    kind: str
    values: frozenset[int] = frozenset()
    n: int = 0


@dataclass(frozen=True)
class _Cron:
    """A parsed, validated cron expression."""

    text: str
    fields: tuple[str, ...]  # Minutes .. Year as written (without seconds)
    seconds: tuple[int, ...]
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    months: tuple[int, ...]
    years: frozenset[int]
    days: _DaySpec
    has_seconds: bool

    @functools.cached_property
    def times(self) -> tuple[tuple[int, int, int], ...]:
        """All (hour, minute, second) times of day, in order."""
        return tuple((h, m, s) for h in self.hours for m in self.minutes for s in self.seconds)


@dataclass(frozen=True)
class _Rate:
    """A parsed rate expression."""

    text: str
    value: int
    unit: str  # singular: minute, hour or day

    @property
    def interval(self) -> timedelta:
        """The time between two runs."""
        return timedelta(**{f"{self.unit}s": self.value})


@dataclass(frozen=True)
class _At:
    """A parsed single-run ``at(...)`` expression (naive wall time)."""

    text: str
    when: datetime


_Parsed = _Cron | _Rate | _At


def _label(expression: str) -> str:
    """Return the expression as it should appear at the start of an error message."""
    # Quote it when it is empty or has edge whitespace, or the message would hide that.
    if expression and expression.strip() == expression:
        return expression
    return repr(expression)


def _fail(expression: str, detail: str) -> ScheduleError:
    """Build a ScheduleError prefixed with the offending expression."""
    return ScheduleError(f"{_label(expression)}: {detail}")


def _field_value(expression: str, spec: _FieldSpec, raw: str, token: str) -> int:
    """Convert one number or name of a cron field, checking its range."""
    upper = token.upper()
    if re.fullmatch(r"[0-9]+", token):
        value = int(token)
        if not spec.low <= value <= spec.high:
            extra = " (1 is SUN, 7 is SAT)" if spec is _DAY_OF_WEEK else ""
            raise _fail(
                expression,
                f"{spec.name} field {raw!r}: value {value} is out of range "
                f"{spec.low}-{spec.high}{extra}",
            )
        return value
    if upper in spec.names:
        return spec.names[upper]
    if upper in {"?", "L", "W", "LW"} or "#" in upper:
        where = {
            "?": "day-of-month or day-of-week",
            "L": "day-of-month or day-of-week",
            "W": "day-of-month",
            "LW": "day-of-month",
        }.get(upper, "day-of-week")
        raise _fail(
            expression,
            f"{spec.name} field {raw!r}: {token!r} is only allowed in {where}, and only on its own",
        )
    raise _fail(expression, f"{spec.name} field {raw!r}: {token!r} is not {spec.hint}")


def _parse_values(expression: str, spec: _FieldSpec, raw: str) -> frozenset[int]:
    """Expand a cron field made of ``, - * /`` terms into the set of values it selects."""
    values: set[int] = set()
    for term in raw.split(","):
        if not term:
            raise _fail(expression, f"{spec.name} field {raw!r} has an empty list item")
        body, slash, step_text = term.partition("/")
        step = 1
        if slash:
            if not re.fullmatch(r"[0-9]+", step_text):
                raise _fail(
                    expression,
                    f"{spec.name} field {raw!r}: the increment after '/' in {term!r} "
                    "must be a whole number",
                )
            step = int(step_text)
            # An increment of 0 loops forever and one spanning the whole range selects a
            # single value, which is what Quartz-style parsers (and so AWS) reject.
            if not 1 <= step <= spec.high - spec.low:
                raise _fail(
                    expression,
                    f"{spec.name} field {raw!r}: the increment {step} in {term!r} must be "
                    f"1-{spec.high - spec.low}",
                )
        if body == "*":
            start, end = spec.low, spec.high
        elif "-" in body:
            first, _, last = body.partition("-")
            start = _field_value(expression, spec, raw, first)
            end = _field_value(expression, spec, raw, last)
            if start > end:
                raise _fail(
                    expression,
                    f"{spec.name} field {raw!r}: range {body!r} runs backwards "
                    "(write it as two ranges in a list instead)",
                )
        else:
            start = _field_value(expression, spec, raw, body)
            # "a/s" means from a to the end of the range in steps of s.
            end = spec.high if slash else start
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _parse_day_of_month(expression: str, raw: str) -> _DaySpec | None:
    """Parse the day-of-month field; None means ``?``."""
    upper = raw.upper()
    if upper == "?":
        return None
    if upper == "*":
        return _DaySpec("all")
    if upper == "L":
        return _DaySpec("last_day")
    if upper == "LW":
        return _DaySpec("last_weekday")
    nearest = re.fullmatch(r"([0-9]+)W", upper)
    if nearest:
        day = _field_value(expression, _DAY_OF_MONTH, raw, nearest.group(1))
        return _DaySpec("nearest_weekday", n=day)
    if "L" in upper or "W" in upper:
        # Quartz (whose syntax AWS uses) only supports L, LW and nW as the whole field.
        raise _fail(
            expression,
            f"day-of-month field {raw!r}: L, LW and nW (e.g. 15W) must be used on their own, "
            "not in lists or ranges",
        )
    if "#" in upper:
        raise _fail(expression, f"day-of-month field {raw!r}: '#' is only allowed in day-of-week")
    return _DaySpec("month_days", _parse_values(expression, _DAY_OF_MONTH, raw))


def _parse_day_of_week(expression: str, raw: str) -> _DaySpec | None:
    """Parse the day-of-week field; None means ``?``."""
    upper = raw.upper()
    if upper == "?":
        return None
    if upper == "*":
        return _DaySpec("all")
    if upper == "L":
        # On its own, L in day-of-week is the last day of the week: Saturday.
        return _DaySpec("week_days", frozenset({7}))
    last = re.fullmatch(r"([0-9]+|[A-Z]{3})L", upper)
    if last:
        day = _field_value(expression, _DAY_OF_WEEK, raw, last.group(1))
        return _DaySpec("last_of", frozenset({day}))
    nth = re.fullmatch(r"([0-9]+|[A-Z]{3})#([0-9]+)", upper)
    if nth:
        day = _field_value(expression, _DAY_OF_WEEK, raw, nth.group(1))
        n = int(nth.group(2))
        if not 1 <= n <= 5:
            raise _fail(
                expression,
                f"day-of-week field {raw!r}: the week after '#' must be 1-5 "
                f"(a month has at most five of each weekday), got {n}",
            )
        return _DaySpec("nth", frozenset({day}), n)
    if "#" in upper:
        # EventBridge's cron reference: with '#' only one expression is allowed
        # ("3#1,6#3" is invalid).
        raise _fail(
            expression,
            f"day-of-week field {raw!r}: use one day#week (e.g. TUE#2) on its own, "
            "not in a list or range",
        )
    if "L" in upper:
        raise _fail(
            expression,
            f"day-of-week field {raw!r}: L must be used on its own or as dayL (e.g. FRIL or 6L)",
        )
    if re.search(r"W(?!ED)", upper):
        raise _fail(expression, f"day-of-week field {raw!r}: 'W' is only allowed in day-of-month")
    return _DaySpec("week_days", _parse_values(expression, _DAY_OF_WEEK, raw))


def _parse_cron(expression: str, body: str) -> _Cron:
    """Parse and validate the inside of ``cron(...)``."""
    fields = body.split()
    has_seconds = len(fields) == 7
    if len(fields) not in (6, 7):
        raise _fail(
            expression,
            "expected 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), "
            f"got {len(fields)}",
        )
    seconds: frozenset[int] = frozenset({0})
    if has_seconds:
        seconds_raw = fields.pop(0)
        _reject_question_mark(expression, _SECONDS, seconds_raw)
        seconds = _parse_values(expression, _SECONDS, seconds_raw)
        if 0 in seconds:
            # The reference: maintenance windows accept a Seconds field, "Zero (0) is not
            # supported in the seconds field".
            raise _fail(
                expression,
                f"seconds field {seconds_raw!r}: with 7 fields the first is Seconds, and "
                "maintenance windows don't support second 0; use 6 fields (Minutes Hours "
                "Day-of-month Month Day-of-week Year) to run on the minute",
            )
    minute_raw, hour_raw, dom_raw, month_raw, dow_raw, year_raw = fields
    plain_fields = (
        (_MINUTES, minute_raw),
        (_HOURS, hour_raw),
        (_MONTH, month_raw),
        (_YEAR, year_raw),
    )
    for spec, raw in plain_fields:
        _reject_question_mark(expression, spec, raw)
    minutes = _parse_values(expression, _MINUTES, minute_raw)
    hours = _parse_values(expression, _HOURS, hour_raw)
    day_of_month = _parse_day_of_month(expression, dom_raw)
    months = _parse_values(expression, _MONTH, month_raw)
    day_of_week = _parse_day_of_week(expression, dow_raw)
    years = _parse_values(expression, _YEAR, year_raw)
    if day_of_month is None and day_of_week is None:
        raise _fail(expression, "only one of day-of-month and day-of-week may be '?'")
    if day_of_month is not None and day_of_week is not None:
        raise _fail(
            expression,
            f"one of day-of-month ({dom_raw!r}) and day-of-week ({dow_raw!r}) must be '?'; "
            "SSM can't combine the two",
        )
    days = day_of_month if day_of_month is not None else day_of_week
    assert days is not None  # one of the two is set, checked just above
    cron = _Cron(
        text=expression,
        fields=tuple(fields),
        seconds=tuple(sorted(seconds)),
        minutes=tuple(sorted(minutes)),
        hours=tuple(sorted(hours)),
        months=tuple(sorted(months)),
        years=years,
        days=days,
        has_seconds=has_seconds,
    )
    _check_min_interval(cron)
    return cron


def _reject_question_mark(expression: str, spec: _FieldSpec, raw: str) -> None:
    """Raise a clear error when ``?`` is used outside the two day fields."""
    if "?" in raw:
        raise _fail(
            expression,
            f"{spec.name} field {raw!r}: '?' is only allowed in day-of-month or day-of-week",
        )


def _check_min_interval(cron: _Cron) -> None:
    """Reject cron expressions that can run twice within five minutes."""
    offsets = [h * 3600 + m * 60 + s for h, m, s in cron.times]
    limit = _MIN_CRON_INTERVAL.total_seconds()
    too_fast = any(b - a < limit for a, b in pairwise(offsets))
    # The last run of one day and the first of the next only matter when the schedule
    # can run on two consecutive days; checking a 29-year span covers the calendar.
    if not too_fast and offsets[0] + 86400 - offsets[-1] < limit:
        start = datetime(max(min(cron.years), 2000), 1, 1)
        previous: date | None = None
        for day in _matching_days(cron, start.date()):
            if day.year > start.year + 28:
                break
            if previous is not None and day - previous == timedelta(days=1):
                too_fast = True
                break
            previous = day
    if too_fast:
        raise _fail(
            cron.text,
            "runs more often than every 5 minutes, which SSM doesn't support for cron expressions",
        )


#: The longest rate interval taken (see the module docstring).
_MAX_RATE_DAYS = 3650


def _parse_rate(expression: str, body: str) -> _Rate:
    """Parse and validate the inside of ``rate(...)``."""
    parts = body.split()
    if len(parts) != 2:
        raise _fail(expression, "a rate expression needs a value and a unit, e.g. rate(6 hours)")
    value_text, unit = parts
    if not re.fullmatch(r"[0-9]+", value_text):
        raise _fail(expression, f"rate value {value_text!r} must be a positive whole number")
    # Cut before int(): Python refuses to convert over 4300 digits (ValueError).
    value = int(value_text) if len(value_text) <= 12 else 10**12
    if value < 1:
        raise _fail(expression, f"rate value must be a positive whole number, got {value}")
    singular = unit.removesuffix("s")
    if singular not in ("minute", "hour", "day"):
        raise _fail(
            expression,
            f"rate unit {unit!r} must be minute(s), hour(s) or day(s)",
        )
    most = _MAX_RATE_DAYS * {"minute": 24 * 60, "hour": 24, "day": 1}[singular]
    if value > most:
        raise _fail(
            expression,
            f"rate value must be at most {most} {singular}s"
            + (f" ({_MAX_RATE_DAYS} days)" if singular != "day" else "")
            + f", got {value_text}",
        )
    if value == 1 and unit != singular:
        raise _fail(expression, f"use the singular unit with 1: rate(1 {singular})")
    if value > 1 and unit == singular:
        raise _fail(expression, f"use the plural unit with {value}: rate({value} {singular}s)")
    return _Rate(expression, value, singular)


def _parse_at(expression: str, body: str) -> _At:
    """Parse and validate the inside of ``at(...)``."""
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})", body)
    if not match:
        raise _fail(expression, "a single-run schedule must look like at(2026-07-07T15:55:00)")
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        when = datetime(year, month, day, hour, minute, second)
    except ValueError as error:
        raise _fail(expression, f"not a real date and time: {error}") from None
    return _At(expression, when)


@functools.lru_cache(maxsize=512)
def _parse(expression: str) -> _Parsed:
    """Parse any maintenance-window schedule expression, raising ScheduleError if invalid."""
    if not isinstance(expression, str):
        raise ScheduleError(f"a schedule must be a string, got {type(expression).__name__}")
    if len(expression) > _MAX_SCHEDULE_LENGTH:
        raise _fail(expression, f"longer than {_MAX_SCHEDULE_LENGTH} characters")
    match = re.fullmatch(r"(cron|rate|at)\((.*)\)", expression, re.DOTALL)
    if not match:
        raise _fail(
            expression,
            "a schedule must look like cron(00 03 ? * TUE#1 *), rate(6 hours) "
            "or at(2026-07-07T15:55:00)",
        )
    kind, body = match.groups()
    if kind == "cron":
        return _parse_cron(expression, body)
    if kind == "rate":
        return _parse_rate(expression, body)
    return _parse_at(expression, body)


def validate_expression(expression: str) -> None:
    """Raise ScheduleError naming what is wrong if SSM would reject this window schedule.

    Accepts ``cron(...)`` (six fields, or seven with a leading non-zero seconds field),
    ``rate(value unit)`` and ``at(yyyy-mm-ddThh:mm:ss)`` as described in the module
    docstring; returns None when the expression is valid.
    """
    _parse(expression)


# --------------------------------------------------------------------------- time zones


@functools.lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    """All IANA zone names tzdata knows (cached: listing them walks the package)."""
    return frozenset(available_timezones())


def validate_timezone(name: str) -> str:
    """Check an IANA time zone name against tzdata and return it unchanged.

    Raises ScheduleError with close matches (by spelling, or the same name in another
    letter case) when the name is unknown.
    """
    zones = _zone_names()
    if name in zones:
        return name
    by_case = {zone.lower(): zone for zone in zones}
    suggestions: list[str] = []
    if name.strip().lower() in by_case:
        suggestions.append(by_case[name.strip().lower()])
    suggestions += [
        zone
        for zone in difflib.get_close_matches(name, sorted(zones), n=3, cutoff=0.6)
        if zone not in suggestions
    ]
    hint = (
        f"did you mean {_join(suggestions, 'or')}?"
        if suggestions
        else "use an IANA name such as Europe/London or America/New_York"
    )
    raise ScheduleError(f"unknown time zone {name!r}: {hint}")


def _zone(timezone: str | None) -> tzinfo:
    """Return the tzinfo for a schedule time zone; SSM uses UTC when none is set."""
    if timezone is None:
        return UTC
    return ZoneInfo(validate_timezone(timezone))


# --------------------------------------------------------------------------- occurrences


def _matching_days(cron: _Cron, start: date) -> Iterator[date]:
    """Yield the days on or after ``start`` the cron's day, month and year fields select."""
    years = cron.years
    last_year = max(years)
    if start.year > last_year:
        return
    days = cron.days
    rule_args: dict[str, object] = {}
    if days.kind == "all":
        rule_args["bymonthday"] = tuple(range(1, 32))
    elif days.kind == "month_days":
        rule_args["bymonthday"] = tuple(sorted(days.values))
    elif days.kind == "last_day":
        rule_args["bymonthday"] = -1
    elif days.kind == "last_weekday":
        # The last Monday-to-Friday day of the month.
        rule_args["byweekday"] = _RRULE_DAYS[1:6]
        rule_args["bysetpos"] = -1
    elif days.kind == "week_days":
        rule_args["byweekday"] = tuple(_RRULE_DAYS[value - 1] for value in sorted(days.values))
    elif days.kind == "last_of":
        (value,) = days.values
        rule_args["byweekday"] = _RRULE_DAYS[value - 1](-1)
    elif days.kind == "nth":
        (value,) = days.values
        rule_args["byweekday"] = _RRULE_DAYS[value - 1](days.n)
    elif days.kind == "nearest_weekday":
        # rrule has no "nearest weekday"; walk the months and compute it.
        rule_args["bymonthday"] = 1
    # An until bound makes rules that can never match (30 FEB) terminate.
    rule = rr.rrule(
        rr.MONTHLY,
        dtstart=datetime(start.year, start.month, 1),
        until=datetime(last_year, 12, 31),
        bymonth=cron.months,
        cache=False,
        **rule_args,  # type: ignore[arg-type]
    )
    for moment in rule:
        if moment.year not in years:
            continue
        day = moment.date()
        if days.kind == "nearest_weekday":
            found = _nearest_weekday(day.year, day.month, days.n)
            if found is None:
                continue
            day = found
        if day >= start:
            yield day


def _nearest_weekday(year: int, month: int, target: int) -> date | None:
    """Return the Monday-Friday day nearest ``target`` within the month (cron ``nW``).

    Like Quartz, the result never leaves the month: 1W on a Saturday is Monday the 3rd.
    Months shorter than ``target`` have no such day, as with a plain day number.
    """
    length = calendar.monthrange(year, month)[1]
    if target > length:
        return None
    day = date(year, month, target)
    weekday = day.weekday()  # Monday is 0
    if weekday == 5:  # Saturday: Friday before, unless that is last month
        return day - timedelta(days=1) if target > 1 else day + timedelta(days=2)
    if weekday == 6:  # Sunday: Monday after, unless that is next month
        return day + timedelta(days=1) if target < length else day - timedelta(days=2)
    return day


def _local_candidates(cron: _Cron, start: datetime) -> Iterator[datetime]:
    """Yield the naive local wall times the cron selects, in order, at or after ``start``."""
    for day in _matching_days(cron, start.date()):
        for hour, minute, second in cron.times:
            moment = datetime(day.year, day.month, day.day, hour, minute, second)
            if moment >= start:
                yield moment


def _instant(local: datetime, zone: tzinfo) -> datetime:
    """Return the UTC instant of a naive wall time in ``zone``.

    fold=0 (PEP 495): a time repeated by a backward clock change is taken at its first
    occurrence; a time skipped by a forward change is moved later by the gap's length.
    """
    return local.replace(tzinfo=zone).astimezone(UTC)


def _cron_runs(
    cron: _Cron, zone: tzinfo, after: datetime, count: int, offset_days: int
) -> list[datetime]:
    """Return the next ``count`` run instants (UTC) of a cron schedule after ``after``."""
    offset = timedelta(days=offset_days)
    # Start early: a wall time just before `after` can map to a later instant (gap).
    start = after.astimezone(zone).replace(tzinfo=None) - _GAP_SLACK
    runs: set[datetime] = set()
    stop_after: datetime | None = None
    for base in _local_candidates(cron, start):
        if stop_after is not None and base > stop_after:
            break
        # The reference: an occurrence that already passed is not run even if its
        # offset date is still ahead, so the base occurrence must be after `after`.
        if _instant(base, zone) <= after:
            continue
        runs.add(_instant(base + offset, zone))
        if stop_after is None and len(runs) >= count:
            # Later wall times could still land earlier than this one via a gap shift;
            # look a little further before settling.
            stop_after = base + _GAP_SLACK
    return sorted(runs)[:count]


def next_runs(
    expression: str,
    timezone: str | None,
    count: int = 3,
    after: datetime | None = None,
    offset_days: int = 0,
) -> list[datetime]:
    """Return the next ``count`` start times strictly after ``after`` (default: now).

    Times are timezone-aware, in the schedule's time zone (UTC when ``timezone`` is
    None, as SSM does). Cron expressions are evaluated on the local wall clock of that
    zone; a wall time that a clock change skips is moved later by the gap, and one that
    happens twice is taken once, at its first occurrence (see ``schedule_warnings``).
    Rate expressions are counted from ``after``; ``at(...)`` runs once.
    ``offset_days`` (SSM's ScheduleOffset, 1-6, cron only) moves each cron occurrence
    that falls after ``after`` that many days later on the wall clock. Fewer than
    ``count`` times are returned only when the schedule ends.
    """
    parsed = _parse(expression)
    zone = _zone(timezone)
    if after is None:
        after = datetime.now(UTC)
    elif after.tzinfo is None or after.utcoffset() is None:
        raise ScheduleError("after must be a timezone-aware datetime")
    if count < 0:
        raise ScheduleError(f"count must be 0 or more, got {count}")
    if offset_days and not isinstance(parsed, _Cron):
        raise _fail(expression, "a schedule offset can only be used with cron expressions")
    if not 0 <= offset_days <= _MAX_OFFSET_DAYS:
        raise ScheduleError(
            f"schedule offset must be 1-{_MAX_OFFSET_DAYS} days (or 0 for none), got {offset_days}"
        )
    if count == 0:
        return []
    if isinstance(parsed, _Rate):
        runs = [after + parsed.interval * k for k in range(1, count + 1)]
    elif isinstance(parsed, _At):
        instant = _instant(parsed.when, zone)
        runs = [instant] if instant > after else []
    else:
        runs = _cron_runs(parsed, zone, after, count, offset_days)
    return [run.astimezone(zone) for run in runs]


# --------------------------------------------------------------------------- warnings


@dataclass(frozen=True)
class _Transition:
    """One clock change: the first instant (UTC) of the new offset, and both offsets."""

    at: datetime
    before: timedelta
    after: timedelta

    @property
    def window(self) -> tuple[datetime, datetime]:
        """The naive local wall times that are skipped (gap) or repeated (overlap)."""
        utc = self.at.replace(tzinfo=None)
        low, high = sorted((utc + self.before, utc + self.after))
        return low, high


def _offset_at(instant: datetime, zone: tzinfo) -> timedelta:
    """Return the zone's UTC offset at a UTC instant."""
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None  # an aware datetime always has one
    return offset


@functools.lru_cache(maxsize=64)
def _transitions(zone: tzinfo, start: datetime, end: datetime) -> tuple[_Transition, ...]:
    """Find the clock changes of ``zone`` between two UTC instants.

    Cached: a run asks the same for every window in the same zone.
    """
    if isinstance(zone, FixedOffset):
        return ()  # a fixed offset (UTC when no zone is set) never changes
    found: list[_Transition] = []
    low = start
    low_offset = _offset_at(low, zone)
    while low < end:
        high = min(low + timedelta(days=1), end)
        high_offset = _offset_at(high, zone)
        if high_offset != low_offset:
            # Bisect to the second: zoneinfo doesn't expose its transition list.
            a, b = low, high
            while b - a > timedelta(seconds=1):
                middle = a + (b - a) / 2
                if _offset_at(middle, zone) == low_offset:
                    a = middle
                else:
                    b = middle
            found.append(_Transition(b.replace(microsecond=0), low_offset, high_offset))
        low, low_offset = high, high_offset
    return tuple(found)


def _clock(moment: datetime, with_seconds: bool) -> str:
    """Format a wall time as HH:MM (HH:MM:SS when the schedule uses seconds)."""
    return moment.strftime("%H:%M:%S" if with_seconds else "%H:%M")


def _times_phrase(moments: Sequence[datetime], with_seconds: bool) -> str:
    """Return "local time 02:30" or "local times 02:00, 02:05 and 10 more"."""
    shown = [_clock(moment, with_seconds) for moment in moments[:3]]
    if len(moments) == 1:
        return f"local time {shown[0]}"
    if len(moments) > 3:
        return f"local times {', '.join(shown)} and {len(moments) - 3} more"
    return f"local times {_join(shown)}"


def _dst_warnings(
    cron: _Cron, zone: tzinfo, zone_name: str, after: datetime, end: datetime
) -> list[str]:
    """Warn about occurrences that fall in a clock-change gap or overlap before ``end``."""
    warnings: list[str] = []
    for change in _transitions(zone, after, end):
        low, high = change.window
        hits = list(_take_before(_local_candidates(cron, low), high))
        aware = [moment.replace(tzinfo=zone) for moment in hits]
        if change.after > change.before:
            skipped = [m for m, a in zip(hits, aware, strict=True) if not dtz.datetime_exists(a)]
            if skipped:
                warnings.append(
                    f"{cron.text}: {_times_phrase(skipped, cron.has_seconds)} on "
                    f"{skipped[0]:%Y-%m-%d} {'does' if len(skipped) == 1 else 'do'} not exist "
                    f"in {zone_name} "
                    f"(daylight-saving gap: clocks jump from {low:%H:%M} to {high:%H:%M})"
                )
        else:
            repeated = [m for m, a in zip(hits, aware, strict=True) if dtz.datetime_ambiguous(a)]
            if repeated:
                warnings.append(
                    f"{cron.text}: {_times_phrase(repeated, cron.has_seconds)} on "
                    f"{repeated[0]:%Y-%m-%d} {'happens' if len(repeated) == 1 else 'happen'} twice "
                    f"in {zone_name} "
                    f"(daylight-saving overlap: clocks go back from {high:%H:%M} to {low:%H:%M})"
                )
    return warnings


def _take_before(moments: Iterator[datetime], limit: datetime) -> Iterator[datetime]:
    """Yield items of an ordered iterator while they are before ``limit``."""
    for moment in moments:
        if moment >= limit:
            return
        yield moment


def _skip_reason(cron: _Cron) -> str | None:
    """Name what a month needs for this schedule to run in it, when that is simple."""
    days = cron.days
    if days.kind == "nth":
        (value,) = days.values
        return f"a {_ORDINAL_WORDS[days.n]} {_FULL_DAY_NAMES[value - 1]}"
    if days.kind == "month_days" and min(days.values) > 28:
        return f"a {_ordinal(min(days.values))} day"
    if days.kind == "nearest_weekday" and days.n > 28:
        return f"a {_ordinal(days.n)} day"
    return None


def _month_warning(cron: _Cron, after_local: datetime) -> str | None:
    """Warn when the schedule misses some of the next 12 months it would otherwise run in."""
    year, month = after_local.year, after_local.month
    named = 0
    running = 0
    for _ in range(12):
        if month in cron.months and year in cron.years:
            named += 1
            first = date(year, month, 1)
            found = next(_matching_days(cron, first), None)
            if found is not None and (found.year, found.month) == (year, month):
                running += 1
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if running == named:
        return None
    if named == 12:
        scope = "of the next 12 months"
    else:
        scope = f"of the {named} months it names in the next 12"
    reason = _skip_reason(cron)
    if reason is not None:
        return f"{cron.text} runs only in months with {reason}: {running} {scope}"
    return f"{cron.text} skips some months: it runs in {running} {scope}"


def schedule_warnings(
    expression: str,
    timezone: str | None,
    after: datetime | None = None,
    horizon_days: int = 366,
) -> list[str]:
    """Return one-line warnings an operator should read before creating the window.

    * The schedule skips months (e.g. ``TUE#5`` runs only in months with a fifth
      Tuesday), counted over the 12 calendar months starting with the month of
      ``after``, or never runs again.
    * An occurrence within ``horizon_days`` of ``after`` falls in a daylight-saving
      gap (a local time that doesn't exist) or overlap (a local time that happens
      twice), naming the date, time and zone.

    Rate expressions have no warnings: they don't follow the local clock.
    """
    parsed = _parse(expression)
    zone = _zone(timezone)
    zone_name = timezone if timezone is not None else "UTC"
    if after is None:
        after = datetime.now(UTC)
    elif after.tzinfo is None or after.utcoffset() is None:
        raise ScheduleError("after must be a timezone-aware datetime")
    end = after + timedelta(days=horizon_days)
    if isinstance(parsed, _Rate):
        return []
    if isinstance(parsed, _At):
        aware = parsed.when.replace(tzinfo=zone)
        if not dtz.datetime_exists(aware):
            return [
                f"{expression}: {parsed.when:%H:%M:%S} on {parsed.when:%Y-%m-%d} does not "
                f"exist in {zone_name} (daylight-saving gap)"
            ]
        if dtz.datetime_ambiguous(aware):
            return [
                f"{expression}: {parsed.when:%H:%M:%S} on {parsed.when:%Y-%m-%d} happens "
                f"twice in {zone_name} (daylight-saving overlap)"
            ]
        return []
    warnings: list[str] = []
    if not next_runs(expression, timezone, count=1, after=after):
        local = after.astimezone(zone)
        return [f"{expression} never runs after {local:%Y-%m-%d %H:%M} {zone_name}"]
    month_warning = _month_warning(parsed, after.astimezone(zone))
    if month_warning is not None:
        warnings.append(month_warning)
    warnings.extend(_dst_warnings(parsed, zone, zone_name, after, end))
    return warnings


# --------------------------------------------------------------------------- describe


def _join(items: Sequence[str], word: str = "and") -> str:
    """Join words as "a", "a and b" or "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def _ordinal(number: int) -> str:
    """Return 1st, 2nd, 3rd, 4th, 11th, 21st..."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _steps(values: Sequence[int]) -> int | None:
    """Return the common difference of an evenly spaced sequence of 2+ values, else None."""
    if len(values) < 2:
        return None
    step = values[1] - values[0]
    if all(b - a == step for a, b in pairwise(values)):
        return step
    return None


def _describe_times(cron: _Cron) -> tuple[str, bool]:
    """Describe the times of day; the flag says whether the phrase repeats within a day."""
    times = cron.times
    if len(times) <= 4:
        clocks = [
            f"{h:02d}:{m:02d}:{s:02d}" if cron.has_seconds else f"{h:02d}:{m:02d}"
            for h, m, s in times
        ]
        return _join(clocks), False
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
    names = [_FULL_DAY_NAMES[value - 1] for value in ordered]
    if len(ordered) >= 3 and _steps(ordered) == 1:
        return f"{names[0]} through {names[-1]}"
    return _join(names)


def _describe_days(cron: _Cron, repeating: bool) -> str:
    """Describe the day, month and year fields."""
    months = cron.months
    all_months = len(months) == 12
    month_names = _join([calendar.month_name[m] for m in months])
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
            phrase = f"on the {_ORDINAL_WORDS[days.n]} {_FULL_DAY_NAMES[value - 1]} {of_months}"
        elif days.kind == "last_of":
            (value,) = days.values
            phrase = f"on the last {_FULL_DAY_NAMES[value - 1]} {of_months}"
        elif days.kind == "last_day":
            phrase = f"on the last day {of_months}"
        elif days.kind == "last_weekday":
            phrase = f"on the last weekday {of_months}"
        elif days.kind == "nearest_weekday":
            phrase = f"on the weekday nearest day {days.n} {of_months}"
        else:
            ordered = sorted(days.values)
            label = "day" if len(ordered) == 1 else "days"
            listed = _join([str(value) for value in ordered])
            if len(ordered) > 4 and _steps(ordered) == 1:
                listed = f"{ordered[0]} through {ordered[-1]}"
            phrase = f"on {label} {listed} {of_months}"
    if not monthly and not all_months:
        phrase = f"{phrase} in {month_names}".strip()
    if len(cron.years) != _YEAR_MAX - _YEAR_MIN + 1:
        years = sorted(cron.years)
        year_text = _join([str(y) for y in years]) if len(years) <= 3 else cron.fields[5]
        phrase = f"{phrase} in {year_text}".strip()
    return phrase


def describe(expression: str, timezone: str | None = None) -> str:
    """Describe a schedule in plain words.

    E.g. "03:00 on the first Tuesday of every month (Europe/London)", "every 6 hours",
    "09:00 every day (UTC)". The time zone is appended when one is given; rate
    expressions don't depend on it. Complex cron expressions get a generic description.
    """
    parsed = _parse(expression)
    suffix = f" ({validate_timezone(timezone)})" if timezone is not None else ""
    if isinstance(parsed, _Rate):
        if parsed.value == 1:
            return f"every {parsed.unit}"
        return f"every {parsed.value} {parsed.unit}s"
    if isinstance(parsed, _At):
        return f"once, at {parsed.when:%Y-%m-%d %H:%M:%S}{suffix}"
    times, repeating = _describe_times(parsed)
    days = _describe_days(parsed, repeating)
    text = f"{times} {days}".strip()
    return f"{text}{suffix}"
