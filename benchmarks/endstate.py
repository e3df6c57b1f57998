"""What a run left in the local endpoint, comparable between runs: IDs replaced by names.

Read straight from the endpoint (never through the proxy, so it counts nothing), every
region given: each maintenance window with its tags, targets and tasks, each custom
baseline with its tags, each patch-group registration. IDs become the names of what
they point at and timestamps are left out, so two runs that made the same resources
compare equal however the endpoint numbered them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import boto3

#: Volatile values: the IDs (replaced by names) and what changes with the clock.
VOLATILE = {"CreatedDate", "ModifiedDate", "NextExecutionTime", "ResponseMetadata"}


def _pages(api: Any, operation: str, key: str, **params: Any) -> Iterator[dict[str, Any]]:
    for page in api.get_paginator(operation).paginate(**params):
        yield from page[key]


def _tags(ssm: Any, kind: str, resource: str) -> dict[str, str]:
    listed = ssm.list_tags_for_resource(ResourceType=kind, ResourceId=resource)["TagList"]
    return {t["Key"]: t["Value"] for t in listed}


def _region(url: str, region: str) -> dict[str, Any]:
    ssm = boto3.session.Session().client(
        "ssm",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id="benchmark",
        aws_secret_access_key="benchmark",
    )
    names: dict[str, str] = {}
    windows: dict[str, Any] = {}
    for window in _pages(ssm, "describe_maintenance_windows", "WindowIdentities"):
        wid = window["WindowId"]
        names[wid] = window["Name"]
        targets = list(_pages(ssm, "describe_maintenance_window_targets", "Targets", WindowId=wid))
        for target in targets:
            names[target["WindowTargetId"]] = f"{window['Name']}/{target.get('Name', '')}"
        tasks = list(_pages(ssm, "describe_maintenance_window_tasks", "Tasks", WindowId=wid))
        for task in tasks:
            names[task["WindowTaskId"]] = f"{window['Name']}/{task.get('Name', '')}"
        windows[window["Name"]] = {
            "window": window,
            "tags": _tags(ssm, "MaintenanceWindow", wid),
            "targets": sorted(targets, key=lambda t: t.get("Name", "")),
            "tasks": sorted(tasks, key=lambda t: t.get("Name", "")),
        }
    baselines: dict[str, Any] = {}
    owned = _pages(
        ssm,
        "describe_patch_baselines",
        "BaselineIdentities",
        Filters=[{"Key": "OWNER", "Values": ["Self"]}],
    )
    for baseline in owned:
        bid = baseline["BaselineId"]
        names[bid] = baseline["BaselineName"]
        baselines[baseline["BaselineName"]] = {
            "baseline": baseline,
            "tags": _tags(ssm, "PatchBaseline", bid),
        }
    groups = sorted(_pages(ssm, "describe_patch_groups", "Mappings"), key=lambda m: m["PatchGroup"])
    state = {"windows": windows, "baselines": baselines, "patch_groups": groups}
    named: dict[str, Any] = _named(state, names)
    return named


def _named(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _named(v, names) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_named(v, names) for v in value]
    if isinstance(value, str):
        return names.get(value, value)
    return value


def snapshot(url: str, regions: Sequence[str]) -> dict[str, Any]:
    """The state of every region, IDs as names (JSON-comparable)."""
    state = {region: _region(url, region) for region in regions}
    normal: dict[str, Any] = json.loads(json.dumps(state, default=str, sort_keys=True))
    return normal


def differences(want: dict[str, Any], have: dict[str, Any], limit: int = 5) -> list[str]:
    """The first few paths where two snapshots differ (empty: the same state)."""
    found: list[str] = []

    def walk(a: Any, b: Any, path: str) -> None:
        if len(found) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                walk(a.get(key), b.get(key), f"{path}/{key}")
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{path}[{i}]")
        elif a != b:
            found.append(
                f"{path}: {json.dumps(a, default=str)[:80]} != {json.dumps(b, default=str)[:80]}"
            )

    walk(want, have, "")
    return found
