"""Least privilege: iam/ssm-patching-setup-operator-policy.json grants what the tool calls.

Three proofs, on any run (the suite-wide check, tests/plugins/least_privilege.py, needs
the whole suite):

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

import fnmatch
import json
import socket
import subprocess
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import botocore.session
import pytest

from patchsetup.aws.lock import parameter_name
from patchsetup.model import OWNER_TAG, ROLE_PATH
from tests.helpers.cli import KITCHEN_HOOKS, cleanup, make_documents, ok_json, setup
from tests.helpers.endpoint import FAKE_CREDENTIALS, AwsEnv, client, start_local_aws
from tests.helpers.oldtool import make_baseline, make_window, old_tool_setup
from tests.helpers.paths import ROOT
from tests.helpers.proxy import start_fault_proxy
from tests.helpers.toml import to_toml
from tests.plugins.least_privilege import (
    IMPLIED,
    PENDING,
    check_policy,
    is_granted,
    load_policy,
    read_records,
    record_file,
    tool_actions,
    with_implied,
)
from tools import launch
from tools.launch import Server

JSON = ("--output", "json")
KITCHEN = ROOT / "tests" / "data" / "kitchen-sink.toml"
SEED000 = ROOT / "examples" / "seed000-terraform.toml"
ACCOUNT = "123456789012"  # moto's account
REGION = "us-east-1"
#: Actions AWS does not scope to a resource (the Service Authorization Reference lists
#: no resource type for them): the only ones the policy may grant on "*".
UNSCOPED = frozenset(
    {
        "ssm:DescribeMaintenanceWindows",
        "ssm:DescribePatchBaselines",
        "ssm:DescribePatchGroups",
        # Names a patch group, not a baseline: nothing for a resource ARN to match.
        "ssm:GetPatchBaselineForPatchGroup",
        "ssm:CreateMaintenanceWindow",
        "ssm:CreatePatchBaseline",
        "iam:ListRoles",
        "servicequotas:ListServiceQuotas",
        "sts:GetCallerIdentity",
    }
)
#: IAM service prefix -> botocore service name, for the operation names of its model.
BOTOCORE_NAMES = {"ssm": "ssm", "iam": "iam", "servicequotas": "service-quotas", "sts": "sts"}
#: An operator role in another account, for --role-arn.
TARGET_ROLE = "arn:aws:iam::111111111111:role/PatchingBootstrap"
IAM = ROOT / "iam"
#: Every shipped document: the operator's grants and the created role's boundary.
SHIPPED = sorted(IAM.glob("*.json"))
BOUNDARY = IAM / "ssm-patching-setup-role-boundary.json"
#: Authorization-only actions: checked by AWS, not API operations of their own.
NOT_OPERATIONS = frozenset({"iam:PassRole"})


def statements() -> list[dict[str, Any]]:
    return list(load_policy()["Statement"])


def statement_of(action: str) -> dict[str, Any]:
    [found] = [s for s in statements() if action in s["Action"]]
    return found


def _resources(statement: dict[str, Any]) -> list[str]:
    resource = statement["Resource"]
    return [resource] if isinstance(resource, str) else list(resource)


def resources_of(action: str) -> list[str]:
    """Every Resource of every statement (of all the operator's policies) granting it."""
    return [r for s in statements() if action in s["Action"] for r in _resources(s)]


def arn_allowed(action: str, arn: str) -> bool:
    """Whether ``arn`` matches a Resource of the statement granting ``action`` (IAM's * and ?)."""
    return any(fnmatch.fnmatchcase(arn, pattern) for pattern in resources_of(action))


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
            for resource in _resources(statement):
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


# -- the machinery -----------------------------------------------------------------------


def test_check_policy_finds_missing_unused_implied_and_pending() -> None:
    policy = {
        "Statement": [
            {"Effect": "Allow", "Action": ["ssm:Get*", "iam:CreateRole"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["iam:TagRole", "ssm:Unused"], "Resource": "*"},
            {"Effect": "Allow", "Action": [*PENDING], "Resource": "*"},
            {"Effect": "Deny", "Action": ["ssm:DeleteEverything"], "Resource": "*"},
        ]
    }
    records = [
        {"service": "ssm", "operation": "GetPatchBaseline", "tool": True},
        {"service": "iam", "operation": "CreateRole", "tool": True},
        {"service": "ssm", "operation": "DeleteEverything", "tool": True},
        {"service": "sts", "operation": "GetCallerIdentity", "tool": False},  # the tests' own
    ]
    assert is_granted("SSM:getpatchbaseline", policy)  # IAM compares actions case-blind
    assert with_implied({"iam:CreateRole"}) >= {"iam:CreateRole", "iam:TagRole"}
    verdict = check_policy(records, policy)
    assert verdict.calls == 3
    assert verdict.missing == ["ssm:DeleteEverything"]  # a Deny grants nothing
    assert verdict.unused == ["ssm:Unused"]  # TagRole is implied by CreateRole
    assert verdict.pending_unused == list(PENDING) and verdict.pending_used == []
    assert verdict.failed
    assert check_policy(records, policy, check_unused=False).unused == []


@pytest.fixture
def scratch_server(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    """A recording server whose record stays out of the suite-wide check."""
    record = tmp_path / "calls.jsonl"
    server = start_local_aws(record=record)
    try:
        yield server, record
    finally:
        problem = launch.stop(server)
    assert problem is None, problem


def test_recorder_classifies_requests_and_keeps_lines_whole_under_load(
    scratch_server: tuple[Server, Path],
) -> None:
    server, record = scratch_server
    session = boto3.session.Session()

    def make(service: str, agent: str | None = None) -> Any:
        config = botocore.config.Config(user_agent_extra=agent) if agent else None
        return session.client(  # type: ignore[call-overload]
            service,
            endpoint_url=server.url,
            region_name=REGION,
            aws_access_key_id="AKIDRECORDERTEST",
            aws_secret_access_key="recorder-secret",
            config=config,
        )

    ssm, iam, tool_ssm = make("ssm"), make("iam"), make("ssm", "ssm-patching-setup/0.0-test")
    tool_ssm.describe_patch_groups()
    calls = 20

    def hammer() -> None:
        for _ in range(calls):
            ssm.describe_maintenance_windows()
            iam.list_roles()

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records = read_records([record])  # every line parses: no torn or interleaved writes
    assert len(records) == 1 + 8 * calls * 2
    counts: dict[tuple[str, str, bool], int] = {}
    for r in records:
        key = (r["service"], r["operation"], r["tool"])
        counts[key] = counts.get(key, 0) + 1
    assert counts == {
        ("ssm", "DescribePatchGroups", True): 1,
        ("ssm", "DescribeMaintenanceWindows", False): 8 * calls,
        ("iam", "ListRoles", False): 8 * calls,
    }
    assert tool_actions(records) == {"ssm:DescribePatchGroups"}


def test_recorder_ignores_a_request_whose_client_went_away(
    scratch_server: tuple[Server, Path],
) -> None:
    """Headers, then the client dies before its body: nothing recorded, nothing created,
    no traceback on the server (scratch_server checks that at shutdown)."""
    server, record = scratch_server
    host, port = server.url.removeprefix("http://").split(":")
    headers = (
        "POST / HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        "X-Amz-Target: AmazonSSM.CreatePatchBaseline\r\n"
        "Content-Type: application/x-amz-json-1.1\r\n"
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDX/20260101/us-east-1/ssm/aws4_request, "
        "SignedHeaders=host, Signature=0\r\n"
        "User-Agent: ssm-patching-setup/0.0-test\r\n"
        "Content-Length: 100\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(headers.encode())
        connection.shutdown(socket.SHUT_WR)
        answer = connection.recv(1024)
    assert answer.startswith(b"HTTP/1.") and b" 400 " in answer.split(b"\r\n")[0], answer
    assert read_records([record]) == []


# -- the workload --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def policy_server(pytestconfig: pytest.Config) -> Iterator[tuple[Server, Path]]:
    """A recording server of this module's own; its record joins the suite-wide check."""
    record = record_file(pytestconfig, "policy")
    server = start_local_aws(record=record)
    try:
        yield server, record
    finally:
        problem = launch.stop(server)
    assert problem is None, f"tools/local_aws.py did not shut down cleanly: {problem}"


def _env(url: str) -> AwsEnv:
    env = AwsEnv(FAKE_CREDENTIALS)
    env["AWS_ENDPOINT_URL"] = url
    return env


def _ok(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    return ok_json(result)


def _tool_roles(iam: Any) -> list[dict[str, Any]]:
    return list(iam.list_roles(PathPrefix=ROLE_PATH)["Roles"])


def _task_role_arns(ssm: Any) -> set[str]:
    """Every role ARN a task of the account runs or notifies with."""
    arns: set[str] = set()
    for window in ssm.describe_maintenance_windows()["WindowIdentities"]:
        wid = window["WindowId"]
        for summary in ssm.describe_maintenance_window_tasks(WindowId=wid)["Tasks"]:
            task = ssm.get_maintenance_window_task(
                WindowId=wid, WindowTaskId=summary["WindowTaskId"]
            )
            run = task.get("TaskInvocationParameters", {}).get("RunCommand", {})
            arns.update(a for a in (task.get("ServiceRoleArn"), run.get("ServiceRoleArn")) if a)
    return arns


def _owned_arns(ssm: Any) -> list[str]:
    """ARNs of the windows and custom baselines, after checking each carries the owner tag."""
    arns = []
    for window in ssm.describe_maintenance_windows()["WindowIdentities"]:
        wid = window["WindowId"]
        tags = ssm.list_tags_for_resource(ResourceType="MaintenanceWindow", ResourceId=wid)
        assert OWNER_TAG in {t["Key"] for t in tags["TagList"]}, window["Name"]
        arns.append(f"arn:aws:ssm:{REGION}:{ACCOUNT}:maintenancewindow/{wid}")
    mine = [{"Key": "OWNER", "Values": ["Self"]}]
    for baseline in ssm.describe_patch_baselines(Filters=mine)["BaselineIdentities"]:
        bid = baseline["BaselineId"]
        tags = ssm.list_tags_for_resource(ResourceType="PatchBaseline", ResourceId=bid)
        assert OWNER_TAG in {t["Key"] for t in tags["TagList"]}, baseline["BaselineName"]
        arns.append(f"arn:aws:ssm:{REGION}:{ACCOUNT}:patchbaseline/{bid}")
    return arns


def _assert_roles_in_scope(ssm: Any, iam: Any) -> None:
    roles = [r["Arn"] for r in _tool_roles(iam)]
    assert roles, "the tool made no role"
    for arn in roles:
        assert arn_allowed("iam:CreateRole", arn), arn
    passed = _task_role_arns(ssm)
    assert passed and passed <= set(roles), (passed, roles)
    for arn in passed:
        assert arn_allowed("iam:PassRole", arn), arn
    for arn in _owned_arns(ssm):
        assert arn_allowed("ssm:GetMaintenanceWindow", arn), arn
        assert arn_allowed("ssm:DeleteMaintenanceWindow", arn), arn


def _drift(ssm: Any, iam: Any) -> None:
    """Hand edits (not the tool's calls) the next run must repair in place."""
    [role] = _tool_roles(iam)
    name = role["RoleName"]
    iam.update_assume_role_policy(
        RoleName=name,
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )
    iam.update_role(RoleName=name, Description="edited by hand")
    # The boundary removed by an administrator: the tool puts it back (PutRolePermissionsBoundary).
    iam.delete_role_permissions_boundary(RoleName=name)
    iam.put_role_policy(
        RoleName=name,
        PolicyName="added-by-hand",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
            }
        ),
    )
    wid = ssm.describe_maintenance_windows()["WindowIdentities"][0]["WindowId"]
    ssm.update_maintenance_window(WindowId=wid, Duration=5)
    [target] = ssm.describe_maintenance_window_targets(WindowId=wid)["Targets"]
    ssm.update_maintenance_window_target(
        WindowId=wid,
        WindowTargetId=target["WindowTargetId"],
        Targets=[{"Key": "tag:Patch Group", "Values": ["somewhere else"]}],
    )
    mine = [{"Key": "OWNER", "Values": ["Self"]}]
    [baseline] = ssm.describe_patch_baselines(Filters=mine)["BaselineIdentities"]
    rules = ssm.get_patch_baseline(BaselineId=baseline["BaselineId"])["ApprovalRules"]
    for rule in rules["PatchRules"]:
        rule.pop("ApproveUntilDate", None)
        rule["ApproveAfterDays"] = 99
    ssm.update_patch_baseline(BaselineId=baseline["BaselineId"], ApprovalRules=rules)


def _kitchen_without_a_target_and_its_task(tmp_path: Path) -> Path:
    """The kitchen sink with target "group" and task "rgroup" gone (deregister both)."""
    data = tomllib.loads(KITCHEN.read_text(encoding="utf-8"))
    window = data["windows"]["last-friday"]
    window["targets"] = [t for t in window["targets"] if t["name"] != "group"]
    window["tasks"] = [t for t in window["tasks"] if t["name"] != "rgroup"]
    path = tmp_path / "kitchen-smaller.toml"
    path.write_text(to_toml(data), encoding="utf-8")
    return path


def test_workload_calls_only_granted_actions_and_every_grant(
    policy_server: tuple[Server, Path], tmp_path: Path
) -> None:
    server, record = policy_server
    url = server.url
    env = _env(url)
    ssm, iam = client(env, "ssm"), client(env, "iam")

    # Flags: create, then the service role (tasks re-pointed to it).
    assert _ok(setup(url, *JSON))["summary"]["create"] == 33
    assert _ok(setup(url, *JSON, "--create-service-role"))["summary"]["update"] > 0
    _assert_roles_in_scope(ssm, iam)
    # Drift in the role, a window, a target and the baseline: repaired in place.
    _drift(ssm, iam)
    repaired = _ok(setup(url, *JSON, "--create-service-role"))
    assert repaired["summary"]["update"] >= 4 and repaired["summary"]["create"] == 0
    # A second region uses the global role too (TagRole), then lets go of it (UntagRole).
    small = ("-w", "1", "-d", "2", "-t", "3", "-r", "eu-west-1")
    _ok(setup(url, *JSON, *small, "--create-service-role"))
    released = _ok(cleanup(url, *JSON, "-r", "eu-west-1", "--yes"))
    assert [r["action"] for r in released["resources"] if r["kind"] == "role"] == ["update"]
    # The lock of a run long gone is taken over (read, then overwritten) and released.
    lock = parameter_name("default")
    stale = {"host": "elsewhere", "pid": 1, "started": "2000-01-01T00:00:00+00:00"}
    ssm.put_parameter(Name=lock, Value=json.dumps(stale), Type="String")
    # Change it: fewer windows, other task options, no role any more (role deleted).
    changed = _ok(setup(url, *JSON, "-w", "1", "--max-concurrency", "5", "--yes"))
    assert changed["summary"]["delete"] > 0 and changed["summary"]["update"] > 0
    assert _tool_roles(iam) == []
    assert ssm.describe_parameters()["Parameters"] == []

    # Every config feature (its hook documents looked up); then the Terraform seed.
    make_documents(url, *KITCHEN_HOOKS)
    _ok(setup(url, *JSON, "--config", str(KITCHEN)))
    _ok(setup(url, *JSON, "--config", str(SEED000)))
    # status reads each window in full (GetMaintenanceWindow), with drift from a config.
    shown = setup(url, "status", "--config", str(KITCHEN), "--output", "json")
    assert shown.returncode == 0, shown.stderr
    _assert_roles_in_scope(ssm, iam)
    # What is deployed, and the drift from a config: read-only, in full.
    for status in (
        setup(url, "status", *JSON),
        setup(url, "status", *JSON, "--config", str(KITCHEN)),
    ):
        assert status.returncode == 0, status.stderr
    smaller = _ok(
        setup(
            url, *JSON, "--config", str(_kitchen_without_a_target_and_its_task(tmp_path)), "--yes"
        )
    )
    assert {(r["kind"], r["action"]) for r in smaller["resources"]} >= {
        ("target", "delete"),
        ("task", "delete"),
    }

    # Another account through a role (STS AssumeRole), set up and cleaned up there.
    _ok(setup(url, *JSON, "--role-arn", TARGET_ROLE, "-w", "1", "-d", "2", "-t", "3"))
    _ok(cleanup(url, *JSON, "--role-arn", TARGET_ROLE, "--yes"))

    # Cleanup by name and by config, then the old tool's sweep of untagged resources.
    _ok(cleanup(url, *JSON, "--name", "kitchen", "--yes"))
    _ok(cleanup(url, *JSON, "--config", str(SEED000), "--yes"))
    _ok(cleanup(url, *JSON, "--yes"))
    # The replaced tool's window and baseline are adopted (tagged in place, the group
    # moved); the setup's baseline, made the region's default by hand, is handed back
    # to AWS's predefined default before cleanup deletes it.
    old_tool_setup(ssm, weeks=(1,), days=(2,), hours=(3,))
    flags = ("-w", "1", "-d", "2", "-t", "3", "--operating-system", "WINDOWS")
    adopted = _ok(setup(url, *JSON, *flags, "--adopt", "--yes"))
    assert adopted["summary"]["adopt"] == 5
    [ours] = [
        r["id"] for r in adopted["resources"] if (r["kind"], r["action"]) == ("baseline", "create")
    ]
    ssm.register_default_patch_baseline(BaselineId=ours)
    _ok(cleanup(url, *JSON, "--yes"))
    make_window(ssm, "OldToolWindow", "AWS-RunPatchBaseline")
    make_baseline(ssm, "OldToolBaseline", "old-group")
    swept = _ok(cleanup(url, *JSON, "--all-patching", "--yes"))
    assert swept["summary"]["delete"] >= 3
    assert ssm.describe_maintenance_windows()["WindowIdentities"] == []

    # A registration whose response is lost: the retry meets AlreadyExists and the
    # tool reads the group's baseline (GetPatchBaselineForPatchGroup) to see it landed.
    proxy = start_fault_proxy(url)
    try:
        proxy.fail_write(6, "drop")
        retried = _ok(setup(proxy.url, *JSON, "--name", "retry", "-w", "1", "-d", "2", "-t", "3"))
        assert proxy.stats()["write_ops"][5] == "ssm:RegisterPatchBaselineForPatchGroup"
        assert retried["summary"]["failed"] == 0
    finally:
        assert launch.stop(proxy) is None
    _ok(cleanup(url, *JSON, "--name", "retry", "--yes"))

    records = read_records([record])
    verdict = check_policy(records, load_policy())
    assert verdict.missing == [], f"called but not granted: {verdict.missing}"
    assert verdict.unused == [], f"granted but not exercised by this workload: {verdict.unused}"
    assert set(verdict.pending_unused) <= set(PENDING)
    assert {r["service"] for r in records if r["tool"]} <= set(BOTOCORE_NAMES)


def test_the_tool_tags_its_user_agent_on_every_client() -> None:
    """The recorder tells the tool's calls by User-Agent: every client must carry it."""
    from patchsetup import __version__
    from patchsetup.aws import session as aws

    retry: Any = aws.RETRY_CONFIG
    assert retry.user_agent_extra == f"ssm-patching-setup/{__version__}"
    session = boto3.session.Session(
        aws_access_key_id="x", aws_secret_access_key="x", region_name=REGION
    )
    made = aws.client(session, "ssm", REGION, "http://127.0.0.1:9")
    assert "ssm-patching-setup/" in made.meta.config.user_agent_extra
