"""Which managed nodes go into which of a setup's patch groups (``assign``). Pure.

* ``patch_groups``: the setup's patch groups and the tag key its windows match each on
  (``Patch Group`` or ``PatchGroup``), as apply makes them.
* ``Selection``: the nodes the command line names (IDs, a file of IDs, tag filters, a
  platform), checked against the API reference's patterns before any call.
* ``spread``: nodes evenly over groups, deterministically: sorted instance IDs round
  robin, and a node already in one of the groups stays there while every group stays
  within one of even, so a second run moves nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from patchsetup.deploy.remote import RemoteNode
from patchsetup.fields import PATCH_GROUP_KEYS, PLATFORMS
from patchsetup.model import Setup

#: SSM's InstanceId pattern (botocore's model): EC2 ``i-`` (8 or 17) or hybrid ``mi-``.
INSTANCE_ID_RE = re.compile(r"^(i-(\w{8}|\w{17})|mi-\w{17})$")
#: SSM's TagKey and TagValue class (``^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$``), keys 1-128, values
#: 0-256 (the tag: filter of DescribeInstanceInformation takes a tag's key and value).
_TAG_CHARS = re.compile(r"^[\w\s.:/=+\-@]*$")


class AssignError(ValueError):
    """A selection or patch group the command cannot use (one line; bad input)."""


def patch_groups(setup: Setup) -> dict[str, str]:
    """Patch group -> the tag key the setup's window targets match it on (``Patch Group``
    unless a target says ``PatchGroup``); the groups of baselines no target names too."""
    found: dict[str, str] = {}
    for window in setup.windows:
        for target in window.targets:
            for tag, values in target.targets:
                key = tag.removeprefix("tag:")
                if not tag.startswith("tag:") or key not in PATCH_GROUP_KEYS:
                    continue
                for group in values:
                    if found.setdefault(group, key) != key:
                        raise AssignError(
                            f"patch group {group!r} is targeted on both tag keys "
                            f"({', '.join(map(repr, PATCH_GROUP_KEYS))}): give the setup one "
                            "patch_group_key for it"
                        )
    keys = set(found.values())
    default = keys.pop() if len(keys) == 1 else PATCH_GROUP_KEYS[0]
    for baseline in setup.baselines:
        for group in baseline.patch_groups:
            found.setdefault(group, default)
    return dict(sorted(found.items()))


def chosen_groups(groups: Mapping[str, str], named: Sequence[str], spread: bool) -> list[str]:
    """The groups a run assigns to: ``named`` (each one of the setup's), or with ``spread``
    and none named, all of them; and checks the command names one group, or spreads."""
    unknown = [g for g in named if g not in groups]
    if unknown:
        shown = ", ".join(map(repr, list(groups)[:8])) + (", ..." if len(groups) > 8 else "")
        raise AssignError(
            f"--patch-group: {unknown[0]!r} is not a patch group of this setup "
            f"(its groups: {shown or 'none'})"
        )
    if not spread and len(named) != 1:
        raise AssignError(
            "give one --patch-group NAME, or --spread (over all of the setup's patch groups, "
            "or over those given by repeated --patch-group)"
        )
    chosen = list(dict.fromkeys(named)) if named else list(groups)
    if not chosen:
        raise AssignError("--spread: the setup has no patch groups")
    keys = {groups[g] for g in chosen}
    if len(keys) > 1:
        raise AssignError(
            "the chosen patch groups are matched on different tag keys "
            f"({', '.join(sorted(map(repr, keys)))}): assign them in separate runs"
        )
    return chosen


@dataclass(frozen=True)
class Selection:
    """The managed nodes a run works on: all criteria given must hold (AND)."""

    instance_ids: tuple[str, ...] = ()
    #: Tag key -> value: the node must carry each.
    tags: tuple[tuple[str, str], ...] = ()
    #: A PlatformType ("Linux", "Windows", "MacOS"), or None for any.
    platform: str | None = None
    #: Every managed node (``--all``): the other criteria still narrow it.
    everything: bool = False

    def matches(self, node: RemoteNode) -> bool:
        """Whether ``node`` is selected (tags are filtered by the read itself)."""
        if self.instance_ids and node.instance_id not in self.instance_ids:
            return False
        return self.platform is None or node.platform == self.platform


def selection(
    ids: Sequence[str],
    listed: str | None,
    filters: Sequence[str],
    platform: str | None,
    everything: bool,
) -> Selection:
    """The selection of the command line (``listed``: an --instances-file's text)."""
    found = list(ids)
    if listed is not None:
        found += [line.split("#", 1)[0].strip() for line in listed.splitlines()]
    found = [i for i in dict.fromkeys(found) if i]
    for instance_id in found:
        if not INSTANCE_ID_RE.match(instance_id):
            raise AssignError(
                f"--instance-id: {instance_id!r} is not a managed node ID "
                "(i- and 8 or 17 characters for EC2, mi- and 17 for a hybrid node)"
            )
    if listed is not None and not found and not ids:
        raise AssignError("--instances-file: names no instance ID")
    tags: dict[str, str] = {}
    for text in filters:
        key, sep, value = text.partition("=")
        problem = _tag_problem(key, value) if sep else "must be KEY=VALUE"
        if problem is not None:
            raise AssignError(f"--filter: {text!r}: {problem}")
        if key in tags:
            raise AssignError(f"--filter: tag {key!r} given twice: a node has one value of it")
        tags[key] = value
    if not (found or tags or platform or everything):
        raise AssignError(
            "choose the nodes: --instance-id, --instances-file, --filter KEY=VALUE, "
            "--platform, or --all for every managed node"
        )
    return Selection(
        tuple(found), tuple(tags.items()), PLATFORMS[platform] if platform else None, everything
    )


def _tag_problem(key: str, value: str) -> str | None:
    if not 1 <= len(key) <= 128 or not _TAG_CHARS.match(key) or key.isspace():
        return "the tag key must be 1-128 letters, digits, spaces and _.:/=+-@"
    if not 1 <= len(value) <= 256 or not _TAG_CHARS.match(value):
        return "the tag value must be 1-256 letters, digits, spaces and _.:/=+-@"
    return None


def assign_to(nodes: Sequence[RemoteNode], group: str) -> dict[str, str]:
    """Every node into ``group``."""
    return {node.instance_id: group for node in nodes}


def spread(nodes: Sequence[RemoteNode], groups: Sequence[str]) -> dict[str, str]:
    """Instance ID -> group, each group ending with n // k or n // k + 1 nodes.

    A node already in one of ``groups`` stays, unless its group holds more than its
    even share (then its highest IDs leave), or more groups hold one extra than an even
    spread has (then the later groups give theirs up). The rest go, in instance-ID
    order, each to the group with the fewest nodes (the first such in ``groups``).
    """
    ordered = sorted(nodes, key=lambda n: n.instance_id)
    count, size = len(ordered), len(groups)
    base, extra = divmod(count, size)
    members: dict[str, list[str]] = {g: [] for g in groups}
    for node in ordered:
        if node.group in members:
            members[node.group].append(node.instance_id)
    for group in groups:
        del members[group][base + (1 if extra else 0) :]
    over = [g for g in groups if len(members[g]) > base]
    for group in over[extra:]:
        del members[group][base:]
    kept = {i for ids in members.values() for i in ids}
    for node in ordered:
        if node.instance_id not in kept:
            fewest = min(groups, key=lambda g: len(members[g]))
            members[fewest].append(node.instance_id)
    return {i: g for g, ids in members.items() for i in ids}
