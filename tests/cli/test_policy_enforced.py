"""The shipped policies, enforced: the tool runs as an IAM user bound by them.

A server of this module's own (tools/local_aws.py) with moto's IAM access control
switched on: its admin calls make the users and roles, then ``POST
/moto-api/reset-auth`` with ``0`` (moto's server-mode switch for
INITIAL_NO_AUTH_ACTION_COUNT) makes every later request authenticated and authorized
against the caller's IAM policies. So a grant missing from iam/*.json fails here,
not in a customer's account.

moto's evaluator checks less than AWS (README, "What the enforced tests cannot see"):
it checks the action, and the resource only for IAM role calls on existing roles and
for sts:AssumeRole; SSM and Service Quotas calls are authorized on ``*`` (so their
statements are given ``Resource: *`` here) and so is CreateRole; conditions are
ignored (only ``StringEquals`` on sts:ExternalId is evaluated); actions a call implies
(iam:PassRole, iam:TagRole) are not checked.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from patchsetup.model import ROLE_PATH
from tests.helpers.cli import SEED002_HOOKS, cli_env, run, target_json
from tests.helpers.endpoint import start_local_aws
from tests.helpers.oldtool import old_tool_setup
from tests.helpers.paths import ROOT
from tools import launch
from tools.launch import Server

IAM = ROOT / "iam"
ACCOUNT = "123456789012"  # moto's account
REGION = "us-east-1"
BOOTSTRAP = f"arn:aws:iam::{ACCOUNT}:role/PatchingBootstrap"
SEED002 = ROOT / "examples" / "seed002-webserver-hooks.toml"
JSON = ("--output", "json")
SMALL = ("-w", "1", "-d", "2", "-t", "3")
#: The operator's own policies (the boundary is the created role's, not the operator's).
OPERATOR_FILES = (
    "ssm-patching-setup-operator-policy.json",
    "ssm-patching-setup-brownfield-policy.json",
    "ssm-patching-setup-assume-policy.json",
)


def for_moto(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` as moto can evaluate it: ``*`` where moto authorizes on ``*``."""
    statements = []
    for statement in document["Statement"]:
        found = dict(statement)
        actions = found["Action"]
        if "iam:CreateRole" in actions or any(
            a.startswith(("ssm:", "servicequotas:")) for a in actions
        ):
            found["Resource"] = "*"
        statements.append(found)
    return {**document, "Statement": statements}


@dataclass
class Enforced:
    url: str
    admin: boto3.session.Session
    #: name -> (access key id, secret)
    keys: dict[str, tuple[str, str]]

    def client(self, service: str) -> Any:
        return self.admin.client(service, endpoint_url=self.url, region_name=REGION)  # type: ignore[call-overload]

    def cli(self, user: str, command: str, *args: str) -> Any:
        key, secret = self.keys[user]
        env = cli_env(self.url, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret)
        env.pop("AWS_SESSION_TOKEN")  # an IAM user's long-term keys: no session token
        return run(self.url, command, *args, env=env)


def _user(iam: Any, name: str, documents: dict[str, dict[str, Any]]) -> tuple[str, str]:
    iam.create_user(UserName=name)
    for policy_name, document in documents.items():
        arn = iam.create_policy(
            PolicyName=f"{name}-{policy_name}", PolicyDocument=json.dumps(document)
        )["Policy"]["Arn"]
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def _shipped(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((IAM / name).read_text(encoding="utf-8"))
    return document


def _without(document: dict[str, Any], action: str) -> dict[str, Any]:
    statements = [
        {**s, "Action": [a for a in s["Action"] if a != action]} for s in document["Statement"]
    ]
    return {**document, "Statement": [s for s in statements if s["Action"]]}


@pytest.fixture(scope="module")
def enforced() -> Iterator[Enforced]:
    server: Server = start_local_aws()
    try:
        setup_session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        iam = setup_session.client("iam", endpoint_url=server.url)
        keys = {
            "admin": _user(
                iam,
                "admin",
                {"all": {"Version": "2012-10-17", "Statement": [_allow_all()]}},
            ),
            "operator": _user(iam, "operator", {n: for_moto(_shipped(n)) for n in OPERATOR_FILES}),
            "no-create-baseline": _user(
                iam,
                "no-create-baseline",
                {
                    "operator": for_moto(
                        _without(_shipped(OPERATOR_FILES[0]), "ssm:CreatePatchBaseline")
                    )
                },
            ),
            # The operator policy of before status read the fleet.
            "no-fleet": _user(
                iam,
                "no-fleet",
                {
                    "operator": for_moto(
                        _without(_shipped(OPERATOR_FILES[0]), "ssm:DescribeInstanceInformation")
                    )
                },
            ),
            # The operator policy without the assume policy: no organizations:* grant.
            "no-org": _user(iam, "no-org", {"operator": for_moto(_shipped(OPERATOR_FILES[0]))}),
        }
        operator_arn = f"arn:aws:iam::{ACCOUNT}:user/operator"
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": operator_arn}, "Action": "sts:AssumeRole"}
            ],
        }
        boundary = _shipped("ssm-patching-setup-role-boundary.json")
        iam.create_policy(
            Path="/ssm-patching-setup/",
            PolicyName="ssm-patching-setup-role-boundary",
            PolicyDocument=json.dumps(boundary),
        )
        operator_policy = iam.create_policy(
            PolicyName="bootstrap-operator",
            PolicyDocument=json.dumps(for_moto(_shipped(OPERATOR_FILES[0]))),
        )["Policy"]["Arn"]
        for name in ("PatchingBootstrap", "SomeOtherRole"):
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
            iam.attach_role_policy(RoleName=name, PolicyArn=operator_policy)
        request = urllib.request.Request(
            f"{server.url}/moto-api/reset-auth",
            data=b"0",
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
        admin_key, admin_secret = keys["admin"]
        admin = boto3.session.Session(
            aws_access_key_id=admin_key, aws_secret_access_key=admin_secret, region_name=REGION
        )
        yield Enforced(server.url, admin, keys)
    finally:
        problem = launch.stop(server)
    assert problem is None, problem


def _allow_all() -> dict[str, Any]:
    return {"Effect": "Allow", "Action": "*", "Resource": "*"}


def test_access_control_is_on(enforced: Enforced) -> None:
    """The tests' fake keys are refused now: every call below is really authorized."""
    stranger = boto3.client(
        "ssm",
        endpoint_url=enforced.url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    with pytest.raises(Exception, match=r"403|Invalid|security token"):
        stranger.describe_maintenance_windows()


def test_a_missing_grant_fails_the_run(enforced: Enforced) -> None:
    shown = enforced.cli("no-create-baseline", "ssm-patching-setup", *SMALL, "--name", "denied")
    assert shown.returncode != 0, shown.stdout
    assert "CreatePatchBaseline" in shown.stderr, shown.stderr
    assert "Traceback" not in shown.stderr
    # What the run made before the denial (the windows, side by side) goes again.
    target_json(
        enforced.cli("operator", "ssm-patching-cleanup", *JSON, "--name", "denied", "--yes")
    )


def test_status_without_the_fleet_grants_fails_and_no_fleet_works(enforced: Enforced) -> None:
    # Its own patch group: the module's other tests use SMALL's.
    own = ("-w", "4", "-d", "6", "-t", "7", "--name", "nf")
    target_json(enforced.cli("operator", "ssm-patching-setup", *JSON, *own))
    try:
        denied = enforced.cli("no-fleet", "ssm-patching-setup", "status", "--name", "nf")
        # moto's denial is an XML body botocore cannot parse for SSM: its Code and Message
        # are taken out of it, on one line.
        assert denied.returncode == 1, denied.stdout
        assert denied.stderr.startswith(
            "error: DescribeInstanceInformation failed: 403: AccessDenied: User: "
        ), denied.stderr
        assert len([line for line in denied.stderr.splitlines() if line.strip()]) == 1
        assert "Traceback" not in denied.stderr
        bare = target_json(
            enforced.cli(
                "no-fleet", "ssm-patching-setup", "status", *JSON, "--name", "nf", "--no-fleet"
            )
        )
        assert bare["fleet"] is None
        assert [w["name"] for w in bare["windows"]] == ["Week4Day6Unattended0700"]
        as_operator = enforced.cli(
            "operator", "ssm-patching-setup", "status", *JSON, "--name", "nf"
        )
        assert target_json(as_operator)["fleet"]["patch_groups"][0]["nodes"] == 0
    finally:
        target_json(
            enforced.cli("operator", "ssm-patching-cleanup", *JSON, "--name", "nf", "--yes")
        )


def test_defaults_setup_status_and_cleanup_as_the_operator(enforced: Enforced) -> None:
    assert (
        target_json(enforced.cli("operator", "ssm-patching-setup", *JSON))["summary"]["create"]
        == 33
    )
    assert (
        target_json(enforced.cli("operator", "ssm-patching-setup", *JSON))["summary"]["create"] == 0
    )
    status = enforced.cli("operator", "ssm-patching-setup", "status", *JSON)
    assert status.returncode == 0, status.stderr
    ics = ("calendar", "--format", "ics", "--start", "2027-01-01", "--months", "3")
    calendar = enforced.cli("operator", "ssm-patching-setup", *ics)
    assert calendar.returncode == 0, calendar.stderr
    assert calendar.stdout.count("BEGIN:VEVENT") == 24  # 8 monthly windows, 3 months
    gone = target_json(enforced.cli("operator", "ssm-patching-cleanup", *JSON, "--yes"))
    assert gone["summary"]["delete"] > 0 and gone["summary"]["failed"] == 0


def test_the_service_role_with_its_boundary_as_the_operator(enforced: Enforced) -> None:
    made = target_json(
        enforced.cli("operator", "ssm-patching-setup", *JSON, *SMALL, "--create-service-role")
    )
    assert made["summary"]["failed"] == 0
    iam = enforced.client("iam")
    [role] = iam.list_roles(PathPrefix=ROLE_PATH)["Roles"]
    boundary = iam.get_role(RoleName=role["RoleName"])["Role"]["PermissionsBoundary"]
    assert boundary["PermissionsBoundaryArn"].endswith(
        ":policy/ssm-patching-setup/ssm-patching-setup-role-boundary"
    )
    target_json(enforced.cli("operator", "ssm-patching-cleanup", *JSON, "--yes"))
    assert iam.list_roles(PathPrefix=ROLE_PATH)["Roles"] == []


def test_a_config_example_with_a_role_as_the_operator(enforced: Enforced) -> None:
    _make_hooks(enforced)
    config = ("--config", str(SEED002))
    made = target_json(enforced.cli("operator", "ssm-patching-setup", *JSON, *config))
    assert made["summary"]["create"] > 0 and made["summary"]["failed"] == 0
    status = enforced.cli("operator", "ssm-patching-setup", "status", *JSON, *config)
    assert status.returncode == 0, status.stderr
    gone = target_json(enforced.cli("operator", "ssm-patching-cleanup", *JSON, *config, "--yes"))
    assert gone["summary"]["failed"] == 0


def _make_hooks(enforced: Enforced) -> None:
    ssm = enforced.client("ssm")
    content = json.dumps(
        {
            "schemaVersion": "2.2",
            "description": "hook",
            "mainSteps": [
                {"action": "aws:runShellScript", "name": "hook", "inputs": {"runCommand": ["true"]}}
            ],
        }
    )
    existing = {d["Name"] for d in ssm.list_documents()["DocumentIdentifiers"]}
    for name in SEED002_HOOKS:
        if name not in existing:
            ssm.create_document(Name=name, Content=content, DocumentType="Command")


def test_adoption_and_the_sweep_with_the_brownfield_policy(enforced: Enforced) -> None:
    old_tool_setup(enforced.client("ssm"), weeks=(1,), days=(2,), hours=(3,))
    flags = (*SMALL, "--operating-system", "WINDOWS", "--adopt", "--yes")
    adopted = target_json(enforced.cli("operator", "ssm-patching-setup", *JSON, *flags))
    assert adopted["summary"]["adopt"] == 5 and adopted["summary"]["failed"] == 0
    target_json(enforced.cli("operator", "ssm-patching-cleanup", *JSON, "--yes"))
    old_tool_setup(enforced.client("ssm"), weeks=(2,), days=(3,), hours=(4,))
    swept = target_json(
        enforced.cli("operator", "ssm-patching-cleanup", *JSON, "--all-patching", "--yes")
    )
    assert swept["summary"]["delete"] > 0 and swept["summary"]["failed"] == 0


def test_role_arn_only_into_the_bootstrap_role(enforced: Enforced) -> None:
    through = ("--role-arn", BOOTSTRAP, *SMALL)
    target_json(enforced.cli("operator", "ssm-patching-setup", *JSON, *through))
    target_json(
        enforced.cli("operator", "ssm-patching-cleanup", *JSON, "--role-arn", BOOTSTRAP, "--yes")
    )
    other = f"arn:aws:iam::{ACCOUNT}:role/SomeOtherRole"
    refused = enforced.cli("operator", "ssm-patching-setup", "--role-arn", other, *SMALL)
    assert refused.returncode != 0
    assert "AssumeRole" in refused.stderr and "Traceback" not in refused.stderr


def test_org_without_the_organizations_grants_fails_in_one_line(enforced: Enforced) -> None:
    """--org lists the organization first: without iam/ssm-patching-setup-assume-policy.json's
    organizations grants that call is denied, and the run stops with one line, before
    any account is touched."""
    for command in (("status",), ("--dry-run",)):
        denied = enforced.cli("no-org", "ssm-patching-setup", *command, "--org")
        assert denied.returncode == 1, denied.stdout
        lines = [line for line in denied.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), denied.stderr
        assert lines[0].startswith(
            "error: --org: DescribeOrganization failed: 403: AccessDenied: User: "
        ), lines[0]
        assert "Traceback (most recent call last)" not in denied.stderr
