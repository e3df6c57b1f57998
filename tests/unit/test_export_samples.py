"""The CloudFormation export spot-checked against literal values from the configs and the
README, so that a mistake shared by planner and export still fails; and the service role
and task role ARNs in the template.

Pure: no endpoint.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from patchsetup.export.logical_ids import ExportError
from patchsetup.export.template import (
    BASELINE,
    ROLE,
    TARGET,
    TASK,
    WINDOW,
    cloudformation,
)
from patchsetup.model import (
    OWNER_TAG,
    SERVICE_ROLE,
    NotificationSpec,
)
from tests.helpers.export import GET_ROLE_ARN, props, resources
from tests.helpers.setups import setup_of

# ---------------------------------------------------------------------- literal samples


def test_flags_default_windows_targets_tasks_and_baseline() -> None:
    """The README's table: 8 windows, one target and one task each, one baseline."""
    case = "flags-default"
    window = props(case, "WindowWeek1Day2Unattended0300")
    assert window["Schedule"] == "cron(00 03 ? * TUE#1 *)"
    assert (window["Duration"], window["Cutoff"]) == (1, 0)
    assert "ScheduleTimezone" not in window
    assert props(case, "WindowWeek2Day3Unattended0400")["Schedule"] == "cron(00 04 ? * WED#2 *)"
    assert {"Key": OWNER_TAG, "Value": "default"} in window["Tags"]
    target = props(case, "TargetWeek1Day2Unattended0300Targets")
    assert target["WindowId"] == {"Ref": "WindowWeek1Day2Unattended0300"}
    assert target["ResourceType"] == "INSTANCE"
    assert target["Targets"] == [
        {"Key": "tag:Patch Group", "Values": ["Week 1 Day 2 - Unattended - 03:00"]}
    ]
    task = props(case, "TaskWeek1Day2Unattended0300Patch")
    assert task["Targets"] == [
        {"Key": "WindowTargetIds", "Values": [{"Ref": "TargetWeek1Day2Unattended0300Targets"}]}
    ]
    assert (task["TaskArn"], task["TaskType"], task["Priority"]) == (
        "AWS-RunPatchBaseline",
        "RUN_COMMAND",
        1,
    )
    assert (task["MaxConcurrency"], task["MaxErrors"]) == ("2", "1")
    assert "ServiceRoleArn" not in task
    run = task["TaskInvocationParameters"]["MaintenanceWindowRunCommandParameters"]
    assert run == {"Parameters": {"Operation": ["Install"]}}
    baseline = props(case, "BaselineSsmPatchingSetupDefaultAmazonLinux2")
    assert baseline["Name"] == "ssm-patching-setup-default-amazon-linux-2"
    assert baseline["OperatingSystem"] == "AMAZON_LINUX_2"
    assert len(baseline["PatchGroups"]) == 8
    assert "Week 2 Day 3 - Unattended - 04:00" in baseline["PatchGroups"]
    rules = baseline["ApprovalRules"]["PatchRules"]
    assert {r["ApproveAfterDays"] for r in rules} == {7}
    assert baseline["Tags"] == [{"Key": OWNER_TAG, "Value": "default"}]
    assert len(resources(case)) == 1 + 8 * 3


def test_kitchen_sink_window_target_and_task_fields() -> None:
    case = "kitchen-sink"
    window = props(case, "WindowLastFriday")
    assert window["Schedule"] == "cron(30 22 ? * 6L *)"
    assert window["ScheduleTimezone"] == "America/New_York"
    assert (window["Duration"], window["Cutoff"], window["ScheduleOffset"]) == (3, 1, 1)
    assert (window["StartDate"], window["EndDate"]) == (
        "2026-12-01T00:00:00Z",
        "2028-12-31T00:00:00Z",
    )
    assert window["AllowUnassociatedTargets"] is True
    assert window["Description"] == "Last Friday, plus one day"
    group = props(case, "TargetGroup")
    assert group["ResourceType"] == "RESOURCE_GROUP"
    assert group["Targets"][0] == {"Key": "resource-groups:Name", "Values": ["patchable"]}
    assert props(case, "TargetWeb")["OwnerInformation"] == "web team"
    hooks = props(case, "TaskHooks")
    assert hooks["Targets"][0]["Values"] == [{"Ref": "TargetWeb"}, {"Ref": "TargetTagged"}]
    assert hooks["CutoffBehavior"] == "CANCEL_TASK"
    assert hooks["ServiceRoleArn"] == GET_ROLE_ARN
    run = hooks["TaskInvocationParameters"]["MaintenanceWindowRunCommandParameters"]
    assert run["Parameters"]["PreInstallHookDocName"] == ["Pre-doc"]
    assert run["Parameters"]["RebootOption"] == ["NoReboot"]
    assert (run["TimeoutSeconds"], run["Comment"]) == (900, "with hooks")
    assert (run["OutputS3BucketName"], run["OutputS3KeyPrefix"]) == ("logs-bucket", "ssm/")
    assert run["CloudWatchOutputConfig"] == {
        "CloudWatchOutputEnabled": True,
        "CloudWatchLogGroupName": "/patching",
    }
    assert run["NotificationConfig"] == {
        "NotificationArn": "arn:aws:sns:us-east-1:123456789012:patching",
        "NotificationEvents": ["Failed", "TimedOut"],
        "NotificationType": "Invocation",
    }
    assert run["ServiceRoleArn"] == GET_ROLE_ARN
    rgroup = props(case, "TaskRgroup")
    assert (rgroup["Priority"], rgroup["MaxConcurrency"], rgroup["MaxErrors"]) == (2, "10%", "5%")


def test_kitchen_sink_baselines_and_role() -> None:
    case = "kitchen-sink"
    al2023 = props(case, "BaselineKitchenAl2023")
    assert al2023["PatchGroups"] == ["web", "db"]
    assert al2023["RejectedPatches"] == ["kernel-6.1.0*"]
    assert al2023["RejectedPatchesAction"] == "BLOCK"
    assert al2023["Tags"] == [
        {"Key": "Team", "Value": "ops"},
        {"Key": OWNER_TAG, "Value": "kitchen"},
    ]
    dates = {r["ApproveUntilDate"] for r in al2023["ApprovalRules"]["PatchRules"]}
    assert dates == {"2027-01-31"}
    ubuntu = props(case, "BaselineKitchenUbuntu")
    assert ubuntu["PatchGroups"] == ["web"]
    assert ubuntu["ApprovalRules"]["PatchRules"] == [
        {
            "PatchFilterGroup": {
                "PatchFilters": [{"Key": "PRIORITY", "Values": ["Required", "Important"]}]
            },
            "ApproveAfterDays": 0,
            "ComplianceLevel": "HIGH",
        }
    ]
    role = props(case, "ServiceRole")
    assert role["RoleName"] == "ssm-patching-setup-kitchen"
    assert role["Path"] == "/ssm-patching-setup/"
    assert role["PermissionsBoundary"] == {
        "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/ssm-patching-setup/"
        "ssm-patching-setup-role-boundary"
    }
    assert role["Tags"] == [{"Key": OWNER_TAG, "Value": "kitchen"}]
    assert [p["PolicyName"] for p in role["Policies"]] == ["maintenance-window"]
    statement = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": ["ssm.amazonaws.com"]}
    statements = role["Policies"][0]["PolicyDocument"]["Statement"]
    [passing] = [s for s in statements if s["Action"] == "iam:PassRole"]
    own = "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/ssm-patching-setup/"
    assert passing["Resource"] == [{"Fn::Sub": f"{own}ssm-patching-setup-kitchen"}]


def test_seed004_stages_and_batches() -> None:
    case = "seed004-test-prod-batches"
    found = resources(case)
    assert Counter(r["Type"] for r in found.values()) == {
        BASELINE: 12,
        WINDOW: 2,
        TARGET: 4,
        TASK: 4,
    }
    for stage, days, groups in (
        ("Test", 0, ["patch_test_0600_batch_1", "patch_test_0600_batch_2"]),
        ("Prod", 14, ["patch_prod_0600_batch_1", "patch_prod_0600_batch_2"]),
    ):
        rhel = props(case, f"BaselineRhel{stage}")
        assert rhel["OperatingSystem"] == "REDHAT_ENTERPRISE_LINUX"
        assert {r["ApproveAfterDays"] for r in rhel["ApprovalRules"]["PatchRules"]} == {days}
        assert rhel["PatchGroups"] == groups
    test = props(case, "WindowPatchTest0600")
    assert (test["Schedule"], test["ScheduleTimezone"]) == (
        "cron(00 06 ? * SAT#1 *)",
        "Europe/Zurich",
    )
    assert (test["Duration"], test["Cutoff"]) == (4, 1)
    assert props(case, "WindowPatchProd0600")["Schedule"] == "cron(00 06 ? * SAT#3 *)"
    batch2 = props(case, "TaskPatchProd0600Batch2Patch")
    assert batch2["Priority"] == 2
    assert batch2["WindowId"] == {"Ref": "WindowPatchProd0600"}
    run = batch2["TaskInvocationParameters"]["MaintenanceWindowRunCommandParameters"]
    assert (run["OutputS3BucketName"], run["OutputS3KeyPrefix"]) == (
        "my-patching-logs",
        "patching/",
    )


def test_seed000_role_and_task() -> None:
    case = "seed000-terraform"
    role = props(case, "ServiceRole")
    assert role["RoleName"] == "PatchingMaintWindow"
    principal = role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
    assert principal == {"Service": ["ec2.amazonaws.com", "ssm.amazonaws.com"]}
    task = props(case, "TaskPatchInstance")
    assert (task["Priority"], task["MaxConcurrency"], task["MaxErrors"]) == (10, "100%", "0")
    assert task["ServiceRoleArn"] == GET_ROLE_ARN
    assert not any(r["Type"] == BASELINE for r in resources(case).values())


# ------------------------------------------------------- service role and task role ARNs


def test_flags_service_role_is_used_by_every_task() -> None:
    found = resources("flags-service-role")
    assert found["ServiceRole"]["Properties"]["RoleName"] == "ssm-patching-setup-default"
    tasks = [r["Properties"] for r in found.values() if r["Type"] == TASK]
    assert len(tasks) == 8
    assert all(t["ServiceRoleArn"] == GET_ROLE_ARN for t in tasks)
    assert not any(r["Type"] == ROLE for r in resources("flags-default").values())


def test_explicit_role_arns_are_kept_and_a_missing_created_role_is_refused() -> None:
    arn = "arn:aws:iam::123456789012:role/patching"
    topic = "arn:aws:sns:eu-west-1:123456789012:patching"
    base = setup_of("flags-default")
    window = base.windows[0]
    task = dataclasses.replace(
        window.tasks[0],
        service_role_arn=arn,
        notification=NotificationSpec(topic, role_arn=arn),
    )
    setup = dataclasses.replace(
        base, windows=(dataclasses.replace(window, tasks=(task,)), *base.windows[1:])
    )
    found = cloudformation(setup)["Resources"]
    properties = found["TaskWeek1Day2Unattended0300Patch"]["Properties"]
    assert properties["ServiceRoleArn"] == arn
    run = properties["TaskInvocationParameters"]["MaintenanceWindowRunCommandParameters"]
    assert run["ServiceRoleArn"] == arn
    assert run["NotificationConfig"]["NotificationArn"] == topic
    assert "ServiceRole" not in found

    orphan = dataclasses.replace(task, service_role_arn=SERVICE_ROLE)
    broken = dataclasses.replace(setup, windows=(dataclasses.replace(window, tasks=(orphan,)),))
    with pytest.raises(ExportError, match="service role"):
        cloudformation(broken)
