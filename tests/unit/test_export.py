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
  patch-group registrations as the baselines' ``PatchGroups``.

The literal spot checks are in test_export_samples.py, what CloudFormation cannot say,
the logical IDs and the template as data in test_export_template.py.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_file  # type: ignore[import-untyped]
from cfnlint.helpers import REGIONS  # type: ignore[import-untyped]

from patchsetup.deploy.plan import Ref
from patchsetup.deploy.planner import plan
from patchsetup.deploy.remote import RemoteState
from patchsetup.export.template import (
    BASELINE,
    ROLE,
    TARGET,
    TASK,
    WINDOW,
    dumps,
    resource_summary,
)
from patchsetup.model import (
    Setup,
)
from tests.helpers.export import resources, template_of
from tests.helpers.setups import CASES, EXAMPLE_FILES, setup_of

TYPES = {"role": ROLE, "baseline": BASELINE, "window": WINDOW, "target": TARGET, "task": TASK}


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
