"""Plans a person reads at a glance (text output), through the real CLI.

Changes first with their markers (``+ create``, ``~ update``, ``- delete``,
``> adopt``), unchanged resources as one count unless ``-v``, field diffs old -> new
per nested field, no internal placeholder (a Ref, a name standing in for an ID) in
any output, and the same order whatever order things were made in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers.cli import JSON, ONE_WINDOW, cleanup, ok_json, setup, target_json

WINDOW = "Week1Day2Unattended0300"

_BEFORE = """
name = "textplan"
[baselines.al2]
operating_system = "AMAZON_LINUX_2"
patch_groups = ["pg-linux", "pg-win"]
[windows.wone]
week = 1
day = "TUE"
time = "03:00"
[[windows.wone.targets]]
name = "linux"
patch_group = "pg-linux"
[[windows.wone.tasks]]
name = "patch"
targets = ["linux"]
"""

_AFTER = """
name = "textplan"
[baselines.al2]
operating_system = "AMAZON_LINUX_2"
patch_groups = ["pg-linux", "pg-win"]
[windows.wone]
week = 1
day = "TUE"
time = "03:00"
duration = 3
[[windows.wone.targets]]
name = "linux"
patch_group = "pg-linux"
[[windows.wone.targets]]
name = "win"
patch_group = "pg-win"
[[windows.wone.tasks]]
name = "patch"
targets = ["linux", "win"]
operation = "Scan"
max_concurrency = "5"
"""


def _body(stdout: str) -> list[str]:
    """The report's lines between its title and the windows' next runs."""
    return stdout.split("\nWindows and their next runs:")[0].splitlines()[1:]


def test_unchanged_resources_are_one_count_unless_verbose(aws: Any, ssm: Any) -> None:
    ok_json(setup(aws.url, *JSON, *ONE_WINDOW))
    again = setup(aws.url, *ONE_WINDOW)
    assert again.returncode == 0, again.stderr
    assert _body(again.stdout) == ["", "  5 unchanged (-v lists them)"]
    verbose = setup(aws.url, *ONE_WINDOW, "-v")
    assert verbose.returncode == 0, verbose.stderr
    rows = [line.split()[:2] for line in _body(verbose.stdout)[1:]]
    assert rows == [
        ["unchanged", "baseline"],
        ["unchanged", "patch-group"],
        ["unchanged", "window"],
        ["unchanged", "target"],
        ["unchanged", "task"],
    ]
    # -v is shared: cleanup and status take it too.
    planned = cleanup(aws.url, "--dry-run", "-v")
    assert planned.returncode == 0, planned.stderr
    assert f"- delete  window    {WINDOW}  mw-" in planned.stdout
    status = setup(aws.url, "status", "-v")
    target_id = ssm.describe_maintenance_window_targets(
        WindowId=ssm.describe_maintenance_windows()["WindowIdentities"][0]["WindowId"]
    )["Targets"][0]["WindowTargetId"]
    assert f"  target {WINDOW}Targets: tag:Patch Group=" in status.stdout
    assert status.stdout.count(target_id) == 1
    assert target_id not in setup(aws.url, "status").stdout


def test_field_diffs_show_each_nested_field_old_to_new(aws: Any, ssm: Any, tmp_path: Path) -> None:
    before, after = tmp_path / "before.toml", tmp_path / "after.toml"
    before.write_text(_BEFORE)
    after.write_text(_AFTER)
    ok_json(setup(aws.url, *JSON, "--config", str(before)))
    plan = setup(aws.url, "--config", str(after), "--dry-run")
    assert plan.returncode == 0, plan.stderr
    body = _body(plan.stdout)
    window = next(line for line in body if line.startswith("~ update  window"))
    task = next(line for line in body if line.startswith("~ update  task"))
    assert body[body.index(window) + 1] == "      Duration: 1 -> 3"
    assert body[body.index(task) + 1 : body.index(task) + 4] == [
        '      Targets: ["linux"] -> ["linux", "win"]',
        "      MaxConcurrency: '2' -> '5'",
        '      TaskInvocationParameters.RunCommand.Parameters.Operation: ["Install"] -> ["Scan"]',
    ]
    assert "+ create  target  wone/win" in body
    assert body[-2:] == ["", "  4 unchanged (-v lists them)"]
    # JSON has the same facts: the targets by name on both sides, never an ID for one.
    document = target_json(setup(aws.url, *JSON, "--config", str(after), "--dry-run"))
    [changed] = [r for r in document["resources"] if r["kind"] == "task"]
    assert changed["changes"][0] == {"field": "Targets", "old": ["linux"], "new": ["linux", "win"]}
    # status shows the drift the same way.
    drift = setup(aws.url, "status", "--config", str(after))
    assert '  ~ update  task  wone/patch\n        Targets: ["linux"] -> ["linux", "win"]\n' in (
        drift.stdout
    )
    assert "  + create  target  wone/win\n" in drift.stdout


def test_no_internal_placeholder_in_any_output(aws: Any) -> None:
    ok_json(setup(aws.url, *JSON, *ONE_WINDOW))
    role = (*ONE_WINDOW, "--create-service-role")
    text = setup(aws.url, *role, "--dry-run", "-l", "DEBUG")
    assert text.returncode == 0, text.stderr
    assert f"~ update  task  {WINDOW}/{WINDOW}Patch  " in text.stdout
    assert "      ServiceRoleArn: null -> (known after apply)\n" in text.stdout
    document = target_json(setup(aws.url, *JSON, *role, "--dry-run"))
    [task] = [r for r in document["resources"] if r["kind"] == "task"]
    assert task["changes"] == [
        {"field": "ServiceRoleArn", "old": None, "new": "(known after apply)"}
    ]
    done = setup(aws.url, *role, "-l", "DEBUG")
    assert done.returncode == 0, done.stderr
    for output in (text.stdout, text.stderr, json.dumps(document), done.stdout, done.stderr):
        assert "Ref(" not in output


def test_order_is_by_name_not_by_creation(aws: Any) -> None:
    # 04:00 is made first, 03:00 second: every output still lists 03:00 first.
    ok_json(setup(aws.url, *JSON, "-w", "1", "-d", "2", "-t", "4"))
    ok_json(setup(aws.url, *JSON, "-w", "1", "-d", "2", "-t", "3,4"))
    status = setup(aws.url, "status")
    assert status.stdout.index(f"window   {WINDOW}") < status.stdout.index(
        "window   Week1Day2Unattended0400"
    )
    planned = cleanup(aws.url, "--dry-run")
    windows = [line.split()[3] for line in planned.stdout.splitlines() if "  window  " in line]
    assert windows == [WINDOW, "Week1Day2Unattended0400"]
