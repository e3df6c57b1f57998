"""What the schedule tests share: time zones, aware UTC datetimes, the seed tool's 8 defaults,
and the months that have a fifth weekday (by brute force, with the standard library)."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """Build an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# --------------------------------------------------------------------------- seeds

# The eight defaults: weeks 1, 2 x days 2 (Tuesday), 3 (Wednesday) x hours 3, 4.
SEED_NAMES = {
    (1, 2, 3): "Week1Day2Unattended0300",
    (1, 2, 4): "Week1Day2Unattended0400",
    (1, 3, 3): "Week1Day3Unattended0300",
    (1, 3, 4): "Week1Day3Unattended0400",
    (2, 2, 3): "Week2Day2Unattended0300",
    (2, 2, 4): "Week2Day2Unattended0400",
    (2, 3, 3): "Week2Day3Unattended0300",
    (2, 3, 4): "Week2Day3Unattended0400",
}
SEED_GROUPS = {
    (1, 2, 3): "Week 1 Day 2 - Unattended - 03:00",
    (1, 2, 4): "Week 1 Day 2 - Unattended - 04:00",
    (1, 3, 3): "Week 1 Day 3 - Unattended - 03:00",
    (1, 3, 4): "Week 1 Day 3 - Unattended - 04:00",
    (2, 2, 3): "Week 2 Day 2 - Unattended - 03:00",
    (2, 2, 4): "Week 2 Day 2 - Unattended - 04:00",
    (2, 3, 3): "Week 2 Day 3 - Unattended - 03:00",
    (2, 3, 4): "Week 2 Day 3 - Unattended - 04:00",
}
SEED_CRONS = {
    (1, 2, 3): "cron(00 03 ? * TUE#1 *)",
    (1, 2, 4): "cron(00 04 ? * TUE#1 *)",
    (1, 3, 3): "cron(00 03 ? * WED#1 *)",
    (1, 3, 4): "cron(00 04 ? * WED#1 *)",
    (2, 2, 3): "cron(00 03 ? * TUE#2 *)",
    (2, 2, 4): "cron(00 04 ? * TUE#2 *)",
    (2, 3, 3): "cron(00 03 ? * WED#2 *)",
    (2, 3, 4): "cron(00 04 ? * WED#2 *)",
}
SEED_KEYS = [(week, day, hour) for week in (1, 2) for day in (2, 3) for hour in (3, 4)]


def months_with_fifth(weekday: int, start: date, months: int) -> list[tuple[int, int]]:
    """(year, month) pairs holding five of ``weekday`` (Monday=0), by counting days."""
    found = []
    year, month = start.year, start.month
    for _ in range(months):
        length = calendar.monthrange(year, month)[1]
        count = sum(1 for d in range(1, length + 1) if date(year, month, d).weekday() == weekday)
        if count == 5:
            found.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found
