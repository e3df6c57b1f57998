"""The maintenance windows of the config file: ``[windows.<key>]`` and ``[scan]``.

A window's schedule is a cron/rate expression or week/day/time; its duration,
cutoff and zone come from the command-line overrides, its own table or the
window settings of ``[defaults]`` (:class:`WindowDefaults`), in that order. Its
targets are read by ``targets.py``, its tasks by ``tasks.py``. ``[scan]`` is the
daily scan window: every patch group the baselines name, Operation=Scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from patchsetup.config.settings import Reading, window_timezone
from patchsetup.config.tables import Table, check_name, fail, unique
from patchsetup.config.targets import TARGET_VALUES_MAX, read_targets
from patchsetup.config.tasks import TaskSettings, read_tasks, task_spec
from patchsetup.fields import CUTOFF_MAX, CUTOFF_MIN, DURATION_MAX, DURATION_MIN, PATCH_GROUP_KEYS
from patchsetup.model import BaselineSpec, TargetSpec, WindowSpec
from patchsetup.schedule.compose import daily_cron, parse_day, parse_time, window_cron
from patchsetup.schedule.errors import ScheduleError
from patchsetup.schedule.expressions import validate_expression
from patchsetup.schedule.zones import window_date

__all__ = ["WINDOW_DEFAULTS", "WindowDefaults", "read_window_defaults", "read_windows"]

#: The keys of window settings in [defaults].
WINDOW_DEFAULTS = frozenset({"timezone", "duration", "cutoff", "patch_group_key"})
WINDOW_KEYS = frozenset(
    {
        "name",
        "description",
        "schedule",
        "week",
        "day",
        "time",
        "timezone",
        "duration",
        "cutoff",
        "schedule_offset",
        "start_date",
        "end_date",
        "enabled",
        "allow_unassociated_targets",
        "targets",
        "tasks",
    }
)
SCAN_KEYS = frozenset({"time", "timezone", "duration", "cutoff", "name", "patch_group_key"})


@dataclass(frozen=True)
class WindowDefaults:
    """Window settings from [defaults], each with the key it came from (for messages)."""

    timezone: str | None = None
    duration: int = 1
    duration_at: str = "the default duration"
    cutoff: int = 0
    cutoff_at: str = "the default cutoff"
    patch_group_key: str = PATCH_GROUP_KEYS[0]


def read_window_defaults(reading: Reading, table: Table | None) -> WindowDefaults:
    if table is None:
        return WindowDefaults()
    settings = WindowDefaults(timezone=window_timezone(reading, table, None))
    duration = table.integer("duration", DURATION_MIN, DURATION_MAX)
    if duration is not None:
        settings = replace(settings, duration=duration, duration_at=table.key("duration"))
    cutoff = table.integer("cutoff", CUTOFF_MIN, CUTOFF_MAX)
    if cutoff is not None:
        settings = replace(settings, cutoff=cutoff, cutoff_at=table.key("cutoff"))
    key = table.choice("patch_group_key", PATCH_GROUP_KEYS)
    return replace(settings, patch_group_key=key) if key is not None else settings


def read_windows(
    reading: Reading,
    root: Table,
    setup_name: str,
    baselines: Sequence[BaselineSpec],
    defaults: WindowDefaults,
    task_defaults: TaskSettings,
) -> list[WindowSpec]:
    """Every ``[windows.<key>]``, then ``[scan]``; no two windows share a name."""
    windows: list[WindowSpec] = []
    windows_table = root.free_table("windows")
    window_paths: dict[str, str] = {}
    if windows_table is not None:
        for key, value in windows_table.data.items():
            table = Table.of(reading.source, windows_table.key(key), value, WINDOW_KEYS)
            window = _window(reading, key, table, defaults, task_defaults)
            windows.append(window)
            unique(window_paths, window.name, table, "window")
    scan = root.table("scan", SCAN_KEYS)
    if scan is not None:
        window = _scan(reading, scan, setup_name, baselines, defaults, task_defaults)
        unique(window_paths, window.name, scan, "window")
        windows.append(window)
    return windows


def _window(
    reading: Reading, key: str, table: Table, defaults: WindowDefaults, task_defaults: TaskSettings
) -> WindowSpec:
    name = table.string("name") or key
    check_name(table, "window", name)
    expression = _schedule(table)
    timezone = window_timezone(reading, table, defaults.timezone)
    duration, duration_at = _hours(
        reading,
        table,
        "duration",
        DURATION_MIN,
        DURATION_MAX,
        defaults.duration,
        defaults.duration_at,
    )
    cutoff, cutoff_at = _hours(
        reading, table, "cutoff", CUTOFF_MIN, CUTOFF_MAX, defaults.cutoff, defaults.cutoff_at
    )
    _check_cutoff(reading, table, cutoff, cutoff_at, duration, duration_at)
    offset = table.integer("schedule_offset", 1, 6)
    if offset is not None and not expression.startswith("cron("):
        table.fail("schedule_offset", f"applies to cron schedules only, not {expression}")
    start, end = table.datetime_text("start_date"), table.datetime_text("end_date")
    # Without an offset, both dates are in the window's zone (window_date).
    if start and end and window_date(end, timezone) <= window_date(start, timezone):
        table.fail("end_date", f"must be after start_date ({start}), got {end}")
    targets = read_targets(table, defaults.patch_group_key)
    target_names = [target.name for target in targets]
    tasks = read_tasks(reading, table, target_names, task_defaults)
    return WindowSpec(
        name=name,
        schedule=expression,
        duration=duration,
        cutoff=cutoff,
        timezone=timezone,
        description=table.string("description", max_len=128),
        allow_unassociated_targets=bool(table.boolean("allow_unassociated_targets")),
        enabled=table.boolean("enabled") is not False,
        schedule_offset=offset,
        start_date=start,
        end_date=end,
        targets=tuple(targets),
        tasks=tuple(tasks),
    )


def _hours(
    reading: Reading,
    table: Table,
    key: Literal["duration", "cutoff"],
    low: int,
    high: int,
    inherited: int,
    inherited_at: str,
) -> tuple[int, str]:
    """Override > own > inherited, with where the value came from."""
    own = table.integer(key, low, high)
    flag = getattr(reading.overrides, key)
    if flag is not None:
        return int(flag), f"--{key}"
    if own is not None:
        return own, table.key(key)
    return inherited, inherited_at


def _check_cutoff(
    reading: Reading, table: Table, cutoff: int, cutoff_at: str, duration: int, duration_at: str
) -> None:
    if cutoff >= duration:
        where = cutoff_at if cutoff_at.startswith(table.path + ".") else table.path
        fail(
            reading.source,
            where,
            f"cutoff ({cutoff} h, from {cutoff_at}) must be less than the duration "
            f"({duration} h, from {duration_at})",
        )


def _schedule(table: Table) -> str:
    """The window's cron/rate expression, from ``schedule`` or from week/day/time."""
    parts = [key for key in ("week", "day", "time") if table.has(key)]
    if table.has("schedule"):
        if parts:
            table.fail(parts[0], "set either schedule or week/day/time, not both")
        expression = table.required_string("schedule")
        try:
            validate_expression(expression)
        except ScheduleError as error:
            table.fail("schedule", str(error))
        return expression
    if not parts:
        table.fail("", 'needs a schedule: schedule = "cron(...)", or week, day and time')
    for key in ("week", "day", "time"):
        if not table.has(key):
            table.fail(key, f"required key is missing (with {', '.join(parts)})")
    week = table.data["week"]
    if week != "last" and (
        isinstance(week, bool) or not isinstance(week, int) or not 1 <= week <= 5
    ):
        table.fail(
            "week", f'must be 1-5 (the n-th such weekday of the month) or "last", got {week!r}'
        )
    day_value = table.data["day"]
    if isinstance(day_value, bool) or not isinstance(day_value, int | str):
        table.fail("day", f"must be a day name like SAT or a number 0-7, got {day_value!r}")
    time_text = table.required_string("time")
    try:
        day = parse_day(str(day_value))
    except ScheduleError as error:
        table.fail("day", str(error))
    try:
        hour, minute = parse_time(time_text)
    except ScheduleError as error:
        table.fail("time", str(error))
    return window_cron(week, day, hour, minute)


def _scan(
    reading: Reading,
    table: Table,
    setup_name: str,
    baselines: Sequence[BaselineSpec],
    defaults: WindowDefaults,
    task_defaults: TaskSettings,
) -> WindowSpec:
    """The daily scan window: every patch group the baselines name, Operation=Scan."""
    name = table.string("name") or f"{setup_name}-daily-scan"
    check_name(table, "window", name)
    try:
        hour, minute = parse_time(table.required_string("time"))
    except ScheduleError as error:
        table.fail("time", str(error))
    timezone = window_timezone(reading, table, defaults.timezone)
    # The scan keeps its own short window: --duration/--cutoff are for install windows.
    duration = table.integer("duration", DURATION_MIN, DURATION_MAX) or 1
    cutoff = table.integer("cutoff", CUTOFF_MIN, CUTOFF_MAX) or 0
    duration_at = table.key("duration") if table.has("duration") else "the scan's default"
    _check_cutoff(reading, table, cutoff, table.key("cutoff"), duration, duration_at)
    key = table.choice("patch_group_key", PATCH_GROUP_KEYS) or defaults.patch_group_key
    groups = list(dict.fromkeys(g for baseline in baselines for g in baseline.patch_groups))
    if not groups:
        table.fail("", "no baseline names a patch group, so there is nothing to scan")
    # One target holds at most 50 tag values; more groups take more targets.
    chunks = [groups[i : i + TARGET_VALUES_MAX] for i in range(0, len(groups), TARGET_VALUES_MAX)]
    targets = tuple(
        TargetSpec(
            name="patch-groups" if len(chunks) == 1 else f"patch-groups-{index + 1}",
            targets=((f"tag:{key}", tuple(chunk)),),
        )
        for index, chunk in enumerate(chunks)
    )
    parameters: dict[str, tuple[str, ...]] = {
        "Operation": ("Scan",),
        "RebootOption": ("NoReboot",),
    }
    task = task_spec(reading, "scan", [t.name for t in targets], task_defaults, parameters)
    return WindowSpec(
        name=name,
        schedule=daily_cron(hour, minute),
        duration=duration,
        cutoff=cutoff,
        timezone=timezone,
        targets=targets,
        tasks=(task,),
    )
