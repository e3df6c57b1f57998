"""Cron expressions: parsing and validating the fields of ``cron(...)``.

Pure. The rules of the AWS Systems Manager reference "Cron and rate expressions for
Systems Manager" for maintenance-window cron schedules:

* ``cron(Minutes Hours Day-of-month Month Day-of-week Year)``: six fields separated by
  spaces. Maintenance windows also accept a leading seventh ``Seconds`` field, but not
  the value 0 in it.
* Values: Minutes 0-59, Hours 0-23, Day-of-month 1-31, Month 1-12 or JAN-DEC,
  Day-of-week 1-7 or SUN-SAT (1 is Sunday), Year 1970-2199.
* Wildcards ``, - * /`` in every field, ``? L W`` in Day-of-month, ``? L #`` in
  Day-of-week (``/`` is listed for Day-of-week too). One of Day-of-month and
  Day-of-week must be ``?``, never both.
* Cron expressions that lead to rates faster than five minutes are not supported
  (checked by :func:`patchsetup.schedule.occurrences.check_min_interval`, which needs
  the calendar).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from patchsetup.schedule.errors import fail
from patchsetup.schedule.names import DAY_NAMES, MONTH_NAMES

YEAR_MIN = 1970
YEAR_MAX = 2199


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
    {name: index + 1 for index, name in enumerate(MONTH_NAMES)},
    "a number 1-12 or a name JAN-DEC",
)
_DAY_OF_WEEK = _FieldSpec(
    "day-of-week",
    1,
    7,
    {name: index + 1 for index, name in enumerate(DAY_NAMES)},
    "a number 1-7 (1 is SUN) or a name SUN-SAT",
)
_YEAR = _FieldSpec("year", YEAR_MIN, YEAR_MAX, {}, f"a year {YEAR_MIN}-{YEAR_MAX}")


@dataclass(frozen=True)
class DaySpec:
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
class Cron:
    """A parsed, validated cron expression."""

    text: str
    fields: tuple[str, ...]  # Minutes .. Year as written (without seconds)
    seconds: tuple[int, ...]
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    months: tuple[int, ...]
    years: frozenset[int]
    days: DaySpec
    has_seconds: bool

    @functools.cached_property
    def times(self) -> tuple[tuple[int, int, int], ...]:
        """All (hour, minute, second) times of day, in order."""
        return tuple((h, m, s) for h in self.hours for m in self.minutes for s in self.seconds)


def _field_value(expression: str, spec: _FieldSpec, raw: str, token: str) -> int:
    """Convert one number or name of a cron field, checking its range."""
    upper = token.upper()
    if re.fullmatch(r"[0-9]+", token):
        value = int(token)
        if not spec.low <= value <= spec.high:
            extra = " (1 is SUN, 7 is SAT)" if spec is _DAY_OF_WEEK else ""
            raise fail(
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
        raise fail(
            expression,
            f"{spec.name} field {raw!r}: {token!r} is only allowed in {where}, and only on its own",
        )
    raise fail(expression, f"{spec.name} field {raw!r}: {token!r} is not {spec.hint}")


def _parse_values(expression: str, spec: _FieldSpec, raw: str) -> frozenset[int]:
    """Expand a cron field made of ``, - * /`` terms into the set of values it selects."""
    values: set[int] = set()
    for term in raw.split(","):
        if not term:
            raise fail(expression, f"{spec.name} field {raw!r} has an empty list item")
        body, slash, step_text = term.partition("/")
        step = 1
        if slash:
            if not re.fullmatch(r"[0-9]+", step_text):
                raise fail(
                    expression,
                    f"{spec.name} field {raw!r}: the increment after '/' in {term!r} "
                    "must be a whole number",
                )
            step = int(step_text)
            # An increment of 0 loops forever and one spanning the whole range selects a
            # single value, which is what Quartz-style parsers (and so AWS) reject.
            if not 1 <= step <= spec.high - spec.low:
                raise fail(
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
                raise fail(
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


def _parse_day_of_month(expression: str, raw: str) -> DaySpec | None:
    """Parse the day-of-month field; None means ``?``."""
    upper = raw.upper()
    if upper == "?":
        return None
    if upper == "*":
        return DaySpec("all")
    if upper == "L":
        return DaySpec("last_day")
    if upper == "LW":
        return DaySpec("last_weekday")
    nearest = re.fullmatch(r"([0-9]+)W", upper)
    if nearest:
        day = _field_value(expression, _DAY_OF_MONTH, raw, nearest.group(1))
        return DaySpec("nearest_weekday", n=day)
    if "L" in upper or "W" in upper:
        # Quartz (whose syntax AWS uses) only supports L, LW and nW as the whole field.
        raise fail(
            expression,
            f"day-of-month field {raw!r}: L, LW and nW (e.g. 15W) must be used on their own, "
            "not in lists or ranges",
        )
    if "#" in upper:
        raise fail(expression, f"day-of-month field {raw!r}: '#' is only allowed in day-of-week")
    return DaySpec("month_days", _parse_values(expression, _DAY_OF_MONTH, raw))


def _parse_day_of_week(expression: str, raw: str) -> DaySpec | None:
    """Parse the day-of-week field; None means ``?``."""
    upper = raw.upper()
    if upper == "?":
        return None
    if upper == "*":
        return DaySpec("all")
    if upper == "L":
        # On its own, L in day-of-week is the last day of the week: Saturday.
        return DaySpec("week_days", frozenset({7}))
    last = re.fullmatch(r"([0-9]+|[A-Z]{3})L", upper)
    if last:
        day = _field_value(expression, _DAY_OF_WEEK, raw, last.group(1))
        return DaySpec("last_of", frozenset({day}))
    nth = re.fullmatch(r"([0-9]+|[A-Z]{3})#([0-9]+)", upper)
    if nth:
        day = _field_value(expression, _DAY_OF_WEEK, raw, nth.group(1))
        n = int(nth.group(2))
        if not 1 <= n <= 5:
            raise fail(
                expression,
                f"day-of-week field {raw!r}: the week after '#' must be 1-5 "
                f"(a month has at most five of each weekday), got {n}",
            )
        return DaySpec("nth", frozenset({day}), n)
    if "#" in upper:
        # EventBridge's cron reference: with '#' only one expression is allowed
        # ("3#1,6#3" is invalid).
        raise fail(
            expression,
            f"day-of-week field {raw!r}: use one day#week (e.g. TUE#2) on its own, "
            "not in a list or range",
        )
    if "L" in upper:
        raise fail(
            expression,
            f"day-of-week field {raw!r}: L must be used on its own or as dayL (e.g. FRIL or 6L)",
        )
    if re.search(r"W(?!ED)", upper):
        raise fail(expression, f"day-of-week field {raw!r}: 'W' is only allowed in day-of-month")
    return DaySpec("week_days", _parse_values(expression, _DAY_OF_WEEK, raw))


def parse_cron(expression: str, body: str) -> Cron:
    """Parse and validate the inside of ``cron(...)``."""
    fields = body.split()
    has_seconds = len(fields) == 7
    if len(fields) not in (6, 7):
        raise fail(
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
            raise fail(
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
        raise fail(expression, "only one of day-of-month and day-of-week may be '?'")
    if day_of_month is not None and day_of_week is not None:
        raise fail(
            expression,
            f"one of day-of-month ({dom_raw!r}) and day-of-week ({dow_raw!r}) must be '?'; "
            "SSM can't combine the two",
        )
    days = day_of_month if day_of_month is not None else day_of_week
    assert days is not None  # one of the two is set, checked just above
    return Cron(
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


def _reject_question_mark(expression: str, spec: _FieldSpec, raw: str) -> None:
    """Raise a clear error when ``?`` is used outside the two day fields."""
    if "?" in raw:
        raise fail(
            expression,
            f"{spec.name} field {raw!r}: '?' is only allowed in day-of-month or day-of-week",
        )
