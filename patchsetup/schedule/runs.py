"""When a maintenance window runs next: one rule for `apply`'s plan and for `status`.

Pure. Both commands hand over the window as GetMaintenanceWindow reports it (apply
through ``WindowSpec.fields()``, status from what the reader found), so a start
date, an end date, a schedule offset and ``Enabled = false`` mean the same in both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from patchsetup import schedule

#: How many runs the reports show.
SHOWN = 3


def instant(text: str, timezone: str | None) -> datetime:
    """A window's StartDate/EndDate as an aware instant.

    A date-time without an offset is read in the window's own time zone (UTC when
    it has none): what an operator who writes ``start_date = 2027-01-04T00:00:00``
    next to ``timezone = "Europe/Zurich"`` means. Every reader of these dates uses
    this function, so the config check, the plan's next runs and status agree.
    """
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=ZoneInfo(timezone) if timezone else UTC)


@dataclass(frozen=True)
class Upcoming:
    """A window's next runs and what the operator should know about its schedule."""

    runs: tuple[datetime, ...]
    warnings: tuple[str, ...]


def upcoming(fields: Mapping[str, Any], now: datetime, count: int = SHOWN) -> Upcoming:
    """The next ``count`` runs after ``now``: never before StartDate, after EndDate, or disabled.

    Raises:
        schedule.ScheduleError: the schedule (or a date) is not one this tool understands.
    """
    expression = str(fields.get("Schedule"))
    zone = fields.get("ScheduleTimezone")
    try:
        start = instant(fields["StartDate"], zone) if fields.get("StartDate") else None
        end = instant(fields["EndDate"], zone) if fields.get("EndDate") else None
    except ValueError as error:
        raise schedule.ScheduleError(f"not an ISO 8601 date-time: {error}") from None
    after = max(now, start) if start is not None else now
    runs = schedule.next_runs(
        expression, zone, count, after, int(fields.get("ScheduleOffset") or 0)
    )
    runs = [run for run in runs if end is None or run <= end]
    warnings = schedule.schedule_warnings(expression, zone, after=after)
    if fields.get("Enabled") is False:
        return Upcoming((), ("disabled (enabled = false): it will not run", *warnings))
    return Upcoming(tuple(runs), tuple(warnings))
