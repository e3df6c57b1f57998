"""Request checks of the SSM stand-in, as the SSM API reference states them.

``validate_request`` checks a request against botocore's input shape (patterns, enums,
lengths, ranges) with AWS's "N validation error(s) detected: ..." message;
``validate_window`` and ``validate_task`` add the rules the shapes cannot say (schedule,
time zone, dates, Duration / Cutoff, Run Command targets). Gap 5 in the docstring of
tools/local_aws.py.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from functools import cache
from typing import Any

from .cron import ScheduleError, parse_iso, parse_schedule, validate_timezone
from .predefined import JSON, ssm_model
from .resources import validation_error

_UNICODE_CLASSES = {
    r"\p{L}": "a-zA-Z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u1fff"
    "\u3040-\u9fff\uac00-\ud7af\uf900-\ufaff\uff21-\uff3a\uff41-\uff5a",
    r"\p{Z}": " \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000",
    r"\p{N}": "0-9\u00b2\u00b3\u00b9\u00bc-\u00be\u0660-\u0669\u06f0-\u06f9\u0966-\u096f"
    "\uff10-\uff19",
}


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    for prop, chars in _UNICODE_CLASSES.items():
        pattern = pattern.replace(prop, chars)
    return re.compile(pattern)


def _check_input(value: Any, shape: Any, path: str, errors: list[str]) -> None:
    meta = shape.metadata
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value and value[name] is not None:
                sub = name[0].lower() + name[1:]
                _check_input(value[name], member, f"{path}.{sub}" if path else sub, errors)
        return
    if kind == "list" and isinstance(value, list):
        if "min" in meta and len(value) < meta["min"]:
            errors.append(
                f"Value at '{path}' failed to satisfy constraint: Member must have "
                f"length greater than or equal to {meta['min']}"
            )
        if "max" in meta and len(value) > meta["max"]:
            errors.append(
                f"Value at '{path}' failed to satisfy constraint: Member must have "
                f"length less than or equal to {meta['max']}"
            )
        for i, item in enumerate(value, 1):
            _check_input(item, shape.member, f"{path}.{i}.member", errors)
        return
    if kind == "map" and isinstance(value, dict):
        for k, v in value.items():
            _check_input(v, shape.value, f"{path}.{k}", errors)
        return
    shown = "***" if meta.get("sensitive") else value
    if kind == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            errors.append(
                f"Value '{shown}' at '{path}' failed to satisfy constraint: Member "
                f"must satisfy enum value set: [{', '.join(shape.enum)}]"
            )
        if "min" in meta and len(value) < meta["min"]:
            errors.append(
                f"Value '{shown}' at '{path}' failed to satisfy constraint: Member "
                f"must have length greater than or equal to {meta['min']}"
            )
        if "max" in meta and len(value) > meta["max"]:
            errors.append(
                f"Value '{shown}' at '{path}' failed to satisfy constraint: Member "
                f"must have length less than or equal to {meta['max']}"
            )
        if "pattern" in meta and not _pattern(meta["pattern"]).search(value):
            errors.append(
                f"Value '{shown}' at '{path}' failed to satisfy constraint: Member "
                f"must satisfy regular expression pattern: {meta['pattern']}"
            )
    elif kind in ("integer", "long") and isinstance(value, int):
        if "min" in meta and value < meta["min"]:
            errors.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: Member "
                f"must have value greater than or equal to {meta['min']}"
            )
        if "max" in meta and value > meta["max"]:
            errors.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: Member "
                f"must have value less than or equal to {meta['max']}"
            )


def validate_request(operation: str, params: JSON) -> None:
    """Raise ValidationException the way AWS does for constraint violations."""
    errors: list[str] = []
    _check_input(params, ssm_model().operation_model(operation).input_shape, "", errors)
    if errors:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        raise validation_error(f"{count} validation {noun} detected: " + "; ".join(errors))


def validate_window(p: JSON) -> None:
    try:
        schedule = parse_schedule(p["Schedule"])
        if p.get("ScheduleTimezone") is not None:
            validate_timezone(p["ScheduleTimezone"])
        start = parse_iso(p["StartDate"], "StartDate") if p.get("StartDate") else None
        end = parse_iso(p["EndDate"], "EndDate") if p.get("EndDate") else None
    except ScheduleError as exc:
        raise validation_error(str(exc)) from None
    if p.get("ScheduleOffset") is not None and not p["Schedule"].startswith("cron("):
        raise validation_error("ScheduleOffset is only supported with cron expressions.")
    del schedule
    if start and end:
        # Without an offset a date is in the window's zone, as NextExecutionTime reads it.
        zone = p.get("ScheduleTimezone")
        tz: dt.tzinfo = zoneinfo.ZoneInfo(zone) if zone else dt.UTC
        s = start if start.tzinfo else start.replace(tzinfo=tz)
        e = end if end.tzinfo else end.replace(tzinfo=tz)
        if e <= s:
            raise validation_error("EndDate must be later than StartDate.")
    if not 1 <= p["Duration"] <= 24:
        raise validation_error("Duration must be between 1 and 24 hours.")
    if not 0 <= p["Cutoff"] < p["Duration"]:
        raise validation_error(
            "The cutoff time must be less than the duration of the maintenance window."
        )


def validate_task(p: JSON) -> None:
    if p["TaskType"] == "RUN_COMMAND" and not p.get("Targets"):
        raise validation_error(
            "One or more targets must be specified for maintenance window Run Command-type tasks."
        )
