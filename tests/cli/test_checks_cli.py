"""What would silently not work is caught before the first write (issue 9, items 1 and 7).

Through the real CLI against the local endpoint: a config that describes nothing; and
the small truths: next runs that honour start and end dates the same way in apply and
status, dates without an offset read in the window's time zone, and one ASCII rule for
role names and ARNs. Item 6 (refusals and warnings) is in test_checks_cli_refusals.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from patchsetup.model import (
    ModelError,
    NotificationSpec,
    Setup,
    TargetSpec,
    TaskSpec,
    WindowSpec,
)
from tests.helpers.account import custom_baselines, window_identities, windows
from tests.helpers.cli import (
    JSON,
    assert_one_line_error,
    cleanup,
    setup,
    target_json,
)
from tests.helpers.configs import one_window

# -- item 1: a config that describes nothing is bad input ---------------------------

BASELINES_ONLY = """\
name = "default"

[baselines.al2]
operating_system = "AMAZON_LINUX_2"
patch_groups = ["Week 1 Day 2 - Unattended - 03:00"]
"""


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", ["is empty"]),
        ("# rendered by CI, then truncated\n\n   \n# nothing else\n", ["is empty"]),
        (BASELINES_ONLY, ["defines no windows"]),
    ],
    ids=["empty", "comments-only", "no-windows"],
)
def test_a_config_that_describes_nothing_deletes_nothing(
    aws: Any, ssm: Any, tmp_path: Path, text: str, words: list[str]
) -> None:
    target_json(setup(aws.url, *JSON))  # the 8 default windows and their baseline
    before = (sorted(windows(ssm)), sorted(b["Name"] for b in custom_baselines(ssm)))
    path = tmp_path / "patching.toml"
    path.write_text(text, encoding="utf-8")
    for command in ("apply", "status"):
        result = setup(aws.url, command, "--config", str(path), *(["--yes"] * (command == "apply")))
        assert_one_line_error(result, 2, str(path), *words)
    after = (sorted(windows(ssm)), sorted(b["Name"] for b in custom_baselines(ssm)))
    assert after == before and len(after[0]) == 8


def test_dev_null_as_the_config_deletes_nothing(aws: Any, ssm: Any, tmp_path: Path) -> None:
    target_json(setup(aws.url, *JSON))
    # A device is no config file (issue 10: only regular files are read), so /dev/null is
    # refused before it could read as empty; an empty regular file says "is empty".
    assert_one_line_error(
        setup(aws.url, "--config", "/dev/null", "--yes"), 2, "/dev/null", "not a regular file"
    )
    assert_one_line_error(
        cleanup(aws.url, "--config", "/dev/null", "--yes"), 2, "/dev/null", "not a regular file"
    )
    empty = tmp_path / "empty.toml"
    empty.write_bytes(b"")
    assert_one_line_error(setup(aws.url, "--config", str(empty), "--yes"), 2, "is empty")
    assert_one_line_error(cleanup(aws.url, "--config", str(empty), "--yes"), 2, "is empty")
    assert len(windows(ssm)) == 8


def test_cleanup_takes_a_file_that_only_names_the_setup(aws: Any, ssm: Any, tmp_path: Path) -> None:
    """Cleanup needs only the name; a file with no windows is enough for it."""
    target_json(setup(aws.url, *JSON, "-w", "1", "-d", "2", "-t", "3", "--name", "only-name"))
    path = tmp_path / "name.toml"
    path.write_text('name = "only-name"\n', encoding="utf-8")
    report = target_json(cleanup(aws.url, *JSON, "--config", str(path), "--yes"))
    assert report["setup"] == "only-name" and report["summary"]["delete"] > 0
    assert windows(ssm) == {}


# -- item 7: one ASCII rule for role names and role ARNs ------------------------------

ROLE = "arn:aws:iam::123456789012:role/r\u00f4le"  # "rôle": \w without re.ASCII admits it


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (
            one_window(top='[service_role]\ncreate = true\nname = "r\u00f4le"\n'),
            "service_role.name",
        ),
        (one_window(f'service_role = "{ROLE}"'), "windows.www.tasks[0].service_role"),
        (
            one_window(
                "notifications = { topic_arn = "
                f'"arn:aws:sns:us-east-1:123456789012:patching", role = "{ROLE}" }}'
            ),
            "windows.www.tasks[0].notifications.role",
        ),
    ],
    ids=["service-role-name", "task-service-role", "notification-role"],
)
def test_a_non_ascii_role_is_bad_input_before_any_write(
    aws: Any, ssm: Any, tmp_path: Path, text: str, key: str
) -> None:
    path = tmp_path / "roles.toml"
    path.write_text(text, encoding="utf-8")
    assert_one_line_error(setup(aws.url, "--config", str(path)), 2, key, "r\u00f4le")
    assert windows(ssm) == {}


def test_a_non_ascii_role_arn_to_assume_is_bad_input(aws: Any) -> None:
    assert_one_line_error(setup(aws.url, "--role-arn", ROLE, "--dry-run"), 2, "--role-arn")


def test_the_model_checks_task_role_arns_with_the_same_rule() -> None:
    """Setups built without the config file (the flags, tests) get the same check."""
    target = TargetSpec("web-hosts", (("tag:Patch Group", ("web",)),))
    for task in (
        TaskSpec("patch", ("web-hosts",), service_role_arn=ROLE),
        TaskSpec(
            "patch",
            ("web-hosts",),
            notification=NotificationSpec("arn:aws:sns:us-east-1:123456789012:t", role_arn=ROLE),
        ),
    ):
        window = WindowSpec("www", "cron(0 3 ? * TUE#1 *)", targets=(target,), tasks=(task,))
        with pytest.raises(ModelError, match="is not an IAM role ARN"):
            Setup("roles", windows=(window,)).validate()


# -- item 7: next runs by one rule in apply and status ---------------------------------

DATED = """\
name = "dated"

[baselines.al2]
operating_system = "AMAZON_LINUX_2"
patch_groups = ["web"]

[windows.later]
week = 1
day = "TUE"
time = "03:00"
start_date = "2030-01-01T00:00:00Z"
end_date = "2030-03-01T00:00:00Z"

[[windows.later.targets]]
name = "web"
patch_group = "web"

[windows.shifted]
schedule = "cron(0 3 ? * TUE#2 *)"
schedule_offset = 2

[[windows.shifted.targets]]
name = "web"
patch_group = "web"

[windows.off]
week = 3
day = "WED"
time = "04:00"
enabled = false

[[windows.off.targets]]
name = "web"
patch_group = "web"

[windows.local-start]
schedule = "cron(0 20 ? * * *)"
timezone = "America/Los_Angeles"
start_date = 2030-01-01T00:00:00    # no offset: midnight in Los Angeles, not in UTC

[[windows.local-start.targets]]
name = "web"
patch_group = "web"
"""


def status_runs(url: str, config: Path) -> dict[str, list[str]]:
    views = [target_json(setup(url, "status", "--config", str(config), *JSON))]
    return {w["name"]: w["next_runs"] for w in views[0]["windows"]}


def test_status_shows_the_next_runs_apply_shows(aws: Any, ssm: Any, tmp_path: Path) -> None:
    path = tmp_path / "dated.toml"
    path.write_text(DATED, encoding="utf-8")
    report = target_json(setup(aws.url, "--config", str(path), *JSON))
    planned = {w["name"]: w["next_runs"] for w in report["windows"]}
    # Within the window's active period: the first Tuesdays of Jan and Feb 2030 only.
    assert planned["later"] == ["2030-01-01T03:00:00+00:00", "2030-02-05T03:00:00+00:00"]
    assert planned["off"] == []
    assert len(planned["shifted"]) == 3
    assert status_runs(aws.url, path) == planned


def test_a_date_without_an_offset_is_in_the_windows_time_zone(
    aws: Any, ssm: Any, tmp_path: Path
) -> None:
    path = tmp_path / "dated.toml"
    path.write_text(DATED, encoding="utf-8")
    report = target_json(setup(aws.url, "--config", str(path), *JSON))
    first = "2030-01-01T20:00:00-08:00"  # not 2029-12-31 20:00, as a UTC midnight would be
    planned = {w["name"]: w["next_runs"] for w in report["windows"]}
    assert planned["local-start"][0] == first
    assert status_runs(aws.url, path)["local-start"][0] == first
    window = next(w for w in window_identities(ssm) if w["Name"] == "local-start")
    assert window["NextExecutionTime"].startswith("2030-01-01T20:00")
