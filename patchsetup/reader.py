"""What exists: reads one region's SSM state into ``state`` dataclasses.

Read calls only. One small function per AWS action. Ownership comes from the
owner tag on windows and baselines; targets and tasks belong to their window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import botocore.exceptions

from patchsetup.model import OWNER_TAG, PATCHING_DOCUMENTS, ROLE_PATH
from patchsetup.state import (
    UNKNOWN,
    Registration,
    RemoteBaseline,
    RemoteRole,
    RemoteState,
    RemoteTarget,
    RemoteTask,
    RemoteWindow,
)

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient
else:
    SSMClient = Any

log = logging.getLogger(__name__)

OwnerTest = Callable[[dict[str, str]], bool]
#: Windows and baselines read side by side (boto3 clients are thread-safe).
READ_CONCURRENCY = 8
#: The largest pages the describe calls allow: fewer round trips.
_PAGE: dict[str, Any] = {"PaginationConfig": {"PageSize": 100}}


def read_setup(
    ssm: SSMClient,
    setup_name: str,
    iam: Any = None,
    *,
    role_wanted: bool = False,
    full: bool = False,
) -> RemoteState:
    """Everything owned by ``setup_name`` in the client's region, and all registrations.

    With an IAM client, also the setup's service roles. An operator who wants no
    role need not grant IAM read access: a denial then only skips the roles.
    """
    owned: OwnerTest = lambda tags: tags.get(OWNER_TAG) == setup_name  # noqa: E731
    state = _read(ssm, owned, sweep=False, full=full)
    if iam is not None:
        state.roles = _roles_if_allowed(iam, owned, required=role_wanted)
    return state


def read_sweep(ssm: SSMClient, setup_name: str, iam: Any = None) -> RemoteState:
    """For ``cleanup --all-patching``: this setup's resources plus every untagged
    custom baseline and every untagged window that runs a patching task.

    Resources tagged for another setup name are left out, and so are the
    registrations of their baselines: the sweep never touches them.
    """
    state = _read(ssm, lambda tags: tags.get(OWNER_TAG) in (None, setup_name), sweep=True)
    if iam is not None:
        owned: OwnerTest = lambda tags: tags.get(OWNER_TAG) == setup_name  # noqa: E731
        state.roles = _roles_if_allowed(iam, owned, required=False)
    return state


def _read(ssm: SSMClient, owned: OwnerTest, *, sweep: bool, full: bool = False) -> RemoteState:
    state = RemoteState()
    identities = list(describe_maintenance_windows(ssm))
    state.account_windows = len(identities)
    # Each window costs a few round trips of its own: read them side by side.
    with ThreadPoolExecutor(max_workers=READ_CONCURRENCY) as pool:
        tags_of = list(
            pool.map(lambda i: list_tags(ssm, "MaintenanceWindow", i["WindowId"]), identities)
        )
        mine = [(i, t) for i, t in zip(identities, tags_of, strict=True) if owned(t)]
        windows = list(pool.map(lambda it: read_window(ssm, it[0], it[1], full=full), mine))
    for window in windows:
        tagged = OWNER_TAG in window.tags
        if (
            sweep
            and not tagged
            and not any(t.fields.get("TaskArn") in PATCHING_DOCUMENTS for t in window.tasks)
        ):
            continue
        state.windows.append(window)
    owners: dict[str, str | None] = {}
    baselines = list(describe_custom_baselines(ssm))
    state.account_baselines = len(baselines)
    with ThreadPoolExecutor(max_workers=READ_CONCURRENCY) as pool:
        tags_of = list(
            pool.map(lambda b: list_tags(ssm, "PatchBaseline", b["BaselineId"]), baselines)
        )
        for identity, tags in zip(baselines, tags_of, strict=True):
            owners[identity["BaselineId"]] = tags.get(OWNER_TAG)
        state.baselines = list(
            pool.map(
                lambda it: read_baseline(ssm, it[0]["BaselineId"], it[1]),
                [(b, t) for b, t in zip(baselines, tags_of, strict=True) if owned(t)],
            )
        )
    registrations = [
        replace(r, baseline_owner=owners.get(r.baseline_id)) for r in describe_patch_groups(ssm)
    ]
    # A sweep never touches another setup's registrations; a setup run must see
    # them, to refuse a patch group that another setup already holds.
    state.registrations = [r for r in registrations if not sweep or owned(_owner_tags(r))]
    log.debug(
        "read %d windows, %d baselines, %d registrations",
        len(state.windows),
        len(state.baselines),
        len(state.registrations),
    )
    return state


def _owner_tags(reg: Registration) -> dict[str, str]:
    return {OWNER_TAG: reg.baseline_owner} if reg.baseline_owner else {}


def describe_maintenance_windows(ssm: SSMClient) -> Iterator[dict[str, Any]]:
    """Every maintenance window identity in the region."""
    for page in ssm.get_paginator("describe_maintenance_windows").paginate(**_PAGE):
        yield from page.get("WindowIdentities", [])  # type: ignore[misc]


def list_tags(ssm: SSMClient, resource_type: str, resource_id: str) -> dict[str, str]:
    """A resource's tags as a dict."""
    response = ssm.list_tags_for_resource(
        ResourceType=resource_type,  # type: ignore[arg-type]
        ResourceId=resource_id,
    )
    return {t["Key"]: t["Value"] for t in response.get("TagList", [])}


def read_window(
    ssm: SSMClient, identity: dict[str, Any], tags: dict[str, str], *, full: bool = False
) -> RemoteWindow:
    """A window with its targets and tasks (task details include invocation parameters).

    The listing already holds every window field but AllowUnassociatedTargets, so
    only ``full`` (status) spends a GetMaintenanceWindow call per window on it;
    otherwise that field reads as UNKNOWN and is never a difference. An update
    (Replace=True) sets it whenever anything else about the window changes.
    """
    window_id = identity["WindowId"]
    if full:
        fields = _strip(dict(ssm.get_maintenance_window(WindowId=window_id)))
    else:
        fields = {**identity, "AllowUnassociatedTargets": UNKNOWN}
    window = RemoteWindow(window_id=window_id, fields=fields, tags=tags)
    window.targets = list(describe_maintenance_window_targets(ssm, window_id))
    window.tasks = [
        get_maintenance_window_task(ssm, window_id, task["WindowTaskId"])
        for task in describe_maintenance_window_tasks(ssm, window_id)
    ]
    return window


def describe_maintenance_window_targets(ssm: SSMClient, window_id: str) -> Iterator[RemoteTarget]:
    """A window's registered targets."""
    paginator = ssm.get_paginator("describe_maintenance_window_targets")
    for page in paginator.paginate(WindowId=window_id, **_PAGE):
        for target in page.get("Targets", []):
            yield RemoteTarget(target["WindowTargetId"], _strip(dict(target)))


def describe_maintenance_window_tasks(ssm: SSMClient, window_id: str) -> Iterator[dict[str, Any]]:
    """A window's task summaries (no invocation parameters)."""
    paginator = ssm.get_paginator("describe_maintenance_window_tasks")
    for page in paginator.paginate(WindowId=window_id, **_PAGE):
        yield from page.get("Tasks", [])  # type: ignore[misc]


def get_maintenance_window_task(ssm: SSMClient, window_id: str, task_id: str) -> RemoteTask:
    """One task in full, including TaskInvocationParameters."""
    response = ssm.get_maintenance_window_task(WindowId=window_id, WindowTaskId=task_id)
    return RemoteTask(task_id, _strip(dict(response)))


def describe_custom_baselines(ssm: SSMClient) -> Iterator[dict[str, Any]]:
    """Baselines this account owns (never AWS-owned ones)."""
    paginator = ssm.get_paginator("describe_patch_baselines")
    for page in paginator.paginate(Filters=[{"Key": "OWNER", "Values": ["Self"]}], **_PAGE):
        yield from page.get("BaselineIdentities", [])  # type: ignore[misc]


def read_baseline(ssm: SSMClient, baseline_id: str, tags: dict[str, str]) -> RemoteBaseline:
    """A baseline's rules as GetPatchBaseline reports them."""
    response = _strip(dict(ssm.get_patch_baseline(BaselineId=baseline_id)))
    return RemoteBaseline(
        baseline_id=baseline_id,
        name=str(response["Name"]),
        operating_system=str(response.get("OperatingSystem", "WINDOWS")),
        rules=response,
        tags=tags,
    )


def describe_patch_groups(ssm: SSMClient) -> Iterator[Registration]:
    """Every patch-group registration in the region."""
    for page in ssm.get_paginator("describe_patch_groups").paginate(**_PAGE):
        for mapping in page.get("Mappings", []):
            identity = mapping["BaselineIdentity"]
            yield Registration(
                patch_group=mapping["PatchGroup"],
                operating_system=identity.get("OperatingSystem", "WINDOWS"),
                baseline_id=identity["BaselineId"],
                baseline_name=identity.get("BaselineName", ""),
            )


def read_roles(iam: Any, owned: OwnerTest) -> list[RemoteRole]:
    """Roles under the tool's IAM path whose owner tag matches, with inline policies."""
    roles: list[RemoteRole] = []
    for page in iam.get_paginator("list_roles").paginate(PathPrefix=ROLE_PATH):
        for role in page.get("Roles", []):
            name = role["RoleName"]
            tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=name).get("Tags", [])}
            if not owned(tags):
                continue
            roles.append(
                RemoteRole(
                    name=name,
                    arn=role["Arn"],
                    description=role.get("Description"),
                    trust_policy=role.get("AssumeRolePolicyDocument", {}),
                    policies=_inline_policies(iam, name),
                    tags=tags,
                )
            )
    return roles


def _roles_if_allowed(iam: Any, owned: OwnerTest, *, required: bool) -> list[RemoteRole]:
    try:
        return read_roles(iam, owned)
    except botocore.exceptions.ClientError as exc:
        denied = exc.response.get("Error", {}).get("Code") in (
            "AccessDenied",
            "AccessDeniedException",
        )
        if required or not denied:
            raise
        log.warning("not allowed to list IAM roles: service roles are left as they are")
        return []


def _inline_policies(iam: Any, role: str) -> dict[str, dict[str, Any]]:
    policies: dict[str, dict[str, Any]] = {}
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=role):
        for name in page.get("PolicyNames", []):
            document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
            policies[name] = document
    return policies


def _strip(response: dict[str, Any]) -> dict[str, Any]:
    response.pop("ResponseMetadata", None)
    return response
