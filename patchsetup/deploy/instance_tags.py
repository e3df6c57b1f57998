"""The patch-group tag of managed nodes as a plan (``assign``): one change per instance.

Pure: no boto3. An instance without the setup's patch-group tag key gets it (create,
``+``), one with another value is moved (update, ``~``, which the run asks consent for
like a delete: ``Plan.moves``), one already in its group is unchanged. Only that one tag
is written, never another. EC2 instances are tagged in bulk, one CreateTags per patch
group and 1000 instances; hybrid nodes (``mi-``) one AddTagsToResource each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from patchsetup.deploy.calls import CREATE_TAGS_MAX, create_tags, tag_managed_instance
from patchsetup.deploy.diff import FieldDiff
from patchsetup.deploy.plan import Call, Change, Plan
from patchsetup.deploy.remote import RemoteNode


def instance_plan(nodes: Sequence[RemoteNode], wanted: Mapping[str, str], key: str) -> Plan:
    """Tag each node of ``nodes`` that ``wanted`` (instance ID -> patch group) names with
    ``key`` = its group; nodes it does not name are left out."""
    changes: list[Change] = []
    ec2: dict[str, list[Change]] = {}
    for node in sorted(nodes, key=lambda n: n.instance_id):
        group = wanted.get(node.instance_id)
        if group is None:
            continue
        if node.group == group:
            same = Change("unchanged", "instance", node.instance_id, resource_id=node.instance_id)
            changes.append(same)
            continue
        change = Change(
            "create" if node.group is None else "update",
            "instance",
            node.instance_id,
            resource_id=node.instance_id,
            diffs=(FieldDiff(key, node.group, group),),
        )
        if node.hybrid:
            call = tag_managed_instance(node.instance_id, key, group)
            changes.append(_placed(change, (call,), f"instance:{node.instance_id}"))
        else:
            ec2.setdefault(group, []).append(change)
    for group in sorted(ec2):
        batch = ec2[group]
        for start in range(0, len(batch), CREATE_TAGS_MAX):
            chunk = batch[start : start + CREATE_TAGS_MAX]
            ids = [c.name for c in chunk]
            lane = f"ec2:{group}:{start // CREATE_TAGS_MAX}"
            # The first change of the lane makes the call that tags them all.
            changes.append(_placed(chunk[0], (create_tags(ids, key, group),), lane))
            changes.extend(_placed(c, (), lane, batched=True) for c in chunk[1:])
    return Plan(tuple(changes))


def _placed(change: Change, calls: tuple[Call, ...], lane: str, batched: bool = False) -> Change:
    return replace(change, calls=calls, lane=lane, batched=batched)
