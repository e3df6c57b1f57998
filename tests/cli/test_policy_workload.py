"""Least privilege, the workload: against a recording server of this module's own, setup
with the flags, with the service role, drift repaired, a second region tagging and
releasing the role, options changed, the run lock taken over, every config feature
(tests/data/kitchen-sink.toml, seed 000), status (with drift), a target and a task
removed, a default baseline per OS, another account through --role-arn, the accounts of
an organization through --org and --ou, assign (EC2 and hybrid nodes, an unmanaged
instance refused), cleanup and cleanup --all-patching. Every action it called is granted,
every non-pending grant was exercised, and the ARNs the tool created, passed or tagged fall
inside the policy's resource patterns (role path, PassRole, lock parameter, owner tag, the
assumed role, instances and managed instances).

The policy document itself is checked in test_policy.py, the recorder in
test_policy_recorder.py.
"""

from __future__ import annotations

import json
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from patchsetup.aws.lock import parameter_name
from patchsetup.model import OWNER_TAG, ROLE_PATH
from tests.helpers.account import (
    custom_baselines,
    parameter_names,
    read_window,
    tags,
    window_identities,
    window_ids,
    window_names,
)
from tests.helpers.cli import KITCHEN_HOOKS, cleanup, make_documents, setup, target_json
from tests.helpers.endpoint import FAKE_CREDENTIALS, AwsEnv, client, start_local_aws
from tests.helpers.fleet import ec2_instances, hybrid_nodes, unmanaged_ec2_instances
from tests.helpers.oldtool import make_baseline, make_window, old_tool_setup
from tests.helpers.org import make_org
from tests.helpers.paths import ROOT
from tests.helpers.policy import ACCOUNT, BOTOCORE_NAMES, REGION, TARGET_ROLE, arn_allowed
from tests.helpers.proxy import start_fault_proxy
from tests.helpers.toml import to_toml
from tests.plugins.least_privilege import (
    PENDING,
    check_policy,
    load_policy,
    read_records,
    record_file,
)
from tools import launch
from tools.launch import Server

JSON = ("--output", "json")
KITCHEN = ROOT / "tests" / "data" / "kitchen-sink.toml"
SEED000 = ROOT / "examples" / "seed000-terraform.toml"


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
    return target_json(result)


def _tool_roles(iam: Any) -> list[dict[str, Any]]:
    return list(iam.list_roles(PathPrefix=ROLE_PATH)["Roles"])


def _task_role_arns(ssm: Any) -> set[str]:
    """Every role ARN a task of the account runs or notifies with."""
    arns: set[str] = set()
    for wid in window_ids(ssm):
        _, _, tasks = read_window(ssm, wid)
        for task in tasks:
            run = task.get("TaskInvocationParameters", {}).get("RunCommand", {})
            arns.update(a for a in (task.get("ServiceRoleArn"), run.get("ServiceRoleArn")) if a)
    return arns


def _owned_arns(ssm: Any) -> list[str]:
    """ARNs of the windows and custom baselines, after checking each carries the owner tag."""
    arns = []
    for window in window_identities(ssm):
        wid = window["WindowId"]
        assert OWNER_TAG in tags(ssm, "MaintenanceWindow", wid), window["Name"]
        arns.append(f"arn:aws:ssm:{REGION}:{ACCOUNT}:maintenancewindow/{wid}")
    for baseline in custom_baselines(ssm):
        bid = baseline["BaselineId"]
        assert OWNER_TAG in tags(ssm, "PatchBaseline", bid), baseline["Name"]
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
    wid = window_ids(ssm)[0]
    ssm.update_maintenance_window(WindowId=wid, Duration=5)
    _, [target], _ = read_window(ssm, wid)
    ssm.update_maintenance_window_target(
        WindowId=wid,
        WindowTargetId=target["WindowTargetId"],
        Targets=[{"Key": "tag:Patch Group", "Values": ["somewhere else"]}],
    )
    [baseline] = custom_baselines(ssm)
    rules = baseline["ApprovalRules"]
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
    assert parameter_names(ssm) == []

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

    # The region's default baseline per OS (GetDefaultPatchBaseline, then
    # RegisterDefaultPatchBaseline), AWS's predefined one restored by cleanup.
    defaults = tmp_path / "defaults.toml"
    defaults.write_text(
        'name = "defaults"\n[scan]\ntime = "04:00"\n[baselines.al]\n'
        'operating_system = "AMAZON_LINUX_2023"\npatch_groups = ["linux"]\ndefault = true\n',
        encoding="utf-8",
    )
    _ok(setup(url, *JSON, "--config", str(defaults)))
    _ok(cleanup(url, *JSON, "--config", str(defaults), "--yes"))

    # Another account through a role (STS AssumeRole), set up and cleaned up there.
    _ok(setup(url, *JSON, "--role-arn", TARGET_ROLE, "-w", "1", "-d", "2", "-t", "3"))
    _ok(cleanup(url, *JSON, "--role-arn", TARGET_ROLE, "--yes"))
    # The accounts of an organization (--org): listed whole for status, by OU (nested
    # OUs read too) for setup and cleanup, each through OrganizationAccountAccessRole.
    org = make_org(env)
    for run in (
        setup(url, "status", *JSON, "--org"),
        setup(url, *JSON, "--org", "--ou", org.prod, "-w", "1", "-d", "2", "-t", "3"),
        cleanup(url, *JSON, "--org", "--ou", org.prod, "--yes"),
    ):
        assert run.returncode == 0, run.stderr

    # assign: EC2 instances (CreateTags) and a hybrid node (AddTagsToResource) spread, then
    # an unmanaged instance named (DescribeInstances) refused.
    nodes = [*ec2_instances(env, 2), *hybrid_nodes(env, 1)]
    assert _ok(setup(url, "assign", *JSON, "--all", "--spread"))["summary"]["create"] == 3
    for node in nodes:
        kind = "managed-instance" if node.startswith("mi-") else "instance"
        service, action = ("ssm", "AddTagsToResource") if kind[0] == "m" else ("ec2", "CreateTags")
        arn = f"arn:aws:{service}:{REGION}:{ACCOUNT}:{kind}/{node}"
        assert arn_allowed(f"{service}:{action}", arn), arn
    (unmanaged,) = unmanaged_ec2_instances(env, 1)
    refused = setup(url, "assign", "--instance-id", unmanaged, "--spread")
    assert refused.returncode == 2, refused.stderr

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
    assert window_names(ssm) == []

    # A registration whose response is lost: the retry meets AlreadyExists and the
    # tool reads the group's baseline (GetPatchBaselineForPatchGroup) to see it landed.
    proxy = start_fault_proxy(url)
    try:
        proxy.fail_write(6, "drop")
        # One call at a time: side by side, write 6 need not be the registration.
        one_by_one = ("--concurrency", "1", "--name", "retry", "-w", "1", "-d", "2", "-t", "3")
        retried = _ok(setup(proxy.url, *JSON, *one_by_one))
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
