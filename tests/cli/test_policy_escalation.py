"""The policies cannot escalate: the service role's boundary, the `policy` command, and
parliament and cloudsplaining on every shipped policy and every example's policy.

* a created role gets the permissions boundary; a role without it (an earlier version's,
  or an administrator's removal) gets it put back; a converged re-run writes nothing;
* iam/*.json are exactly what patchsetup/policy.py makes (one source);
* parliament (with its community auditors, which flag privilege escalation) reports no
  HIGH or CRITICAL finding, and cloudsplaining no privilege escalation, resource
  exposure or credentials exposure, for every shipped file and for
  ``ssm-patching-setup policy --config`` of every example (with --brownfield too);
* ``policy`` names the setup: its owner tag value, role, lock and the role ARNs it passes;
* every action's resources are of the types the Service Authorization Reference gives it.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

import parliament
import pytest
from cloudsplaining.scan.policy_document import PolicyDocument
from parliament import analyze_policy_string, enhance_finding, override_config

from patchsetup import policy
from patchsetup.model import OWNER_TAG, ROLE_PATH
from tests.helpers.cli import assert_one_line_error, setup, target_json
from tests.helpers.endpoint import AwsEnv, client
from tests.helpers.paths import ROOT

ACCOUNT = "123456789012"  # moto's account
BOUNDARY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/ssm-patching-setup/ssm-patching-setup-role-boundary"
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))
KITCHEN = ROOT / "tests" / "data" / "kitchen-sink.toml"
JSON = ("--output", "json")
ROLE = "ssm-patching-setup-default"


# Severities as parliament's CLI sets them with --include-community-auditors.
override_config(
    str(Path(parliament.__file__).parent / "community_auditors" / "config_override.yaml")
)


def _escalations(document: dict[str, Any]) -> list[str]:
    """parliament's HIGH/CRITICAL findings and cloudsplaining's escalation-like ones."""
    found = [
        f"parliament {f.issue}: {f.location}"
        for f in analyze_policy_string(
            json.dumps(document), include_community_auditors=True
        ).findings
        if enhance_finding(f).severity in ("HIGH", "CRITICAL")
    ]
    scanned = PolicyDocument(document)
    found += [
        f"cloudsplaining privilege escalation: {e}" for e in scanned.allows_privilege_escalation
    ]
    found += [
        f"cloudsplaining exposure: {a}" for a in scanned.permissions_management_without_constraints
    ]
    return found


def test_parliament_sees_the_escalation_of_the_old_policy() -> None:
    """The auditors work here (offline): the replaced policy's two escalations are found."""
    old = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["iam:CreateRole", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"],
                "Resource": "arn:aws:iam::*:role/ssm-patching-setup/*",
            },
            {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Resource": "arn:aws:iam::*:role/*"},
        ],
    }
    found = _escalations(old)
    assert any("PutRolePolicy" in f for f in found), found
    assert any("UpdateRolePolicyToAssumeIt" in f for f in found), found


#: The files one identity has: the operator policy, the brownfield one beside it, the
#: assume one (the README's table of policies); the boundary is the created role's.
OPERATOR_FILES = (
    "ssm-patching-setup-operator-policy.json",
    "ssm-patching-setup-brownfield-policy.json",
    "ssm-patching-setup-assume-policy.json",
)


def _statements(document: dict[str, Any]) -> list[tuple[list[str], list[str]]]:
    """(actions, resources) of each Allow statement."""

    def listed(value: str | list[str]) -> list[str]:
        return [value] if isinstance(value, str) else list(value)

    return [
        (listed(s["Action"]), listed(s["Resource"]))
        for s in document["Statement"]
        if s["Effect"] == "Allow"
    ]


@pytest.mark.parametrize("path", sorted((ROOT / "iam").glob("*.json")), ids=lambda p: p.name)
def test_every_action_has_its_resource_types(path: Path) -> None:
    """Each action's resources are the types the Service Authorization Reference gives it
    (parliament bundles the reference: RESOURCE_MISMATCH). An action that needs two
    (UpdateMaintenanceWindowTarget: the window and the target) has them in two statements,
    the window gated by its owner tag and the target, which carries no tag, not; so a
    statement's mismatch must be made good by another statement the same identity has:
    the operator's files go together (the brownfield one adds to the operator one)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    together = OPERATOR_FILES if path.name in OPERATOR_FILES else (path.name,)
    statements = [
        statement
        for name in together
        for statement in _statements(json.loads((ROOT / "iam" / name).read_text("utf-8")))
    ]
    unmatched = []
    for finding in analyze_policy_string(json.dumps(document)).findings:
        if finding.issue != "RESOURCE_MISMATCH":
            continue
        for missing in finding.detail:
            action, needed = missing["action"], missing["required_format"]
            if not any(
                action in actions and any(fnmatch.fnmatchcase(r, needed) for r in resources)
                for actions, resources in statements
            ):
                unmatched.append(f"{action} needs {needed}")
    assert unmatched == []


def test_a_resource_type_mismatch_is_seen() -> None:
    """The check above sees a wrong type: GetDefaultPatchBaseline on a window's ARN."""
    wrong = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["ssm:GetDefaultPatchBaseline"],
                "Resource": "arn:aws:ssm:*:*:maintenancewindow/*",
            }
        ],
    }
    issues = {f.issue for f in analyze_policy_string(json.dumps(wrong)).findings}
    assert "RESOURCE_MISMATCH" in issues


@pytest.mark.parametrize("path", sorted((ROOT / "iam").glob("*.json")), ids=lambda p: p.name)
def test_no_shipped_policy_escalates(path: Path) -> None:
    assert _escalations(json.loads(path.read_text(encoding="utf-8"))) == []


def test_shipped_files_are_what_policy_py_makes() -> None:
    for name, document in policy.shipped().items():
        assert json.loads((ROOT / "iam" / name).read_text(encoding="utf-8")) == document, name
    assert sorted(p.name for p in (ROOT / "iam").glob("*.json")) == sorted(policy.shipped())


def test_role_writes_need_the_boundary_and_nothing_removes_it() -> None:
    operator = policy.operator_policy()
    granted = {a for s in operator["Statement"] for a in s["Action"]}
    assert not granted & {"iam:DeleteRolePermissionsBoundary", "iam:AttachRolePolicy"}
    for statement in operator["Statement"]:
        if set(statement["Action"]) & {"iam:CreateRole", "iam:PutRolePolicy"}:
            boundary = statement["Condition"]["ArnLike"]["iam:PermissionsBoundary"]
            assert (
                boundary
                == "arn:aws:iam::*:policy/ssm-patching-setup/ssm-patching-setup-role-boundary"
            )
            assert "iam:PutRolePermissionsBoundary" in statement["Action"]
    # The boundary allows what the maintenance-window role needs, and no IAM but PassRole.
    actions = {a for s in policy.boundary_policy()["Statement"] for a in s["Action"]}
    assert "ssm:SendCommand" in actions and {a for a in actions if a.startswith("iam:")} == {
        "iam:PassRole"
    }


def test_assume_role_only_on_the_bootstrap_roles_never_the_tools_path() -> None:
    statement, organization, reads, tree = policy.assume_policy()["Statement"]
    assert statement["Resource"] == "arn:aws:iam::*:role/PatchingBootstrap*"
    # --org: the role Organizations makes in its accounts, and only reads of Organizations.
    assert (organization["Action"], organization["Resource"]) == (
        ["sts:AssumeRole"],
        "arn:aws:iam::*:role/OrganizationAccountAccessRole",
    )
    assert (reads["Action"], reads["Resource"]) == (
        ["organizations:DescribeOrganization", "organizations:ListAccounts"],
        "*",
    )
    assert (tree["Action"], tree["Resource"]) == (
        ["organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent"],
        ["arn:aws:organizations::*:root/o-*/r-*", "arn:aws:organizations::*:ou/o-*/ou-*"],
    )
    import fnmatch

    for assumed in (statement, organization):
        assert not fnmatch.fnmatchcase(
            f"arn:aws:iam::{ACCOUNT}:role{ROLE_PATH}{ROLE}", assumed["Resource"]
        )
    for document in (policy.operator_policy(), policy.brownfield_policy()):
        assert "sts:AssumeRole" not in {a for s in document["Statement"] for a in s["Action"]}


def test_writes_need_the_owner_tag_and_the_brownfield_only_untagged() -> None:
    tagged = f"aws:ResourceTag/{OWNER_TAG}"
    for statement in policy.operator_policy()["Statement"]:
        writes = [
            a for a in statement["Action"] if a.split(":")[1].startswith(("Update", "Delete"))
        ]
        if writes and any(
            "maintenancewindow" in r or "patchbaseline" in r or ":role/" in r
            for r in statement["Resource"]
        ):
            assert statement["Condition"] == {"StringLike": {tagged: "?*"}}, statement["Sid"]
    for statement in policy.brownfield_policy()["Statement"]:
        assert statement["Condition"]["Null"] == {tagged: "true"}, statement["Sid"]


# -- the policy command ---------------------------------------------------------------


@pytest.mark.parametrize("brownfield", [False, True], ids=["operator", "brownfield"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_policy_of_every_example_does_not_escalate(example: Path, brownfield: bool) -> None:
    extra = ("--brownfield",) if brownfield else ()
    shown = setup(
        "http://127.0.0.1:9", "policy", "--config", str(example), "--account", ACCOUNT, *extra
    )
    assert shown.returncode == 0, shown.stderr
    document = json.loads(shown.stdout)
    assert _escalations(document) == []
    sids = {s["Sid"] for s in document["Statement"]}
    assert ("WriteUntaggedWindowsAndBaselines" in sids) is brownfield


def test_policy_names_the_setup_its_role_and_the_roles_it_passes(tmp_path: Path) -> None:
    config = tmp_path / "roles.toml"
    config.write_text(
        KITCHEN.read_text(encoding="utf-8")
        .replace(
            'service_role = "create"',
            'service_role = "arn:aws:iam::123456789012:role/ops/TaskRole"',
            1,
        )
        .replace(
            'type = "Invocation", role = "create"',
            'type = "Invocation", role = "arn:aws:iam::123456789012:role/SnsRole"',
            1,
        ),
        encoding="utf-8",
    )
    shown = setup("http://127.0.0.1:9", "policy", "--config", str(config), "--account", ACCOUNT)
    assert shown.returncode == 0, shown.stderr
    document = json.loads(shown.stdout)
    by_sid = {s["Sid"]: s for s in document["Statement"]}
    assert by_sid["PassNamedRolesToSsm"]["Resource"] == [
        "arn:aws:iam::123456789012:role/SnsRole",
        "arn:aws:iam::123456789012:role/ops/TaskRole",
    ]
    name = json.loads(json.dumps(by_sid["CreateWithTheOwnerTag"]["Condition"]))
    assert name == {"StringEquals": {f"aws:RequestTag/{OWNER_TAG}": "kitchen"}}
    boundary = by_sid["ServiceRoleOnlyWithTheBoundary"]
    assert boundary["Condition"] == {"ArnLike": {"iam:PermissionsBoundary": BOUNDARY_ARN}}
    assert boundary["Resource"].startswith(f"arn:aws:iam::{ACCOUNT}:role{ROLE_PATH}")
    assert by_sid["RunLock"]["Resource"].endswith(":parameter/patchsetup/lock/kitchen")
    assert _escalations(document) == []


def test_policy_refuses_a_malformed_account() -> None:
    shown = setup("http://127.0.0.1:9", "policy", "--account", "12345")
    assert_one_line_error(shown, 2, "--account", "12345")


# -- the boundary on the role -----------------------------------------------------------


def _boundary(aws: AwsEnv) -> str | None:
    role = client(aws, "iam").get_role(RoleName=ROLE)["Role"]
    found: str | None = role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
    return found


def test_the_created_role_gets_the_boundary_and_a_rerun_writes_nothing(aws: AwsEnv) -> None:
    target_json(setup(aws.url, *JSON, "--create-service-role"))
    assert _boundary(aws) == BOUNDARY_ARN
    again = target_json(setup(aws.url, *JSON, "--create-service-role"))
    assert again["summary"]["create"] == again["summary"]["update"] == 0


def test_a_role_without_the_boundary_gets_it_then_stays_converged(aws: AwsEnv) -> None:
    target_json(setup(aws.url, *JSON, "--create-service-role"))
    client(aws, "iam").delete_role_permissions_boundary(RoleName=ROLE)  # an earlier version's
    repaired = target_json(setup(aws.url, *JSON, "--create-service-role"))
    [role] = [r for r in repaired["resources"] if r["kind"] == "role"]
    assert role["action"] == "update"
    assert {"field": "PermissionsBoundary", "old": None, "new": BOUNDARY_ARN} in role["changes"]
    assert _boundary(aws) == BOUNDARY_ARN
    again = target_json(setup(aws.url, *JSON, "--create-service-role"))
    assert again["summary"]["update"] == 0
