"""Tests for patchsetup.config: output, scan targets, schedule forms, quotas and files.

Pure and fast: no endpoint.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from patchsetup import quotas
from patchsetup.config import load_config
from patchsetup.config.tables import ConfigError
from patchsetup.model import (
    Setup,
    TaskSpec,
    WindowSpec,
)
from patchsetup.schedule.compose import daily_cron, parse_time, seed_cron, window_cron
from patchsetup.schedule.errors import ScheduleError
from patchsetup.schedule.expressions import validate_expression
from patchsetup.schedule.runs import next_runs
from tests.helpers.configs import BASE, TASK, WINDOWS_BASELINE, add, error, load, write


def test_log_group_alone_turns_cloudwatch_output_on(tmp_path: Path) -> None:
    text = add(TASK, 'output = { cloudwatch_log_group = "patching" }')(BASE)
    task = load(tmp_path, text).windows[0].tasks[0]
    assert (task.cloudwatch_output, task.cloudwatch_log_group) == (True, "patching")
    assert task.run_command()["CloudWatchOutputConfig"] == {
        "CloudWatchOutputEnabled": True,
        "CloudWatchLogGroupName": "patching",
    }
    assert task.output_s3_bucket is None


def test_scan_splits_more_than_50_patch_groups_over_targets(tmp_path: Path) -> None:
    text = "".join(
        f'[baselines.b{b}]\noperating_system = "WINDOWS"\n'
        f"patch_groups = {json.dumps([f'g{b}-{i:02d}' for i in range(20)])}\n"
        for b in range(3)
    )
    scan = load(tmp_path, text + '[scan]\ntime = "23:45"\nname = "nightly"\n').windows[0]
    assert (scan.name, scan.schedule) == ("nightly", "cron(45 23 ? * * *)")
    assert [t.name for t in scan.targets] == ["patch-groups-1", "patch-groups-2"]
    values = [t.targets[0][1] for t in scan.targets]
    assert [len(v) for v in values] == [50, 10]
    assert values[0][0] == "g0-00" and values[1][-1] == "g2-19"
    assert scan.tasks[0].target_names == ("patch-groups-1", "patch-groups-2")


def test_week_day_time_forms(tmp_path: Path) -> None:
    forms = {
        'week = 2\nday = "tuesday"\ntime = "03:30"': "cron(30 03 ? * TUE#2 *)",
        'week = 5\nday = 0\ntime = "23:59"': "cron(59 23 ? * SUN#5 *)",
        'week = "last"\nday = "FRI"\ntime = "6:00"': "cron(00 06 ? * 6L *)",
        'week = "last"\nday = 7\ntime = "00:00"': "cron(00 00 ? * 1L *)",
    }
    for form, expected in forms.items():
        text = f"[windows.win]\n{form}\n"
        assert load(tmp_path, text).windows[0].schedule == expected, form


def test_schedule_window_cron_daily_cron_and_parse_time() -> None:
    assert window_cron(2, 2, 3, 30) == "cron(30 03 ? * TUE#2 *)"
    assert window_cron(1, 6, 6) == "cron(00 06 ? * SAT#1 *)"
    assert window_cron(1, 2, 3) == seed_cron(1, 2, 3)
    assert window_cron("last", 2, 3, 30) == "cron(30 03 ? * 3L *)"
    assert window_cron("last", 0, 6) == window_cron("last", 7, 6)
    assert daily_cron(1) == "cron(00 01 ? * * *)"
    for expression in ("cron(30 03 ? * 3L *)", "cron(00 01 ? * * *)"):
        validate_expression(expression)
    # The last Tuesday, checked against the calendar: the last day with weekday 1.
    runs = next_runs(
        "cron(30 03 ? * 3L *)",
        None,
        count=12,
        after=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    for run in runs:
        days = [d for d in range(1, 32) if _weekday(run.year, run.month, d) == 1]
        assert (run.day, run.hour, run.minute) == (days[-1], 3, 30)
    assert parse_time(" 3:05 ") == (3, 5)
    for bad in ("24:00", "12:60", "1200", "12:5", "noon", "-1:00"):
        with pytest.raises(ScheduleError):
            parse_time(bad)
    with pytest.raises(ScheduleError):
        window_cron(6, 2, 3)
    with pytest.raises(ScheduleError):
        window_cron("last", 8, 3)
    with pytest.raises(ScheduleError):
        daily_cron(24)


def _weekday(year: int, month: int, day: int) -> int | None:
    """Python's weekday (Monday 0) of a date, or None when the month is shorter."""
    try:
        return datetime.date(year, month, day).weekday()
    except ValueError:
        return None


def windows_text(count: int) -> str:
    return "".join(f'[windows.w{i:03d}]\nschedule = "rate(1 day)"\n' for i in range(count))


def test_quota_maintenance_windows(tmp_path: Path) -> None:
    assert len(load(tmp_path, windows_text(50)).windows) == 50
    message = error(tmp_path, windows_text(51))
    assert message == (
        "windows: 51 maintenance windows; AWS's default quota (AWS Systems Manager endpoints "
        "and quotas) is 50 per account and Region"
    )


def test_quota_counts_the_scan_window(tmp_path: Path) -> None:
    text = (
        windows_text(50)
        + '[baselines.b]\noperating_system = "WINDOWS"\npatch_groups = ["g"]\n'
        + '[scan]\ntime = "01:00"\n'
    )
    assert error(tmp_path, text).startswith("windows: 51 maintenance windows")


def test_quota_tasks_targets_and_patch_groups(tmp_path: Path) -> None:
    window = '[windows.www]\nschedule = "rate(1 day)"\n'
    targets = "".join(
        f'[[windows.www.targets]]\nname = "t{i:02d}"\npatch_group = "g"\n' for i in range(11)
    )
    tasks = "".join(f'[[windows.www.tasks]]\nname = "k{i:02d}"\n' for i in range(21))
    # The first violation is the task count (each task also names all 11 targets).
    assert error(tmp_path, window + targets + tasks) == (
        "window www: 21 tasks; AWS's default quota (AWS Systems Manager endpoints and quotas) "
        "is 20 tasks per maintenance window"
    )
    one_task = window + targets + '[[windows.www.tasks]]\nname = "k00"\n'
    assert error(tmp_path, one_task) == (
        "window www, task k00: 11 targets; AWS's default quota (AWS Systems Manager endpoints "
        "and quotas) is 10 targets per task"
    )
    groups = json.dumps([f"g{i}" for i in range(26)])
    baseline = f'[baselines.b]\noperating_system = "WINDOWS"\npatch_groups = {groups}\n'
    assert error(tmp_path, baseline).endswith("is 25 patch groups per patch baseline")


def test_quotas_check_counts_is_pure_and_lists_every_violation() -> None:
    task = TaskSpec("t", tuple(f"x{i}" for i in range(11)))
    setup = Setup(
        name="n",
        windows=tuple(
            WindowSpec(f"w{i}", "rate(1 day)", tasks=(task,) * (21 if i == 0 else 0))
            for i in range(51)
        ),
    )
    problems = quotas.check_counts(setup)
    assert problems[0].startswith("windows: 51 maintenance windows")
    assert problems[1].startswith("window w0: 21 tasks")
    assert len(problems) == 2 + 21  # and 21 tasks with 11 targets each
    assert quotas.check_counts(Setup(name="n")) == []


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: cannot read config file: No such file or directory"


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    message = error(tmp_path, 'name = "web"\n\n[windows.test\n')
    assert message.startswith("not valid TOML: ")
    assert "line 3" in message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "patching.toml"
    path.write_bytes(b'name = "\xff"\n')
    with pytest.raises(ConfigError, match=r"patching\.toml: not UTF-8 text \(byte 8\)"):
        load_config(path)


def test_baseline_file_is_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "w.json").write_text(json.dumps(WINDOWS_BASELINE), encoding="utf-8")
    text = '[baselines.w]\nfile = "w.json"\noperating_system = "WINDOWS"\n'
    loaded = load_config(write(tmp_path / "sub", text), windows_required=False)
    assert loaded.baselines[0].name == "from-file"
    message = error(tmp_path, text.replace('"WINDOWS"', '"UBUNTU"'))
    assert message.startswith("baselines.w.file: ")
    mismatch = error(tmp_path / "sub", text.replace('"WINDOWS"', '"UBUNTU"'))
    assert mismatch == "baselines.w.operating_system: is UBUNTU, but w.json is a WINDOWS baseline"


def test_baseline_file_errors_pass_through(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"OperatingSystem": "WINDOWS", "Nmae": "x"}')
    message = error(tmp_path, '[baselines.w]\nfile = "bad.json"\n')
    assert message.startswith(f"baselines.w.file: {tmp_path / 'bad.json'}: Nmae: unknown key")
