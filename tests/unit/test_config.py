"""Tests for patchsetup.config: the TOML config file as a Setup, and every way it can be wrong.

Pure and fast: no endpoint. Expected Setups are written out by hand from the
schema (and AWS's documented request shapes), not computed by the code under test.
"""

from __future__ import annotations

import datetime
import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patchsetup import baselines, quotas, schedule
from patchsetup.config import ConfigError, Overrides, load_config, sample_config
from patchsetup.model import (
    SERVICE_ROLE,
    NotificationSpec,
    RoleSpec,
    Setup,
    TargetSpec,
    TaskSpec,
    WindowSpec,
    default_role,
    maintenance_window_policy,
)
from tests.helpers.paths import ROOT
from tests.helpers.toml import to_toml

# ---------------------------------------------------------------------------- helpers

NO_OVERRIDES = Overrides()


def write(directory: Path, text: str, name: str = "patching.toml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def load(directory: Path, text: str, overrides: Overrides = NO_OVERRIDES) -> Setup:
    return load_config(write(directory, text), overrides)


def error(directory: Path, text: str, overrides: Overrides = NO_OVERRIDES) -> str:
    """The ConfigError message for ``text``; fails the test if it loads."""
    path = write(directory, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, overrides)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: "), message
    return message.removeprefix(f"{path}: ")


def window(setup: Setup, name: str) -> WindowSpec:
    return next(w for w in setup.windows if w.name == name)


# ---------------------------------------------------------------------------- the sample


def test_sample_is_the_package_file() -> None:
    text = sample_config()
    packaged = ROOT / "patchsetup" / "config" / "sample.toml"
    assert text == packaged.read_text(encoding="utf-8")
    assert text.startswith("# ssm-patching-setup config")


def test_sample_loads_as_seed_004_in_small(tmp_path: Path) -> None:
    setup = load(tmp_path, sample_config())
    assert setup.name == "default"
    assert setup.service_role is None
    by_name = {b.name: b for b in setup.baselines}
    assert set(by_name) == {
        "default-linux-test",
        "default-linux-prod",
        "default-windows-test",
        "default-windows-prod",
    }
    expected_groups = {
        "default-linux-test": ("AMAZON_LINUX_2", ("patch_test_0600_batch_1",), 0),
        "default-linux-prod": ("AMAZON_LINUX_2", ("patch_prod_0600_batch_1",), 14),
        "default-windows-test": ("WINDOWS", ("patch_test_0600_batch_2",), 0),
        "default-windows-prod": ("WINDOWS", ("patch_prod_0600_batch_2",), 14),
    }
    for name, (system, groups, days) in expected_groups.items():
        baseline = by_name[name]
        assert (baseline.operating_system, baseline.patch_groups) == (system, groups)
        rules = baseline.rules["ApprovalRules"]["PatchRules"]
        assert rules and all(rule["ApproveAfterDays"] == days for rule in rules)
    assert [(w.name, w.schedule, w.duration, w.cutoff) for w in setup.windows] == [
        ("patch_test_0600", "cron(00 06 ? * SAT#1 *)", 2, 1),
        ("patch_prod_0600", "cron(00 06 ? * SAT#3 *)", 2, 1),
    ]
    for env, w in zip(("test", "prod"), setup.windows, strict=True):
        assert [t.targets for t in w.targets] == [
            (("tag:Patch Group", (f"patch_{env}_0600_batch_1",)),),
            (("tag:Patch Group", (f"patch_{env}_0600_batch_2",)),),
        ]
        assert [(t.name, t.target_names, t.priority) for t in w.tasks] == [
            ("patch-linux", ("linux",), 1),
            ("patch-windows", ("windows",), 2),
        ]
        assert all(t.parameters == {"Operation": ("Install",)} for t in w.tasks)


def uncomment(text: str, *prefixes: str) -> str:
    """Remove the leading "# " of every line that starts with one of ``prefixes``."""
    lines = []
    for line in text.splitlines():
        if any(line.startswith(prefix) for prefix in prefixes):
            line = line.removeprefix("# ")
        lines.append(line)
    return "\n".join(lines) + "\n"


def test_sample_commented_defaults_role_and_scan_work_when_turned_on(tmp_path: Path) -> None:
    text = uncomment(
        sample_config(),
        "# reboot_option =",
        "# patch_group_key =",
        "# cutoff_behavior =",
        "# service_role =",
        "# output =",
        "# notifications =",
        "# [service_role]",
        "# create =",
        "# trusted_services =",
        "# [scan]",
        '# time = "01:00"',
    )
    setup = load(tmp_path, text)
    assert setup.service_role == default_role("default")
    task = setup.windows[0].tasks[0]
    assert task.service_role_arn == SERVICE_ROLE
    assert task.cutoff_behavior == "CANCEL_TASK"
    assert task.parameters == {"Operation": ("Install",), "RebootOption": ("RebootIfNeeded",)}
    assert (task.output_s3_bucket, task.cloudwatch_log_group) == ("my-patching-logs", "patching")
    assert task.notification == NotificationSpec(
        "arn:aws:sns:eu-west-1:123456789012:patching", ("All",), "Invocation", SERVICE_ROLE
    )
    assert setup.windows[0].targets[0].targets == (
        ("tag:PatchGroup", ("patch_test_0600_batch_1",)),
    )
    scan = setup.windows[-1]
    assert (scan.name, scan.schedule) == ("default-daily-scan", "cron(00 01 ? * * *)")


def test_sample_commented_baseline_keys_work_when_turned_on(tmp_path: Path) -> None:
    keys = (
        "description",
        "compliance_level",
        "approved_patches",
        "rejected_patches",
        "global_filters",
        "sources",
        "tags = { Team",
    )
    text = uncomment(sample_config(), *(f"# {key}" for key in keys))
    prod = next(b for b in load(tmp_path, text).baselines if b.name == "default-linux-prod")
    assert prod.rules["Description"] == "Amazon Linux 2 production"
    assert prod.rules["RejectedPatches"] == ["system-release.*"]
    assert prod.rules["RejectedPatchesAction"] == "BLOCK"
    assert prod.rules["Sources"][0]["Name"] == "my-repo"
    assert prod.tags == {"Team": "ops"}


def test_sample_commented_rules_hooks_and_window_keys_work_when_turned_on(tmp_path: Path) -> None:
    text = uncomment(
        sample_config(),
        "# rules",
        "#   {",
        "# ]",
        "# document",
        "# hooks",
        "# schedule_offset",
        "# start_date",
        "# end_date",
        "# enabled",
        "# allow_unassociated_targets",
        "# timeout_seconds",
        "# comment",
    )
    setup = load(tmp_path, text)
    prod = next(b for b in setup.baselines if b.name == "default-linux-prod")
    assert [r.get("ComplianceLevel") for r in prod.rules["ApprovalRules"]["PatchRules"]] == [
        "CRITICAL",
        None,
    ]
    test = setup.windows[0]
    assert (test.schedule_offset, test.start_date, test.enabled) == (
        2,
        "2026-12-01T00:00:00Z",
        False,
    )
    assert test.tasks[0].parameters["PreInstallHookDocName"] == ("Pre-patch-Document",)


def test_sample_schedule_alternative_is_exclusive_with_week_day_time(tmp_path: Path) -> None:
    message = error(tmp_path, uncomment(sample_config(), "# schedule ="))
    assert message.startswith("windows.test.week: set either schedule or week/day/time")


# ---------------------------------------------------------------------------- a full config

WINDOWS_BASELINE = {
    "OperatingSystem": "WINDOWS",
    "Name": "from-file",
    "Description": "from the file",
    "ApprovalRules": {
        "PatchRules": [
            {
                "PatchFilterGroup": {
                    "PatchFilters": [{"Key": "CLASSIFICATION", "Values": ["SecurityUpdates"]}]
                },
                "ApproveAfterDays": 21,
            }
        ]
    },
    "Tags": [{"Key": "Source", "Value": "file"}, {"Key": "Team", "Value": "file-team"}],
}

FULL = """
name = "web"

[defaults]
timezone = "Europe/London"
duration = 3
cutoff = 1
max_concurrency = "10%"
max_errors = 2
reboot_option = "RebootIfNeeded"
patch_group_key = "PatchGroup"
cutoff_behavior = "CANCEL_TASK"
service_role = "create"

[defaults.output]
s3_bucket = "patch-logs"
s3_prefix = "web/"
cloudwatch = true
cloudwatch_log_group = "patching/web"

[defaults.notifications]
topic_arn = "arn:aws:sns:eu-west-1:123456789012:patching"
events = ["Failed", "TimedOut"]
type = "Invocation"

[service_role]
name = "web-mw-role"
trusted_services = ["ssm.amazonaws.com", "ec2.amazonaws.com"]

[baselines.rhel-test]
operating_system = "REDHAT_ENTERPRISE_LINUX"
approve_after_days = 0
compliance_level = "HIGH"
patch_groups = ["patch_test_0600_batch_1"]

[baselines.rhel-prod]
operating_system = "REDHAT_ENTERPRISE_LINUX"
name = "rhel-prod"
description = "RHEL production"
approved_patches = ["kernel-5.10.*"]
approved_patches_compliance_level = "HIGH"
approved_patches_enable_non_security = true
rejected_patches = ["system-release.*"]
rejected_patches_action = "BLOCK"
global_filters = { PRODUCT = ["RedhatEnterpriseLinux8*"] }
patch_groups = ["patch_prod_0600_batch_1"]
tags = { Team = "ops" }

[[baselines.rhel-prod.rules]]
classification = ["Security"]
severity = ["Critical", "Important"]
approve_after_days = 14
compliance_level = "CRITICAL"
enable_non_security = false

[[baselines.rhel-prod.rules]]
classification = "Bugfix"
approve_until_date = 2027-01-31

[[baselines.rhel-prod.sources]]
name = "My-RHEL"
products = ["RedhatEnterpriseLinux8.5"]
configuration = "[main]\\nname=My RHEL"

[baselines.windows-prod]
file = "windows.json"
operating_system = "WINDOWS"
description = "Windows production"
patch_groups = ["patch_prod_0600_batch_2"]
tags = { Team = "windows" }

[baselines.ubuntu]
operating_system = "UBUNTU"
approve_after_days = 0   # Ubuntu ignores any other delay, and the config refuses one
rules = [{ filters = { PRIORITY = ["Required", "Important"], SECTION = "*" } }]
patch_groups = ["patch_test_0600_batch_1"]

[windows.test]
name = "patch_test_0630"
description = "Test, first Saturday"
week = 1
day = "SAT"
time = "06:30"
schedule_offset = 2
start_date = 2026-12-01T00:00:00Z
end_date = "2027-12-31T00:00:00Z"
enabled = false
allow_unassociated_targets = true

[[windows.test.targets]]
name = "linux"
patch_group = "patch_test_0600_batch_1"
owner_information = "Team A"
description = "Linux"

[[windows.test.targets]]
name = "windows"
patch_group = "patch_test_0600_batch_2"
patch_group_key = "Patch Group"

[[windows.test.targets]]
name = "web-tagged"
tags = { Role = ["web", "api"], Env = "test" }

[[windows.test.targets]]
name = "grouped"
resource_group = "my-group"
resource_types = ["AWS::EC2::Instance"]

[[windows.test.tasks]]
name = "patch-linux"
targets = ["linux", "web-tagged", "grouped"]
priority = 1
document = "AWS-RunPatchBaselineWithHooks"
reboot_option = "NoReboot"
max_concurrency = "1"
description = "Linux first"
timeout_seconds = 600
comment = "monthly"

[windows.test.tasks.hooks]
pre_install = "Pre-patch-Doc"
post_install = "Post-install-Doc"
on_exit = "Post-reboot-Doc"

[[windows.test.tasks]]
name = "patch-windows"
targets = ["windows"]
priority = 2
service_role = "arn:aws:iam::123456789012:role/mw-role"
cutoff_behavior = "CONTINUE_TASK"
output = false

[windows.test.tasks.notifications]
topic_arn = "arn:aws:sns:eu-west-1:123456789012:windows"
role = "arn:aws:iam::123456789012:role/sns"

[windows.prod]
schedule = "cron(0 6 ? * SAT#3 *)"
timezone = "America/New_York"
duration = 4
cutoff = 2

[[windows.prod.targets]]
name = "all-prod"
patch_group = "patch_prod_0600_batch_1"

[[windows.prod.tasks]]
name = "scan-all"
operation = "Scan"
output = {}
notifications = false

[windows.last-tuesday]
week = "last"
day = 2
time = "3:30"

[scan]
time = "01:00"
duration = 2
cutoff = 1
"""

LONDON = "Europe/London"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:patching"


def full_dir(directory: Path) -> Path:
    (directory / "windows.json").write_text(json.dumps(WINDOWS_BASELINE), encoding="utf-8")
    return write(directory, FULL)


def expected_windows() -> tuple[WindowSpec, ...]:
    """FULL's windows, spelled out from the schema."""
    default_notification = NotificationSpec(
        TOPIC, ("Failed", "TimedOut"), "Invocation", SERVICE_ROLE
    )
    default_output: dict[str, Any] = {
        "output_s3_bucket": "patch-logs",
        "output_s3_prefix": "web/",
        "cloudwatch_output": True,
        "cloudwatch_log_group": "patching/web",
    }
    test = WindowSpec(
        name="patch_test_0630",
        schedule="cron(30 06 ? * SAT#1 *)",
        duration=3,
        cutoff=1,
        timezone=LONDON,
        description="Test, first Saturday",
        allow_unassociated_targets=True,
        enabled=False,
        schedule_offset=2,
        start_date="2026-12-01T00:00:00Z",
        end_date="2027-12-31T00:00:00Z",
        targets=(
            TargetSpec(
                "linux",
                (("tag:PatchGroup", ("patch_test_0600_batch_1",)),),
                owner_information="Team A",
                description="Linux",
            ),
            TargetSpec("windows", (("tag:Patch Group", ("patch_test_0600_batch_2",)),)),
            TargetSpec("web-tagged", (("tag:Role", ("web", "api")), ("tag:Env", ("test",)))),
            TargetSpec(
                "grouped",
                (
                    ("resource-groups:Name", ("my-group",)),
                    ("resource-groups:ResourceTypeFilters", ("AWS::EC2::Instance",)),
                ),
                resource_type="RESOURCE_GROUP",
            ),
        ),
        tasks=(
            TaskSpec(
                name="patch-linux",
                target_names=("linux", "web-tagged", "grouped"),
                document="AWS-RunPatchBaselineWithHooks",
                priority=1,
                max_concurrency="1",
                max_errors="2",
                parameters={
                    "Operation": ("Install",),
                    "RebootOption": ("NoReboot",),
                    "PreInstallHookDocName": ("Pre-patch-Doc",),
                    "PostInstallHookDocName": ("Post-install-Doc",),
                    "OnExitHookDocName": ("Post-reboot-Doc",),
                },
                service_role_arn=SERVICE_ROLE,
                description="Linux first",
                cutoff_behavior="CANCEL_TASK",
                notification=default_notification,
                timeout_seconds=600,
                comment="monthly",
                **default_output,
            ),
            TaskSpec(
                name="patch-windows",
                target_names=("windows",),
                priority=2,
                max_concurrency="10%",
                max_errors="2",
                parameters={"Operation": ("Install",), "RebootOption": ("RebootIfNeeded",)},
                service_role_arn="arn:aws:iam::123456789012:role/mw-role",
                cutoff_behavior="CONTINUE_TASK",
                notification=NotificationSpec(
                    "arn:aws:sns:eu-west-1:123456789012:windows",
                    ("All",),
                    "Command",
                    "arn:aws:iam::123456789012:role/sns",
                ),
            ),
        ),
    )
    prod = WindowSpec(
        name="prod",
        schedule="cron(0 6 ? * SAT#3 *)",
        duration=4,
        cutoff=2,
        timezone="America/New_York",
        targets=(TargetSpec("all-prod", (("tag:PatchGroup", ("patch_prod_0600_batch_1",)),)),),
        tasks=(
            TaskSpec(
                name="scan-all",
                target_names=("all-prod",),
                max_concurrency="10%",
                max_errors="2",
                parameters={"Operation": ("Scan",), "RebootOption": ("RebootIfNeeded",)},
                service_role_arn=SERVICE_ROLE,
                cutoff_behavior="CANCEL_TASK",
            ),
        ),
    )
    last = WindowSpec(
        name="last-tuesday",
        schedule="cron(30 03 ? * 3L *)",
        duration=3,
        cutoff=1,
        timezone=LONDON,
    )
    scan = WindowSpec(
        name="web-daily-scan",
        schedule="cron(00 01 ? * * *)",
        duration=2,
        cutoff=1,
        timezone=LONDON,
        targets=(
            TargetSpec(
                "patch-groups",
                (
                    (
                        "tag:PatchGroup",
                        (
                            "patch_test_0600_batch_1",
                            "patch_prod_0600_batch_1",
                            "patch_prod_0600_batch_2",
                        ),
                    ),
                ),
            ),
        ),
        tasks=(
            TaskSpec(
                name="scan",
                target_names=("patch-groups",),
                max_concurrency="10%",
                max_errors="2",
                parameters={"Operation": ("Scan",), "RebootOption": ("NoReboot",)},
                service_role_arn=SERVICE_ROLE,
                cutoff_behavior="CANCEL_TASK",
                notification=default_notification,
                **default_output,
            ),
        ),
    )
    return (test, prod, last, scan)


def test_full_config_windows_targets_tasks_and_scan(tmp_path: Path) -> None:
    setup = load_config(full_dir(tmp_path))
    assert setup.name == "web"
    expected = expected_windows()
    assert [w.name for w in setup.windows] == [w.name for w in expected]
    for got, want in zip(setup.windows, expected, strict=True):
        assert got.targets == want.targets, got.name
        for got_task, want_task in zip(got.tasks, want.tasks, strict=True):
            assert got_task == want_task, got_task.name
        assert got == want


def test_full_config_service_role(tmp_path: Path) -> None:
    setup = load_config(full_dir(tmp_path))
    assert setup.service_role == RoleSpec(
        name="web-mw-role",
        trusted_services=("ssm.amazonaws.com", "ec2.amazonaws.com"),
        # It may pass itself and the one notification role the file names, nothing else.
        policies={
            "maintenance-window": maintenance_window_policy(["arn:aws:iam::123456789012:role/sns"])
        },
    )
    assert setup.service_role is not None
    statements = setup.service_role.policies["maintenance-window"]["Statement"]
    [passing] = [s for s in statements if s["Action"] == "iam:PassRole"]
    assert passing["Resource"] == [SERVICE_ROLE, "arn:aws:iam::123456789012:role/sns"]


def test_full_config_baseline_from_preset_with_shorthands(tmp_path: Path) -> None:
    setup = load_config(full_dir(tmp_path))
    test = setup.baselines[0]
    assert (test.name, test.operating_system, test.patch_groups, test.tags) == (
        "web-rhel-test",
        "REDHAT_ENTERPRISE_LINUX",
        ("patch_test_0600_batch_1",),
        {},
    )
    preset = baselines.preset("REDHAT_ENTERPRISE_LINUX")
    for rule in preset["ApprovalRules"]["PatchRules"]:
        rule["ApproveAfterDays"] = 0
        rule["ComplianceLevel"] = "HIGH"
    assert test.rules["ApprovalRules"] == preset["ApprovalRules"]
    assert test.rules["GlobalFilters"] == preset["GlobalFilters"]
    assert test.rules["Description"].startswith(preset["Description"])
    assert "approved on release" in test.rules["Description"]
    assert "compliance level HIGH" in test.rules["Description"]


def test_full_config_baseline_with_own_rules_and_patch_lists(tmp_path: Path) -> None:
    prod = load_config(full_dir(tmp_path)).baselines[1]
    assert (prod.name, prod.patch_groups, prod.tags) == (
        "rhel-prod",
        ("patch_prod_0600_batch_1",),
        {"Team": "ops"},
    )
    assert dict(prod.rules) == {
        "OperatingSystem": "REDHAT_ENTERPRISE_LINUX",
        "Description": "RHEL production",
        "GlobalFilters": {
            "PatchFilters": [{"Key": "PRODUCT", "Values": ["RedhatEnterpriseLinux8*"]}]
        },
        "ApprovalRules": {
            "PatchRules": [
                {
                    "PatchFilterGroup": {
                        "PatchFilters": [
                            {"Key": "CLASSIFICATION", "Values": ["Security"]},
                            {"Key": "SEVERITY", "Values": ["Critical", "Important"]},
                        ]
                    },
                    "ApproveAfterDays": 14,
                    "ComplianceLevel": "CRITICAL",
                    "EnableNonSecurity": False,
                },
                {
                    "PatchFilterGroup": {
                        "PatchFilters": [{"Key": "CLASSIFICATION", "Values": ["Bugfix"]}]
                    },
                    "ApproveUntilDate": "2027-01-31",
                },
            ]
        },
        "ApprovedPatches": ["kernel-5.10.*"],
        "ApprovedPatchesComplianceLevel": "HIGH",
        "ApprovedPatchesEnableNonSecurity": True,
        "RejectedPatches": ["system-release.*"],
        "RejectedPatchesAction": "BLOCK",
        "Sources": [
            {
                "Name": "My-RHEL",
                "Products": ["RedhatEnterpriseLinux8.5"],
                "Configuration": "[main]\nname=My RHEL",
            }
        ],
    }


def test_full_config_baseline_from_file_and_filters_table(tmp_path: Path) -> None:
    setup = load_config(full_dir(tmp_path))
    windows, ubuntu = setup.baselines[2], setup.baselines[3]
    # The table's name default wins over the file's Name only when set; here the
    # file names it. Tags merge, the table's winning; the description is the table's.
    assert windows.name == "from-file"
    assert windows.operating_system == "WINDOWS"
    assert windows.tags == {"Source": "file", "Team": "windows"}
    assert windows.rules["Description"] == "Windows production"
    assert windows.rules["ApprovalRules"] == WINDOWS_BASELINE["ApprovalRules"]
    assert "Name" not in windows.rules and "Tags" not in windows.rules
    assert ubuntu.name == "web-ubuntu"
    assert ubuntu.rules["ApprovalRules"]["PatchRules"] == [
        {
            "PatchFilterGroup": {
                "PatchFilters": [
                    {"Key": "PRIORITY", "Values": ["Required", "Important"]},
                    {"Key": "SECTION", "Values": ["*"]},
                ]
            },
            "ApproveAfterDays": 0,
        }
    ]
    # Same group as rhel-test, other OS: AWS allows that.
    assert ubuntu.patch_groups == setup.baselines[0].patch_groups


def test_full_config_passes_quotas_and_model_validation(tmp_path: Path) -> None:
    setup = load_config(full_dir(tmp_path))
    assert quotas.check_counts(setup) == []
    setup.validate()


# ---------------------------------------------------------------------------- overrides


def test_overrides_apply_everywhere_they_apply(tmp_path: Path) -> None:
    text = uncomment(sample_config(), "# [scan]", '# time = "01:00"')
    overrides = Overrides(
        name="blue",
        timezone="Asia/Tokyo",
        duration=5,
        cutoff=2,
        max_concurrency="5",
        max_errors="0",
        operation="Scan",
        create_service_role=True,
    )
    setup = load(tmp_path, text, overrides)
    assert setup.name == "blue"
    assert setup.baselines[0].name == "blue-linux-test"
    assert setup.service_role == default_role("blue")
    *install, scan = setup.windows
    assert scan.name == "blue-daily-scan"
    assert all(w.timezone == "Asia/Tokyo" for w in setup.windows)
    assert all((w.duration, w.cutoff) == (5, 2) for w in install)
    assert (scan.duration, scan.cutoff) == (1, 0)
    for w in setup.windows:
        for task in w.tasks:
            assert (task.max_concurrency, task.max_errors) == ("5", "0")
            assert task.parameters["Operation"] == ("Scan",)
            assert task.service_role_arn == SERVICE_ROLE


def test_operation_override_leaves_the_scan_task_and_keeps_file_roles(tmp_path: Path) -> None:
    setup = load_config(full_dir(tmp_path), Overrides(operation="Install"))
    assert window(setup, "prod").tasks[0].parameters["Operation"] == ("Install",)
    assert window(setup, "web-daily-scan").tasks[0].parameters["Operation"] == ("Scan",)
    setup = load_config(full_dir(tmp_path), Overrides(create_service_role=True))
    # A task with its own ARN keeps it; the file's [service_role] name is kept too.
    assert window(setup, "patch_test_0630").tasks[1].service_role_arn == (
        "arn:aws:iam::123456789012:role/mw-role"
    )
    assert setup.service_role is not None and setup.service_role.name == "web-mw-role"


def test_create_service_role_override_turns_on_a_role_the_file_switched_off(
    tmp_path: Path,
) -> None:
    text = BASE.replace("create = true", "create = false")
    assert load(tmp_path, text).service_role is None
    setup = load(tmp_path, text, Overrides(create_service_role=True))
    assert setup.service_role == default_role("web")


@pytest.mark.parametrize(
    ("overrides", "where", "fragment"),
    [
        (Overrides(cutoff=2), "windows.test", "cutoff (2 h, from --cutoff) must be less"),
        (Overrides(duration=1, cutoff=1), "windows.test", "from --duration"),
        (Overrides(timezone="Mars/Olympus"), "--timezone", "unknown time zone"),
        (Overrides(duration=25), "--duration", "must be 1-24"),
        (Overrides(max_concurrency="0"), "--max-concurrency", "1-9999"),
        (Overrides(max_errors="x"), "--max-errors", "0-9999"),
        (Overrides(operation="Patch"), "--operation", "Install or Scan"),
        (Overrides(name="bad name"), "--name", "must be 1-64"),
    ],
)
def test_bad_overrides_name_the_flag(
    tmp_path: Path, overrides: Overrides, where: str, fragment: str
) -> None:
    message = error(tmp_path, BASE.replace("duration = 3", "duration = 2"), overrides)
    assert message.startswith(f"{where}: ")
    assert fragment in message


# ---------------------------------------------------------------------------- errors

BASE = """
name = "web"

[service_role]
create = true

[baselines.linux]
operating_system = "AMAZON_LINUX_2"
patch_groups = ["g1"]

[windows.test]
week = 1
day = "SAT"
time = "06:00"
duration = 3

[[windows.test.targets]]
name = "linux"
patch_group = "g1"

[[windows.test.tasks]]
name = "patch-linux"
targets = ["linux"]
"""


def test_base_is_valid(tmp_path: Path) -> None:
    setup = load(tmp_path, BASE)
    assert setup.windows[0].schedule == "cron(00 06 ? * SAT#1 *)"
    assert setup.windows[0].tasks[0].service_role_arn is None


def edit(old: str, new: str) -> Callable[[str], str]:
    def apply(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return apply


def add(after: str, lines: str) -> Callable[[str], str]:
    return edit(after, f"{after}\n{lines}")


TASK = '[[windows.test.tasks]]\nname = "patch-linux"'
TARGET = '[[windows.test.targets]]\nname = "linux"'
WINDOW = "[windows.test]"
BASELINE = "[baselines.linux]"
NO_WEEK_DAY_TIME = edit('week = 1\nday = "SAT"\ntime = "06:00"\n', "")

ERRORS: list[tuple[str, Callable[[str], str], str, str]] = [
    (
        "unknown key, did you mean",
        add(WINDOW, 'shedule = "rate(1 day)"'),
        "windows.test.shedule",
        "unknown key (did you mean 'schedule'?)",
    ),
    (
        "unknown top-level key lists the valid ones",
        edit('name = "web"', 'name = "web"\nzzz = 1'),
        "zzz",
        "unknown key (valid keys: adopt, baselines, defaults, name, scan, service_role, windows)",
    ),
    (
        "unknown key in a task",
        add(TASK, "prority = 2"),
        "windows.test.tasks[0].prority",
        "did you mean 'priority'?",
    ),
    (
        "wrong type",
        edit("duration = 3", 'duration = "3"'),
        "windows.test.duration",
        "must be an integer, got string '3'",
    ),
    (
        "wrong type: a table where a string goes",
        edit('patch_group = "g1"', "patch_group = { a = 1 }"),
        "windows.test.targets[0].patch_group",
        "must be a string, got table",
    ),
    (
        "bad enum",
        add(TASK, 'reboot_option = "Never"'),
        "windows.test.tasks[0].reboot_option",
        "must be one of RebootIfNeeded, NoReboot; got 'Never'",
    ),
    (
        "bad enum with a close match",
        add(TASK, 'document = "AWS-RunPatchBaselineWithHook"'),
        "windows.test.tasks[0].document",
        "(did you mean 'AWS-RunPatchBaselineWithHooks'?)",
    ),
    (
        "bad cron",
        lambda text: add(WINDOW, 'schedule = "cron(0 25 ? * SAT#1 *)"')(NO_WEEK_DAY_TIME(text)),
        "windows.test.schedule",
        "hours field '25': value 25 is out of range 0-23",
    ),
    (
        "bad timezone",
        add(WINDOW, 'timezone = "Europe/Lundon"'),
        "windows.test.timezone",
        "did you mean Europe/London,",
    ),
    (
        "both schedule forms",
        add(WINDOW, 'schedule = "rate(1 day)"'),
        "windows.test.week",
        "set either schedule or week/day/time, not both",
    ),
    ("neither schedule form", NO_WEEK_DAY_TIME, "windows.test", "needs a schedule"),
    (
        "week/day/time incomplete",
        edit('day = "SAT"\n', ""),
        "windows.test.day",
        "required key is missing",
    ),
    ("week out of range", edit("week = 1", "week = 6"), "windows.test.week", "must be 1-5"),
    ("week zero", edit("week = 1", "week = 0"), "windows.test.week", "must be 1-5"),
    ("bad day", edit('day = "SAT"', 'day = "SATURDAYY"'), "windows.test.day", "day name"),
    ("bad time", edit('time = "06:00"', 'time = "6am"'), "windows.test.time", "HH:MM"),
    ("time past midnight", edit('time = "06:00"', 'time = "24:00"'), "windows.test.time", "0-23"),
    (
        "task naming a missing target",
        edit('targets = ["linux"]', 'targets = ["linux", "winz"]'),
        "windows.test.tasks[0].targets",
        "names unknown target 'winz' (known: linux)",
    ),
    (
        "hooks without WithHooks",
        add(TASK, 'hooks = { pre_install = "Pre-doc" }'),
        "windows.test.tasks[0].hooks",
        'need document = "AWS-RunPatchBaselineWithHooks" (this task runs AWS-RunPatchBaseline)',
    ),
    (
        "service_role create without [service_role]",
        lambda text: add(TASK, 'service_role = "create"')(
            edit("[service_role]\ncreate = true\n", "")(text)
        ),
        "windows.test.tasks[0].service_role",
        'is "create", but no service role is configured',
    ),
    (
        "notification role create with [service_role] switched off",
        lambda text: add(
            TASK,
            "notifications = { topic_arn = 'arn:aws:sns:us-east-1:123456789012:t', "
            "role = 'create' }",
        )(edit("create = true", "create = false")(text)),
        "windows.test.tasks[0].notifications.role",
        "no service role is configured",
    ),
    (
        "notifications without any role",
        add(TASK, 'notifications = { topic_arn = "arn:aws:sns:eu-west-1:123456789012:t" }'),
        "windows.test.tasks[0].notifications",
        "SNS notifications need a role",
    ),
    (
        "bad role ARN",
        add(TASK, 'service_role = "mw-role"'),
        "windows.test.tasks[0].service_role",
        'must be "create" (the role of [service_role]) or an IAM role ARN',
    ),
    (
        "two same-OS baselines sharing a patch group",
        lambda text: (
            text
            + '[baselines.linux2]\noperating_system = "AMAZON_LINUX_2"\npatch_groups = ["g1"]\n'
        ),
        "baselines.linux2.patch_groups",
        "patch group 'g1' is also registered to AMAZON_LINUX_2 baseline 'web-linux' "
        "(baselines.linux); AWS allows one baseline per patch group per operating system",
    ),
    (
        "cutoff >= duration",
        add("duration = 3", "cutoff = 3"),
        "windows.test.cutoff",
        "cutoff (3 h, from windows.test.cutoff) must be less than the duration "
        "(3 h, from windows.test.duration)",
    ),
    (
        "cutoff >= inherited duration",
        lambda text: edit("duration = 3\n", "cutoff = 1\n")(text) + "[defaults]\nduration = 1\n",
        "windows.test.cutoff",
        "from defaults.duration",
    ),
    (
        "offset with rate",
        lambda text: add(WINDOW, 'schedule = "rate(1 day)"\nschedule_offset = 2')(
            NO_WEEK_DAY_TIME(text)
        ),
        "windows.test.schedule_offset",
        "applies to cron schedules only, not rate(1 day)",
    ),
    (
        "offset out of range",
        add(WINDOW, "schedule_offset = 7"),
        "windows.test.schedule_offset",
        "must be 1-6",
    ),
    (
        "end before start",
        add(WINDOW, 'start_date = "2027-01-01T00:00:00Z"\nend_date = 2026-12-31T00:00:00Z'),
        "windows.test.end_date",
        "must be after start_date (2027-01-01T00:00:00Z), got 2026-12-31T00:00:00Z",
    ),
    (
        "not a date",
        add(WINDOW, 'start_date = "next tuesday"'),
        "windows.test.start_date",
        "ISO 8601",
    ),
    (
        "target with two selectors",
        add(TARGET, 'tags = { Role = "web" }'),
        "windows.test.targets[0]",
        "needs exactly one of patch_group, tags or resource_group; got patch_group and tags",
    ),
    (
        "target with no selector",
        edit('patch_group = "g1"\n', ""),
        "windows.test.targets[0]",
        "needs exactly one of patch_group, tags or resource_group",
    ),
    (
        "resource_types without resource_group",
        add(TARGET, 'resource_types = ["AWS::EC2::Instance"]'),
        "windows.test.targets[0].resource_types",
        "applies with resource_group only",
    ),
    (
        "more tags than AWS allows",
        lambda text: edit(
            'patch_group = "g1"', "tags = { A = 'a', B = 'b', C = 'c', D = 'd', E = 'e', F = 'f' }"
        )(text),
        "windows.test.targets[0].tags",
        "needs 1-5 tags, got 6",
    ),
    (
        "duplicate target names",
        edit(TASK, f'{TARGET}\npatch_group = "g2"\n\n{TASK}'),
        "windows.test.targets[1].name",
        "target name 'linux' is also used by windows.test.targets[0]",
    ),
    (
        "window name clash",
        lambda text: (
            text.replace(WINDOW, f'{WINDOW}\nname = "dup"')
            + '[windows.other]\nname = "dup"\nschedule = "rate(1 day)"\n'
        ),
        "windows.other.name",
        "window name 'dup' is also used by windows.test",
    ),
    (
        "window name too short",
        add(WINDOW, 'name = "ab"'),
        "windows.test.name",
        "window name 'ab' must be 3-128",
    ),
    (
        "unknown operating system",
        edit('"AMAZON_LINUX_2"', '"AMAZON_LINUX3"'),
        "baselines.linux.operating_system",
        "unknown operating system 'AMAZON_LINUX3' (did you mean",
    ),
    (
        "baseline without OS or file",
        edit('operating_system = "AMAZON_LINUX_2"\n', ""),
        "baselines.linux.operating_system",
        "required key is missing (or set file)",
    ),
    (
        "approval delay out of range",
        add(BASELINE, "approve_after_days = 400"),
        "baselines.linux.approve_after_days",
        "must be 0-360, got 400",
    ),
    (
        "both approval shorthands",
        add(BASELINE, 'approve_after_days = 4\napprove_until_date = "2027-01-01"'),
        "baselines.linux.approve_until_date",
        "cannot be combined with approve_after_days",
    ),
    (
        "bad approval date, found by the baseline validator",
        add(BASELINE, 'approve_until_date = "2027-13-01"'),
        "baselines.linux.approve_until_date",
        "must be a date in YYYY-MM-DD format, got '2027-13-01'",
    ),
    (
        "bad compliance level, found by the baseline validator",
        add(BASELINE, 'compliance_level = "HIH"'),
        "baselines.linux.compliance_level",
        "got 'HIH' (did you mean 'HIGH'?)",
    ),
    (
        "filter key not for this OS",
        add(BASELINE, 'rules = [{ msrc_severity = ["Critical"], approve_after_days = 7 }]'),
        "baselines.linux.rules[0].msrc_severity",
        "MSRC_SEVERITY is not a patch filter key for AMAZON_LINUX_2",
    ),
    (
        "filter value, by its index",
        lambda text: add(
            BASELINE, "rules = [{ filters = { PRIORITY = ['Required', 'Importnt'] } }]"
        )(edit('"AMAZON_LINUX_2"', '"UBUNTU"')(add(BASELINE, "approve_after_days = 0")(text))),
        "baselines.linux.rules[0].filters.PRIORITY[1]",
        "'Importnt' is not a PRIORITY value for UBUNTU (did you mean 'Important'?)",
    ),
    (
        "rule without approval",
        add(BASELINE, 'rules = [{ classification = ["Security"] }]'),
        "baselines.linux.rules[0]",
        "needs approve_after_days or approve_until_date",
    ),
    (
        "filter given twice in a rule",
        add(
            BASELINE,
            'rules = [{ severity = ["Critical"], filters = { SEVERITY = ["Low"] }, '
            "approve_after_days = 1 }]",
        ),
        "baselines.linux.rules[0].filters.SEVERITY",
        "is already set by severity in this rule",
    ),
    (
        "bad patch list type, found by the baseline validator",
        add(BASELINE, 'rejected_patches_action = "DENY"'),
        "baselines.linux.rejected_patches_action",
        "must be one of ALLOW_AS_DEPENDENCY, BLOCK",
    ),
    (
        "sources on Windows",
        lambda text: add(
            BASELINE,
            "sources = [{ name = 'repo', products = ['p'], configuration = 'c' }]",
        )(edit('"AMAZON_LINUX_2"', '"WINDOWS"')(text)),
        "baselines.linux.sources",
        "patch source repositories apply to Linux only, not WINDOWS",
    ),
    (
        "reserved tag",
        add(BASELINE, 'tags = { "ssm-patching-setup:setup" = "x" }'),
        'baselines.linux.tags."ssm-patching-setup:setup"',
        "reserved tag key",
    ),
    (
        "baseline file missing",
        edit('operating_system = "AMAZON_LINUX_2"', 'file = "nope.json"'),
        "baselines.linux.file",
        "nope.json: cannot read file",
    ),
    (
        "file combined with rule keys",
        lambda text: edit(
            'operating_system = "AMAZON_LINUX_2"', 'file = "x.json"\napprove_after_days = 3'
        )(text),
        "baselines.linux.approve_after_days",
        "cannot be combined with file",
    ),
    (
        "setup name",
        edit('name = "web"', 'name = "web site"'),
        "name",
        "must be 1-64 letters",
    ),
    (
        "scan without patch groups",
        lambda text: edit('patch_groups = ["g1"]\n', "")(text) + '[scan]\ntime = "01:00"\n',
        "scan",
        "no baseline names a patch group",
    ),
    (
        "bad S3 bucket",
        add(TASK, 'output = { s3_bucket = "s3://logs" }'),
        "windows.test.tasks[0].output.s3_bucket",
        "is not an S3 bucket name",
    ),
    (
        "log group with CloudWatch off",
        add(TASK, 'output = { cloudwatch = false, cloudwatch_log_group = "lg" }'),
        "windows.test.tasks[0].output.cloudwatch_log_group",
        "is set, but cloudwatch = false",
    ),
    (
        "S3 prefix without bucket",
        add(TASK, 'output = { s3_prefix = "p/" }'),
        "windows.test.tasks[0].output.s3_prefix",
        "needs s3_bucket",
    ),
    (
        "bad notification event",
        add(
            TASK,
            'service_role = "create"\nnotifications = { topic_arn = '
            '"arn:aws:sns:eu-west-1:123456789012:t", events = ["Done"] }',
        ),
        "windows.test.tasks[0].notifications.events[0]",
        "must be one of All, InProgress, Success, TimedOut, Cancelled, Failed, got 'Done'",
    ),
    (
        "task in a window without targets",
        lambda text: edit(f'{TARGET}\npatch_group = "g1"\n', "")(
            edit('targets = ["linux"]\n', "")(text)
        ),
        "windows.test.tasks[0]",
        "a Run Command task needs a target, and the window has none",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "where", "fragment"),
    [pytest.param(m, w, f, id=name) for name, m, w, f in ERRORS],
)
def test_invalid_config_names_file_key_and_problem(
    tmp_path: Path, mutate: Callable[[str], str], where: str, fragment: str
) -> None:
    message = error(tmp_path, mutate(BASE))
    assert message.startswith(f"{where}: "), message
    assert fragment in message, message


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
    assert schedule.window_cron(2, 2, 3, 30) == "cron(30 03 ? * TUE#2 *)"
    assert schedule.window_cron(1, 6, 6) == "cron(00 06 ? * SAT#1 *)"
    assert schedule.window_cron(1, 2, 3) == schedule.seed_cron(1, 2, 3)
    assert schedule.window_cron("last", 2, 3, 30) == "cron(30 03 ? * 3L *)"
    assert schedule.window_cron("last", 0, 6) == schedule.window_cron("last", 7, 6)
    assert schedule.daily_cron(1) == "cron(00 01 ? * * *)"
    for expression in ("cron(30 03 ? * 3L *)", "cron(00 01 ? * * *)"):
        schedule.validate_expression(expression)
    # The last Tuesday, checked against the calendar: the last day with weekday 1.
    runs = schedule.next_runs(
        "cron(30 03 ? * 3L *)",
        None,
        count=12,
        after=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    for run in runs:
        days = [d for d in range(1, 32) if _weekday(run.year, run.month, d) == 1]
        assert (run.day, run.hour, run.minute) == (days[-1], 3, 30)
    assert schedule.parse_time(" 3:05 ") == (3, 5)
    for bad in ("24:00", "12:60", "1200", "12:5", "noon", "-1:00"):
        with pytest.raises(schedule.ScheduleError):
            schedule.parse_time(bad)
    with pytest.raises(schedule.ScheduleError):
        schedule.window_cron(6, 2, 3)
    with pytest.raises(schedule.ScheduleError):
        schedule.window_cron("last", 8, 3)
    with pytest.raises(schedule.ScheduleError):
        schedule.daily_cron(24)


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


# ---------------------------------------------------------------------------- fuzzing


def test_tiny_toml_writer_round_trips(tmp_path: Path) -> None:
    data = tomllib.loads(FULL)
    assert tomllib.loads(to_toml(data)) == data
    odd = {'k\x7f\n"': ["\x00\\", 1.5, -(2**63), {"": datetime.date(2026, 1, 2)}]}
    assert tomllib.loads(to_toml(odd)) == odd


KNOWN_WORDS = [
    "create", "last", "SAT", "06:00", "rate(1 day)", "cron(0 6 ? * SAT#3 *)", "Install",
    "Scan", "NoReboot", "Patch Group", "PatchGroup", "CANCEL_TASK", "WINDOWS", "UBUNTU",
    "AWS-RunPatchBaselineWithHooks", "linux", "windows", "g1", "Europe/London", "HIGH",
    "BLOCK", "2027-01-31", "2026-12-01T00:00:00Z", "10%", "0", "*", "Security",
    "name", "targets", "tasks", "hooks", "rules", "filters", "schedule", "file",
    "patch_group", "tags", "resource_group", "approve_after_days", "notifications",
    "output", "service_role", "scan", "defaults", "baselines", "priority", "week", "day",
]  # fmt: skip

scalars = st.one_of(
    st.sampled_from(KNOWN_WORDS),
    st.text(max_size=12),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, 1, 2, 5, 6, 24, 25, 51, 360, 361, -1]),
    st.booleans(),
    st.floats(allow_nan=True),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, datetime.UTC])),
    st.times(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(KNOWN_WORDS) | st.text(max_size=8), inner, max_size=4),
    ),
    max_leaves=8,
)


def slots(data: Any) -> list[tuple[Any, Any]]:
    """Every (container, key-or-index) in a parsed TOML document, depth first."""
    found: list[tuple[Any, Any]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found.append((data, key))
            found += slots(value)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.append((data, index))
            found += slots(value)
    return found


@st.composite
def mutated_configs(draw: st.DrawFn) -> dict[str, Any]:
    data = tomllib.loads(FULL)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        places = slots(data)
        container, key = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            container[key] = draw(values)
        elif action == "delete":
            del container[key]
        else:
            target = container[key] if isinstance(container[key], dict) else container
            if isinstance(target, dict):
                target[draw(st.sampled_from(KNOWN_WORDS) | st.text(max_size=8))] = draw(values)
            else:
                target.append(draw(values))
    return data


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("fuzz")
    (directory / "windows.json").write_text(json.dumps(WINDOWS_BASELINE), encoding="utf-8")
    return directory


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=mutated_configs())
def test_mutated_configs_load_or_raise_only_config_error(
    fuzz_dir: Path, data: dict[str, Any]
) -> None:
    path = write(fuzz_dir, to_toml(data))
    try:
        setup = load_config(path)
    except ConfigError as caught:
        message = str(caught)
        assert message.startswith(f"{path}: ") and "\n" not in message
        assert re.match(rf"{re.escape(str(path))}: \S", message)
    else:
        setup.validate()
        assert quotas.check_counts(setup) == []


def test_a_setup_name_too_long_for_the_default_role_name_is_refused(tmp_path: Path) -> None:
    long_name = "n" * 50  # "ssm-patching-setup-" + 50 characters > IAM's 64
    text = f'name = "{long_name}"\n\n[service_role]\ncreate = true\n'
    message = error(tmp_path, text)
    assert "service role name" in message and "[service_role] name" in message, message
    named = f'name = "{long_name}"\n\n[service_role]\ncreate = true\nname = "patch-role"\n'
    assert load_config(write(tmp_path, named), windows_required=False).service_role is not None
