"""The one reader of an account for the tests (boto3, straight from an endpoint).

Every view of an account here is built from the same reads, all pages: ``window_ids``
and ``read_window`` (a window with its tags, targets and tasks), ``owned_baselines`` and
``mappings`` (the patch-group registrations). The views:

* ``snapshot(url)``: the whole account with IDs replaced by names and timestamps left
  out, so that two accounts built by different runs compare equal exactly when they
  hold the same resources: every window with its tags, targets and tasks, every custom
  baseline with its tags, every patch-group registration, every SSM parameter and every
  IAM role. Resources are keyed by name; a second one of the same name is keyed
  ``name (2)``, so a duplicate is a visible extra key, never hidden. ``assert_same`` /
  ``assert_account`` compare two of them; read through ``direct_env`` it never goes
  through the fault proxy, so it counts nothing there.
* ``read_account(aws)``: every window (with targets, tasks, tags), custom baseline,
  registration and role (with its policies), IDs kept, a duplicate name an assertion;
  ``flatten`` / ``account_diff`` compare two readings without the volatile fields.
* ``windows(ssm)``, ``custom_baselines(ssm)``, ``patch_groups(ssm)``: one kind each, on
  one client (one region), for the tests that look at a single kind; and the small reads
  they are built from, for a quick check: ``window_identities`` / ``window_ids`` /
  ``window_names`` (DescribeMaintenanceWindows), ``read_task``, ``tags``,
  ``aws_baselines`` (the AWS-owned ones), ``baseline_for_patch_group`` and
  ``parameter_names``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from tests.helpers.endpoint import client, direct_env

# Left out of snapshots: IDs (replaced by names) and values that change with every
# write or with the clock.
VOLATILE = {
    "WindowId",
    "WindowTargetId",
    "WindowTaskId",
    "BaselineId",
    "CreatedDate",
    "ModifiedDate",
    "NextExecutionTime",
    "ResponseMetadata",
    "LastModifiedDate",
    "Version",
    "CreateDate",
    "RoleId",
    "RoleLastUsed",
}


# -- reading ----------------------------------------------------------------------


def pages(api: Any, operation: str, key: str, **params: Any) -> Iterator[dict[str, Any]]:
    for page in api.get_paginator(operation).paginate(**params):
        yield from page[key]


def _strip(response: dict[str, Any]) -> dict[str, Any]:
    response.pop("ResponseMetadata", None)
    return response


def _clean(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in VOLATILE}


def _keyed(items: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Items by name; the n-th duplicate of a name is keyed ``name (n)``."""
    found: dict[str, Any] = {}
    for name, item in sorted(items, key=lambda pair: (pair[0], json.dumps(pair[1], default=str))):
        key, n = name, 1
        while key in found:
            n += 1
            key = f"{name} ({n})"
        found[key] = item
    return found


def tags(ssm: Any, resource_type: str, resource_id: str) -> dict[str, str]:
    listed = ssm.list_tags_for_resource(ResourceType=resource_type, ResourceId=resource_id)
    return {t["Key"]: t["Value"] for t in listed["TagList"]}


def window_identities(ssm: Any) -> list[dict[str, Any]]:
    """Every maintenance window as DescribeMaintenanceWindows lists it, all pages."""
    return list(pages(ssm, "describe_maintenance_windows", "WindowIdentities"))


def window_ids(ssm: Any) -> list[str]:
    """Every maintenance window's ID, all pages."""
    return [w["WindowId"] for w in window_identities(ssm)]


def window_names(ssm: Any) -> list[str]:
    """Every maintenance window's name, sorted, all pages (a duplicate is listed twice)."""
    return sorted(w["Name"] for w in window_identities(ssm))


def read_task(ssm: Any, window_id: str, task_id: str) -> dict[str, Any]:
    """One task as GetMaintenanceWindowTask reports it."""
    return _strip(ssm.get_maintenance_window_task(WindowId=window_id, WindowTaskId=task_id))


def read_window(ssm: Any, window_id: str) -> tuple[dict[str, Any], list[Any], list[Any]]:
    """One window as AWS reports it: GetMaintenanceWindow's fields with its "Tags", its
    targets (DescribeMaintenanceWindowTargets) and its tasks (GetMaintenanceWindowTask each).
    """
    window = _strip(ssm.get_maintenance_window(WindowId=window_id))
    window["Tags"] = tags(ssm, "MaintenanceWindow", window_id)
    targets = list(pages(ssm, "describe_maintenance_window_targets", "Targets", WindowId=window_id))
    tasks = [
        read_task(ssm, window_id, t["WindowTaskId"])
        for t in pages(ssm, "describe_maintenance_window_tasks", "Tasks", WindowId=window_id)
    ]
    return window, targets, tasks


def owned_baselines(ssm: Any) -> list[dict[str, Any]]:
    """Every custom baseline as GetPatchBaseline reports it, all pages."""
    owned = [{"Key": "OWNER", "Values": ["Self"]}]
    return [
        _strip(ssm.get_patch_baseline(BaselineId=identity["BaselineId"]))
        for identity in pages(ssm, "describe_patch_baselines", "BaselineIdentities", Filters=owned)
    ]


def aws_baselines(ssm: Any) -> list[dict[str, Any]]:
    """Every AWS-owned (predefined) baseline as DescribePatchBaselines lists it, all pages."""
    owned = [{"Key": "OWNER", "Values": ["AWS"]}]
    return list(pages(ssm, "describe_patch_baselines", "BaselineIdentities", Filters=owned))


def mappings(ssm: Any) -> list[dict[str, Any]]:
    """Every patch-group registration (DescribePatchGroups' Mappings), all pages."""
    return list(pages(ssm, "describe_patch_groups", "Mappings"))


def baseline_for_patch_group(ssm: Any, patch_group: str, operating_system: str) -> str:
    """The ID of the baseline registered for the group and OS (GetPatchBaselineForPatchGroup)."""
    found = ssm.get_patch_baseline_for_patch_group(
        PatchGroup=patch_group, OperatingSystem=operating_system
    )
    return str(found["BaselineId"])


def parameter_names(ssm: Any) -> list[str]:
    """Every SSM parameter's name, sorted, all pages."""
    return sorted(p["Name"] for p in pages(ssm, "describe_parameters", "Parameters"))


# -- snapshot: IDs replaced by names, nothing volatile ----------------------------------


def _window(ssm: Any, window_id: str) -> dict[str, Any]:
    found, targets, found_tasks = read_window(ssm, window_id)
    window = _clean(found)
    names = {t["WindowTargetId"]: t.get("Name", t["WindowTargetId"]) for t in targets}
    window["Targets"] = _keyed((t.get("Name", "?"), _clean(t)) for t in targets)
    tasks = []
    for found_task in found_tasks:
        task = _clean(found_task)
        # Target IDs differ from run to run: name them (an unknown one stays visible).
        for selector in task.get("Targets", []):
            if selector["Key"] == "WindowTargetIds":
                selector["Values"] = [
                    f"target {names[v]}" if v in names else f"dangling {v}"
                    for v in selector["Values"]
                ]
        tasks.append((task.get("Name", "?"), task))
    window["Tasks"] = _keyed(tasks)
    return window


def snapshot(url: str) -> dict[str, Any]:
    """The whole account (see the module docstring), read from the endpoint at ``url``."""
    env = direct_env(url)
    ssm, iam = client(env, "ssm"), client(env, "iam")
    windows = _keyed((w["Name"], w) for w in (_window(ssm, wid) for wid in window_ids(ssm)))
    baselines = []
    for found in owned_baselines(ssm):
        baseline = _clean(found)
        baseline["Tags"] = tags(ssm, "PatchBaseline", found["BaselineId"])
        baseline["PatchGroups"] = sorted(baseline.get("PatchGroups", []))
        baselines.append((baseline["Name"], baseline))
    registrations = sorted(
        f"{m['PatchGroup']} -> {m['BaselineIdentity']['BaselineName']} "
        f"({m['BaselineIdentity']['OperatingSystem']})"
        for m in mappings(ssm)
    )
    parameters = parameter_names(ssm)
    roles = sorted(r["Path"] + r["RoleName"] for r in pages(iam, "list_roles", "Roles"))
    return {
        "windows": windows,
        "baselines": _keyed(baselines),
        "registrations": registrations,
        "parameters": parameters,
        "roles": roles,
    }


def counts(account: dict[str, Any]) -> dict[str, int]:
    """How many of each resource the snapshot holds."""
    windows = account["windows"].values()
    return {
        "windows": len(account["windows"]),
        "targets": sum(len(w["Targets"]) for w in windows),
        "tasks": sum(len(w["Tasks"]) for w in windows),
        "baselines": len(account["baselines"]),
        "registrations": len(account["registrations"]),
        "parameters": len(account["parameters"]),
        "roles": len(account["roles"]),
    }


def _flatten(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return {path: value}
    leaves: dict[str, Any] = {path: type(value).__name__} if not value else {}
    for key, item in items:
        leaves.update(_flatten(item, f"{path}/{key}" if path else str(key)))
    return leaves


def snapshot_diff(want: dict[str, Any], have: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Leaf paths whose values differ: {path: (wanted, found)}; {} when equal."""
    old, new = _flatten(want), _flatten(have)
    return {
        k: (old.get(k), new.get(k))
        for k in sorted(old.keys() | new.keys())
        if old.get(k) != new.get(k)
    }


def assert_same(want: dict[str, Any], have: dict[str, Any], when: str) -> None:
    """Two snapshots are equal: same resources, same counts, same fields."""
    diff = snapshot_diff(want, have)
    assert not diff and have == want, (
        f"{when}: the account is not the expected one\n"
        f"counts: want {counts(want)}, have {counts(have)}\n"
        + "\n".join(f"  {path}: want {a!r}, have {b!r}" for path, (a, b) in list(diff.items())[:40])
    )


def assert_account(url: str, want: dict[str, Any], when: str) -> None:
    """The account at ``url`` equals the snapshot ``want`` exactly."""
    assert_same(want, snapshot(url), when)


# -- read_account: IDs kept, every field -------------------------------------------


# Values that change on every write or with the clock, left out when two readings
# of the account are compared.
READ_VOLATILE = {"ModifiedDate", "CreatedDate", "CreateDate", "NextExecutionTime", "RoleLastUsed"}


def _by_name(items: Iterable[dict[str, Any]], what: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for item in items:
        assert item["Name"] not in found, f"duplicate {what} {item['Name']!r}"
        found[item["Name"]] = item
    return found


def _policy(document: Any) -> dict[str, Any]:
    """IAM policy documents come back as dicts or URL-decoded JSON text."""
    return json.loads(document) if isinstance(document, str) else dict(document)


def read_account(aws: Any) -> dict[str, Any]:
    """Every window (with targets, tasks, tags), custom baseline, registration and role."""
    ssm, iam = client(aws, "ssm"), client(aws, "iam")
    windows = []
    for wid in window_ids(ssm):
        window, targets, tasks = read_window(ssm, wid)
        window["Targets"] = _by_name(targets, "target")
        window["Tasks"] = _by_name(tasks, "task")
        windows.append(window)
    baselines = []
    for baseline in owned_baselines(ssm):
        baseline["Tags"] = tags(ssm, "PatchBaseline", baseline["BaselineId"])
        baselines.append(baseline)
    registrations = [
        (
            m["PatchGroup"],
            m["BaselineIdentity"]["BaselineName"],
            m["BaselineIdentity"]["OperatingSystem"],
        )
        for m in mappings(ssm)
    ]
    assert len(registrations) == len(set(registrations)), registrations
    roles: dict[str, dict[str, Any]] = {}
    for listed in pages(iam, "list_roles", "Roles"):
        name = listed["RoleName"]
        role = iam.get_role(RoleName=name)["Role"]
        role["AssumeRolePolicyDocument"] = _policy(role["AssumeRolePolicyDocument"])
        role["Tags"] = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=name)["Tags"]}
        role["Policies"] = {
            p: _policy(iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"])
            for p in pages(iam, "list_role_policies", "PolicyNames", RoleName=name)
        }
        roles[name] = role
    return {
        "windows": _by_name(windows, "window"),
        "baselines": _by_name(baselines, "baseline"),
        "registrations": set(registrations),
        "roles": roles,
    }


def flatten(value: Any, path: str = "") -> dict[str, Any]:
    """Leaf values by path ("windows/W/Tasks/T/MaxErrors"), without the volatile ones."""
    if isinstance(value, dict):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list | set):
        items = enumerate(sorted(value) if isinstance(value, set) else value)
    else:
        return {path: value}
    leaves: dict[str, Any] = {}
    for key, item in items:
        if key not in READ_VOLATILE:
            leaves.update(flatten(item, f"{path}/{key}" if path else str(key)))
    return leaves


def account_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    old, new = flatten(before), flatten(after)
    return {
        k: (old.get(k), new.get(k)) for k in old.keys() | new.keys() if old.get(k) != new.get(k)
    }


# -- one kind at a time, on one client ----------------------------------------------


def windows(ssm: Any) -> dict[str, dict[str, Any]]:
    """Every window by name, with GetMaintenanceWindow's fields, targets, tasks and tags."""
    found: dict[str, dict[str, Any]] = {}
    for wid in window_ids(ssm):
        window, targets, tasks = read_window(ssm, wid)
        window["Targets"] = targets
        window["Tasks"] = tasks
        assert window["Name"] not in found, f"duplicate window {window['Name']}"
        found[window["Name"]] = window
    return found


def custom_baselines(ssm: Any) -> list[dict[str, Any]]:
    return owned_baselines(ssm)


def patch_groups(ssm: Any) -> dict[str, str]:
    """Patch group -> baseline name."""
    return {m["PatchGroup"]: m["BaselineIdentity"]["BaselineName"] for m in mappings(ssm)}


def assert_empty(ssm: Any) -> None:
    assert windows(ssm) == {}
    assert custom_baselines(ssm) == []
    assert patch_groups(ssm) == {}
