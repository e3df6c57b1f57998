"""The CloudFormation export: cfn-lint clean, and one to one with what the planner creates.

Pure: no endpoint. Every example config, the kitchen sink and the flags-built default
setup (with and without the service role) are exported and

* linted with cfn-lint's Python API against every region it knows (a StackSet can
  deploy anywhere), errors, warnings and informational findings alike: none is
  ignored, because none is found (the one finding of ``--include-experimental``,
  I4010, asks for AI-context metadata and is not run);
* compared with ``planner.plan(setup, RemoteState())``: a resource per created
  role, baseline, window, target and task, with the create call's parameters as its
  properties (IDs of new resources resolved to the same planner variables), and the
  patch-group registrations as the baselines' ``PatchGroups``;
* spot-checked against literal values from the configs and the README, so that a
  mistake shared by planner and export still fails.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_file  # type: ignore[import-untyped]
from cfnlint.helpers import REGIONS  # type: ignore[import-untyped]

from patchsetup.deploy.plan import Ref
from patchsetup.deploy.planner import plan
from patchsetup.deploy.remote import RemoteState
from patchsetup.export.logical_ids import ExportError, logical_name
from patchsetup.export.template import (
    BASELINE,
    ROLE,
    TARGET,
    TASK,
    WINDOW,
    cloudformation,
    dumps,
    resource_summary,
    warnings,
)
from patchsetup.model import (
    OWNER_TAG,
    SERVICE_ROLE,
    NotificationSpec,
    Setup,
    TargetSpec,
    TaskSpec,
    WindowSpec,
)
from tests.helpers.paths import ROOT
from tests.helpers.setups import CASES, EXAMPLE_FILES, setup_of

TYPES = {"role": ROLE, "baseline": BASELINE, "window": WINDOW, "target": TARGET, "task": TASK}
LOGICAL_ID = re.compile(r"^[A-Za-z0-9]{1,255}$")
GET_ROLE_ARN = {"Fn::GetAtt": ["ServiceRole", "Arn"]}


@functools.cache
def _template_json(case: str) -> str:
    return dumps(cloudformation(setup_of(case)))


def template_of(case: str) -> dict[str, Any]:
    """A fresh copy of the case's template (tests may change theirs)."""
    loaded = json.loads(_template_json(case))
    assert isinstance(loaded, dict)
    return loaded


def resources(case: str) -> dict[str, dict[str, Any]]:
    found = template_of(case)["Resources"]
    assert isinstance(found, dict)
    return found


def props(case: str, logical_id: str) -> dict[str, Any]:
    found = resources(case)[logical_id]["Properties"]
    assert isinstance(found, dict)
    return found


def lint(template: dict[str, Any], directory: Path) -> list[str]:
    """cfn-lint's findings for the template, every region, informational ones included."""
    path = directory / "template.json"
    path.write_text(dumps(template))
    matches = lint_file(path, ManualArgs(regions=list(REGIONS), include_checks=["I"]))
    return [f"{m.rule.id} line {m.linenumber}: {m.message}" for m in matches]


# -------------------------------------------------------------------------- cfn-lint


def test_every_example_is_a_case() -> None:
    assert len(EXAMPLE_FILES) >= 4
    assert {p.stem for p in EXAMPLE_FILES} <= set(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_cfn_lint_finds_nothing(case: str, tmp_path: Path) -> None:
    assert lint(template_of(case), tmp_path) == []


def test_cfn_lint_catches_what_cloudformation_cannot_say(tmp_path: Path) -> None:
    """The lint harness can fail: Enabled on a window (no such CloudFormation property) errs."""
    template = template_of("flags-default")
    template["Resources"]["WindowWeek1Day2Unattended0300"]["Properties"]["Enabled"] = False
    findings = lint(template, tmp_path)
    assert findings, "cfn-lint accepted an Enabled property on AWS::SSM::MaintenanceWindow"
    assert all(f.startswith("E") for f in findings), findings
    assert any("Enabled" in f for f in findings), findings


# ---------------------------------------------------------------- one to one with the plan


#: The boundary's ARN as setup plans it for some account, and as the template says it.
BOUNDARY = "arn:aws:iam::123456789012:policy/ssm-patching-setup/ssm-patching-setup-role-boundary"
BOUNDARY_SUB = (
    "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/ssm-patching-setup/"
    "ssm-patching-setup-role-boundary"
)


def _expected(setup: Setup) -> dict[str, tuple[str, dict[str, Any], bool]]:
    """Planner variable -> (resource type, properties, enabled) from a plan against nothing."""
    expected: dict[str, tuple[str, dict[str, Any], bool]] = {}
    groups: dict[str, list[str]] = defaultdict(list)
    for change in plan(setup, RemoteState(), lambda: "token", boundary=BOUNDARY).changes:
        assert change.action == "create", change
        if change.kind == "patch-group":
            (call,) = change.calls
            assert call.method == "register_patch_baseline_for_patch_group"
            groups[call.params["BaselineId"].var].append(call.params["PatchGroup"])
            continue
        first, *rest = change.calls
        params = {k: v for k, v in first.params.items() if k != "ClientToken"}
        enabled = True
        if change.kind == "role":
            assert {c.method for c in rest} <= {"put_role_policy"}
            params["AssumeRolePolicyDocument"] = json.loads(params["AssumeRolePolicyDocument"])
            params["Policies"] = [
                {
                    "PolicyName": c.params["PolicyName"],
                    "PolicyDocument": c.params["PolicyDocument"].value,
                }
                for c in rest
            ]
        elif change.kind == "window":
            assert all(c.method == "update_maintenance_window" for c in rest)
            enabled = not any(c.params.get("Enabled") is False for c in rest)
        elif change.kind == "task":
            # The one renamed member: RunCommand in the API, its own name in CloudFormation.
            invocation = params.pop("TaskInvocationParameters")
            params["TaskInvocationParameters"] = {
                "MaintenanceWindowRunCommandParameters": invocation["RunCommand"]
            }
        else:
            assert not rest
        assert change.id_var is not None
        expected[change.id_var] = (TYPES[change.kind], params, enabled)
    for var, patch_groups in groups.items():
        expected[var][1]["PatchGroups"] = patch_groups
    return expected


def _actual(template: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any], bool]]:
    """The template in the same form: Ref and GetAtt become the planner's variables."""
    found = template["Resources"]
    var_of: dict[str, str] = {}
    for logical_id, resource in found.items():
        properties = resource["Properties"]
        if resource["Type"] == ROLE:
            var_of[logical_id] = f"role:{properties['RoleName']}"
        elif resource["Type"] in (BASELINE, WINDOW):
            kind = "baseline" if resource["Type"] == BASELINE else "window"
            var_of[logical_id] = f"{kind}:{properties['Name']}"
    for logical_id, resource in found.items():
        if resource["Type"] in (TARGET, TASK):
            properties = resource["Properties"]
            window = found[properties["WindowId"]["Ref"]]["Properties"]["Name"]
            kind = "target" if resource["Type"] == TARGET else "task"
            var_of[logical_id] = f"{kind}:{window}/{properties['Name']}"

    def resolve(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"Ref"}:
                return Ref(var_of[value["Ref"]])
            if set(value) == {"Fn::GetAtt"}:
                logical_id, attribute = value["Fn::GetAtt"]
                assert (found[logical_id]["Type"], attribute) == (ROLE, "Arn")
                return Ref(var_of[logical_id])
            if value == {"Fn::Sub": BOUNDARY_SUB}:
                return BOUNDARY  # the permissions boundary in the stack's account
            if set(value) == {"Fn::Sub"}:
                # The role's own ARN in its own policy (a GetAtt on itself would be circular).
                prefix = "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/ssm-patching-setup/"
                assert value["Fn::Sub"].startswith(prefix), value
                return Ref(f"role:{value['Fn::Sub'].removeprefix(prefix)}")
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    actual: dict[str, tuple[str, dict[str, Any], bool]] = {}
    for logical_id, resource in found.items():
        note = resource.get("Metadata", {}).get("ssm-patching-setup", {})
        enabled = note.get("Enabled", True)
        actual[var_of[logical_id]] = (resource["Type"], resolve(resource["Properties"]), enabled)
    return actual


@pytest.mark.parametrize("case", sorted(CASES))
def test_resources_match_the_plan_one_to_one(case: str) -> None:
    expected = _expected(setup_of(case))
    actual = _actual(template_of(case))
    assert sorted(actual) == sorted(expected)
    for var, want in expected.items():
        assert actual[var] == want, var


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_count_and_names_per_kind(case: str) -> None:
    setup = setup_of(case)
    creates = [c for c in plan(setup, RemoteState()).changes if c.kind != "patch-group"]
    summary = resource_summary(template_of(case))
    assert Counter(t for t, _ in summary) == Counter(TYPES[c.kind] for c in creates)
    for kind, type_name in TYPES.items():
        want = sorted(c.name for c in creates if c.kind == kind)
        assert sorted(n for t, n in summary if t == type_name) == want, kind
    registrations = sorted(
        c.name for c in plan(setup, RemoteState()).changes if c.kind == "patch-group"
    )
    exported = sorted(
        f"{group} -> {p['Name']}"
        for r in resources(case).values()
        if r["Type"] == BASELINE
        for p in [r["Properties"]]
        for group in p.get("PatchGroups", [])
    )
    assert exported == registrations


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


# ----------------------------------------------------- what CloudFormation cannot express


def test_disabled_window_is_reported_not_silently_enabled() -> None:
    template = template_of("kitchen-sink")
    disabled = template["Resources"]["WindowDisabled"]
    assert "Enabled" not in disabled["Properties"]
    assert disabled["Metadata"]["ssm-patching-setup"]["Enabled"] is False
    notes = warnings(template)
    assert any("'disabled'" in n and "Enabled" in n for n in notes), notes
    for logical_id in ("WindowLastFriday", "WindowKitchenDailyScan"):
        assert "Metadata" not in template["Resources"][logical_id]
    assert not any("'last-friday'" in n for n in notes)


def test_warnings_name_the_global_role_and_nothing_else_for_plain_setups() -> None:
    assert warnings(template_of("flags-default")) == []
    (note,) = warnings(template_of("flags-service-role"))
    assert "ssm-patching-setup-default" in note
    assert "region" in note


def test_cloudformation_limits_are_reported() -> None:
    windows = tuple(
        WindowSpec(
            name=f"window-{n:03d}",
            schedule="cron(0 4 ? * SUN *)",
            targets=(TargetSpec("hosts", (("tag:Patch Group", (f"group-{n:03d}",)),)),),
            tasks=tuple(TaskSpec(f"task-{m}", ("hosts",)) for m in range(4)),
        )
        for n in range(100)
    )
    template = cloudformation(Setup(name="big", windows=windows))
    assert len(template["Resources"]) == 600
    notes = warnings(template)
    assert any("600 resources" in n and "500" in n for n in notes), notes
    assert any("bytes" in n and "S3" in n for n in notes), notes


def test_baseline_fields_cloudformation_lacks_are_refused() -> None:
    base = setup_of("flags-default")
    rules = {**base.baselines[0].rules, "FutureField": True}
    setup = dataclasses.replace(
        base, baselines=(dataclasses.replace(base.baselines[0], rules=rules),)
    )
    with pytest.raises(ExportError, match="FutureField"):
        cloudformation(setup)


# ------------------------------------------------------------------------- logical IDs


@pytest.mark.parametrize("case", sorted(CASES))
def test_logical_ids_are_alphanumeric(case: str) -> None:
    for logical_id in resources(case):
        assert LOGICAL_ID.match(logical_id), logical_id


def test_logical_ids_derive_from_names() -> None:
    ids = list(resources("flags-service-role"))
    assert ids[:5] == [
        "ServiceRole",
        "BaselineSsmPatchingSetupDefaultAmazonLinux2",
        "WindowWeek1Day2Unattended0300",
        "TargetWeek1Day2Unattended0300Targets",
        "TaskWeek1Day2Unattended0300Patch",
    ]
    assert logical_name("patch_test-0600.batch") == "PatchTest0600Batch"
    assert logical_name("Patch-WebServer-Prd") == "PatchWebServerPrd"


def test_colliding_names_get_hash_suffixes_and_keep_their_references() -> None:
    found = resources("collisions")
    hashed = re.compile(r"^(BaselineRhelTest|WindowTest0600|TargetLinux|TaskPatch)[0-9a-f]{8}$")
    plain = {k for k in found if not hashed.match(k)}
    assert plain == {"BaselineSolo", "WindowProd"}
    assert len([k for k in found if k.startswith("TargetLinux")]) == 3
    for resource in found.values():
        if resource["Type"] != TASK:
            continue
        properties = resource["Properties"]
        window = properties["WindowId"]["Ref"]
        (target,) = properties["Targets"][0]["Values"]
        assert found[target["Ref"]]["Properties"]["WindowId"] == {"Ref": window}


def test_logical_ids_do_not_depend_on_config_order() -> None:
    setup = setup_of("collisions")
    reordered = dataclasses.replace(
        setup,
        baselines=tuple(reversed(setup.baselines)),
        windows=tuple(reversed(setup.windows)),
    )
    assert cloudformation(reordered)["Resources"] == cloudformation(setup)["Resources"]
    assert cloudformation(setup) == cloudformation(setup)


# ------------------------------------------------------------------- template as data


@pytest.mark.parametrize("case", sorted(CASES))
def test_template_is_plain_json_with_a_naming_description(case: str) -> None:
    template = cloudformation(setup_of(case))
    assert json.loads(dumps(template)) == template
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    assert f"'{setup_of(case).name}'" in template["Description"]
    assert len(template["Description"]) <= 1024


def test_resource_summary_lists_type_and_name_in_template_order() -> None:
    summary = resource_summary(template_of("flags-service-role"))
    assert summary[:5] == [
        (ROLE, "ssm-patching-setup-default"),
        (BASELINE, "ssm-patching-setup-default-amazon-linux-2"),
        (WINDOW, "Week1Day2Unattended0300"),
        (TARGET, "Week1Day2Unattended0300Targets"),
        (TASK, "Week1Day2Unattended0300Patch"),
    ]
    assert len(summary) == 26


def test_export_imports_no_aws_sdk() -> None:
    code = (
        "import sys, patchsetup.export; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
