"""When a maintenance window runs next: one rule for `apply`'s plan and for `status`.

Pure. Both commands hand over the window as GetMaintenanceWindow reports it (apply
through ``WindowSpec.fields()``, status from what the reader found), so a start
date, an end date, a schedule offset and ``Enabled = false`` mean the same in both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from patchsetup.schedule.errors import ScheduleError
from patchsetup.schedule.runs import next_runs
from patchsetup.schedule.warnings import schedule_warnings
from patchsetup.schedule.zones import window_date

#: How many runs the reports show.
SHOWN = 3


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
