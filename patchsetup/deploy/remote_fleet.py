"""What the fleet looks like: the managed nodes of a region and what they carry.

Plain data filled in by ``aws/read_fleet.py`` for ``status`` (coverage.py turns it
into rows); no boto3 here. ``query`` decides from what the reader found of the setup
(its windows, baselines and the region's registrations) which tag values to ask
about, so that every read is a bulk one: a filtered listing per value, never a call
per node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from patchsetup.deploy.remote import RemoteState
from patchsetup.fields import PATCH_GROUP_KEYS, patch_group_problem

#: The window target key of a tag selector, e.g. "tag:Patch Group".
TAG_PREFIX = "tag:"
#: How many of a window's executions status shows: as many as the next runs it shows.
LAST_EXECUTIONS = 3


@dataclass(frozen=True)
class ManagedNode:
    """One DescribeInstanceInformation entry, the fields status counts by."""

    node_id: str
    platform: str
    platform_name: str
    ping: str
    resource_type: str
    name: str = ""


@dataclass(frozen=True)
class Execution:
    """One DescribeMaintenanceWindowExecutions entry (times as ISO 8601, UTC)."""

    execution_id: str
    status: str
    status_details: str
    start: str | None
    end: str | None


@dataclass(frozen=True)
class FleetQuery:
    """What to read about the fleet for one setup."""

    #: The tag key the setup's patch groups are matched on ("Patch Group" or "PatchGroup").
    key: str
    #: The setup's patch groups: registered to its baselines or targeted by its windows.
    groups: tuple[str, ...]
    #: Every (tag key, value) a window target of the setup selects on, the groups included.
    selectors: tuple[tuple[str, str], ...]
    #: Patch groups registered in the region to baselines that are not the setup's:
    #: asked about only when nodes carry a patch group that is not the setup's.
    foreign: tuple[str, ...]
    #: The setup's windows: ID -> name.
    windows: dict[str, str] = field(default_factory=dict)


@dataclass
class RemoteFleet:
    """What was read about the fleet of one region."""

    nodes: list[ManagedNode] = field(default_factory=list)
    #: (tag key, value) -> the IDs of the nodes carrying that tag.
    carrying: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    #: The IDs of the nodes carrying the patch-group key, whatever its value.
    keyed: list[str] = field(default_factory=list)
    #: The IDs of the nodes carrying the other patch-group key (``PatchGroup`` when the
    #: setup's windows select on ``Patch Group``, and the other way round).
    other_keyed: list[str] = field(default_factory=list)
    #: DescribePatchGroupState per patch group of the setup (the response's counts).
    states: dict[str, dict[str, int]] = field(default_factory=dict)
    #: The last executions of each window of the setup (by window ID), newest first.
    executions: dict[str, list[Execution]] = field(default_factory=dict)


def query(state: RemoteState) -> FleetQuery | None:
    """What to read for the setup of ``state``; None when it has no window and no baseline."""
    if not (state.windows or state.baselines):
        return None
    own = {b.baseline_id for b in state.baselines}
    groups = {r.patch_group for r in state.registrations if r.baseline_id in own}
    selectors: set[tuple[str, str]] = set()
    keys: list[str] = []
    for window in state.windows:
        for target in window.targets:
            for selector in target.fields.get("Targets") or []:
                key = str(selector.get("Key", ""))
                if not key.startswith(TAG_PREFIX):
                    continue
                tag = key[len(TAG_PREFIX) :]
                # A filter value has at least one character.
                values = [str(v) for v in selector.get("Values", []) if v]
                selectors.update((tag, v) for v in values)
                if tag in PATCH_GROUP_KEYS:
                    keys.append(tag)
                    # DescribePatchGroupState refuses what is no patch group's name.
                    groups.update(v for v in values if patch_group_problem(v) is None)
    key = keys[0] if keys else PATCH_GROUP_KEYS[0]
    selectors.update((key, g) for g in groups)
    foreign = {r.patch_group for r in state.registrations if r.patch_group not in groups}
    return FleetQuery(
        key=key,
        groups=tuple(sorted(groups)),
        selectors=tuple(sorted(selectors)),
        foreign=tuple(sorted(foreign)),
        windows={w.window_id: w.name for w in state.windows},
    )


def node(info: dict[str, Any]) -> ManagedNode:
    """A DescribeInstanceInformation entry as a ``ManagedNode``."""
    return ManagedNode(
        node_id=str(info["InstanceId"]),
        platform=str(info.get("PlatformType") or ""),
        platform_name=str(info.get("PlatformName") or ""),
        ping=str(info.get("PingStatus") or ""),
        resource_type=str(info.get("ResourceType") or ""),
        name=str(info.get("Name") or info.get("ComputerName") or ""),
    )
