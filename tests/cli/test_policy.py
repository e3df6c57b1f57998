"""Least privilege: iam/ssm-patching-setup-operator-policy.json grants what the tool calls.

Three proofs, on any run (the suite-wide check, tests/plugins/least_privilege.py, needs
the whole suite); this module holds the first, the other two are test_policy_recorder.py
and test_policy_workload.py:

* the document's structure: valid JSON, one Sid per statement, only Allow, no wildcard
  action, every action an operation of botocore's model (or an authorization-only
  action the tool's calls imply), ``*`` resources only for the actions AWS cannot scope,
  the service role's actions on the tool's IAM path, ``iam:PassRole`` only to SSM;
* the machinery: the recorder (tools/local_aws.py --record) classifies JSON- and
  query-protocol requests and the tool's User-Agent, one whole line per request under
  concurrency; ``check_policy`` finds missing and unused grants;
* a focused workload against a recording server of its own: setup with the flags, with
  the service role, drift repaired, a second region tagging and releasing the role,
  options changed, the run lock taken over, every
  config feature (tests/data/kitchen-sink.toml, seed 000), status (with drift), a target
  and a task removed, another account through --role-arn, cleanup and cleanup
  --all-patching. Every action
  it called is granted, every non-pending grant was exercised, and the ARNs the tool
  created or passed fall inside the policy's resource patterns (role path, PassRole,
  lock parameter, owner tag, the assumed role).
"""

from __future__ import annotations

import json
from pathlib import Path

import botocore.config
import botocore.session
import pytest

from patchsetup.aws.lock import parameter_name
from patchsetup.model import OWNER_TAG, ROLE_PATH
from tests.helpers.paths import ROOT
from tests.helpers.policy import (
    ACCOUNT,
    BOTOCORE_NAMES,
    REGION,
    TARGET_ROLE,
    arn_allowed,
    resources_of,
    statement_of,
    statement_resources,
    statements,
)
from tests.plugins.least_privilege import (
    IMPLIED,
)

#: Actions AWS does not scope to a resource (the Service Authorization Reference lists
#: no resource type for them): the only ones the policy may grant on "*".
UNSCOPED = frozenset(
    {
        "ssm:DescribeMaintenanceWindows",
        "ssm:DescribePatchBaselines",
        "ssm:DescribePatchGroups",
        # Names a patch group, not a baseline: nothing for a resource ARN to match.
        "ssm:GetPatchBaselineForPatchGroup",
        # The Service Authorization Reference lists no resource type for these two.
        "ssm:DescribeInstanceInformation",
        "ssm:DescribePatchGroupState",
        "ssm:CreateMaintenanceWindow",
        "ssm:CreatePatchBaseline",
        "iam:ListRoles",
        "servicequotas:ListServiceQuotas",
        "sts:GetCallerIdentity",
        # --org: the organization itself, and all its accounts.
        "organizations:DescribeOrganization",
        "organizations:ListAccounts",
        # assign's reads: List actions without a resource type.
        "ec2:DescribeInstances",
        "ec2:DescribeTags",
    }
)


IAM = ROOT / "iam"
#: Every shipped document: the operator's grants and the created role's boundary.
SHIPPED = sorted(IAM.glob("*.json"))
BOUNDARY = IAM / "ssm-patching-setup-role-boundary.json"
#: Authorization-only actions: checked by AWS, not API operations of their own.
NOT_OPERATIONS = frozenset({"iam:PassRole"})


# -- the document ------------------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_policy_is_valid_json_with_sids_and_no_wildcard_action(path: Path) -> None:
    policy = json.loads(path.read_text(encoding="utf-8"))
    assert set(policy) == {"Version", "Statement"}
    assert policy["Version"] == "2012-10-17"
    sids = [s.get("Sid") for s in policy["Statement"]]
    assert all(isinstance(sid, str) and sid.isalnum() for sid in sids), sids
    assert len(set(sids)) == len(sids), f"duplicate Sid: {sids}"
    seen: set[tuple[str, str]] = set()
    for statement in policy["Statement"]:
        sid = statement["Sid"]
        assert set(statement) <= {"Sid", "Effect", "Action", "Resource", "Condition"}, sid
        assert statement["Effect"] == "Allow", sid
        assert isinstance(statement["Action"], list) and statement["Action"], sid
        assert statement.get("Resource"), f"{sid}: no Resource"
        for action in statement["Action"]:
            assert action.count(":") == 1 and "*" not in action and "?" not in action, action
            # Twice only on other resources (a window's tag condition, its target's none).
            for resource in statement_resources(statement):
                assert (action, resource) not in seen, f"{action} on {resource} granted twice"
                seen.add((action, resource))
    assert not any(action == "*" for action, _ in seen)


def test_every_action_is_an_aws_operation_or_implied_by_one() -> None:
    session = botocore.session.get_session()
    models = {prefix: session.get_service_model(name) for prefix, name in BOTOCORE_NAMES.items()}
    for statement in statements():
        for action in statement["Action"]:
            prefix, operation = action.split(":")
            if action in NOT_OPERATIONS:
                assert action in IMPLIED, f"{action}: say which call implies it (IMPLIED)"
                continue
            assert prefix in models, f"{action}: a service the tool has no client for"
            assert operation in models[prefix].operation_names, f"{action}: no such operation"


def test_star_resources_only_where_aws_cannot_scope() -> None:
    for statement in statements():
        resources = statement["Resource"]
        if "*" in ([resources] if isinstance(resources, str) else resources):
            scoped = [a for a in statement["Action"] if a not in UNSCOPED]
            assert not scoped, f"{statement['Sid']}: {scoped} on '*' though AWS can scope them"


def test_service_role_actions_are_limited_to_the_tools_role_path() -> None:
    iam_actions = [a for s in statements() for a in s["Action"] if a.startswith("iam:")]
    assert "iam:TagRole" in iam_actions  # CreateRole carries Tags; a second region tags it
    assert "iam:UntagRole" in iam_actions  # a region lets go of the role
    role_arn = f"arn:aws:iam::{ACCOUNT}:role{ROLE_PATH}ssm-patching-setup-default"
    other_role = f"arn:aws:iam::{ACCOUNT}:role/Admin"
    for action in iam_actions:
        if action == "iam:ListRoles":
            continue
        assert "*" not in resources_of(action), action
        assert arn_allowed(action, role_arn), action
        assert not arn_allowed(action, other_role), action


def test_assume_role_only_on_roles() -> None:
    for resource in resources_of("sts:AssumeRole"):
        assert resource.startswith("arn:aws:iam::") and ":role/" in resource, resource
    assert arn_allowed("sts:AssumeRole", TARGET_ROLE)
    assert not arn_allowed("sts:AssumeRole", "arn:aws:iam::111111111111:user/someone")


def test_pass_role_only_to_ssm_and_only_the_tools_roles() -> None:
    statement = statement_of("iam:PassRole")
    assert statement["Action"] == ["iam:PassRole"]  # the condition binds nothing else
    condition = statement["Condition"]
    assert list(condition) == ["StringEquals"]
    passed_to = condition["StringEquals"]["iam:PassedToService"]
    assert passed_to in ("ssm.amazonaws.com", ["ssm.amazonaws.com"])
    assert resources_of("iam:PassRole") == resources_of("iam:CreateRole")


def test_creates_require_the_owner_tag_and_the_lock_is_scoped() -> None:
    for action in ("ssm:CreateMaintenanceWindow", "ssm:CreatePatchBaseline"):
        condition = statement_of(action)["Condition"]
        # A value (any setup name: non-empty), not only the key; `policy` names the setup.
        assert condition == {"StringLike": {f"aws:RequestTag/{OWNER_TAG}": "?*"}}, action
    lock_arn = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{parameter_name('default')}"
    for action in ("ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter"):
        assert arn_allowed(action, lock_arn), (action, lock_arn)
        assert not arn_allowed(action, f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/prod/db"), action
