"""The next runs of a schedule expression in a time zone.

Pure. ScheduleOffset: the number of days (1-6, per the CreateMaintenanceWindow API) to
wait after each cron occurrence; cron expressions only. An occurrence that has already
passed is not run even if its offset date is still in the future.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from patchsetup.schedule.cron import Cron
from patchsetup.schedule.errors import ScheduleError, fail
from patchsetup.schedule.expressions import At, Rate, parse
from patchsetup.schedule.occurrences import local_candidates
from patchsetup.schedule.zones import tzinfo_for, utc_instant

# The CreateMaintenanceWindow API model limits ScheduleOffset to 1-6 days.
_MAX_OFFSET_DAYS = 6

# A wall time in a gap is moved later by at most the gap's size; the largest real gap
# (Pacific/Apia skipping 2011-12-30) is one day, so two days of slack is always enough.
_GAP_SLACK = timedelta(days=2)


def _cron_runs(
    cron: Cron, zone: tzinfo, after: datetime, count: int, offset_days: int
) -> list[datetime]:
    """Return the next ``count`` run instants (UTC) of a cron schedule after ``after``."""
    offset = timedelta(days=offset_days)
    # Start early: a wall time just before `after` can map to a later instant (gap).
    start = after.astimezone(zone).replace(tzinfo=None) - _GAP_SLACK
    runs: set[datetime] = set()
    stop_after: datetime | None = None
    for base in local_candidates(cron, start):
        if stop_after is not None and base > stop_after:
            break
        # The reference: an occurrence that already passed is not run even if its
        # offset date is still ahead, so the base occurrence must be after `after`.
        if utc_instant(base, zone) <= after:
            continue
        runs.add(utc_instant(base + offset, zone))
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
    parsed = parse(expression)
    zone = tzinfo_for(timezone)
    if after is None:
        after = datetime.now(UTC)
    elif after.tzinfo is None or after.utcoffset() is None:
        raise ScheduleError("after must be a timezone-aware datetime")
    if count < 0:
        raise ScheduleError(f"count must be 0 or more, got {count}")
    if offset_days and not isinstance(parsed, Cron):
        raise fail(expression, "a schedule offset can only be used with cron expressions")
    if not 0 <= offset_days <= _MAX_OFFSET_DAYS:
        raise ScheduleError(
            f"schedule offset must be 1-{_MAX_OFFSET_DAYS} days (or 0 for none), got {offset_days}"
        )
    if count == 0:
        return []
    if isinstance(parsed, Rate):
        runs = [after + parsed.interval * k for k in range(1, count + 1)]
    elif isinstance(parsed, At):
        instant = utc_instant(parsed.when, zone)
        runs = [instant] if instant > after else []
    else:
        runs = _cron_runs(parsed, zone, after, count, offset_days)
    return [run.astimezone(zone) for run in runs]
