"""When a maintenance window runs next: one rule for `apply`'s plan and for `status`.

Pure. Both commands hand over the window as GetMaintenanceWindow reports it (apply
through ``WindowSpec.fields()``, status from what the reader found), so a start
date, an end date, a schedule offset and ``Enabled = false`` mean the same in both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from patchsetup.schedule.errors import ScheduleError
from patchsetup.schedule.expressions import Rate, parse
from patchsetup.schedule.runs import next_runs
from patchsetup.schedule.warnings import schedule_warnings
from patchsetup.schedule.zones import window_date

#: How many runs the reports show.
SHOWN = 3

#: At most this many runs of one window in a period (``runs_between``): a calendar of a
#: rate(5 minutes) window would otherwise hold hundreds of thousands of events.
MOST_RUNS = 2000

#: The first batch ``runs_between`` asks ``upcoming`` for; doubled until the period is covered.
_FIRST_BATCH = 64


@dataclass(frozen=True)
class Upcoming:
    """A window's next runs and what the operator should know about its schedule."""

    runs: tuple[datetime, ...]
    warnings: tuple[str, ...]


def upcoming(fields: Mapping[str, Any], now: datetime, count: int = SHOWN) -> Upcoming:
    """The next ``count`` runs after ``now``: never before StartDate, after EndDate, or disabled.

    Raises:
        ScheduleError: the schedule (or a date) is not one this tool understands.
    """
    expression = str(fields.get("Schedule"))
    zone = fields.get("ScheduleTimezone")
    try:
        start = window_date(fields["StartDate"], zone) if fields.get("StartDate") else None
        end = window_date(fields["EndDate"], zone) if fields.get("EndDate") else None
    except ValueError as error:
        raise ScheduleError(f"not an ISO 8601 date-time: {error}") from None
    after = max(now, start) if start is not None else now
    runs = next_runs(expression, zone, count, after, int(fields.get("ScheduleOffset") or 0))
    runs = [run for run in runs if end is None or run <= end]
    warnings = schedule_warnings(expression, zone, after=after)
    if fields.get("Enabled") is False:
        return Upcoming((), ("disabled (enabled = false): it will not run", *warnings))
    return Upcoming(tuple(runs), tuple(warnings))


def runs_between(
    fields: Mapping[str, Any], start: datetime, end: datetime, most: int = MOST_RUNS
) -> Upcoming:
    """Every run in ``[start, end)``, by :func:`upcoming`'s rule (at most ``most`` of them).

    A cron or at() run at ``start`` itself counts; a rate() schedule is counted from
    ``start``, as ``upcoming`` counts it from now. More than ``most`` runs adds a warning.

    Raises:
        ScheduleError: the schedule (or a date) is not one this tool understands.
    """
    # upcoming() is strictly after its `now`; a microsecond earlier makes `start` count.
    rate = isinstance(parse(str(fields.get("Schedule"))), Rate)
    after = start if rate else start - timedelta(microseconds=1)
    count = _FIRST_BATCH
    while True:
        # Asked again from the start with a larger count, never resumed from the last
        # run: with a ScheduleOffset the next occurrence can come before that run.
        coming = upcoming(fields, after, min(count, most + 1))
        runs = [run for run in coming.runs if run < end]
        ended = len(coming.runs) < min(count, most + 1)
        if ended or len(runs) < len(coming.runs) or len(runs) > most:
            break
        count *= 2
    warnings = coming.warnings
    if len(runs) > most:
        runs = runs[:most]
        warnings = (*warnings, f"more than {most} runs in the period: only the first {most}")
    return Upcoming(tuple(runs), warnings)
