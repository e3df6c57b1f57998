"""A schedule expression: ``cron(...)``, ``rate(...)`` or ``at(...)``, parsed once.

Pure. :func:`parse` is the entry every other module uses (cached); the cron fields are
in :mod:`patchsetup.schedule.cron`. The rules of the AWS Systems Manager reference
"Cron and rate expressions for Systems Manager" for the other two kinds:

* ``rate(value unit)``: value a positive whole number; unit ``minute``, ``hour`` or
  ``day`` when the value is 1, ``minutes``, ``hours`` or ``days`` when it is greater.
  AWS documents no largest value; this tool refuses intervals over 3650 days (10 years,
  so at most ``rate(3650 days)``, ``rate(87600 hours)``, ``rate(5256000 minutes)``):
  no patch schedule needs more, and next-run dates stay computable.
* ``at(yyyy-mm-ddThh:mm:ss)``: a single run.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from patchsetup.schedule.cron import Cron, parse_cron
from patchsetup.schedule.errors import ScheduleError, fail
from patchsetup.schedule.occurrences import check_min_interval

# The CreateMaintenanceWindow API model limits Schedule to 1-256 characters.
_MAX_SCHEDULE_LENGTH = 256


@dataclass(frozen=True)
class Rate:
    """A parsed rate expression."""

    text: str
    value: int
    unit: str  # singular: minute, hour or day

    @property
    def interval(self) -> timedelta:
        """The time between two runs."""
        return timedelta(**{f"{self.unit}s": self.value})


@dataclass(frozen=True)
class At:
    """A parsed single-run ``at(...)`` expression (naive wall time)."""

    text: str
    when: datetime


Parsed = Cron | Rate | At


#: The longest rate interval taken (see the module docstring).
_MAX_RATE_DAYS = 3650


def _parse_rate(expression: str, body: str) -> Rate:
    """Parse and validate the inside of ``rate(...)``."""
    parts = body.split()
    if len(parts) != 2:
        raise fail(expression, "a rate expression needs a value and a unit, e.g. rate(6 hours)")
    value_text, unit = parts
    if not re.fullmatch(r"[0-9]+", value_text):
        raise fail(expression, f"rate value {value_text!r} must be a positive whole number")
    # Cut before int(): Python refuses to convert over 4300 digits (ValueError).
    value = int(value_text) if len(value_text) <= 12 else 10**12
    if value < 1:
        raise fail(expression, f"rate value must be a positive whole number, got {value}")
    singular = unit.removesuffix("s")
    if singular not in ("minute", "hour", "day"):
        raise fail(
            expression,
            f"rate unit {unit!r} must be minute(s), hour(s) or day(s)",
        )
    most = _MAX_RATE_DAYS * {"minute": 24 * 60, "hour": 24, "day": 1}[singular]
    if value > most:
        raise fail(
            expression,
            f"rate value must be at most {most} {singular}s"
            + (f" ({_MAX_RATE_DAYS} days)" if singular != "day" else "")
            + f", got {value_text}",
        )
    if value == 1 and unit != singular:
        raise fail(expression, f"use the singular unit with 1: rate(1 {singular})")
    if value > 1 and unit == singular:
        raise fail(expression, f"use the plural unit with {value}: rate({value} {singular}s)")
    return Rate(expression, value, singular)


def _parse_at(expression: str, body: str) -> At:
    """Parse and validate the inside of ``at(...)``."""
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})", body)
    if not match:
        raise fail(expression, "a single-run schedule must look like at(2026-07-07T15:55:00)")
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        when = datetime(year, month, day, hour, minute, second)
    except ValueError as error:
        raise fail(expression, f"not a real date and time: {error}") from None
    return At(expression, when)


@functools.lru_cache(maxsize=512)
def parse(expression: str) -> Parsed:
    """Parse any maintenance-window schedule expression, raising ScheduleError if invalid."""
    if not isinstance(expression, str):
        raise ScheduleError(f"a schedule must be a string, got {type(expression).__name__}")
    if len(expression) > _MAX_SCHEDULE_LENGTH:
        raise fail(expression, f"longer than {_MAX_SCHEDULE_LENGTH} characters")
    match = re.fullmatch(r"(cron|rate|at)\((.*)\)", expression, re.DOTALL)
    if not match:
        raise fail(
            expression,
            "a schedule must look like cron(00 03 ? * TUE#1 *), rate(6 hours) "
            "or at(2026-07-07T15:55:00)",
        )
    kind, body = match.groups()
    if kind == "cron":
        cron = parse_cron(expression, body)
        check_min_interval(cron)
        return cron
    if kind == "rate":
        return _parse_rate(expression, body)
    return _parse_at(expression, body)


def validate_expression(expression: str) -> None:
    """Raise ScheduleError naming what is wrong if SSM would reject this window schedule.

    Accepts ``cron(...)`` (six fields, or seven with a leading non-zero seconds field),
    ``rate(value unit)`` and ``at(yyyy-mm-ddThh:mm:ss)`` as described in the
    docstrings of this module and :mod:`patchsetup.schedule.cron`; returns None when
    the expression is valid.
    """
    parse(expression)
