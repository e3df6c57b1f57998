"""A region's fleet for ``status``: managed nodes, patch-group membership, compliance,
window executions, as ``RemoteFleet`` (deploy/remote_fleet.py).

Read calls only, and only bulk ones, side by side through the gate, every listing
paged:
- every managed node: one DescribeInstanceInformation listing (50 a page);
- who carries what: one listing filtered on ``tag:KEY`` per value the setup's
  windows select on (its patch groups among them), and one on ``tag-key`` for each
  patch-group key (the setup's, and the other one its windows do not select on);
  only when that finds nodes outside the setup's groups, one per patch group
  registered in the region to another baseline, to name theirs;
- one DescribePatchGroupState per patch group of the setup;
- one DescribeMaintenanceWindowExecutions listing per window of the setup
  (100 a page; AWS does not document their order, so all pages are read and
  the newest kept).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from patchsetup.aws.gate import Gate
from patchsetup.aws.listing import drain, strip
from patchsetup.deploy.remote_fleet import (
    LAST_EXECUTIONS,
    Execution,
    FleetQuery,
    RemoteFleet,
    node,
)
from patchsetup.fields import other_key

#: DescribeInstanceInformation's largest page (MaxResults 5-50).
NODE_PAGE: dict[str, Any] = {"PaginationConfig": {"PageSize": 50}}
#: DescribeMaintenanceWindowExecutions's largest page (MaxResults 10-100).
EXECUTION_PAGE: dict[str, Any] = {"PaginationConfig": {"PageSize": 100}}


def managed_nodes(
    clients: Mapping[str, Any], *, filters: list[dict[str, Any]] | None = None
) -> Iterator[dict[str, Any]]:
    """The region's managed nodes (DescribeInstanceInformation entries), all pages,
    narrowed by ``filters`` (InstanceInformationStringFilter: ``tag:KEY``, ``tag-key``,
    ``PlatformTypes``, ...)."""
    extra: dict[str, Any] = {"Filters": filters} if filters else {}
    pages = clients["ssm"].get_paginator("describe_instance_information")
    for page in pages.paginate(**extra, **NODE_PAGE):
        yield from page.get("InstanceInformationList", [])


def read_fleet(clients: Mapping[str, Any], query: FleetQuery, gate: Gate) -> RemoteFleet:
    """What ``query`` asks about the fleet of the clients' region."""
    ssm = clients["ssm"]
    fleet = RemoteFleet()

    def ids(filters: list[dict[str, Any]]) -> list[str]:
        return [i["InstanceId"] for i in gate.call(drain, managed_nodes(clients, filters=filters))]

    def tagged(selector: tuple[str, str]) -> list[str]:
        return ids([{"Key": f"tag:{selector[0]}", "Values": [selector[1]]}])

    def nodes() -> None:
        fleet.nodes = [node(i) for i in gate.call(drain, managed_nodes(clients))]

    def carrying() -> None:
        found = gate.each(tagged, query.selectors)
        fleet.carrying = dict(zip(query.selectors, found, strict=True))

    def keyed() -> None:
        fleet.keyed = ids([{"Key": "tag-key", "Values": [query.key]}])
        groups = set(query.groups)
        mine = {
            i
            for (k, v), found in fleet.carrying.items()
            if k == query.key and v in groups
            for i in found
        }
        if set(fleet.keyed) - mine and query.foreign:
            selectors = [(query.key, g) for g in query.foreign]
            fleet.carrying.update(zip(selectors, gate.each(tagged, selectors), strict=True))

    def other_keyed() -> None:
        fleet.other_keyed = ids([{"Key": "tag-key", "Values": [other_key(query.key)]}])

    def states() -> None:
        found = gate.each(lambda g: _group_state(ssm, g, gate), query.groups)
        fleet.states = dict(zip(query.groups, found, strict=True))

    def executions() -> None:
        windows = sorted(query.windows)
        found = gate.each(lambda w: _executions(ssm, w, gate), windows)
        fleet.executions = dict(zip(windows, found, strict=True))

    def membership() -> None:
        carrying()
        keyed()  # needs the setup's groups first, to know what is outside them

    gate.each(lambda chain: chain(), [nodes, membership, other_keyed, states, executions])
    return fleet


def _group_state(ssm: Any, group: str, gate: Gate) -> dict[str, int]:
    response = strip(dict(gate.call(ssm.describe_patch_group_state, PatchGroup=group)))
    return {k: int(v) for k, v in response.items() if isinstance(v, int)}


def _executions(ssm: Any, window_id: str, gate: Gate) -> list[Execution]:
    def listing() -> Iterator[dict[str, Any]]:
        pages = ssm.get_paginator("describe_maintenance_window_executions")
        for page in pages.paginate(WindowId=window_id, **EXECUTION_PAGE):
            yield from page.get("WindowExecutions", [])

    found = gate.call(drain, listing())
    found.sort(key=lambda e: (_time(e.get("StartTime")) or "", e["WindowExecutionId"]))
    return [
        Execution(
            execution_id=e["WindowExecutionId"],
            status=str(e.get("Status", "")),
            status_details=str(e.get("StatusDetails") or ""),
            start=_time(e.get("StartTime")),
            end=_time(e.get("EndTime")),
        )
        for e in reversed(found[-LAST_EXECUTIONS:])
    ]


def _time(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return None
