"""A region's maintenance windows as ``RemoteWindow``: identities, targets, tasks.

Read calls only, one small function per AWS action; ``reader`` decides which
windows are read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from patchsetup.aws.gate import Gate
from patchsetup.aws.listing import PAGE, drain, strip
from patchsetup.deploy.remote import UNKNOWN, RemoteTarget, RemoteTask, RemoteWindow

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient
else:
    SSMClient = Any


def describe_maintenance_windows(ssm: SSMClient) -> Iterator[dict[str, Any]]:
    """Every maintenance window identity in the region."""
    for page in ssm.get_paginator("describe_maintenance_windows").paginate(**PAGE):
        yield from page.get("WindowIdentities", [])  # type: ignore[misc]


def read_windows(
    ssm: SSMClient,
    found: list[tuple[dict[str, Any], dict[str, str]]],
    *,
    full: bool = False,
    gate: Gate | None = None,
) -> list[RemoteWindow]:
    """Windows (listing entry and tags) with their targets and tasks, in that order.

    Two flat rounds, however many windows: every window's target and task listings,
    then every task in full (with its invocation parameters). Flat, so the threads
    stay at the gate's limit instead of multiplying per window.

    The listing already holds every window field but AllowUnassociatedTargets, so
    only ``full`` (status) spends a GetMaintenanceWindow call per window on it;
    otherwise that field reads as UNKNOWN and is never a difference. An update
    (Replace=True) sets it whenever anything else about the window changes.
    """
    gate = gate or Gate(1)
    windows = [
        RemoteWindow(
            window_id=identity["WindowId"],
            fields={} if full else {**identity, "AllowUnassociatedTargets": UNKNOWN},
            tags=tags,
        )
        for identity, tags in found
    ]
    summaries: dict[str, list[dict[str, Any]]] = {}

    def fields(window: RemoteWindow) -> None:
        got = gate.call(ssm.get_maintenance_window, WindowId=window.window_id)
        window.fields = strip(dict(got))

    def targets(window: RemoteWindow) -> None:
        listing = describe_maintenance_window_targets(ssm, window.window_id)
        window.targets = gate.call(drain, listing)

    def tasks(window: RemoteWindow) -> None:
        listing = describe_maintenance_window_tasks(ssm, window.window_id)
        summaries[window.window_id] = gate.call(drain, listing)

    parts = [fields, targets, tasks] if full else [targets, tasks]
    gate.each(lambda job: job[0](job[1]), [(part, w) for w in windows for part in parts])
    wanted = [(w, t["WindowTaskId"]) for w in windows for t in summaries[w.window_id]]
    details = gate.each(
        lambda job: gate.call(get_maintenance_window_task, ssm, job[0].window_id, job[1]), wanted
    )
    for window in windows:
        window.tasks = [task for (w, _), task in zip(wanted, details, strict=True) if w is window]
    return windows


def describe_maintenance_window_targets(ssm: SSMClient, window_id: str) -> Iterator[RemoteTarget]:
    """A window's registered targets."""
    paginator = ssm.get_paginator("describe_maintenance_window_targets")
    for page in paginator.paginate(WindowId=window_id, **PAGE):
        for target in page.get("Targets", []):
            yield RemoteTarget(target["WindowTargetId"], strip(dict(target)))


def describe_maintenance_window_tasks(ssm: SSMClient, window_id: str) -> Iterator[dict[str, Any]]:
    """A window's task summaries (no invocation parameters)."""
    paginator = ssm.get_paginator("describe_maintenance_window_tasks")
    for page in paginator.paginate(WindowId=window_id, **PAGE):
        yield from page.get("Tasks", [])  # type: ignore[misc]


def get_maintenance_window_task(ssm: SSMClient, window_id: str, task_id: str) -> RemoteTask:
    """One task in full, including TaskInvocationParameters."""
    response = ssm.get_maintenance_window_task(WindowId=window_id, WindowTaskId=task_id)
    return RemoteTask(task_id, strip(dict(response)))
