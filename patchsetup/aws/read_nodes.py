"""Managed nodes and their patch-group tag: what ``assign`` reads in one region.

(``status``'s reads of the fleet, bulk only, are in read_fleet.py.)

``managed_nodes`` lists SSM's managed nodes (DescribeInstanceInformation, narrowed by
tag and platform filters on the server) with their value of one tag key: EC2 instances
in bulk (one paginated ec2:DescribeTags for the key), hybrid ``mi-`` nodes one
ListTagsForResource each (SSM keeps their tags). ``ec2_states`` tells an EC2 instance
that SSM does not manage from an ID that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from patchsetup.aws.gate import Gate
from patchsetup.aws.listing import drain, list_tags
from patchsetup.deploy.remote import RemoteNode
from patchsetup.fields import other_key

#: DescribeInstanceInformation's largest page (MaxResults 5-50).
_NODE_PAGE: dict[str, Any] = {"PaginationConfig": {"PageSize": 50}}
#: Values of one EC2 filter per DescribeInstances request (EC2 documents at most 200).
_EC2_FILTER_VALUES = 200


def managed_nodes(
    clients: Any,
    *,
    key: str,
    gate: Gate,
    platform: str | None = None,
    tags: Sequence[tuple[str, str]] = (),
) -> list[RemoteNode]:
    """The region's managed nodes carrying every tag of ``tags`` (on ``platform``, unless
    tags are given: then of any platform), each with its value of the tag ``key`` and of
    the other patch-group key (read by the same calls)."""
    keys = (key, other_key(key))
    ssm, ec2 = clients["ssm"], clients["ec2"]
    # "Tag filters can't be combined with other filter types" (the API reference): with
    # tags, the platform is left to the caller (each node's PlatformType is returned).
    filters = [{"Key": f"tag:{k}", "Values": [v]} for k, v in tags]
    if platform is not None and not filters:
        filters.append({"Key": "PlatformTypes", "Values": [platform]})
    pages = ssm.get_paginator("describe_instance_information").paginate(
        **({"Filters": filters} if filters else {}), **_NODE_PAGE
    )
    infos = gate.call(
        lambda: drain(info for page in pages for info in page["InstanceInformationList"])
    )
    hybrid = [i["InstanceId"] for i in infos if i["InstanceId"].startswith("mi-")]
    values: dict[tuple[str, str], str] = {}  # (node, key) -> value
    if len(hybrid) < len(infos):
        tag_pages = ec2.get_paginator("describe_tags").paginate(
            Filters=[
                {"Name": "resource-type", "Values": ["instance"]},
                {"Name": "key", "Values": list(keys)},
            ]
        )
        found = gate.call(lambda: drain(t for page in tag_pages for t in page["Tags"]))
        values.update({(t["ResourceId"], t["Key"]): t["Value"] for t in found})

    def hybrid_values(instance_id: str) -> dict[tuple[str, str], str]:
        tags = gate.call(list_tags, ssm, "ManagedInstance", instance_id)
        return {(instance_id, k): tags[k] for k in keys if k in tags}

    for found_tags in gate.each(hybrid_values, hybrid):
        values.update(found_tags)
    return [
        RemoteNode(
            info["InstanceId"],
            str(info.get("PlatformType", "")),
            values.get((info["InstanceId"], key)),
            info.get("Name") or info.get("ComputerName"),
            other_group=values.get((info["InstanceId"], keys[1])),
        )
        for info in infos
    ]


def ec2_states(clients: Any, instance_ids: Sequence[str], gate: Gate) -> dict[str, str]:
    """EC2 instance ID -> its state (``running``, ``stopped``, ...), for those that exist."""
    wanted = [i for i in instance_ids if i.startswith("i-")]
    chunks = [
        wanted[start : start + _EC2_FILTER_VALUES]
        for start in range(0, len(wanted), _EC2_FILTER_VALUES)
    ]

    def states(chunk: list[str]) -> dict[str, str]:
        pages = (
            clients["ec2"]
            .get_paginator("describe_instances")
            .paginate(Filters=[{"Name": "instance-id", "Values": chunk}])
        )
        return gate.call(
            lambda: {
                instance["InstanceId"]: instance["State"]["Name"]
                for page in pages
                for reservation in page["Reservations"]
                for instance in reservation["Instances"]
            }
        )

    return {i: s for found in gate.each(states, chunks) for i, s in found.items()}


#: Values of DescribeInstanceInformation's InstanceIds filter per request.
_ID_FILTER_VALUES = 50


def managed_ids(clients: Any, instance_ids: Sequence[str], gate: Gate) -> set[str]:
    """Those of ``instance_ids`` that are managed nodes of the region."""
    chunks = [
        list(instance_ids[start : start + _ID_FILTER_VALUES])
        for start in range(0, len(instance_ids), _ID_FILTER_VALUES)
    ]

    def managed(chunk: list[str]) -> set[str]:
        pages = (
            clients["ssm"]
            .get_paginator("describe_instance_information")
            .paginate(Filters=[{"Key": "InstanceIds", "Values": chunk}], **_NODE_PAGE)
        )
        return gate.call(
            lambda: {i["InstanceId"] for page in pages for i in page["InstanceInformationList"]}
        )

    return {i for found in gate.each(managed, chunks) for i in found}
