"""Warnings an operator should read before creating a window: skipped months, clock changes.

Pure.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo

from patchsetup.schedule.cron import Cron
from patchsetup.schedule.errors import ScheduleError
from patchsetup.schedule.expressions import At, Rate, parse
from patchsetup.schedule.names import FULL_DAY_NAMES, ORDINAL_WORDS, join, ordinal
from patchsetup.schedule.occurrences import local_candidates, matching_days
from patchsetup.schedule.runs import next_runs
from patchsetup.schedule.zones import exists, repeats, transitions, tzinfo_for


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
    return f"local times {join(shown)}"


def _dst_warnings(
    cron: Cron, zone: tzinfo, zone_name: str, after: datetime, end: datetime
) -> list[str]:
    """Warn about occurrences that fall in a clock-change gap or overlap before ``end``."""
    warnings: list[str] = []
    for change in transitions(zone, after, end):
        low, high = change.window
        hits = list(_take_before(local_candidates(cron, low), high))
        aware = [moment.replace(tzinfo=zone) for moment in hits]
        if change.after > change.before:
            skipped = [m for m, a in zip(hits, aware, strict=True) if not exists(a)]
            if skipped:
                warnings.append(
                    f"{cron.text}: {_times_phrase(skipped, cron.has_seconds)} on "
                    f"{skipped[0]:%Y-%m-%d} {'does' if len(skipped) == 1 else 'do'} not exist "
                    f"in {zone_name} "
                    f"(daylight-saving gap: clocks jump from {low:%H:%M} to {high:%H:%M})"
                )
        else:
            repeated = [m for m, a in zip(hits, aware, strict=True) if repeats(a)]
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


def _skip_reason(cron: Cron) -> str | None:
    """Name what a month needs for this schedule to run in it, when that is simple."""
    days = cron.days
    if days.kind == "nth":
        (value,) = days.values
        return f"a {ORDINAL_WORDS[days.n]} {FULL_DAY_NAMES[value - 1]}"
    if days.kind == "month_days" and min(days.values) > 28:
        return f"a {ordinal(min(days.values))} day"
    if days.kind == "nearest_weekday" and days.n > 28:
        return f"a {ordinal(days.n)} day"
    return None


def _month_warning(cron: Cron, after_local: datetime) -> str | None:
    """Warn when the schedule misses some of the next 12 months it would otherwise run in."""
    year, month = after_local.year, after_local.month
    named = 0
    running = 0
    for _ in range(12):
        if month in cron.months and year in cron.years:
            named += 1
            first = date(year, month, 1)
            found = next(matching_days(cron, first), None)
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
    parsed = parse(expression)
    zone = tzinfo_for(timezone)
    zone_name = timezone if timezone is not None else "UTC"
    if after is None:
        after = datetime.now(UTC)
    elif after.tzinfo is None or after.utcoffset() is None:
        raise ScheduleError("after must be a timezone-aware datetime")
    end = after + timedelta(days=horizon_days)
    if isinstance(parsed, Rate):
        return []
    if isinstance(parsed, At):
        aware = parsed.when.replace(tzinfo=zone)
        if not exists(aware):
            return [
                f"{expression}: {parsed.when:%H:%M:%S} on {parsed.when:%Y-%m-%d} does not "
                f"exist in {zone_name} (daylight-saving gap)"
            ]
        if repeats(aware):
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
