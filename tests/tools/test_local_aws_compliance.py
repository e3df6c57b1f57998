"""The local AWS stand-in (tools/local_aws.py): patch compliance and window executions
(gap 9), via boto3.

Seeded through the stand-in's own API (tests/helpers/fleet.py); every successful SSM
response is checked on the wire against botocore's output shape, every error for its AWS
code, HTTP 400 and the JSON `__type` (tests/helpers/ssm_api.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.helpers.endpoint import AwsEnv, client
from tests.helpers.fleet import (
    SeedError,
    account_client,
    ec2_instances,
    hybrid_nodes,
    patch_state,
    seed,
    unvalidated_client,
    window_execution,
)
from tests.helpers.oldtool import old_tool_setup
from tests.helpers.ssm_api import Api, make_baseline, make_window

PG = "Patch Group"
OTHER = "210987654321"
ZERO_GROUP_STATE = {
    "Instances": 0,
    "InstancesWithInstalledPatches": 0,
    "InstancesWithInstalledOtherPatches": 0,
    "InstancesWithInstalledPendingRebootPatches": 0,
    "InstancesWithInstalledRejectedPatches": 0,
    "InstancesWithMissingPatches": 0,
    "InstancesWithFailedPatches": 0,
    "InstancesWithNotApplicablePatches": 0,
    "InstancesWithUnreportedNotApplicablePatches": 0,
    "InstancesWithCriticalNonCompliantPatches": 0,
    "InstancesWithSecurityNonCompliantPatches": 0,
    "InstancesWithOtherNonCompliantPatches": 0,
    "InstancesWithAvailableSecurityUpdates": 0,
}


def states(api: Api, op: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = None
    while True:
        page = api(op, **params, **({"NextToken": token} if token else {}))
        items.extend(page.get("InstancePatchStates", []))
        token = page.get("NextToken")
        if not token:
            return items


def test_patch_states_default_from_the_node_and_its_group(aws: AwsEnv, api: Api) -> None:
    baseline = make_baseline(api, OperatingSystem="AMAZON_LINUX_2023")
    api("RegisterPatchBaselineForPatchGroup", BaselineId=baseline, PatchGroup="web")
    linux = ec2_instances(aws, 1, tags={PG: "web"})[0]
    windows = ec2_instances(aws, 1, platform="Windows", tags={PG: "web"})[0]
    hybrid = hybrid_nodes(aws, 1, tags={"PatchGroup": "db"})[0]
    patch_state(aws, linux, MissingCount=3, InstalledCount=40, RebootOption="NoReboot")
    patch_state(aws, windows, Operation="Scan", FailedCount=1)
    patch_state(aws, hybrid, PatchGroup="explicit", BaselineId=baseline)
    found = {
        s["InstanceId"]: s
        for s in states(api, "DescribeInstancePatchStates", InstanceIds=[linux, windows, hybrid])
    }
    windows_default = api("GetDefaultPatchBaseline", OperatingSystem="WINDOWS")["BaselineId"]
    assert found[linux]["PatchGroup"] == "web" and found[linux]["BaselineId"] == baseline
    assert found[linux]["MissingCount"] == 3 and found[linux]["InstalledCount"] == 40
    assert found[linux]["Operation"] == "Install" and found[linux]["RebootOption"] == "NoReboot"
    assert found[windows]["BaselineId"] == windows_default
    assert found[windows]["Operation"] == "Scan" and found[windows]["FailedCount"] == 1
    assert found[hybrid]["PatchGroup"] == "explicit"
    for state in found.values():
        assert state["OperationEndTime"] >= state["OperationStartTime"]
        assert state["NotApplicableCount"] == 0
    # A new scan replaces the node's state; ids without a state are left out.
    patch_state(aws, linux, MissingCount=0, InstalledCount=43)
    again = states(api, "DescribeInstancePatchStates", InstanceIds=[linux, "i-0123456789abcdef0"])
    assert [(s["InstanceId"], s["MissingCount"], s["InstalledCount"]) for s in again] == [
        (linux, 0, 43)
    ]
    # A tag change does not move a reported state (the next scan does).
    client(aws, "ec2").create_tags(Resources=[linux], Tags=[{"Key": PG, "Value": "db"}])
    assert states(api, "DescribeInstancePatchStates", InstanceIds=[linux])[0]["PatchGroup"] == "web"


def test_states_for_patch_group_filters_and_group_state(aws: AwsEnv, api: Api) -> None:
    nodes = ec2_instances(aws, 4, tags={PG: "web"})
    other = hybrid_nodes(aws, 1, tags={PG: "db"})[0]
    counts = [
        {"MissingCount": 0, "FailedCount": 0, "InstalledPendingRebootCount": 1},
        {"MissingCount": 2, "FailedCount": 0, "CriticalNonCompliantCount": 2},
        {"MissingCount": 5, "FailedCount": 3, "InstalledCount": 9},
        {"MissingCount": 0, "FailedCount": 0, "InstalledCount": 12},
    ]
    for node, fields in zip(nodes, counts, strict=True):
        patch_state(aws, node, **fields)
    patch_state(aws, other, MissingCount=7)
    op = "DescribeInstancePatchStatesForPatchGroup"

    def ids(*filters: tuple[str, str, int]) -> set[str]:
        given = [{"Key": k, "Type": t, "Values": [str(v)]} for k, t, v in filters]
        return {s["InstanceId"] for s in states(api, op, PatchGroup="web", Filters=given)}

    assert ids() == set(nodes)
    assert ids(("MissingCount", "GreaterThan", 0)) == {nodes[1], nodes[2]}
    assert ids(("MissingCount", "Equal", 0)) == {nodes[0], nodes[3]}
    assert ids(("FailedCount", "NotEqual", 0)) == {nodes[2]}
    assert ids(("InstalledCount", "LessThan", 10), ("MissingCount", "GreaterThan", 1)) == {
        nodes[1],
        nodes[2],
    }
    assert "InstancePatchStates" not in api(op, PatchGroup="nobody")  # the list holds 1-5
    group = api("DescribePatchGroupState", PatchGroup="web")
    assert group == {
        **ZERO_GROUP_STATE,
        "Instances": 4,
        "InstancesWithInstalledPatches": 2,
        "InstancesWithInstalledPendingRebootPatches": 1,
        "InstancesWithMissingPatches": 2,
        "InstancesWithFailedPatches": 1,
        "InstancesWithCriticalNonCompliantPatches": 1,
    }
    assert api("DescribePatchGroupState", PatchGroup="db") == {
        **ZERO_GROUP_STATE,
        "Instances": 1,
        "InstancesWithMissingPatches": 1,
    }
    assert api("DescribePatchGroupState", PatchGroup="empty") == ZERO_GROUP_STATE


def test_patch_state_errors_and_pagination(aws: AwsEnv, api: Api) -> None:
    nodes = hybrid_nodes(aws, 12, tags={PG: "web"})
    for node in nodes:
        patch_state(aws, node, MissingCount=1)
    op = "DescribeInstancePatchStatesForPatchGroup"
    for bad in (
        {"Key": "Missing", "Type": "Equal", "Values": ["1"]},
        {"Key": "MissingCount", "Type": "Equal", "Values": ["-1"]},
        {"Key": "MissingCount", "Type": "Equal", "Values": ["many"]},
    ):
        api.error(op, "InvalidFilter", PatchGroup="web", Filters=[bad])
    unchecked = Api(unvalidated_client(aws, "ssm"))
    unchecked.error(op, "ValidationException", PatchGroup="web", MaxResults=9)
    unchecked.error(
        "DescribeInstancePatchStates", "ValidationException", InstanceIds=nodes[:1], MaxResults=101
    )
    api.error(op, "InvalidNextToken", PatchGroup="web", NextToken="nope")
    api.error("DescribeInstancePatchStates", "InvalidNextToken", InstanceIds=nodes, NextToken="x")
    first = api(op, PatchGroup="web", MaxResults=10)  # botocore's list holds 1 to 5 items
    assert len(first["InstancePatchStates"]) == 5 and first["NextToken"]
    assert [s["InstanceId"] for s in states(api, op, PatchGroup="web", MaxResults=10)] == nodes
    paged = states(api, "DescribeInstancePatchStates", InstanceIds=nodes, MaxResults=10)
    assert [s["InstanceId"] for s in paged] == nodes
    untagged = hybrid_nodes(aws, 1)[0]
    base = {"account": "123456789012", "region": aws.region}
    for state, message in (
        ({"InstanceId": "mi-0123456789abcdef0"}, "no managed node"),
        ({"InstanceId": untagged}, "no patch group tag"),
        ({"InstanceId": nodes[0], "MissingCount": -1}, "MissingCount"),
        ({"InstanceId": nodes[0], "Operation": "Patch"}, "Operation"),
        ({"InstanceId": nodes[0], "BaselineId": "pb-1"}, "BaselineId"),
        ({"InstanceId": nodes[0], "OperationStartTime": "yesterday"}, "OperationStartTime"),
        ({"InstanceId": nodes[0], "RebootOption": "Always"}, "RebootOption"),
    ):
        with pytest.raises(SeedError, match=message):
            seed(aws, "patch-states", {**base, "states": [state]})


def test_window_executions(aws: AwsEnv, api: Api) -> None:
    window = make_window(api)
    other_window = make_window(api, name="other")
    day = dt.datetime(2026, 3, 1, 3, 0, tzinfo=dt.UTC)
    made = []
    for n, status in enumerate(("SUCCESS", "FAILED", "TIMED_OUT", "SUCCESS", "IN_PROGRESS")):
        start = (day + dt.timedelta(days=7 * n)).isoformat()
        made.append(window_execution(aws, window, status=status, start=start))
    window_execution(aws, other_window)
    listed = api("DescribeMaintenanceWindowExecutions", WindowId=window)["WindowExecutions"]
    assert [e["WindowExecutionId"] for e in listed] == made[::-1]  # newest first
    assert [e["Status"] for e in listed] == [
        "IN_PROGRESS",
        "SUCCESS",
        "TIMED_OUT",
        "FAILED",
        "SUCCESS",
    ]
    assert "EndTime" not in listed[0] and listed[1]["EndTime"] == listed[1]["StartTime"]
    assert {e["WindowId"] for e in listed} == {window}

    def between(**bounds: str) -> list[str]:
        filters = [{"Key": k, "Values": [v]} for k, v in bounds.items()]
        page = api("DescribeMaintenanceWindowExecutions", WindowId=window, Filters=filters)
        return [e["WindowExecutionId"] for e in page["WindowExecutions"]]

    assert between(ExecutedAfter="2026-03-10T00:00:00Z") == made[:1:-1]
    assert between(ExecutedBefore="2026-03-10T00:00:00Z") == made[1::-1]
    assert between(ExecutedAfter="2026-03-05T00:00:00Z", ExecutedBefore="2026-03-20T00:00:00Z") == [
        made[2],
        made[1],
    ]
    for bad in (
        {"Key": "Status", "Values": ["SUCCESS"]},
        {"Key": "ExecutedAfter", "Values": ["soon"]},
    ):
        api.error(
            "DescribeMaintenanceWindowExecutions",
            "ValidationException",
            WindowId=window,
            Filters=[bad],
        )
    for _ in range(8):
        window_execution(aws, window, status="SUCCESS")
    first = api("DescribeMaintenanceWindowExecutions", WindowId=window, MaxResults=10)
    assert len(first["WindowExecutions"]) == 10 and first["NextToken"]
    rest = api(
        "DescribeMaintenanceWindowExecutions",
        WindowId=window,
        MaxResults=10,
        NextToken=first["NextToken"],
    )
    assert len(rest["WindowExecutions"]) == 3 and "NextToken" not in rest
    unknown = api("DescribeMaintenanceWindowExecutions", WindowId="mw-0123456789abcdef0")
    assert unknown["WindowExecutions"] == []
    base = {"account": "123456789012", "region": aws.region}
    for execution, message in (
        ({"WindowId": "mw-0123456789abcdef0"}, "no maintenance window"),
        ({"WindowId": window, "Status": "DONE"}, "Status"),
        (
            {
                "WindowId": window,
                "StartTime": "2026-03-02T00:00:00Z",
                "EndTime": "2026-03-01T00:00:00Z",
            },
            "EndTime",
        ),
        ({"WindowId": window, "StatusDetails": "x" * 251}, "StatusDetails"),
    ):
        with pytest.raises(SeedError, match=message):
            seed(aws, "window-executions", {**base, "executions": [execution]})


def test_compliance_is_per_account_and_region(aws: AwsEnv, api: Api) -> None:
    here = ec2_instances(aws, 1, tags={PG: "web"})[0]
    patch_state(aws, here, MissingCount=1)
    west = hybrid_nodes(aws, 1, tags={PG: "web"}, region="us-west-2")[0]
    patch_state(aws, west, MissingCount=2, FailedCount=1, region="us-west-2")
    away = hybrid_nodes(aws, 2, tags={PG: "web"}, account=OTHER)
    for node in away:
        patch_state(aws, node, account=OTHER)
    with pytest.raises(SeedError, match="no managed node"):
        patch_state(aws, west)  # not in us-east-1
    west_api = Api.of(client(aws, "ssm", "us-west-2"))
    other_api = Api.of(account_client(aws, "ssm", account=OTHER))
    assert api("DescribePatchGroupState", PatchGroup="web")["Instances"] == 1
    assert west_api("DescribePatchGroupState", PatchGroup="web")["InstancesWithFailedPatches"] == 1
    assert other_api("DescribePatchGroupState", PatchGroup="web")["Instances"] == 2
    assert states(api, "DescribeInstancePatchStates", InstanceIds=[west, *away]) == []
    window = make_window(api)
    west_window = make_window(west_api)
    window_execution(aws, west_window, region="us-west-2")
    with pytest.raises(SeedError, match="no maintenance window"):
        window_execution(aws, west_window)
    assert api("DescribeMaintenanceWindowExecutions", WindowId=window)["WindowExecutions"] == []
    west_runs = west_api("DescribeMaintenanceWindowExecutions", WindowId=west_window)
    assert [e["Status"] for e in west_runs["WindowExecutions"]] == ["SUCCESS"]


def test_an_account_of_the_replaced_tool(aws: AwsEnv, api: Api, ssm: Any) -> None:
    """Its patch groups (spaces, ':') and its Windows baseline are what states default to."""
    made = old_tool_setup(ssm, weeks=(1,), days=(2,), hours=(3,))
    group = made["groups"][0]
    node = ec2_instances(aws, 1, platform="Windows", tags={PG: group})[0]
    patch_state(aws, node, MissingCount=2)
    (state,) = states(api, "DescribeInstancePatchStatesForPatchGroup", PatchGroup=group)
    assert (state["InstanceId"], state["BaselineId"]) == (node, made["baseline"])
    assert api("DescribePatchGroupState", PatchGroup=group)["InstancesWithMissingPatches"] == 1
    window_id = made["windows"]["Week1Day2Unattended0300"]["id"]
    run = window_execution(aws, window_id, status="FAILED")
    listed = api("DescribeMaintenanceWindowExecutions", WindowId=window_id)["WindowExecutions"]
    assert [(e["WindowExecutionId"], e["Status"]) for e in listed] == [(run, "FAILED")]
