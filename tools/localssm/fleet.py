"""Managed nodes in the SSM stand-in: EC2 instances and hybrid (``mi-``) nodes.

moto 5.2.5 has no managed-node inventory. The stand-in keeps one per SSM backend
(account + region), seeded through ``POST /local-api/managed-nodes`` (localapi.py):

* an EC2 instance of moto's EC2 backend registered as managed (ResourceType EC2Instance):
  its tags are the EC2 instance's own, read live from moto's EC2 backend, so
  ``ec2:CreateTags`` is what moves it between patch groups, as on AWS; stopped or
  terminated instances are not listed (as documented);
* a hybrid node ``mi-`` + 17 hex (ResourceType ManagedInstance, with ActivationId,
  RegistrationDate and IamRole) whose tags live in SSM (AddTagsToResource /
  ListTagsForResource / RemoveTagsFromResource with ResourceType=ManagedInstance).

``describe_instance_information`` answers DescribeInstanceInformation with its filters.
The state hangs off the SSM backend, so moto's reset clears it. Gap 8 in the docstring
of tools/local_aws.py.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from moto.ec2.models import ec2_backends
from moto.ssm.models import ssm_backends

from .predefined import JSON
from .resources import LOCK, Backend, LocalSSMError, utc_now, validation_error

PLATFORMS = ("Windows", "Linux", "MacOS")
PING_STATUSES = ("Online", "ConnectionLost", "Inactive")
RESOURCE_TYPES = ("EC2Instance", "ManagedInstance")
ASSOCIATION_STATUSES = ("Success", "Pending", "Failed")
SOURCE_TYPES = ("AWS::EC2::Instance", "AWS::SSM::ManagedInstance")
AGENT_VERSION = "3.3.1142.0"
_DEFAULT_PLATFORM: dict[str, tuple[str, str]] = {
    "Linux": ("Amazon Linux", "2023"),
    "Windows": ("Microsoft Windows Server 2022 Datacenter", "10.0.20348"),
    "MacOS": ("macOS", "14.4"),
}
EC2_ID = re.compile(r"^i-([0-9a-f]{8}|[0-9a-f]{17})$")
HYBRID_ID = re.compile(r"^mi-[0-9a-f]{17}$")
NODE_ID = re.compile(r"^(i-(\w{8}|\w{17})|mi-\w{17})$")


class SeedError(ValueError):
    """A bad seeding request (HTTP 400 from the local API)."""


@dataclass
class ManagedNode:
    instance_id: str
    resource_type: str
    platform_type: str
    platform_name: str
    platform_version: str
    ping_status: str
    registered: dt.datetime
    name: str | None = None
    agent_version: str = AGENT_VERSION
    is_latest_version: bool = True
    iam_role: str | None = None
    activation_id: str | None = None
    association_status: str | None = None
    ip_address: str | None = None
    computer_name: str | None = None
    extra: JSON = field(default_factory=dict)

    def last_ping(self) -> dt.datetime:
        if self.ping_status == "Online":
            return utc_now()
        return self.registered


@dataclass
class Fleet:
    nodes: dict[str, ManagedNode] = field(default_factory=dict)


def fleet_of(backend: Backend) -> Fleet:
    with LOCK:
        found = backend.__dict__.get("_local_ssm_fleet")
        if isinstance(found, Fleet):
            return found
        fleet = Fleet()
        backend.__dict__["_local_ssm_fleet"] = fleet
        return fleet


def _ec2_backend(account: str, region: str) -> Any:
    return ec2_backends[account][region]


def ssm_backend(account: Any, region: Any) -> Backend:
    """The SSM backend of a seeding request's account and region (SeedError if bad)."""
    if not isinstance(account, str) or not re.fullmatch(r"\d{12}", account):
        raise SeedError(f"account must be 12 digits, got {account!r}")
    if not isinstance(region, str) or region not in ssm_backends[account]:
        raise SeedError(f"unknown region {region!r}")
    backend: Backend = ssm_backends[account][region]
    return backend


# --------------------------------------------------------------------------------------
# Seeding
# --------------------------------------------------------------------------------------


def _choice(node: JSON, key: str, allowed: tuple[str, ...], default: str) -> str:
    value = node.get(key, default)
    if value not in allowed:
        raise SeedError(f"{key} must be one of {', '.join(allowed)}, got {value!r}")
    return str(value)


def _tags(node: JSON) -> dict[str, str]:
    tags = node.get("Tags") or []
    if not isinstance(tags, list) or not all(
        isinstance(t, dict) and isinstance(t.get("Key"), str) and isinstance(t.get("Value"), str)
        for t in tags
    ):
        raise SeedError('Tags must be a list of {"Key": str, "Value": str}')
    if len(tags) > 50:
        raise SeedError("a managed node can have at most 50 tags")
    return {t["Key"]: t["Value"] for t in tags}


def _optional(node: JSON) -> JSON:
    keys = ("Name", "AgentVersion", "IsLatestVersion", "IamRole", "AssociationStatus")
    found = {k: node[k] for k in (*keys, "IPAddress", "ComputerName") if node.get(k) is not None}
    if "AssociationStatus" in found:
        _choice(found, "AssociationStatus", ASSOCIATION_STATUSES, "")
    return found


def seed_managed_nodes(payload: JSON) -> JSON:
    """``POST /local-api/managed-nodes``: register EC2 instances / create hybrid nodes."""
    backend = ssm_backend(payload.get("account"), payload.get("region"))
    nodes = payload.get("nodes")
    if not isinstance(nodes, list) or not all(isinstance(n, dict) for n in nodes):
        raise SeedError("nodes must be a list of objects")
    ec2 = _ec2_backend(backend.account_id, backend.region_name)
    made: list[ManagedNode] = []
    hybrid_tags: dict[str, dict[str, str]] = {}
    for node in nodes:  # validate everything before storing anything
        platform = node.get("PlatformType")
        instance_id = node.get("InstanceId")
        instance: Any = None
        if instance_id is not None:
            instance = ec2.get_instance_by_id(instance_id) if isinstance(instance_id, str) else None
            if instance is None:
                raise SeedError(
                    f"no EC2 instance {instance_id!r} in {backend.account_id} {backend.region_name}"
                )
            if node.get("Tags"):
                raise SeedError("an EC2 instance's tags are its EC2 tags: use ec2:CreateTags")
            if platform is None:
                platform = "Windows" if instance.platform == "windows" else "Linux"
        platform = _choice({"PlatformType": platform or "Linux"}, "PlatformType", PLATFORMS, "")
        name, version = _DEFAULT_PLATFORM[platform]
        ping = _choice(node, "PingStatus", PING_STATUSES, "Online")
        extra = _optional(node)
        common: dict[str, Any] = {
            "platform_type": platform,
            "platform_name": str(node.get("PlatformName") or name),
            "platform_version": str(node.get("PlatformVersion") or version),
            "ping_status": ping,
            "registered": utc_now(),
        }
        if instance_id is not None:
            made.append(
                ManagedNode(
                    instance_id,
                    "EC2Instance",
                    ip_address=instance.private_ip,
                    computer_name=instance.private_dns_name,
                    **common,
                )
            )
        else:
            new_id = "mi-" + secrets.token_hex(9)[:17]
            hybrid_tags[new_id] = _tags(node)
            made.append(
                ManagedNode(
                    new_id,
                    "ManagedInstance",
                    name=f"hybrid-{new_id[3:11]}",
                    iam_role="SSMServiceRole",
                    activation_id=str(uuid.uuid4()),
                    ip_address=f"192.168.{int(new_id[3:5], 16)}.{int(new_id[5:7], 16) % 254 + 1}",
                    computer_name=f"host-{new_id[3:11]}.corp.example",
                    **common,
                )
            )
        _apply_optional(made[-1], extra)
    fleet = fleet_of(backend)
    with LOCK:
        for managed in made:
            fleet.nodes[managed.instance_id] = managed
        for node_id, tags in hybrid_tags.items():
            backend._resource_tags["ManagedInstance"][node_id].update(tags)
    return {"InstanceIds": [m.instance_id for m in made]}


def _apply_optional(node: ManagedNode, extra: JSON) -> None:
    attrs = {
        "Name": "name",
        "AgentVersion": "agent_version",
        "IsLatestVersion": "is_latest_version",
        "IamRole": "iam_role",
        "AssociationStatus": "association_status",
        "IPAddress": "ip_address",
        "ComputerName": "computer_name",
    }
    for key, value in extra.items():
        setattr(node, attrs[key], value)


# --------------------------------------------------------------------------------------
# Reading: tags and DescribeInstanceInformation
# --------------------------------------------------------------------------------------


def node_tags(backend: Backend, node: ManagedNode) -> dict[str, str]:
    """A node's tags now: EC2's own for EC2 instances, SSM's for hybrid nodes."""
    if node.resource_type == "EC2Instance":
        ec2 = _ec2_backend(backend.account_id, backend.region_name)
        return dict(ec2.tags.get(node.instance_id, {}))
    return dict(backend._resource_tags["ManagedInstance"].get(node.instance_id, {}))


def listed_nodes(backend: Backend) -> list[ManagedNode]:
    """The managed nodes DescribeInstanceInformation lists (EC2: running/pending only)."""
    ec2 = _ec2_backend(backend.account_id, backend.region_name)
    with LOCK:
        nodes = list(fleet_of(backend).nodes.values())
    out = []
    for node in nodes:
        if node.resource_type == "EC2Instance":
            instance = ec2.get_instance_by_id(node.instance_id)
            if instance is None or instance.state not in ("running", "pending"):
                continue
        out.append(node)
    return out


def information(node: ManagedNode) -> JSON:
    """One InstanceInformation member, as the API reference lists them."""
    ec2 = node.resource_type == "EC2Instance"
    out: JSON = {
        "InstanceId": node.instance_id,
        "PingStatus": node.ping_status,
        "LastPingDateTime": node.last_ping(),
        "AgentVersion": node.agent_version,
        "IsLatestVersion": node.is_latest_version,
        "PlatformType": node.platform_type,
        "PlatformName": node.platform_name,
        "PlatformVersion": node.platform_version,
        "ActivationId": node.activation_id,
        "IamRole": node.iam_role,
        "RegistrationDate": None if ec2 else node.registered,
        "ResourceType": node.resource_type,
        "Name": node.name,
        "IPAddress": node.ip_address,
        "ComputerName": node.computer_name,
        "AssociationStatus": node.association_status,
        "SourceId": node.instance_id,
        "SourceType": "AWS::EC2::Instance" if ec2 else "AWS::SSM::ManagedInstance",
    }
    return {k: v for k, v in out.items() if v is not None}


_FIELD_OF_KEY = {
    "InstanceIds": "InstanceId",
    "AgentVersion": "AgentVersion",
    "PingStatus": "PingStatus",
    "PlatformTypes": "PlatformType",
    "PlatformType": "PlatformType",
    "ActivationIds": "ActivationId",
    "IamRole": "IamRole",
    "ResourceType": "ResourceType",
    "AssociationStatus": "AssociationStatus",
    "SourceIds": "SourceId",
    "SourceTypes": "SourceType",
}
_ALLOWED_VALUES: dict[str, tuple[str, ...]] = {
    "PingStatus": PING_STATUSES,
    "PlatformTypes": PLATFORMS,
    "PlatformType": PLATFORMS,
    "ResourceType": RESOURCE_TYPES,
    "AssociationStatus": ASSOCIATION_STATUSES,
    "SourceTypes": SOURCE_TYPES,
}


def _check_values(key: str, values: list[str]) -> None:
    allowed = _ALLOWED_VALUES.get(key)
    bad = [v for v in values if allowed is not None and v not in allowed]
    if key == "InstanceIds":
        bad = [v for v in values if not NODE_ID.match(v)]
        if bad:
            raise LocalSSMError("InvalidInstanceId", f"Instance Id {bad[0]} is not valid.")
    if bad:
        raise LocalSSMError(
            "InvalidInstanceInformationFilterValue",
            f"The filter value {bad[0]} is not valid for the filter key {key}.",
        )


def _filters(p: JSON) -> list[tuple[str, list[str]]]:
    """(key, values) of either filter list; the errors AWS documents for bad ones."""
    legacy, new = p.get("InstanceInformationFilterList"), p.get("Filters")
    if legacy and new:
        raise validation_error(
            "InstanceInformationFilterList and Filters cannot be used in the same request."
        )
    if legacy:
        pairs = [(f["key"], list(f["valueSet"])) for f in legacy]
    else:
        pairs = [(f["Key"], list(f["Values"])) for f in new or []]
    tag_filters = 0
    for key, values in pairs:
        if key == "tag-key" or (key.startswith("tag:") and len(key) > 4):
            if legacy:
                raise LocalSSMError("InvalidFilterKey", f"The filter key {key} is not valid.")
            tag_filters += 1
        elif key in _FIELD_OF_KEY:
            _check_values(key, values)
        else:
            raise LocalSSMError("InvalidFilterKey", f"The filter key {key} is not valid.")
    if tag_filters and tag_filters != len(pairs):
        raise validation_error("Tag filters can't be combined with other filter types.")
    return pairs


def describe_instance_information(backend: Backend, p: JSON) -> list[JSON]:
    """Every InstanceInformation that passes the request's filters (all of them, ANDed)."""
    pairs = _filters(p)
    nodes = listed_nodes(backend)
    if p.get("InstanceInformationFilterList"):
        known = {n.instance_id for n in nodes}
        for key, values in pairs:
            missing = [v for v in values if key == "InstanceIds" and v not in known]
            if missing:
                raise LocalSSMError("InvalidInstanceId", f"Instance Id {missing[0]} is not valid.")
    out = []
    for node in nodes:
        info = information(node)
        tags = node_tags(backend, node) if any(k.startswith("tag") for k, _ in pairs) else {}
        if all(_passes(info, tags, key, values) for key, values in pairs):
            out.append(info)
    return out


def _passes(info: JSON, tags: dict[str, str], key: str, values: list[str]) -> bool:
    if key == "tag-key":
        return any(v in tags for v in values)
    if key.startswith("tag:"):
        return tags.get(key[4:]) in values
    return info.get(_FIELD_OF_KEY[key]) in values


# --------------------------------------------------------------------------------------
# Tags on hybrid nodes (ResourceType=ManagedInstance)
# --------------------------------------------------------------------------------------


def validate_managed_instance(backend: Backend, resource_id: str) -> str:
    """The resource id of a hybrid node of this backend, else InvalidResourceId."""
    with LOCK:
        node = fleet_of(backend).nodes.get(resource_id)
    if node is None or node.resource_type != "ManagedInstance":
        raise LocalSSMError("InvalidResourceId", "Invalid Resource Id")
    return resource_id
