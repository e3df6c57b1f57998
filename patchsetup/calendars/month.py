"""A calendar as text for the terminal: a month grid per month, then the runs by date.

Pure. The grids start on Monday (as ISO 8601 weeks do) and mark with ``*`` each day on
which a window starts a run, that day taken in the window's own time zone (where its
operators read its schedule). The list after them gives every run's local time in the
window's zone and its UTC time.
"""

from __future__ import annotations

import calendar as stdcal
from datetime import UTC, date, timedelta

from patchsetup.calendars.events import Calendar, Run, is_utc

MARK = "*"
_HEAD = "  ".join(day[:2] for day in stdcal.day_abbr)  # Mo  Tu  We ... Su
_CELL = 4  # "DD* " per day


def _months(start: date, end: date) -> list[tuple[int, int]]:
    """The (year, month) pairs the period touches, in order."""
    months: list[tuple[int, int]] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _grid(year: int, month: int, marked: set[date]) -> list[str]:
    title = f"{stdcal.month_name[month]} {year}"
    lines = [title.center(len(_HEAD)).rstrip(), _HEAD]
    for week in stdcal.Calendar(firstweekday=0).monthdayscalendar(year, month):
        cells = []
        for day in week:
            if day == 0:
                cells.append(" " * _CELL)
            else:
                mark = MARK if date(year, month, day) in marked else " "
                cells.append(f"{day:>2}{mark} ")
        lines.append("".join(cells).rstrip())
    return lines


def _run_line(run: Run, several: bool) -> str:
    start, end = run.start, run.end
    utc_start, utc_end = start.astimezone(UTC), end.astimezone(UTC)
    zone = run.window.timezone
    if is_utc(zone):
        local, in_utc = f"{start:%a %Y-%m-%d %H:%M}-{end:%H:%M} UTC", ""
    else:
        # Across a clock change the end is in another offset: say both (CEST-CET).
        names = f"{start:%Z}" if start.utcoffset() == end.utcoffset() else f"{start:%Z}-{end:%Z}"
        local = f"{start:%a %Y-%m-%d %H:%M}-{end:%H:%M} {zone} ({names})"
        day = f"{utc_start:%a} " if utc_start.date() != start.date() else ""
        in_utc = f"  = {day}{utc_start:%H:%M}-{utc_end:%H:%M} UTC"
    where = f"  [{run.window.where}]" if several and run.window.where else ""
    return f"  {local}{in_utc}  {run.window.name}{where}"


def render(calendar: Calendar) -> str:
    """The month grids and the list of runs."""
    last_day = (calendar.end - timedelta(microseconds=1)).astimezone(UTC).date()
    first_day = calendar.start.astimezone(UTC).date()
    count = len(calendar.runs)
    windows = len(calendar.windows)
    lines = [
        f"calendar of setup {calendar.setup!r}: {first_day} to {last_day} (UTC), "
        f"{count} run{'' if count == 1 else 's'} of {windows} window{'' if windows == 1 else 's'}",
        f"{MARK} marks a day a window runs (in the window's time zone); weeks start on Monday",
        "",
    ]
    marked = {run.start.date() for run in calendar.runs}
    for year, month in _months(first_day, last_day):
        lines += [*_grid(year, month, marked), ""]
    several = len({w.where for w in calendar.windows}) > 1
    if calendar.runs:
        lines.append("runs (local time in the window's time zone; = the same in UTC):")
        lines += [_run_line(run, several) for run in calendar.runs]
    else:
        lines.append("no runs in this period")
    for window in calendar.disabled:
        where = f" [{window.where}]" if several and window.where else ""
        lines.append(f"not in the calendar: {window.name}{where} is disabled (enabled = false)")
    return "\n".join(lines)
