"""What would silently not work is caught before the first write (issue 9, items 1, 6, 7).

Through the real CLI against the local endpoint: a config that describes nothing, a
hook document that does not exist, a patch group no baseline registers, an approval
delay the OS ignores, a baseline that approves nothing, a baseline file without an
OperatingSystem; and the small truths: next runs that honour start and end dates
the same way in apply and status, dates without an offset read in the window's time
zone, and one ASCII rule for role names and ARNs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from patchsetup import checks
from patchsetup.baselines import shapes
from patchsetup.baselines.presets import preset
from patchsetup.model import (
    ModelError,
    NotificationSpec,
    Setup,
    TargetSpec,
    TaskSpec,
    WindowSpec,
)
from patchsetup.seed import FlagOptions, build_setup
from tests.helpers.account import custom_baselines, windows
from tests.helpers.cli import (
    KITCHEN_HOOKS,
    SEED002_HOOKS,
    assert_one_line_error,
    cleanup,
    make_documents,
    ok_json,
    setup,
)
from tests.helpers.paths import ROOT, SEED

JSON = ("--output", "json")
ONE = ("-w", "1", "-d", "2", "-t", "3")
EXAMPLES = ROOT / "examples"
KITCHEN = ROOT / "tests" / "data" / "kitchen-sink.toml"

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
    ok_json(setup(aws.url, *JSON))  # the 8 default windows and their baseline
    before = (sorted(windows(ssm)), sorted(b["Name"] for b in custom_baselines(ssm)))
    path = tmp_path / "patching.toml"
    path.write_text(text, encoding="utf-8")
    for command in ("apply", "status"):
        result = setup(aws.url, command, "--config", str(path), *(["--yes"] * (command == "apply")))
        assert_one_line_error(result, 2, str(path), *words)
    after = (sorted(windows(ssm)), sorted(b["Name"] for b in custom_baselines(ssm)))
    assert after == before and len(after[0]) == 8


def test_dev_null_as_the_config_deletes_nothing(aws: Any, ssm: Any, tmp_path: Path) -> None:
    ok_json(setup(aws.url, *JSON))
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
    ok_json(setup(aws.url, *JSON, "-w", "1", "-d", "2", "-t", "3", "--name", "only-name"))
    path = tmp_path / "name.toml"
    path.write_text('name = "only-name"\n', encoding="utf-8")
    report = ok_json(cleanup(aws.url, *JSON, "--config", str(path), "--yes"))
    assert report["setup"] == "only-name" and report["summary"]["delete"] > 0
    assert windows(ssm) == {}


# -- item 7: one ASCII rule for role names and role ARNs ------------------------------

ROLE = "arn:aws:iam::123456789012:role/r\u00f4le"  # "rôle": \w without re.ASCII admits it


def one_window(task_extra: str = "", top: str = "") -> str:
    """A valid config of one window, one target, one task; ``task_extra`` adds task keys."""
    return f"""\
name = "roles"
{top}
[baselines.al2]
operating_system = "AMAZON_LINUX_2"
patch_groups = ["web"]

[windows.www]
week = 1
day = "TUE"
time = "03:00"

[[windows.www.targets]]
name = "web"
patch_group = "web"

[[windows.www.tasks]]
name = "patch"
{task_extra}
"""


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
    views = ok_json(setup(url, "status", "--config", str(config), *JSON))
    assert isinstance(views, list) and len(views) == 1
    return {w["name"]: w["next_runs"] for w in views[0]["windows"]}


def test_status_shows_the_next_runs_apply_shows(aws: Any, ssm: Any, tmp_path: Path) -> None:
    path = tmp_path / "dated.toml"
    path.write_text(DATED, encoding="utf-8")
    report = ok_json(setup(aws.url, "--config", str(path), *JSON))
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
    report = ok_json(setup(aws.url, "--config", str(path), *JSON))
    first = "2030-01-01T20:00:00-08:00"  # not 2029-12-31 20:00, as a UTC midnight would be
    planned = {w["name"]: w["next_runs"] for w in report["windows"]}
    assert planned["local-start"][0] == first
    assert status_runs(aws.url, path)["local-start"][0] == first
    window = next(
        w
        for w in ssm.describe_maintenance_windows()["WindowIdentities"]
        if w["Name"] == "local-start"
    )
    assert window["NextExecutionTime"].startswith("2030-01-01T20:00")


# -- item 6: refusals and warnings before the first write ------------------------------


def hooks_config(pre: str, post: str = "Post-doc") -> str:
    return one_window(
        'document = "AWS-RunPatchBaselineWithHooks"\n'
        f'hooks = {{ pre_install = "{pre}", post_install = "{post}", on_exit = "AWS-Noop" }}'
    )


def test_a_hook_document_that_does_not_exist_is_refused_before_any_write(
    aws: Any, ssm: Any, tmp_path: Path
) -> None:
    path = tmp_path / "hooks.toml"
    path.write_text(hooks_config("Pre-doc"), encoding="utf-8")
    missing = setup(aws.url, "--config", str(path), "--yes")
    assert_one_line_error(missing, 2, "'Pre-doc', 'Post-doc'", "do not exist in us-east-1")
    assert windows(ssm) == {}
    assert custom_baselines(ssm) == []
    # Made in us-east-1 only: there it applies; eu-west-1 still lacks them.
    make_documents(aws.url, "Pre-doc", "Post-doc")
    ok_json(setup(aws.url, "--config", str(path), *JSON))
    elsewhere = setup(aws.url, "--config", str(path), "-r", "eu-west-1", "--dry-run")
    assert_one_line_error(elsewhere, 2, "'Pre-doc', 'Post-doc'", "do not exist in eu-west-1")


def test_aws_owned_hook_documents_are_not_looked_up(aws: Any, ssm: Any, tmp_path: Path) -> None:
    """Names with AWS's reserved prefixes are AWS's: no lookup, and no refusal."""
    path = tmp_path / "hooks.toml"
    path.write_text(hooks_config("AWS-Noop", post="Amazon-Hook"), encoding="utf-8")
    report = ok_json(setup(aws.url, "--config", str(path), *JSON))
    assert report["summary"]["create"] > 0 and report["warnings"] == []


def test_a_patch_group_no_baseline_registers_is_a_warning(
    aws: Any, ssm: Any, tmp_path: Path
) -> None:
    path = tmp_path / "group.toml"
    path.write_text(one_window().replace('patch_group = "web"', 'patch_group = "db"'), "utf-8")
    result = setup(aws.url, "--config", str(path), *JSON)
    report = ok_json(result)
    expected = (
        "window www: target web: patch group 'db' is registered to no baseline of this setup, "
        "so its instances are patched with AWS's default baseline for their OS"
    )
    assert len(report["warnings"]) == 1 and report["warnings"][0].startswith(expected)
    assert f"warning: {report['warnings'][0]}" in result.stderr.splitlines()
    assert report["summary"]["create"] > 0  # a warning, not a refusal


@pytest.mark.parametrize(
    ("baseline", "key"),
    [
        (
            'operating_system = "UBUNTU"\napprove_after_days = 14',
            "baselines.al2.approve_after_days",
        ),
        (
            'operating_system = "DEBIAN"\napprove_until_date = "2027-01-31"',
            "baselines.al2.approve_until_date",
        ),
        (
            'operating_system = "UBUNTU"\n'
            'rules = [{ priority = ["Required"], approve_after_days = 7 }]',
            "baselines.al2.rules[0].approve_after_days",
        ),
    ],
    ids=["ubuntu-days", "debian-date", "ubuntu-rule-days"],
)
def test_an_approval_delay_the_os_ignores_is_refused(
    aws: Any, ssm: Any, tmp_path: Path, baseline: str, key: str
) -> None:
    path = tmp_path / "staged.toml"
    path.write_text(
        one_window().replace('operating_system = "AMAZON_LINUX_2"', baseline), encoding="utf-8"
    )
    assert_one_line_error(
        setup(aws.url, "--config", str(path)), 2, key, "is ignored on", "not supported for Debian"
    )
    assert custom_baselines(ssm) == []


def test_the_old_tools_ubuntu_sample_with_its_delay_is_a_warning(aws: Any, ssm: Any) -> None:
    """The shared sample (AWS's own baseline as it once read) says 7 days: a warning only."""
    result = setup(aws.url, "-b", str(SEED / "sample_ubuntu_aws_default.json"), *ONE, *JSON)
    report = ok_json(result)
    assert report["warnings"] == [
        "baseline AWS-UbuntuDefaultPatchBaseline: rule 1: ApproveAfterDays 7 is ignored on "
        "UBUNTU (the API reference: not supported for Debian Server or Ubuntu Server): "
        "patches are approved as soon as they are available"
    ]
    assert "warning: baseline AWS-UbuntuDefaultPatchBaseline" in result.stderr


def test_a_baseline_that_approves_nothing_is_a_warning(aws: Any, ssm: Any, tmp_path: Path) -> None:
    path = tmp_path / "nothing.toml"
    path.write_text(one_window().replace("patch_groups", "rules = []\npatch_groups"), "utf-8")
    report = ok_json(setup(aws.url, "--config", str(path), *JSON))
    assert report["warnings"] == [
        "baseline roles-al2: approves nothing (no approval rules and no approved patches), "
        "so the instances of its patch groups ('web') install no patches"
    ]
    assert [b["Name"] for b in custom_baselines(ssm)] == ["roles-al2"]


NO_OS = {"ApprovalRules": {"PatchRules": []}, "ApprovedPatches": ["KB5005565"]}


def test_a_baseline_file_without_an_operating_system_is_a_warning(
    aws: Any, ssm: Any, tmp_path: Path
) -> None:
    file = tmp_path / "no-os.json"
    file.write_text(json.dumps(NO_OS), encoding="utf-8")
    flags = ok_json(setup(aws.url, "-b", str(file), *ONE, *JSON, "--dry-run"))
    assert flags["warnings"] == [
        f"-b/--baseline-file: {file} has no OperatingSystem, so AWS makes it a WINDOWS "
        'baseline; add "OperatingSystem" to the file, or pass --operating-system WINDOWS '
        "to say so"
    ]
    said = ok_json(
        setup(aws.url, "-b", str(file), "--operating-system", "WINDOWS", *ONE, *JSON, "--dry-run")
    )
    assert said["warnings"] == []
    path = tmp_path / "file.toml"
    path.write_text(
        one_window().replace('operating_system = "AMAZON_LINUX_2"', 'file = "no-os.json"'),
        encoding="utf-8",
    )
    report = ok_json(setup(aws.url, "--config", str(path), *JSON, "--dry-run"))
    assert report["warnings"] == [
        f"{path}: baselines.al2.file: no-os.json has no OperatingSystem, so AWS makes it a "
        'WINDOWS baseline; add "OperatingSystem" to the file, or operating_system = '
        '"WINDOWS" here to say so'
    ]


@pytest.mark.parametrize(
    "example", [*sorted(EXAMPLES.glob("*.toml")), KITCHEN], ids=lambda p: str(p.stem)
)
def test_the_examples_trip_no_check(aws: Any, example: Path) -> None:
    make_documents(aws.url, *KITCHEN_HOOKS, *SEED002_HOOKS)
    result = setup(aws.url, "--config", str(example), *JSON, "--dry-run")
    assert ok_json(result)["warnings"] == []
    assert "warning: " not in result.stderr


@pytest.mark.parametrize("operating_system", shapes.OPERATING_SYSTEMS)
def test_the_presets_trip_no_check(operating_system: str) -> None:
    setup = build_setup(FlagOptions(), preset(operating_system))
    assert setup.baselines[0].operating_system == operating_system
    assert checks.setup_warnings(setup) == []
