"""The seed's names and cron expressions from week, day and hour; day and time values.

Pure. The flags (``--weeks --days --hours``) and the config's ``week``/``day``/``time``
keys both build their cron expressions here, so a window made either way compares
equal to the one the seed tool made.
"""

from __future__ import annotations

import re
from typing import Literal

from patchsetup.schedule.errors import ScheduleError
from patchsetup.schedule.names import DAY_NAMES, FULL_DAY_NAMES


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
    for index, (short, full) in enumerate(zip(DAY_NAMES, FULL_DAY_NAMES, strict=True)):
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
