"""What each example config in examples/ must create, spelled out from its seed scenario (not
from the tool's report), and the account checks these expectations are made of.

``expect_seed000`` ... ``expect_seed004`` take an account as tests/helpers/account.py's
``read_account`` returns it and the JSON report of the apply, and assert field by field."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from patchsetup.model import OWNER_TAG, ROLE_PATH
from tests.helpers.cli import (
    DEFAULT_WINDOWS,
)

PATCH_GROUP = "tag:Patch Group"


def assert_account_empty(account: dict[str, Any]) -> None:
    assert account["windows"] == {}
    assert account["baselines"] == {}
    assert account["registrations"] == set()
    assert account["roles"] == {}


def filters(rule_or_group: dict[str, Any]) -> dict[str, list[str]]:
    """A PatchFilterGroup (or a rule holding one) as {key: sorted values}."""
    group = rule_or_group.get("PatchFilterGroup", rule_or_group)
    return {f["Key"]: sorted(f["Values"]) for f in group["PatchFilters"]}


def trusted_services(role: dict[str, Any]) -> set[str]:
    services: set[str] = set()
    for statement in role["AssumeRolePolicyDocument"]["Statement"]:
        assert statement["Effect"] == "Allow"
        assert statement["Action"] == "sts:AssumeRole"
        found = statement["Principal"]["Service"]
        services.update([found] if isinstance(found, str) else found)
    return services


def allowed_actions(role: dict[str, Any]) -> set[str]:
    actions: set[str] = set()
    for document in role["Policies"].values():
        for statement in document["Statement"]:
            assert statement["Effect"] == "Allow"
            found = statement["Action"]
            actions.update([found] if isinstance(found, str) else found)
    return actions


def passable_roles(role: dict[str, Any]) -> set[str]:
    """What the role may pass (iam:PassRole resources); only to SSM."""
    found: set[str] = set()
    for document in role["Policies"].values():
        for statement in document["Statement"]:
            if "iam:PassRole" in ([a] if isinstance(a := statement["Action"], str) else a):
                assert statement["Condition"] == {
                    "StringEquals": {"iam:PassedToService": ["ssm.amazonaws.com"]}
                }
                resource = statement["Resource"]
                found.update([resource] if isinstance(resource, str) else resource)
    return found


#: The tag a region's setup puts on the global service role that its windows use.
IN_US_EAST_1 = {"ssm-patching-setup:region:us-east-1": "true"}


def run_command(task: dict[str, Any]) -> dict[str, Any]:
    """RunCommand as read back. AWS fills in Comment "" when the tool sends none
    (aws-cli's get-maintenance-window-task example): checked here, then left out."""
    params: dict[str, Any] = dict(task["TaskInvocationParameters"]["RunCommand"])
    assert params.pop("Comment") == ""
    return params


def assert_patch_group_target(target: dict[str, Any], group: str) -> None:
    assert target["ResourceType"] == "INSTANCE"
    assert target["Targets"] == [{"Key": PATCH_GROUP, "Values": [group]}]


def assert_targets(task: dict[str, Any], *targets: dict[str, Any]) -> None:
    ids = [t["WindowTargetId"] for t in targets]
    assert task["Targets"] == [{"Key": "WindowTargetIds", "Values": ids}]


# -- what each example must create ------------------------------------------------------

Account = dict[str, Any]
Report = dict[str, Any]

# The seed's maintenance-window policy (seed 002, "Create IAM Service Role").
SEED002_ACTIONS = {
    "ssm:SendCommand",
    "ssm:CancelCommand",
    "ssm:ListCommands",
    "ssm:ListCommandInvocations",
    "ssm:GetCommandInvocation",
    "ssm:ListTagsForResource",
    "ssm:GetParameters",
    "resource-groups:ListGroups",
    "resource-groups:ListGroupResources",
    "tag:GetResources",
    "sns:Publish",
    "iam:PassRole",
}


def expect_seed003(account: Account, report: Report) -> None:
    """The old tool's 8 default windows, exactly as `ssm-patching-setup` with no flags."""
    windows = account["windows"]
    assert set(windows) == set(DEFAULT_WINDOWS)
    for name, (cron, group) in DEFAULT_WINDOWS.items():
        window = windows[name]
        assert window["Schedule"] == cron
        assert "ScheduleTimezone" not in window
        assert (window["Duration"], window["Cutoff"]) == (1, 0)
        assert window["AllowUnassociatedTargets"] is False
        assert window["Enabled"] is True
        assert "Description" not in window
        assert window["Tags"] == {OWNER_TAG: "default"}
        assert list(window["Targets"]) == [f"{name}Targets"]
        target = window["Targets"][f"{name}Targets"]
        assert_patch_group_target(target, group)
        assert list(window["Tasks"]) == [f"{name}Patch"]
        task = window["Tasks"][f"{name}Patch"]
        assert (task["TaskArn"], task["TaskType"]) == ("AWS-RunPatchBaseline", "RUN_COMMAND")
        assert task["Priority"] == 1
        assert (task["MaxConcurrency"], task["MaxErrors"]) == ("2", "1")
        assert task["CutoffBehavior"] == "CONTINUE_TASK"
        assert "ServiceRoleArn" not in task
        assert_targets(task, target)
        # TimeoutSeconds: not sent, AWS's default.
        assert run_command(task) == {
            "Parameters": {"Operation": ["Install"]},
            "TimeoutSeconds": 600,
        }
    assert list(account["baselines"]) == ["ssm-patching-setup-default-amazon-linux-2"]
    baseline = account["baselines"]["ssm-patching-setup-default-amazon-linux-2"]
    assert baseline["OperatingSystem"] == "AMAZON_LINUX_2"
    rules = baseline["ApprovalRules"]["PatchRules"]
    assert [filters(r) for r in rules] == [
        {"CLASSIFICATION": ["Security"], "SEVERITY": ["Critical", "Important"]},
        {"CLASSIFICATION": ["Bugfix"]},
    ]
    assert [r["ApproveAfterDays"] for r in rules] == [7, 7]
    assert filters(baseline["GlobalFilters"]) == {"PRODUCT": ["*"]}
    assert baseline["Tags"] == {OWNER_TAG: "default"}
    assert account["registrations"] == {
        (group, baseline["Name"], "AMAZON_LINUX_2") for _, group in DEFAULT_WINDOWS.values()
    }
    assert account["roles"] == {}
    assert {w["name"]: w["schedule"] for w in report["windows"]} == {
        name: cron for name, (cron, _) in DEFAULT_WINDOWS.items()
    }


def expect_seed002(account: Account, report: Report) -> None:
    """The Amazon Linux 2 web server of the tutorial, with hooks, S3, CloudWatch and SNS."""
    assert list(account["roles"]) == ["maintenance-window-role"]
    role = account["roles"]["maintenance-window-role"]
    assert role["Path"] == ROLE_PATH
    assert trusted_services(role) == {"ssm.amazonaws.com"}
    assert allowed_actions(role) == SEED002_ACTIONS
    assert role["Tags"] == {OWNER_TAG: "webserver", **IN_US_EAST_1}
    assert passable_roles(role) == {role["Arn"]}  # its notifications publish as itself

    assert list(account["baselines"]) == ["AmazonLinux2AllPatchesBaseline"]
    baseline = account["baselines"]["AmazonLinux2AllPatchesBaseline"]
    assert baseline["OperatingSystem"] == "AMAZON_LINUX_2"
    assert baseline["Description"] == "Amazon Linux2 All Patches Baseline"
    assert filters(baseline["GlobalFilters"]) == {"PRODUCT": ["*"]}
    [rule] = baseline["ApprovalRules"]["PatchRules"]
    assert filters(rule) == {"PRODUCT": ["*"], "CLASSIFICATION": ["*"], "SEVERITY": ["*"]}
    assert rule["ApproveAfterDays"] == 0
    assert rule["EnableNonSecurity"] is True
    assert rule["ComplianceLevel"] == "UNSPECIFIED"
    assert baseline["RejectedPatches"] == ["system-release.*"]
    assert baseline["RejectedPatchesAction"] == "BLOCK"
    assert baseline["Tags"] == {OWNER_TAG: "webserver"}
    assert account["registrations"] == {
        ("WebServer-Prd", "AmazonLinux2AllPatchesBaseline", "AMAZON_LINUX_2")
    }

    assert list(account["windows"]) == ["Patch-WebServer-Prd"]
    window = account["windows"]["Patch-WebServer-Prd"]
    assert window["Description"] == (
        "Patching Maintenance Window for Patching WebServer in production"
    )
    assert window["Schedule"] == "cron(0 21 ? * WED#1 *)"
    assert window["ScheduleTimezone"] == "US/Central"
    assert (window["Duration"], window["Cutoff"]) == (2, 1)
    assert window["StartDate"] == "2022-07-06T20:00:00-05:00"
    assert "EndDate" not in window and "ScheduleOffset" not in window
    assert window["AllowUnassociatedTargets"] is False
    assert window["Enabled"] is True
    assert window["Tags"] == {OWNER_TAG: "webserver"}

    assert list(window["Targets"]) == ["WebServer-Prd"]
    target = window["Targets"]["WebServer-Prd"]
    assert_patch_group_target(target, "WebServer-Prd")
    assert target["Description"] == "The target is the Web Server in production"
    assert target["OwnerInformation"] == "The A-Engineering Team"

    assert list(window["Tasks"]) == ["PatchWebServerPrd"]
    task = window["Tasks"]["PatchWebServerPrd"]
    assert task["Description"] == "Run Command Task for patching Patching Web Server in production"
    assert (task["TaskArn"], task["TaskType"]) == ("AWS-RunPatchBaselineWithHooks", "RUN_COMMAND")
    assert task["Priority"] == 1
    assert (task["MaxConcurrency"], task["MaxErrors"]) == ("1", "1")
    assert task["CutoffBehavior"] == "CANCEL_TASK"
    assert task["ServiceRoleArn"] == role["Arn"]
    assert_targets(task, target)
    assert run_command(task) == {
        "Parameters": {
            "Operation": ["Install"],
            "RebootOption": ["RebootIfNeeded"],
            "PreInstallHookDocName": ["Pre-patch-WebServer-Document"],
            "PostInstallHookDocName": ["Post-install-WebServer-Document"],
            "OnExitHookDocName": ["Post-reboot-WebServer-Document"],
        },
        "OutputS3BucketName": "patching-webserver",
        "OutputS3KeyPrefix": "patching/webserver/prd",
        "CloudWatchOutputConfig": {
            "CloudWatchOutputEnabled": True,
            "CloudWatchLogGroupName": "patching/webserver/prd",
        },
        "NotificationConfig": {
            "NotificationArn": "arn:aws:sns:us-east-1:123456789012:patching-webserver-prd",
            "NotificationEvents": ["All"],
            "NotificationType": "Invocation",
        },
        "ServiceRoleArn": role["Arn"],
        "TimeoutSeconds": 600,
    }
    [runs] = report["windows"]
    assert runs["timezone"] == "US/Central"
    for run in map(datetime.fromisoformat, runs["next_runs"]):
        # 21:00 Central time on the first Wednesday of the month.
        assert (run.strftime("%a %H:%M"), run.day <= 7) == ("Wed 21:00", True), run
        assert run.utcoffset() is not None and run.utcoffset().total_seconds() in (
            -5 * 3600,
            -6 * 3600,
        )


# Seed 004: OS -> baseline name prefix.
SEED004_OSES = {
    "WINDOWS": "windows",
    "REDHAT_ENTERPRISE_LINUX": "rhel",
    "UBUNTU": "ubuntu",
    "AMAZON_LINUX_2": "amazon-linux-2",
    "CENTOS": "centos",
    "SUSE": "suse",
}
# Each OS's predefined rules: the filters of its approval rules, in order.
SEED004_RULE_FILTERS = {
    "WINDOWS": [
        {
            "CLASSIFICATION": ["CriticalUpdates", "SecurityUpdates"],
            "MSRC_SEVERITY": ["Critical", "Important"],
        }
    ],
    "REDHAT_ENTERPRISE_LINUX": [
        {"CLASSIFICATION": ["Security"], "SEVERITY": ["Critical", "Important"]},
        {"CLASSIFICATION": ["Bugfix"]},
    ],
    "UBUNTU": [{"PRIORITY": sorted(["Required", "Important", "Standard", "Optional", "Extra"])}],
    "AMAZON_LINUX_2": [
        {"CLASSIFICATION": ["Security"], "SEVERITY": ["Critical", "Important"]},
        {"CLASSIFICATION": ["Bugfix"]},
    ],
    "CENTOS": [{"PRODUCT": ["*"]}],
    "SUSE": [{"CLASSIFICATION": ["Security"], "SEVERITY": ["Critical", "Important"]}],
}


def seed004_days(operating_system: str, stage: str) -> int:
    """Test approves at once; prod 14 days later, except Ubuntu (no delay on Ubuntu)."""
    return 14 if stage == "prod" and operating_system != "UBUNTU" else 0


def expect_seed004(account: Account, report: Report) -> None:
    """Six OSes x test/prod baselines, two windows of two batches each."""
    baselines = account["baselines"]
    assert len(baselines) == 12
    expected_registrations = set()
    for os_name, prefix in SEED004_OSES.items():
        for stage in ("test", "prod"):
            baseline = baselines[f"{prefix}-{stage}"]
            assert baseline["OperatingSystem"] == os_name
            rules = baseline["ApprovalRules"]["PatchRules"]
            assert [filters(r) for r in rules] == SEED004_RULE_FILTERS[os_name], baseline["Name"]
            days = seed004_days(os_name, stage)
            assert [r["ApproveAfterDays"] for r in rules] == [days] * len(rules), baseline["Name"]
            assert baseline["Tags"] == {OWNER_TAG: "test-prod-batches"}
            for batch in (1, 2):
                group = f"patch_{stage}_0600_batch_{batch}"
                expected_registrations.add((group, baseline["Name"], os_name))
    assert len(expected_registrations) == 24
    assert account["registrations"] == expected_registrations
    assert account["roles"] == {}

    windows = account["windows"]
    assert set(windows) == {"patch_test_0600", "patch_prod_0600"}
    for stage, week in (("test", 1), ("prod", 3)):
        name = f"patch_{stage}_0600"
        window = windows[name]
        assert window["Schedule"] == f"cron(00 06 ? * SAT#{week} *)"
        assert window["ScheduleTimezone"] == "Europe/Zurich"
        assert (window["Duration"], window["Cutoff"]) == (4, 1)
        assert window["Enabled"] is True
        assert window["Tags"] == {OWNER_TAG: "test-prod-batches"}
        targets = window["Targets"]
        assert set(targets) == {f"{name}_batch_1", f"{name}_batch_2"}
        for target_name, target in targets.items():
            assert_patch_group_target(target, target_name)
        tasks = window["Tasks"]
        assert set(tasks) == {f"{name}_batch_1_patch", f"{name}_batch_2_patch"}
        for batch in (1, 2):
            task = tasks[f"{name}_batch_{batch}_patch"]
            assert task["Priority"] == batch
            assert_targets(task, targets[f"{name}_batch_{batch}"])
            assert (task["TaskArn"], task["TaskType"]) == ("AWS-RunPatchBaseline", "RUN_COMMAND")
            assert (task["MaxConcurrency"], task["MaxErrors"]) == ("2", "1")
            assert "ServiceRoleArn" not in task
            params = run_command(task)
            assert params["Parameters"]["Operation"] == ["Install"]
            assert params["OutputS3BucketName"] == "my-patching-logs"
            assert params["OutputS3KeyPrefix"] == "patching/"
            assert params["TimeoutSeconds"] == 600  # not sent: AWS's default
            assert "CloudWatchOutputConfig" not in params
            assert "NotificationConfig" not in params
    # When they run: Saturdays at 06:00 Zurich time, first (test) or third (prod) of the month.
    runs = {w["name"]: w for w in report["windows"]}
    for name, days in (("patch_test_0600", range(1, 8)), ("patch_prod_0600", range(15, 22))):
        assert runs[name]["timezone"] == "Europe/Zurich"
        assert len(runs[name]["next_runs"]) == 3
        for run in map(datetime.fromisoformat, runs[name]["next_runs"]):
            assert run.strftime("%a %H:%M") == "Sat 06:00" and run.day in days, run


def expect_seed000(account: Account, report: Report) -> None:
    """The Terraform example's window, target, task and role."""
    assert list(account["roles"]) == ["PatchingMaintWindow"]
    role = account["roles"]["PatchingMaintWindow"]
    assert role["Path"] == ROLE_PATH
    assert trusted_services(role) == {"ec2.amazonaws.com", "ssm.amazonaws.com"}
    assert "ssm:SendCommand" in allowed_actions(role)
    assert role["Tags"] == {OWNER_TAG: "terraform", **IN_US_EAST_1}
    assert passable_roles(role) == {role["Arn"]}
    assert account["baselines"] == {}
    assert account["registrations"] == set()

    assert list(account["windows"]) == ["PatchInstances"]
    window = account["windows"]["PatchInstances"]
    assert window["Schedule"] == "cron(0 9 * * ? *)"
    assert window["ScheduleTimezone"] == "Europe/London"
    assert (window["Duration"], window["Cutoff"]) == (4, 1)
    assert window["Enabled"] is True
    assert window["Tags"] == {OWNER_TAG: "terraform"}
    assert list(window["Targets"]) == ["PatchInstanceTargets"]
    target = window["Targets"]["PatchInstanceTargets"]
    assert target["ResourceType"] == "INSTANCE"
    assert target["Targets"] == [{"Key": "tag:Terraform", "Values": ["true"]}]
    assert list(window["Tasks"]) == ["PatchInstance"]
    task = window["Tasks"]["PatchInstance"]
    assert (task["TaskArn"], task["TaskType"]) == ("AWS-RunPatchBaseline", "RUN_COMMAND")
    assert task["Priority"] == 10
    assert (task["MaxConcurrency"], task["MaxErrors"]) == ("100%", "0")
    assert task["ServiceRoleArn"] == role["Arn"]
    assert_targets(task, target)
    assert run_command(task) == {
        "Parameters": {"Operation": ["Install"]},
        "OutputS3BucketName": "script-bucket",
        "OutputS3KeyPrefix": "ssm_output/",
        "TimeoutSeconds": 600,  # not sent: AWS's default
    }
    [runs] = report["windows"]
    assert runs["timezone"] == "Europe/London"
    assert [datetime.fromisoformat(r).strftime("%H:%M") for r in runs["next_runs"]] == ["09:00"] * 3
