"""Patch compliance and window executions in the SSM stand-in (gap 9 of tools/local_aws.py).

moto 5.2.5 has neither. Both are seeded through the local API (localapi.py):

* ``seed_patch_states`` (``POST /local-api/patch-states``): one InstancePatchState per
  managed node (fleet.py), replacing the node's earlier one, as a new scan or install
  does. PatchGroup defaults to the node's current ``Patch Group`` / ``PatchGroup`` tag,
  BaselineId to the baseline registered for that patch group and the node's operating
  system (else the OS's default), counts to 0, times to now.
* ``seed_window_executions`` (``POST /local-api/window-executions``): executions of an
  existing window.

Read by DescribeInstancePatchStates, DescribeInstancePatchStatesForPatchGroup,
DescribePatchGroupState and DescribeMaintenanceWindowExecutions (handlers.py).
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .baselines import get_patch_group_baseline
from .fleet import ManagedNode, SeedError, fleet_of, node_tags, ssm_backend
from .predefined import JSON
from .resources import LOCK, Backend, LocalSSMError, utc_now, validation_error

#: The count members of InstancePatchState; the first eight are the documented filter keys.
COUNTS = (
    "InstalledCount",
    "InstalledOtherCount",
    "InstalledPendingRebootCount",
    "InstalledRejectedCount",
    "MissingCount",
    "FailedCount",
    "UnreportedNotApplicableCount",
    "NotApplicableCount",
    "CriticalNonCompliantCount",
    "SecurityNonCompliantCount",
    "OtherNonCompliantCount",
    "AvailableSecurityUpdateCount",
)
FILTER_KEYS = COUNTS[:8]
#: DescribePatchGroupState member -> the count whose being > 0 puts an instance in it.
GROUP_STATE = {
    "InstancesWithInstalledPatches": "InstalledCount",
    "InstancesWithInstalledOtherPatches": "InstalledOtherCount",
    "InstancesWithInstalledPendingRebootPatches": "InstalledPendingRebootCount",
    "InstancesWithInstalledRejectedPatches": "InstalledRejectedCount",
    "InstancesWithMissingPatches": "MissingCount",
    "InstancesWithFailedPatches": "FailedCount",
    "InstancesWithNotApplicablePatches": "NotApplicableCount",
    "InstancesWithUnreportedNotApplicablePatches": "UnreportedNotApplicableCount",
    "InstancesWithCriticalNonCompliantPatches": "CriticalNonCompliantCount",
    "InstancesWithSecurityNonCompliantPatches": "SecurityNonCompliantCount",
    "InstancesWithOtherNonCompliantPatches": "OtherNonCompliantCount",
    "InstancesWithAvailableSecurityUpdates": "AvailableSecurityUpdateCount",
}
EXECUTION_STATUSES = (
    "PENDING",
    "IN_PROGRESS",
    "SUCCESS",
    "FAILED",
    "TIMED_OUT",
    "CANCELLING",
    "CANCELLED",
    "SKIPPED_OVERLAPPING",
)
_UNFINISHED = ("PENDING", "IN_PROGRESS", "CANCELLING")
PATCH_GROUP_TAGS = ("Patch Group", "PatchGroup")
_BASELINE_ID = re.compile(r"^[a-zA-Z0-9_\-:/]{20,128}$")
_PATCH_GROUP = re.compile(r"^[\w\s.:/=+\-@]{1,256}$")


@dataclass
class Compliance:
    states: dict[str, JSON] = field(default_factory=dict)  # InstanceId -> InstancePatchState
    executions: list[JSON] = field(default_factory=list)  # MaintenanceWindowExecution


def compliance_of(backend: Backend) -> Compliance:
    with LOCK:
        found = backend.__dict__.get("_local_ssm_compliance")
        if isinstance(found, Compliance):
            return found
        made = Compliance()
        backend.__dict__["_local_ssm_compliance"] = made
        return made


def parse_time(value: Any, name: str) -> dt.datetime:
    """An ISO 8601 string or epoch seconds, as UTC (SeedError otherwise)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, dt.UTC)
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    raise SeedError(f"{name} must be an ISO 8601 date/time or epoch seconds, got {value!r}")


def operating_system(node: ManagedNode) -> str:
    """The patch baseline OperatingSystem of a node, from its platform (approximate)."""
    if node.platform_type in ("Windows", "MacOS"):
        return node.platform_type.upper()
    name = node.platform_name.lower()
    for fragment, os_name in (
        ("ubuntu", "UBUNTU"),
        ("red hat", "REDHAT_ENTERPRISE_LINUX"),
        ("suse", "SUSE"),
        ("centos", "CENTOS"),
        ("oracle", "ORACLE_LINUX"),
        ("debian", "DEBIAN"),
        ("raspbian", "RASPBIAN"),
        ("rocky", "ROCKY_LINUX"),
        ("alma", "ALMA_LINUX"),
    ):
        if fragment in name:
            return os_name
    version = node.platform_version.split(".")[0]
    return {"2": "AMAZON_LINUX_2", "2022": "AMAZON_LINUX_2022", "2023": "AMAZON_LINUX_2023"}.get(
        version, "AMAZON_LINUX_2023" if version.startswith("20") else "AMAZON_LINUX"
    )


def _patch_state(backend: Backend, node: ManagedNode, s: JSON) -> JSON:
    group = s.get("PatchGroup")
    if group is None:
        tags = node_tags(backend, node)
        group = next((tags[k] for k in PATCH_GROUP_TAGS if tags.get(k)), None)
        if group is None:
            raise SeedError(f"{node.instance_id} has no patch group tag: give PatchGroup")
    if not isinstance(group, str) or not _PATCH_GROUP.match(group):
        raise SeedError(f"PatchGroup must match the API's pattern, got {group!r}")
    baseline = s.get("BaselineId") or get_patch_group_baseline(
        backend, group, operating_system(node)
    )
    if not isinstance(baseline, str) or not _BASELINE_ID.match(baseline):
        raise SeedError(f"BaselineId must match the API's pattern, got {baseline!r}")
    state: JSON = {"InstanceId": node.instance_id, "PatchGroup": group, "BaselineId": baseline}
    for key in COUNTS:
        count = s.get(key, 0)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise SeedError(f"{key} must be an integer >= 0, got {count!r}")
        state[key] = count
    operation = s.get("Operation", "Install")
    if operation not in ("Scan", "Install"):
        raise SeedError(f"Operation must be Scan or Install, got {operation!r}")
    state["Operation"] = operation
    now = utc_now()
    start = (
        parse_time(s["OperationStartTime"], "OperationStartTime")
        if "OperationStartTime" in s
        else now
    )
    end = (
        parse_time(s["OperationEndTime"], "OperationEndTime")
        if "OperationEndTime" in s
        else max(now, start)
    )
    if end < start:
        raise SeedError("OperationEndTime must not be before OperationStartTime")
    state["OperationStartTime"], state["OperationEndTime"] = start, end
    if s.get("RebootOption") is not None:
        if s["RebootOption"] not in ("RebootIfNeeded", "NoReboot"):
            raise SeedError(
                f"RebootOption must be RebootIfNeeded or NoReboot, got {s['RebootOption']!r}"
            )
        state["RebootOption"] = s["RebootOption"]
    return state


def seed_patch_states(payload: JSON) -> JSON:
    """``POST /local-api/patch-states``: one state per managed node (all or nothing)."""
    backend = ssm_backend(payload.get("account"), payload.get("region"))
    states = payload.get("states")
    if not isinstance(states, list) or not all(isinstance(s, dict) for s in states):
        raise SeedError("states must be a list of objects")
    nodes = fleet_of(backend).nodes
    made = []
    for s in states:
        node = nodes.get(str(s.get("InstanceId")))
        if node is None:
            raise SeedError(
                f"no managed node {s.get('InstanceId')!r} in {backend.account_id} "
                f"{backend.region_name}"
            )
        made.append(_patch_state(backend, node, s))
    stored = compliance_of(backend).states
    for state in made:
        stored[state["InstanceId"]] = state
    return {"InstanceIds": [s["InstanceId"] for s in made]}


def seed_window_executions(payload: JSON) -> JSON:
    """``POST /local-api/window-executions``: executions of existing windows."""
    backend = ssm_backend(payload.get("account"), payload.get("region"))
    executions = payload.get("executions")
    if not isinstance(executions, list) or not all(isinstance(e, dict) for e in executions):
        raise SeedError("executions must be a list of objects")
    made = []
    for e in executions:
        if e.get("WindowId") not in backend.windows:
            raise SeedError(
                f"no maintenance window {e.get('WindowId')!r} in {backend.account_id} "
                f"{backend.region_name}"
            )
        status = e.get("Status", "SUCCESS")
        if status not in EXECUTION_STATUSES:
            raise SeedError(
                f"Status must be one of {', '.join(EXECUTION_STATUSES)}, got {status!r}"
            )
        details = e.get("StatusDetails")
        if details is not None and (not isinstance(details, str) or len(details) > 250):
            raise SeedError("StatusDetails must be a string of at most 250 characters")
        start = (
            parse_time(e["StartTime"], "StartTime") if e.get("StartTime") is not None else utc_now()
        )
        end = None
        if e.get("EndTime") is not None:
            end = parse_time(e["EndTime"], "EndTime")
            if end < start:
                raise SeedError("EndTime must not be before StartTime")
        elif status not in _UNFINISHED:
            end = max(start, utc_now()) if e.get("StartTime") is None else start
        execution = {
            "WindowId": e["WindowId"],
            "WindowExecutionId": str(uuid.uuid4()),
            "Status": status,
            "StatusDetails": details,
            "StartTime": start,
            "EndTime": end,
        }
        made.append({k: v for k, v in execution.items() if v is not None})
    compliance_of(backend).executions.extend(made)
    return {"WindowExecutionIds": [e["WindowExecutionId"] for e in made]}


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


def describe_instance_patch_states(backend: Backend, instance_ids: list[str]) -> list[JSON]:
    states = compliance_of(backend).states
    seen: set[str] = set()
    out = []
    for instance_id in instance_ids:
        if instance_id in states and instance_id not in seen:
            seen.add(instance_id)
            out.append(dict(states[instance_id]))
    return out


_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "Equal": operator.eq,
    "NotEqual": operator.ne,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
}


def states_for_patch_group(backend: Backend, group: str, filters: list[JSON] | None) -> list[JSON]:
    checks = []
    for f in filters or []:
        if f["Key"] not in FILTER_KEYS:
            raise LocalSSMError(
                "InvalidFilter",
                f"The filter key {f['Key']} is not valid. Valid keys: {', '.join(FILTER_KEYS)}",
            )
        value = f["Values"][0]
        if not value.isdigit():
            raise LocalSSMError(
                "InvalidFilter", f"The filter value {value} must be an integer >= 0."
            )
        checks.append((f["Key"], _COMPARE[f["Type"]], int(value)))
    out = []
    for state in compliance_of(backend).states.values():
        if state["PatchGroup"] == group and all(cmp(state[k], v) for k, cmp, v in checks):
            out.append(dict(state))
    return out


def patch_group_state(backend: Backend, group: str) -> JSON:
    """DescribePatchGroupState: how many INSTANCES of the group have each kind of patch."""
    states = [s for s in compliance_of(backend).states.values() if s["PatchGroup"] == group]
    out: JSON = {"Instances": len(states)}
    for member, count in GROUP_STATE.items():
        out[member] = sum(1 for s in states if s[count] > 0)
    return out


def window_executions(backend: Backend, window_id: str, filters: list[JSON] | None) -> list[JSON]:
    """A window's executions, newest first, filtered by ExecutedBefore / ExecutedAfter."""
    bounds = []
    for f in filters or []:
        key, values = f.get("Key"), f.get("Values") or []
        if key not in ("ExecutedBefore", "ExecutedAfter") or len(values) != 1:
            raise validation_error(
                f"Invalid filter: {key}. Supported keys are ExecutedBefore and ExecutedAfter, "
                "each with one value."
            )
        try:
            when = parse_time(values[0], key)
        except SeedError:
            raise validation_error(f"Invalid date/time for {key}: {values[0]}") from None
        bounds.append((key, when))
    if window_id not in backend.windows:
        return []
    found = [e for e in compliance_of(backend).executions if e["WindowId"] == window_id]
    for key, when in bounds:
        if key == "ExecutedBefore":
            found = [e for e in found if e["StartTime"] < when]
        else:
            found = [e for e in found if e["StartTime"] > when]
    return sorted(found, key=lambda e: e["StartTime"], reverse=True)
