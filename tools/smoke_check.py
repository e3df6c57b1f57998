"""Smoke check against a real (sandbox) AWS account: what does AWS fill in or change?

Usage: ``python tools/smoke_check.py [--region R] [--profile P] [--endpoint-url URL]
[--name smoke-xxxx] [--keep]``

1. runs the real CLI to create one tiny setup under a unique name (one window,
   ``-w 1 -d 2 -t 3``: a baseline, its patch group, a window, a target, a task);
2. reads everything back with boto3 and reports, per resource, every field AWS
   filled in (``+``) or changed (``~``) compared with what the tool sent (the
   create calls of the tool's own plan);
3. runs the CLI again with ``--dry-run --output json`` and reports whether the
   re-run plans nothing;
4. cleans up with ``ssm-patching-cleanup --yes`` (unless ``--keep``) and checks
   nothing of that name is left.

Exit 0 only if the re-run plans nothing and the cleanup is complete (``--keep``
skips the cleanup check); 1 otherwise. The local stand-in can only approximate
AWS: run this once per account type against a sandbox before trusting a
"re-run writes nothing" in production.
"""

from __future__ import annotations

import argparse
import json
import secrets
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from patchsetup.baselines.presets import preset
from patchsetup.deploy.plan import Ref
from patchsetup.deploy.planner import plan
from patchsetup.deploy.remote import RemoteState
from patchsetup.model import OWNER_TAG
from patchsetup.seed import FlagOptions, build_setup

WINDOW = ("-w", "1", "-d", "2", "-t", "3")
#: Request-only members and what only AWS can know: never a "change".
IGNORED = {"ClientToken", "Tags", "Replace", "ResponseMetadata", "CreatedDate", "ModifiedDate"}
IGNORED |= {"NextExecutionTime", "WindowId", "WindowTargetId", "WindowTaskId", "BaselineId"}
IGNORED |= {"PatchGroups", "Type", "TaskType"}


def _cli(args: argparse.Namespace, script: str, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "patchsetup", *([script] if script else [])]
    common = ["-r", args.region, "--name", args.name]
    common += ["--profile", args.profile] if args.profile else []
    common += ["--endpoint-url", args.endpoint_url] if args.endpoint_url else []
    return subprocess.run(
        [*command, *common, *extra], capture_output=True, text=True, timeout=600, check=False
    )


def _report(result: subprocess.CompletedProcess[str], what: str) -> dict[str, Any]:
    if result.returncode != 0:
        raise SystemExit(f"smoke: {what} failed (exit {result.returncode}): {result.stderr}")
    document: dict[str, Any] = json.loads(result.stdout)
    target: dict[str, Any] = document["targets"][0]  # one region: the one target
    return target


def differences(sent: Mapping[str, Any], got: Mapping[str, Any], path: str = "") -> list[str]:
    """``+ field = value`` for what AWS added, ``~ field: sent -> got`` for what it changed."""
    lines: list[str] = []
    for key in sorted(set(sent) | set(got)):
        if key in IGNORED and not path:
            continue
        where = f"{path}{key}"
        if key not in sent:
            lines.append(f"+ {where} = {json.dumps(got[key], default=str)}")
        elif key not in got:
            lines.append(f"- {where} (sent {json.dumps(sent[key], default=str)}, not reported)")
        else:
            lines += _compare(sent[key], got[key], where)
    return lines


def _compare(sent: Any, got: Any, where: str) -> list[str]:
    if isinstance(sent, Mapping) and isinstance(got, Mapping):
        return differences(sent, got, f"{where}.")
    if isinstance(sent, list) and isinstance(got, list) and len(sent) == len(got):
        return [
            line
            for i, (s, g) in enumerate(zip(sent, got, strict=True))
            for line in _compare(s, g, f"{where}[{i}]")
        ]
    if _has_ref(sent) or sent == got:
        return []  # an ID only known once created: not a change
    return [f"~ {where}: {json.dumps(sent)} -> {json.dumps(got, default=str)}"]


def _has_ref(value: Any) -> bool:
    if isinstance(value, Ref):
        return True
    if isinstance(value, Mapping):
        return any(_has_ref(v) for v in value.values())
    return isinstance(value, list) and any(_has_ref(v) for v in value)


def sent_requests(name: str) -> dict[str, dict[str, Any]]:
    """What the tool sends for this setup: its plan's create calls, by resource kind."""
    options = FlagOptions(weeks=(1,), days=(2,), hours=(3,), name=name)
    desired = build_setup(options, preset("AMAZON_LINUX_2"))
    calls = {c.kind: c.calls for c in plan(desired, RemoteState()).changes}
    return {kind: dict(found[0].params) for kind, found in calls.items()}


def read_back(ssm: Any, name: str) -> dict[str, dict[str, Any]]:
    """GetMaintenanceWindow/-Task, DescribeMaintenanceWindowTargets, GetPatchBaseline."""
    found: dict[str, dict[str, Any]] = {}
    for identity in _owned_windows(ssm, name):
        window_id = identity["WindowId"]
        found["window"] = ssm.get_maintenance_window(WindowId=window_id)
        targets = ssm.describe_maintenance_window_targets(WindowId=window_id)["Targets"]
        found["target"] = targets[0] if targets else {}
        tasks = ssm.describe_maintenance_window_tasks(WindowId=window_id)["Tasks"]
        if tasks:
            task_id = tasks[0]["WindowTaskId"]
            found["task"] = ssm.get_maintenance_window_task(
                WindowId=window_id, WindowTaskId=task_id
            )
    for baseline_id in _owned_baselines(ssm, name):
        found["baseline"] = ssm.get_patch_baseline(BaselineId=baseline_id)
        for group in found["baseline"].get("PatchGroups", []):
            found["patch-group"] = {"BaselineId": baseline_id, "PatchGroup": group}
    return found


def _tags(ssm: Any, kind: str, resource_id: str) -> dict[str, str]:
    tags = ssm.list_tags_for_resource(ResourceType=kind, ResourceId=resource_id)["TagList"]
    return {t["Key"]: t["Value"] for t in tags}


def _owned_windows(ssm: Any, name: str) -> list[dict[str, Any]]:
    pages = ssm.get_paginator("describe_maintenance_windows").paginate()
    windows = [w for page in pages for w in page["WindowIdentities"]]
    return [
        w for w in windows if _tags(ssm, "MaintenanceWindow", w["WindowId"]).get(OWNER_TAG) == name
    ]


def _owned_baselines(ssm: Any, name: str) -> list[str]:
    pages = ssm.get_paginator("describe_patch_baselines").paginate(
        Filters=[{"Key": "OWNER", "Values": ["Self"]}]
    )
    ids = [b["BaselineId"] for page in pages for b in page["BaselineIdentities"]]
    return [i for i in ids if _tags(ssm, "PatchBaseline", i).get(OWNER_TAG) == name]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--region", default=None, help="region (default: the profile's)")
    parser.add_argument("--profile", default=None, help="AWS profile to use")
    parser.add_argument("--endpoint-url", default=None, help="another endpoint (tests)")
    parser.add_argument("--name", default=f"smoke-{secrets.token_hex(4)}", help="setup name")
    parser.add_argument("--keep", action="store_true", help="skip the cleanup")
    args = parser.parse_args(argv)
    session = boto3.session.Session(profile_name=args.profile, region_name=args.region)
    args.region = args.region or session.region_name
    if not args.region:
        parser.error("no region: give --region or a profile with one")
    ssm = session.client("ssm", endpoint_url=args.endpoint_url)

    print(f"smoke: setup {args.name!r} in {args.region}")
    created = _report(_cli(args, "", *WINDOW, "--yes", "--output", "json"), "setup")
    print(f"smoke: created {created['summary']['create']} resources")
    sent, got = sent_requests(args.name), read_back(ssm, args.name)
    for kind in ("window", "target", "task", "baseline", "patch-group"):
        lines = differences(sent.get(kind, {}), got.get(kind, {}))
        print(f"{kind}: {'as sent' if not lines else f'{len(lines)} field(s) differ'}")
        for line in lines:
            print(f"  {line}")

    again = _report(_cli(args, "", *WINDOW, "--dry-run", "--output", "json"), "re-run")
    planned = {k: v for k, v in again["summary"].items() if k in ("create", "update", "delete")}
    converged = not any(planned.values())
    print(f"re-run: {'plans nothing' if converged else f'PLANS CHANGES {planned}'}")
    for resource in again["resources"]:
        for change in resource["changes"]:
            print(f"  {resource['kind']} {resource['name']}: {change['field']}: {change['old']}")

    if args.keep:
        print(f"cleanup: skipped (--keep); remove it with ssm-patching-cleanup --name {args.name}")
        return 0 if converged else 1
    _report(_cli(args, "cleanup", "--yes", "--output", "json"), "cleanup")
    left = len(_owned_windows(ssm, args.name)) + len(_owned_baselines(ssm, args.name))
    print(f"cleanup: {'complete' if not left else f'INCOMPLETE, {left} left'}")
    return 0 if converged and not left else 1


if __name__ == "__main__":
    sys.exit(main())
