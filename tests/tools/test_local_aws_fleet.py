"""The local AWS stand-in (tools/local_aws.py): managed nodes (gap 8), via boto3.

Seeded through the stand-in's own API (tests/helpers/fleet.py); every successful SSM
response is checked on the wire against botocore's output shape, every error for its AWS
code, HTTP 400 and the JSON `__type` (tests/helpers/ssm_api.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.endpoint import AwsEnv, client, direct_env, reset_local_aws, start_local_aws
from tests.helpers.fleet import (
    SeedError,
    account_client,
    ec2_instances,
    hybrid_nodes,
    managed_nodes,
    seed,
    unmanaged_ec2_instances,
    unvalidated_client,
)
from tests.helpers.proxy import start_fault_proxy
from tests.helpers.ssm_api import Api
from tools import launch
from tools.awsrequest import is_moto_api

PG = "Patch Group"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def listed(api: Api, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = None
    while True:
        page = api(
            "DescribeInstanceInformation", **params, **({"NextToken": token} if token else {})
        )
        items.extend(page["InstanceInformationList"])
        token = page.get("NextToken")
        if not token:
            return items


def ids(api: Api, **params: Any) -> set[str]:
    return {i["InstanceId"] for i in listed(api, **params)}


def test_nodes_are_listed_with_their_platform_and_kind(aws: AwsEnv, api: Api) -> None:
    linux = ec2_instances(aws, 1, tags={PG: "web"})
    windows = ec2_instances(aws, 1, platform="Windows", ping="ConnectionLost")
    hybrid = hybrid_nodes(aws, 1, platform_name="Ubuntu", tags={PG: "db"})
    unmanaged_ec2_instances(aws, 1, tags={PG: "web"})
    described = client(aws, "ec2").describe_instances(InstanceIds=windows + linux)
    platforms = {
        i["InstanceId"]: i.get("Platform")
        for r in described["Reservations"]
        for i in r["Instances"]
    }
    assert platforms == {windows[0]: "windows", linux[0]: None}
    by_id = {i["InstanceId"]: i for i in listed(api)}
    assert set(by_id) == {*linux, *windows, *hybrid}
    ec2_linux, ec2_windows, node = by_id[linux[0]], by_id[windows[0]], by_id[hybrid[0]]
    assert ec2_linux["ResourceType"] == "EC2Instance"
    assert ec2_linux["PlatformType"] == "Linux"
    assert ec2_linux["PlatformName"] == "Amazon Linux"
    assert ec2_linux["PingStatus"] == "Online"
    assert ec2_linux["SourceType"] == "AWS::EC2::Instance"
    assert ec2_linux["SourceId"] == linux[0]
    assert ec2_linux["ComputerName"].endswith(".ec2.internal")
    assert "RegistrationDate" not in ec2_linux and "ActivationId" not in ec2_linux
    assert ec2_windows["PlatformType"] == "Windows"
    assert ec2_windows["PingStatus"] == "ConnectionLost"
    assert ec2_windows["PlatformName"].startswith("Microsoft Windows Server")
    assert re.match(r"^mi-[0-9a-f]{17}$", node["InstanceId"])
    assert node["ResourceType"] == "ManagedInstance"
    assert node["SourceType"] == "AWS::SSM::ManagedInstance"
    assert node["PlatformName"] == "Ubuntu"
    assert UUID.match(node["ActivationId"])
    assert node["IamRole"] and node["Name"] and node["RegistrationDate"]
    for info in by_id.values():
        assert info["AgentVersion"] and info["IPAddress"] and "LastPingDateTime" in info


def test_filters_new_and_legacy(aws: AwsEnv, api: Api) -> None:
    web = ec2_instances(aws, 2, tags={PG: "web", "Env": "prod"})
    win = ec2_instances(aws, 1, platform="Windows", ping="ConnectionLost", tags={PG: "win"})
    mi = hybrid_nodes(aws, 2, tags={"PatchGroup": "db"})
    mac = managed_nodes(
        aws,
        [{"InstanceId": None, "PlatformType": "MacOS", "AssociationStatus": "Failed"}],
    )
    everyone = {*web, *win, *mi, *mac}

    def f(key: str, *values: str) -> dict[str, Any]:
        return {"Filters": [{"Key": key, "Values": list(values)}]}

    assert ids(api) == everyone
    assert ids(api, **f("tag:Patch Group", "web", "win")) == {*web, *win}
    assert ids(api, **f("tag:PatchGroup", "db")) == set(mi)
    assert ids(api, **f("tag-key", "Patch Group")) == {*web, *win}
    assert ids(api, **f("tag:Env", "dev")) == set()
    both_tags = [
        {"Key": "tag:Patch Group", "Values": ["web"]},
        {"Key": "tag:Env", "Values": ["prod"]},
    ]
    assert ids(api, Filters=both_tags) == set(web)
    assert ids(api, **f("PingStatus", "ConnectionLost")) == set(win)
    assert ids(api, **f("PlatformTypes", "Windows", "MacOS")) == {*win, *mac}
    assert ids(api, **f("ResourceType", "ManagedInstance")) == {*mi, *mac}
    assert ids(api, **f("InstanceIds", web[0], mi[0])) == {web[0], mi[0]}
    assert ids(api, **f("InstanceIds", "i-0123456789abcdef0")) == set()
    assert ids(api, **f("AssociationStatus", "Failed")) == set(mac)
    activation = listed(api, **f("InstanceIds", mi[1]))[0]["ActivationId"]
    assert ids(api, **f("ActivationIds", activation)) == {mi[1]}
    assert ids(api, **f("IamRole", "SSMServiceRole")) == {*mi, *mac}
    assert ids(api, **f("AgentVersion", "0.0.1")) == set()
    two = [
        {"Key": "ResourceType", "Values": ["EC2Instance"]},
        f("PingStatus", "Online")["Filters"][0],
    ]
    assert ids(api, Filters=two) == set(web)
    legacy = [{"key": "PlatformTypes", "valueSet": ["Linux"]}]
    assert ids(api, InstanceInformationFilterList=legacy) == {*web, *mi}
    legacy = [{"key": "InstanceIds", "valueSet": [win[0]]}]
    assert ids(api, InstanceInformationFilterList=legacy) == set(win)


def test_bad_filters_and_max_results(aws: AwsEnv, api: Api) -> None:
    node = ec2_instances(aws, 1)[0]
    op = "DescribeInstanceInformation"
    for key in ("Tag Key", "tag:", "tag-keys", "abc:Patch Group", "Platform"):
        api.error(op, "InvalidFilterKey", Filters=[{"Key": key, "Values": ["x"]}])
    for key, value in (("PingStatus", "Offline"), ("PlatformTypes", "linux")):
        api.error(
            op, "InvalidInstanceInformationFilterValue", Filters=[{"Key": key, "Values": [value]}]
        )
    api.error(op, "InvalidInstanceId", Filters=[{"Key": "InstanceIds", "Values": ["vm-1"]}])
    legacy = [{"key": "InstanceIds", "valueSet": ["i-0123456789abcdef0"]}]
    api.error(op, "InvalidInstanceId", InstanceInformationFilterList=legacy)
    api.error(
        op,
        "ValidationException",
        InstanceInformationFilterList=[{"key": "InstanceIds", "valueSet": [node]}],
        Filters=[{"Key": "InstanceIds", "Values": [node]}],
    )
    mixed = [
        {"Key": "tag:Patch Group", "Values": ["a"]},
        {"Key": "PingStatus", "Values": ["Online"]},
    ]
    api.error(op, "ValidationException", Filters=mixed)
    bad_enum = [{"key": "Platform", "valueSet": ["Linux"]}]
    api.error(op, "ValidationException", InstanceInformationFilterList=bad_enum)
    unchecked = Api(unvalidated_client(aws, "ssm"))
    for bad, bound in ((4, "greater than or equal to 5"), (51, "less than or equal to 50")):
        message = unchecked.error(op, "ValidationException", MaxResults=bad)
        assert message == (
            f"1 validation error detected: Value '{bad}' at 'maxResults' failed to satisfy "
            f"constraint: Member must have value {bound}"
        )
    api.error(op, "InvalidNextToken", NextToken="not-a-token")


def test_pagination(aws: AwsEnv, api: Api) -> None:
    made = hybrid_nodes(aws, 7) + ec2_instances(aws, 5)
    first = api("DescribeInstanceInformation")
    assert len(first["InstanceInformationList"]) == 10 and first["NextToken"]
    pages = []
    token = None
    while True:
        extra = {"NextToken": token} if token else {}
        page = api("DescribeInstanceInformation", MaxResults=5, **extra)
        pages.append([i["InstanceId"] for i in page["InstanceInformationList"]])
        token = page.get("NextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [5, 5, 2]
    assert [i for p in pages for i in p] == made


def test_ec2_tags_are_read_live_and_stopped_instances_drop_out(aws: AwsEnv, api: Api) -> None:
    ec2 = client(aws, "ec2")
    a, b = ec2_instances(aws, 2, tags={PG: "web"})
    by_group = {"Filters": [{"Key": "tag:Patch Group", "Values": ["db"]}]}
    assert ids(api, **by_group) == set()
    ec2.create_tags(Resources=[a], Tags=[{"Key": PG, "Value": "db"}])
    assert ids(api, **by_group) == {a}
    ec2.delete_tags(Resources=[a], Tags=[{"Key": PG}])
    assert ids(api, Filters=[{"Key": "tag-key", "Values": [PG]}]) == {b}
    ec2.stop_instances(InstanceIds=[a])
    ec2.terminate_instances(InstanceIds=[b])
    assert ids(api) == set()
    ec2.start_instances(InstanceIds=[a])
    assert ids(api) == {a}
    api.error(
        "AddTagsToResource",
        "InvalidResourceId",
        ResourceType="ManagedInstance",
        ResourceId=a,
        Tags=[{"Key": PG, "Value": "web"}],
    )


def test_ec2_describe_tags_filters(aws: AwsEnv) -> None:
    ec2 = client(aws, "ec2")
    a, b = unmanaged_ec2_instances(aws, 2, tags={PG: "web", "Env": "prod"})
    ec2.create_tags(Resources=[b], Tags=[{"Key": "PatchGroup", "Value": "db"}])

    def tags(*filters: tuple[str, list[str]]) -> set[tuple[str, str, str]]:
        found = ec2.describe_tags(Filters=[{"Name": n, "Values": v} for n, v in filters])
        return {(t["ResourceId"], t["Key"], t["Value"]) for t in found["Tags"]}

    assert tags(("key", [PG])) == {(a, PG, "web"), (b, PG, "web")}
    assert tags(("key", [PG, "PatchGroup"]), ("resource-id", [b])) == {
        (b, PG, "web"),
        (b, "PatchGroup", "db"),
    }
    assert tags(("resource-type", ["instance"]), ("key", ["Patch"])) == set()
    assert tags(("resource-type", ["volume"]), ("key", [PG])) == set()
    assert tags(("resource-id", [a]), ("value", ["prod"])) == {(a, "Env", "prod")}


def test_hybrid_node_tags(aws: AwsEnv, api: Api) -> None:
    node = hybrid_nodes(aws, 1, tags={PG: "web", "Owner": "ops"})[0]

    def tag_list() -> list[dict[str, str]]:
        found = api("ListTagsForResource", ResourceType="ManagedInstance", ResourceId=node)
        return sorted(found["TagList"], key=lambda t: t["Key"])

    assert tag_list() == [{"Key": "Owner", "Value": "ops"}, {"Key": PG, "Value": "web"}]
    api(
        "AddTagsToResource",
        ResourceType="ManagedInstance",
        ResourceId=node,
        Tags=[{"Key": PG, "Value": "db"}],
    )
    by_group = {"Filters": [{"Key": "tag:Patch Group", "Values": ["db"]}]}
    assert ids(api, **by_group) == {node}
    api("RemoveTagsFromResource", ResourceType="ManagedInstance", ResourceId=node, TagKeys=[PG])
    assert tag_list() == [{"Key": "Owner", "Value": "ops"}]
    assert ids(api, **by_group) == set()
    for bad in ("mi-0123456789abcdef0", "i-0123456789abcdef0"):
        api.error(
            "ListTagsForResource",
            "InvalidResourceId",
            ResourceType="ManagedInstance",
            ResourceId=bad,
        )
        api.error(
            "RemoveTagsFromResource",
            "InvalidResourceId",
            ResourceType="ManagedInstance",
            ResourceId=bad,
            TagKeys=[PG],
        )
    too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(50)]
    api.error(
        "AddTagsToResource",
        "TooManyTagsError",
        ResourceType="ManagedInstance",
        ResourceId=node,
        Tags=too_many,
    )


def test_accounts_and_regions_are_isolated(aws: AwsEnv, api: Api) -> None:
    here = ec2_instances(aws, 1) + hybrid_nodes(aws, 1)
    west = ec2_instances(aws, 1, platform="Windows", region="us-west-2")
    west += hybrid_nodes(aws, 1, region="us-west-2")
    other = ec2_instances(aws, 1, account="210987654321") + hybrid_nodes(
        aws, 1, account="210987654321"
    )
    assert ids(api) == set(here)
    assert ids(Api.of(client(aws, "ssm", "us-west-2"))) == set(west)
    other_api = Api.of(account_client(aws, "ssm", account="210987654321"))
    assert ids(other_api) == set(other)
    api.error(
        "ListTagsForResource",
        "InvalidResourceId",
        ResourceType="ManagedInstance",
        ResourceId=west[1],
    )
    with pytest.raises(SeedError, match="no EC2 instance"):
        managed_nodes(aws, [{"InstanceId": west[0]}])
    reset_local_aws(aws.url)
    assert ids(Api.of(client(aws, "ssm"))) == set()


def test_seeding_errors(aws: AwsEnv, api: Api) -> None:
    base = {"account": "123456789012", "region": aws.region}
    instance = unmanaged_ec2_instances(aws, 1)[0]
    bad_requests: list[tuple[dict[str, Any], str]] = [
        ({**base, "account": "1234"}, "account"),
        ({**base, "region": "mars-1"}, "region"),
        ({**base, "nodes": "i-1"}, "nodes"),
        ({**base, "nodes": [{"PlatformType": "Solaris"}]}, "PlatformType"),
        ({**base, "nodes": [{"PingStatus": "Up"}]}, "PingStatus"),
        ({**base, "nodes": [{"Tags": [{"Key": "k"}]}]}, "Tags"),
        (
            {**base, "nodes": [{"InstanceId": instance, "Tags": [{"Key": PG, "Value": "x"}]}]},
            "CreateTags",
        ),
        ({**base, "nodes": [{}, {"InstanceId": "i-0123456789abcdef0"}]}, "no EC2 instance"),
    ]
    for payload, message in bad_requests:
        with pytest.raises(SeedError, match=message):
            seed(aws, "managed-nodes", payload)
    assert ids(api) == set()  # a refused request stores nothing, not even its good nodes
    with pytest.raises(SeedError, match="no such route"):
        seed(aws, "nothing-here", base)


def test_seeding_is_no_aws_request(tmp_path: Path) -> None:
    """Neither the recorder nor the fault proxy counts the local API (tools/awsrequest.py)."""
    assert is_moto_api("/local-api/managed-nodes") and is_moto_api("/moto-api/reset")
    assert not is_moto_api("/local-apis") and not is_moto_api("/")
    record = tmp_path / "calls.jsonl"
    server = start_local_aws(record=record)
    try:
        env = direct_env(server.url)
        hybrid_nodes(env, 2)
        assert len(ids(Api(unvalidated_client(env, "ssm")))) == 2
    finally:
        problem = launch.stop(server)
    assert problem is None, problem
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert lines == [{"operation": "DescribeInstanceInformation", "service": "ssm", "tool": False}]


def test_seeding_through_the_fault_proxy_is_forwarded_uncounted(aws: AwsEnv) -> None:
    proxy = start_fault_proxy(aws.url)
    try:
        proxy.fail_write(1, "error")
        through = AwsEnv(aws)
        through["AWS_ENDPOINT_URL"] = proxy.url
        made = hybrid_nodes(through, 1, tags={PG: "web"})
        stats = proxy.stats()
    finally:
        problem = launch.stop(proxy)
    assert problem is None, problem
    assert (stats["requests"], stats["injected"]) == (0, {})
    assert ids(Api.of(client(aws, "ssm"))) == set(made)
