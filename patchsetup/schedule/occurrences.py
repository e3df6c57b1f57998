"""Which days and local wall times a parsed cron expression selects.

Pure. Days come from dateutil's rrule (plus Quartz's ``nW``, which rrule lacks); the
five-minute rule is checked here because it needs the calendar.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import pairwise

from dateutil import rrule as rr

from patchsetup.schedule.cron import Cron
from patchsetup.schedule.errors import fail

# "Cron expressions that lead to rates faster than five (5) minute are not supported."
_MIN_CRON_INTERVAL = timedelta(minutes=5)

# dateutil weekday constants indexed like DAY_NAMES (0 = Sunday).
_RRULE_DAYS: tuple[rr.weekday, ...] = (rr.SU, rr.MO, rr.TU, rr.WE, rr.TH, rr.FR, rr.SA)


def check_min_interval(cron: Cron) -> None:
    """Reject cron expressions that can run twice within five minutes."""
    offsets = [h * 3600 + m * 60 + s for h, m, s in cron.times]
    limit = _MIN_CRON_INTERVAL.total_seconds()
    too_fast = any(b - a < limit for a, b in pairwise(offsets))
    # The last run of one day and the first of the next only matter when the schedule
    # can run on two consecutive days; checking a 29-year span covers the calendar.
    if not too_fast and offsets[0] + 86400 - offsets[-1] < limit:
        start = datetime(max(min(cron.years), 2000), 1, 1)
        previous: date | None = None
        for day in matching_days(cron, start.date()):
            if day.year > start.year + 28:
                break
            if previous is not None and day - previous == timedelta(days=1):
                too_fast = True
                break
            previous = day
    if too_fast:
        raise fail(
            cron.text,
            "runs more often than every 5 minutes, which SSM doesn't support for cron expressions",
        )


def matching_days(cron: Cron, start: date) -> Iterator[date]:
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


def local_candidates(cron: Cron, start: datetime) -> Iterator[datetime]:
    """Yield the naive local wall times the cron selects, in order, at or after ``start``."""
    for day in matching_days(cron, start.date()):
        for hour, minute, second in cron.times:
            moment = datetime(day.year, day.month, day.day, hour, minute, second)
            if moment >= start:
                yield moment
