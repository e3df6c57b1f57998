"""Tests for patchsetup.config: a full config file as a Setup, and the flags that override it.

Pure and fast: no endpoint. Expected Setups are written out by hand from the
schema (and AWS's documented request shapes), not computed by the code under test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from patchsetup import quotas
from patchsetup.baselines import presets
from patchsetup.config import Overrides, load_config, sample_config
from patchsetup.model import (
    SERVICE_ROLE,
    NotificationSpec,
    RoleSpec,
    TargetSpec,
    TaskSpec,
    WindowSpec,
)
from patchsetup.roles import default_role, maintenance_window_policy
from tests.helpers.configs import BASE, WINDOWS_BASELINE, error, full_dir, load, uncomment, window

# ---------------------------------------------------------------------------- a full config


LONDON = "Europe/London"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:patching"


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
    preset = presets.preset("REDHAT_ENTERPRISE_LINUX")
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
