"""ssm-patching-setup end to end: the real CLI, over HTTP, against the local endpoint: the
flags' windows, targets and tasks, changes in place, dry runs, setup names, the endpoint
and profile.

Baseline files and patch groups are in test_setup_cli_baselines.py, help and bad input
in test_setup_cli_inputs.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from patchsetup.model import OWNER_TAG
from tests.helpers.account import (
    assert_empty,
    custom_baselines,
    patch_groups,
    tags,
    window_names,
    windows,
)
from tests.helpers.cli import (
    DEFAULT_WINDOWS,
    JSON,
    ONE_WINDOW,
    assert_one_line_error,
    cli_env,
    setup,
    target_json,
)
from tests.helpers.paths import ROOT


def test_defaults_create_the_seed_tools_8_windows_field_by_field(aws: Any, ssm: Any) -> None:
    report = target_json(setup(aws.url, "--output", "json"))
    assert report["summary"] == {
        "create": 33,
        "update": 0,
        "delete": 0,
        "unchanged": 0,
        "failed": 0,
        "not_run": 0,
        "adopt": 0,
    }
    found = windows(ssm)
    assert set(found) == set(DEFAULT_WINDOWS)
    for name, (cron, group) in DEFAULT_WINDOWS.items():
        window = found[name]
        assert window["Schedule"] == cron
        assert window["Duration"] == 1
        assert window["Cutoff"] == 0
        assert window["AllowUnassociatedTargets"] is False
        assert window["Enabled"] is True
        assert "ScheduleTimezone" not in window
        assert window["Tags"] == {OWNER_TAG: "default"}
        [target] = window["Targets"]
        assert target["ResourceType"] == "INSTANCE"
        assert target["Targets"] == [{"Key": "tag:Patch Group", "Values": [group]}]
        [task] = window["Tasks"]
        assert task["TaskArn"] == "AWS-RunPatchBaseline"
        assert task["TaskType"] == "RUN_COMMAND"
        assert task["Priority"] == 1
        assert task["MaxConcurrency"] == "2"
        assert task["MaxErrors"] == "1"
        assert task["Targets"] == [{"Key": "WindowTargetIds", "Values": [target["WindowTargetId"]]}]
        assert task["TaskInvocationParameters"]["RunCommand"]["Parameters"] == {
            "Operation": ["Install"]
        }
    [baseline] = custom_baselines(ssm)
    assert baseline["Name"] == "ssm-patching-setup-default-amazon-linux-2"
    assert baseline["OperatingSystem"] == "AMAZON_LINUX_2"
    rules = baseline["ApprovalRules"]["PatchRules"]
    filters = [
        {f["Key"]: sorted(f["Values"]) for f in r["PatchFilterGroup"]["PatchFilters"]}
        for r in rules
    ]
    assert filters == [
        {"CLASSIFICATION": ["Security"], "SEVERITY": ["Critical", "Important"]},
        {"CLASSIFICATION": ["Bugfix"]},
    ]
    assert [r["ApproveAfterDays"] for r in rules] == [7, 7]
    assert tags(ssm, "PatchBaseline", baseline["BaselineId"]) == {OWNER_TAG: "default"}
    assert patch_groups(ssm) == {group: baseline["Name"] for _, group in DEFAULT_WINDOWS.values()}
    # The report's IDs are the real ones.
    ids = {r["name"]: r["id"] for r in report["resources"] if r["kind"] == "window"}
    assert ids == {name: w["WindowId"] for name, w in found.items()}


def test_second_run_changes_nothing(aws: Any, ssm: Any) -> None:
    target_json(setup(aws.url, "--output", "json"))
    before = windows(ssm)
    again = target_json(setup(aws.url, "--output", "json"))
    assert again["summary"] == {
        "create": 0,
        "update": 0,
        "delete": 0,
        "unchanged": 33,
        "failed": 0,
        "not_run": 0,
        "adopt": 0,
    }
    assert {r["status"] for r in again["resources"]} == {"unchanged"}
    after = windows(ssm)
    assert {n: w["WindowId"] for n, w in after.items()} == {
        n: w["WindowId"] for n, w in before.items()
    }
    assert {n: w["ModifiedDate"] for n, w in after.items()} == {
        n: w["ModifiedDate"] for n, w in before.items()
    }


def test_text_output_says_what_was_created_and_when_windows_run(aws: Any, ssm: Any) -> None:
    result = setup(aws.url, "-w", "1", "-d", "TUE", "-t", "3")
    assert result.returncode == 0, result.stderr
    assert "  Week1Day2Unattended0300  03:00 on the first Tuesday of every month: Tue " in (
        result.stdout
    )
    assert "+ created  window       Week1Day2Unattended0300  mw-" in result.stdout
    assert "Result: 5 created, 0 updated, 0 deleted, 0 unchanged" in result.stdout
    again = setup(aws.url, "-w", "1", "-d", "TUE", "-t", "3")
    assert "window" not in again.stdout.split("Windows and their next runs:")[0]
    assert "\n  5 unchanged (-v lists them)\n" in again.stdout
    assert "Result: 0 created, 0 updated, 0 deleted, 5 unchanged" in again.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["-w", "1", "-w", "3", "-d", "5", "-t", "22"],
        ["-w", "1,3", "-d", "FRI", "-t", "22"],
        ["-w", "1", "3", "-d", "friday", "-t", "22"],
        ["--week", "3,1", "--days", "5", "--hours", "22"],
    ],
)
def test_list_options_take_repeats_commas_and_seed_style_spaces(
    aws: Any, ssm: Any, args: list[str]
) -> None:
    target_json(setup(aws.url, *JSON, *args))
    found = windows(ssm)
    assert {n: w["Schedule"] for n, w in found.items()} == {
        "Week1Day5Unattended2200": "cron(00 22 ? * FRI#1 *)",
        "Week3Day5Unattended2200": "cron(00 22 ? * FRI#3 *)",
    }


def test_sunday_as_0_or_7_keeps_the_number_given(aws: Any, ssm: Any) -> None:
    target_json(setup(aws.url, *JSON, "-w", "2", "-d", "7", "-t", "1"))
    assert {n: w["Schedule"] for n, w in windows(ssm).items()} == {
        "Week2Day7Unattended0100": "cron(00 01 ? * SUN#2 *)"
    }


def test_timezone_duration_cutoff_and_task_options(aws: Any, ssm: Any) -> None:
    args = [
        "-w",
        "5",
        "-d",
        "2",
        "-t",
        "2",
        "-z",
        "America/New_York",
        "--duration",
        "4",
        "--cutoff",
        "1",
    ]
    args += ["--max-concurrency", "10%", "--max-errors", "0", "--operation", "Scan"]
    report = target_json(setup(aws.url, *JSON, *args))
    [window] = windows(ssm).values()
    assert window["ScheduleTimezone"] == "America/New_York"
    assert (window["Duration"], window["Cutoff"]) == (4, 1)
    [task] = window["Tasks"]
    assert (task["MaxConcurrency"], task["MaxErrors"]) == ("10%", "0")
    assert task["TaskInvocationParameters"]["RunCommand"]["Parameters"] == {"Operation": ["Scan"]}
    [runs] = report["windows"]
    assert runs["timezone"] == "America/New_York"
    assert len(runs["next_runs"]) == 3
    assert all(r.endswith(("-05:00", "-04:00")) and "T02:00:00" in r for r in runs["next_runs"])
    # Week 5 skips months, and 02:00 on a fifth Tuesday can't hit the DST gap (a Sunday).
    assert any("fifth Tuesday" in w for w in runs["warnings"]), runs["warnings"]


def test_changing_an_option_updates_in_place(aws: Any, ssm: Any) -> None:
    target_json(setup(aws.url, *JSON, "-w", "1", "-d", "2", "-t", "3"))
    before = windows(ssm)["Week1Day2Unattended0300"]
    report = target_json(setup(aws.url, *JSON, *ONE_WINDOW, "-z", "Europe/London"))
    assert report["summary"] == {
        "create": 0,
        "update": 1,
        "delete": 0,
        "unchanged": 4,
        "failed": 0,
        "not_run": 0,
        "adopt": 0,
    }
    [update] = [r for r in report["resources"] if r["action"] == "update"]
    assert update["changes"] == [{"field": "ScheduleTimezone", "old": None, "new": "Europe/London"}]
    after = windows(ssm)["Week1Day2Unattended0300"]
    assert after["WindowId"] == before["WindowId"]
    assert after["ScheduleTimezone"] == "Europe/London"


def test_dry_run_writes_nothing(aws: Any, ssm: Any) -> None:
    report = target_json(setup(aws.url, *JSON, "--dry-run"))
    assert report["dry_run"] is True
    assert report["summary"]["create"] == 33
    assert {r["status"] for r in report["resources"]} == {"planned"}
    assert_empty(ssm)
    text = setup(aws.url, "--dry-run")
    assert "\n+ create  window       Week1Day2Unattended0300\n" in text.stdout
    assert_empty(ssm)


def test_dry_run_shows_the_update_without_making_it(aws: Any, ssm: Any) -> None:
    target_json(setup(aws.url, *JSON, "-w", "1", "-d", "2", "-t", "3"))
    report = target_json(
        setup(
            aws.url,
            *JSON,
            *ONE_WINDOW,
            "--duration",
            "3",
            "--dry-run",
        )
    )
    assert [
        (r["kind"], r["action"]) for r in report["resources"] if r["action"] != "unchanged"
    ] == [("window", "update")]
    assert windows(ssm)["Week1Day2Unattended0300"]["Duration"] == 1


def test_two_setup_names_never_touch_each_other(aws: Any, ssm: Any) -> None:
    target_json(setup(aws.url, *JSON, "--name", "blue", "-w", "1", "-d", "2", "-t", "3"))
    target_json(setup(aws.url, *JSON, "--name", "green", "-w", "2", "-d", "2", "-t", "3"))
    found = windows(ssm)
    assert {n: w["Tags"][OWNER_TAG] for n, w in found.items()} == {
        "Week1Day2Unattended0300": "blue",
        "Week2Day2Unattended0300": "green",
    }
    again = target_json(setup(aws.url, *JSON, "--name", "blue", "-w", "1", "-d", "2", "-t", "3"))
    assert again["summary"]["delete"] == again["summary"]["create"] == 0


def test_fewer_windows_needs_consent_then_removes_the_rest(aws: Any, ssm: Any) -> None:
    target_json(setup(aws.url, "--output", "json"))
    refused = setup(aws.url, "-w", "1")
    assert_one_line_error(refused, 3, "--yes")
    assert len(windows(ssm)) == 8
    report = target_json(setup(aws.url, *JSON, "-w", "1", "--yes"))
    assert report["summary"]["delete"] == 4 * 3 + 4  # windows, targets, tasks, patch groups
    assert sorted(windows(ssm)) == sorted(n for n in DEFAULT_WINDOWS if n.startswith("Week1"))
    assert len(patch_groups(ssm)) == 4


def test_endpoint_url_option_and_profile(aws: Any, ssm: Any, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text(
        "[profile ops]\nregion = eu-central-1\n"
        "aws_access_key_id = AKIDPROFILE\naws_secret_access_key = secret\n"
    )
    env = cli_env("http://127.0.0.1:9", AWS_CONFIG_FILE=str(config))
    del env["AWS_ENDPOINT_URL"]
    del env["AWS_DEFAULT_REGION"]
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        del env[name]
    report = target_json(
        setup(
            aws.url,
            *JSON,
            "--profile",
            "ops",
            "--endpoint-url",
            aws.url,
            *ONE_WINDOW,
            env=env,
        )
    )
    assert report["region"] == "eu-central-1"
    from tests.helpers.endpoint import client

    assert len(window_names(client(aws, "ssm", "eu-central-1"))) == 1
    assert windows(ssm) == {}


def test_seed_compatible_script_runs_from_the_checkout(aws: Any, ssm: Any) -> None:
    import subprocess
    import sys

    root = ROOT
    result = subprocess.run(
        [sys.executable, str(root / "ssm_patching_setup.py"), "-w", "1", "2", "-d", "2", "-t", "3"],
        env=cli_env(aws.url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(windows(ssm)) == ["Week1Day2Unattended0300", "Week2Day2Unattended0300"]
