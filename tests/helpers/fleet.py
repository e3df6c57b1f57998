"""A fleet on the local endpoint: EC2 instances, managed or not, and hybrid nodes.

Seeding goes through the stand-in's own API (``POST {url}/local-api/...``,
tools/localssm/localapi.py; never recorded, never faulted), EC2 through moto's EC2 API.

* ``ec2_instances``: RunInstances with an AMI moto knows (Linux: ``LINUX_AMI``, Amazon
  Linux 2017.09, no Platform; Windows: ``WINDOWS_AMI``, Windows Server 2016, so that EC2 reports
  ``Platform: windows``), tagged at launch, then registered as managed nodes;
* ``unmanaged_ec2_instances``: RunInstances only (EC2 knows them, SSM does not);
* ``hybrid_nodes``: ``mi-`` nodes whose tags live in SSM;
* ``patch_state`` / ``window_execution``: a node's patch compliance, a window's execution.

``account`` defaults to the caller's (moto's ``DEFAULT_ACCOUNT``). For another account the
EC2 calls use credentials of an assumed role in that account (moto gives AssumeRole's
credentials the role's account; no role has to exist) and the seeding request names the
account in its ``"account"`` field.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import boto3
from botocore.config import Config

from tests.helpers.endpoint import AwsEnv, client

DEFAULT_ACCOUNT = "123456789012"  # moto's account for the "testing" credentials
LINUX_AMI = "ami-760aaa0f"  # amzn-ami-hvm-2017.09.1.20171103-x86_64-gp2 (no Platform)
WINDOWS_AMI = "ami-b7e93bce"  # Windows_Server-2016-English-Full-Base-2017.10.13


class SeedError(AssertionError):
    """The local API refused a seeding request (HTTP 4xx): its ``error`` message."""


def seed(aws: AwsEnv, route: str, payload: dict[str, Any]) -> dict[str, Any]:
    """POST ``payload`` to ``{url}/local-api/{route}``; the JSON answer (SeedError if 4xx)."""
    request = urllib.request.Request(
        f"{aws.url}/local-api/{route}",
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer: dict[str, Any] = json.loads(response.read())
            return answer
    except urllib.error.HTTPError as exc:
        raise SeedError(json.loads(exc.read()).get("error", str(exc))) from None


def account_client(
    aws: AwsEnv, service: str, region: str | None = None, account: str | None = None
) -> Any:
    """A client on the endpoint, in ``account`` (assumed-role credentials) if not the caller's."""
    if account in (None, DEFAULT_ACCOUNT):
        return client(aws, service, region)
    creds = client(aws, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/fleet-seeder", RoleSessionName="fleet"
    )["Credentials"]
    return boto3.session.Session().client(
        service,
        endpoint_url=aws.url,
        region_name=region or aws.region,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def unvalidated_client(aws: AwsEnv, service: str, region: str | None = None) -> Any:
    """A client that sends out-of-range parameters (no botocore parameter validation), to
    see the endpoint's own ValidationException."""
    return boto3.session.Session().client(
        service,
        endpoint_url=aws.url,
        region_name=region or aws.region,
        aws_access_key_id=aws["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=aws["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=aws["AWS_SESSION_TOKEN"],
        config=Config(parameter_validation=False),
    )


def _tag_list(tags: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in (tags or {}).items()]


def _run(
    aws: AwsEnv,
    count: int,
    platform: str,
    tags: dict[str, str] | None,
    region: str | None,
    account: str | None,
) -> list[str]:
    params: dict[str, Any] = {
        "ImageId": WINDOWS_AMI if platform == "Windows" else LINUX_AMI,
        "MinCount": count,
        "MaxCount": count,
        "InstanceType": "t3.micro",
    }
    if tags:
        params["TagSpecifications"] = [{"ResourceType": "instance", "Tags": _tag_list(tags)}]
    reservation = account_client(aws, "ec2", region, account).run_instances(**params)
    return [str(i["InstanceId"]) for i in reservation["Instances"]]


def managed_nodes(
    aws: AwsEnv,
    nodes: list[dict[str, Any]],
    *,
    region: str | None = None,
    account: str | None = None,
) -> list[str]:
    """Seed ``nodes`` (the local API's node objects); their instance ids."""
    payload = {"account": account or DEFAULT_ACCOUNT, "region": region or aws.region}
    answer = seed(aws, "managed-nodes", {**payload, "nodes": nodes})
    return [str(i) for i in answer["InstanceIds"]]


def ec2_instances(
    aws: AwsEnv,
    count: int,
    *,
    platform: str = "Linux",
    platform_name: str | None = None,
    tags: dict[str, str] | None = None,
    ping: str = "Online",
    region: str | None = None,
    account: str | None = None,
) -> list[str]:
    """``count`` EC2 instances, tagged ``tags``, registered as managed nodes."""
    ids = _run(aws, count, platform, tags, region, account)
    node: dict[str, Any] = {"PlatformType": platform, "PingStatus": ping}
    if platform_name:
        node["PlatformName"] = platform_name
    return managed_nodes(
        aws, [{"InstanceId": i, **node} for i in ids], region=region, account=account
    )


def unmanaged_ec2_instances(
    aws: AwsEnv, count: int, *, tags: dict[str, str] | None = None, region: str | None = None
) -> list[str]:
    """``count`` Linux EC2 instances that SSM does not manage."""
    return _run(aws, count, "Linux", tags, region, None)


def hybrid_nodes(
    aws: AwsEnv,
    count: int,
    *,
    platform: str = "Linux",
    platform_name: str | None = None,
    tags: dict[str, str] | None = None,
    ping: str = "Online",
    region: str | None = None,
    account: str | None = None,
) -> list[str]:
    """``count`` hybrid (``mi-``) managed nodes with SSM tags ``tags``."""
    node: dict[str, Any] = {
        "InstanceId": None,
        "PlatformType": platform,
        "PingStatus": ping,
        "Tags": _tag_list(tags),
    }
    if platform_name:
        node["PlatformName"] = platform_name
    return managed_nodes(aws, [dict(node) for _ in range(count)], region=region, account=account)


def patch_state(
    aws: AwsEnv,
    instance_id: str,
    *,
    region: str | None = None,
    account: str | None = None,
    **fields: Any,
) -> str:
    """Seed the patch state of one managed node (InstancePatchState members as ``fields``;
    PatchGroup defaults to the node's tag, BaselineId to its group's baseline, counts to 0,
    times to now); the instance id."""
    payload = {"account": account or DEFAULT_ACCOUNT, "region": region or aws.region}
    states = [{"InstanceId": instance_id, **fields}]
    return str(seed(aws, "patch-states", {**payload, "states": states})["InstanceIds"][0])


def window_execution(
    aws: AwsEnv,
    window_id: str,
    *,
    status: str = "SUCCESS",
    start: str | None = None,
    end: str | None = None,
    region: str | None = None,
    account: str | None = None,
) -> str:
    """Seed one execution of an existing window (times ISO 8601; default now, and a
    finished one ends when it starts); its WindowExecutionId."""
    execution: dict[str, Any] = {"WindowId": window_id, "Status": status}
    if start is not None:
        execution["StartTime"] = start
    if end is not None:
        execution["EndTime"] = end
    payload = {"account": account or DEFAULT_ACCOUNT, "region": region or aws.region}
    answer = seed(aws, "window-executions", {**payload, "executions": [execution]})
    return str(answer["WindowExecutionIds"][0])
