"""What exists: reads one region's SSM state into ``state`` dataclasses.

Read calls only. One small function per AWS action. Ownership comes from the
owner tag on windows and baselines; targets and tasks belong to their window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

import botocore.exceptions

from patchsetup.aws.gate import Gate
from patchsetup.deploy.remote import (
    UNKNOWN,
    Registration,
    RemoteBaseline,
    RemoteRole,
    RemoteState,
    RemoteTarget,
    RemoteTask,
    RemoteWindow,
)
from patchsetup.model import OWNER_TAG, PATCHING_DOCUMENTS, ROLE_PATH

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient
else:
    SSMClient = Any

log = logging.getLogger(__name__)
T = TypeVar("T")

OwnerTest = Callable[[dict[str, str]], bool]
#: Given a window's listing entry: should it be read as a possible duplicate?
WindowTest = Callable[[dict[str, Any]], bool]
#: Reads in flight at once when the caller gives no gate.
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
    gate: Gate | None = None,
    candidates: WindowTest | None = None,
) -> RemoteState:
    """Everything owned by ``setup_name`` in the client's region, and all registrations.

    With an IAM client, also the setup's service roles. An operator who wants no
    role need not grant IAM read access: a denial then only skips the roles.
    Windows this setup does not own for which ``candidates`` (given the listing
    entry) is true are read in full into ``foreign_windows``: what the setup might
    otherwise duplicate. Calls go through ``gate`` (default: 8 at once).
    """
    owned: OwnerTest = lambda tags: tags.get(OWNER_TAG) == setup_name  # noqa: E731
    roles = None if iam is None else lambda g: _roles_if_allowed(iam, owned, g, role_wanted)
    return _read(
        ssm,
        owned,
        roles,
        sweep=False,
        full=full,
        gate=gate or Gate(READ_CONCURRENCY),
        candidates=candidates,
        setup_name=setup_name,
    )


def read_sweep(
    ssm: SSMClient, setup_name: str, iam: Any = None, *, gate: Gate | None = None
) -> RemoteState:
    """For ``cleanup --all-patching``: this setup's resources plus every untagged
    custom baseline and every untagged window that runs a patching task.

    Resources tagged for another setup name are left out, and so are the
    registrations of their baselines: the sweep never touches them.
    """
    mine: OwnerTest = lambda tags: tags.get(OWNER_TAG) == setup_name  # noqa: E731
    roles = None if iam is None else lambda g: _roles_if_allowed(iam, mine, g, False)
    swept: OwnerTest = lambda tags: tags.get(OWNER_TAG) in (None, setup_name)  # noqa: E731
    return _read(
        ssm, swept, roles, sweep=True, gate=gate or Gate(READ_CONCURRENCY), setup_name=setup_name
    )


def _read(
    ssm: SSMClient,
    owned: OwnerTest,
    roles: Callable[[Gate], list[RemoteRole]] | None,
    *,
    sweep: bool,
    gate: Gate,
    setup_name: str,
    full: bool = False,
    candidates: WindowTest | None = None,
) -> RemoteState:
    """The windows, the baselines, the patch groups and the roles, read side by side."""
    state = RemoteState()
    others: dict[str, list[int]] = {}

    def count_other(tags: dict[str, str], index: int) -> None:
        owner = tags.get(OWNER_TAG)
        if owner is not None and owner != setup_name:
            others.setdefault(owner, [0, 0])[index] += 1

    def windows() -> None:
        identities = gate.call(_all, describe_maintenance_windows(ssm))
        state.account_windows = len(identities)
        tags_of = gate.each(
            lambda i: gate.call(list_tags, ssm, "MaintenanceWindow", i["WindowId"]), identities
        )
        listed = list(zip(identities, tags_of, strict=True))
        for _, tags in listed:
            count_other(tags, 0)
        mine = [(i, t) for i, t in listed if owned(t)]
        if candidates is not None:
            maybe = [(i, t) for i, t in listed if not owned(t) and candidates(i)]
            # In full: adopting one compares every field, AllowUnassociatedTargets too.
            state.foreign_windows = read_windows(ssm, maybe, full=True, gate=gate)
        for window in read_windows(ssm, mine, full=full, gate=gate):
            tagged = OWNER_TAG in window.tags
            if (
                sweep
                and not tagged
                and not any(t.fields.get("TaskArn") in PATCHING_DOCUMENTS for t in window.tasks)
            ):
                continue
            state.windows.append(window)

    owners: dict[str, str | None] = {}

    def baselines() -> None:
        identities = gate.call(_all, describe_custom_baselines(ssm))
        state.account_baselines = len(identities)
        tags_of = gate.each(
            lambda b: gate.call(list_tags, ssm, "PatchBaseline", b["BaselineId"]), identities
        )
        for identity, tags in zip(identities, tags_of, strict=True):
            owners[identity["BaselineId"]] = tags.get(OWNER_TAG)
            count_other(tags, 1)
            if identity.get("DefaultBaseline"):
                state.default_baselines.add(identity["BaselineId"])
        if state.default_baselines:
            # Deleting a default needs AWS's own put back first: one listing, only now.
            state.aws_defaults = gate.call(aws_default_baselines, ssm)
        state.baselines = gate.each(
            lambda it: gate.call(read_baseline, ssm, it[0]["BaselineId"], it[1]),
            [(b, t) for b, t in zip(identities, tags_of, strict=True) if owned(t)],
        )

    groups: list[Registration] = []

    def patch_groups() -> None:
        groups.extend(gate.call(_all, describe_patch_groups(ssm)))

    def service_roles() -> None:
        if roles is not None:
            state.roles = roles(gate)

    gate.each(lambda chain: chain(), [windows, baselines, patch_groups, service_roles])
    state.other_setups = {name: (w, b) for name, (w, b) in sorted(others.items())}
    registrations = [replace(r, baseline_owner=owners.get(r.baseline_id)) for r in groups]
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


def _all(items: Iterator[T]) -> list[T]:
    """Drain a paginated listing (inside one gate slot: its pages follow one another)."""
    return list(items)


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
        window.fields = _strip(dict(got))

    def targets(window: RemoteWindow) -> None:
        listing = describe_maintenance_window_targets(ssm, window.window_id)
        window.targets = gate.call(_all, listing)

    def tasks(window: RemoteWindow) -> None:
        listing = describe_maintenance_window_tasks(ssm, window.window_id)
        summaries[window.window_id] = gate.call(_all, listing)

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


def aws_default_baselines(ssm: SSMClient) -> dict[str, str]:
    """AWS's predefined default baseline per OS (``AWS-...DefaultPatchBaseline``), by ID."""
    found: dict[str, str] = {}
    paginator = ssm.get_paginator("describe_patch_baselines")
    for page in paginator.paginate(Filters=[{"Key": "OWNER", "Values": ["AWS"]}], **_PAGE):
        for identity in page.get("BaselineIdentities", []):
            if identity.get("BaselineName", "").endswith("DefaultPatchBaseline"):
                found.setdefault(identity.get("OperatingSystem", "WINDOWS"), identity["BaselineId"])
    return found


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


def read_roles(iam: Any, owned: OwnerTest, gate: Gate | None = None) -> list[RemoteRole]:
    """Roles under the tool's IAM path whose owner tag matches, with inline policies."""
    gate = gate or Gate(1)
    listed = gate.call(_all, _list_roles(iam))

    def full(role: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        # ListRoles returns neither tags nor the permissions boundary; GetRole both.
        found: dict[str, Any] = gate.call(iam.get_role, RoleName=role["RoleName"])["Role"]
        return found, {t["Key"]: t["Value"] for t in found.get("Tags", [])}

    tagged = [(r, t) for r, t in gate.each(full, listed) if owned(t)]
    return gate.each(
        lambda rt: RemoteRole(
            name=rt[0]["RoleName"],
            arn=rt[0]["Arn"],
            description=rt[0].get("Description"),
            trust_policy=rt[0].get("AssumeRolePolicyDocument", {}),
            policies=_inline_policies(iam, rt[0]["RoleName"], gate),
            tags=rt[1],
            permissions_boundary=rt[0].get("PermissionsBoundary", {}).get("PermissionsBoundaryArn"),
        ),
        tagged,
    )


def _list_roles(iam: Any) -> Iterator[dict[str, Any]]:
    for page in iam.get_paginator("list_roles").paginate(PathPrefix=ROLE_PATH):
        yield from page.get("Roles", [])


def _roles_if_allowed(iam: Any, owned: OwnerTest, gate: Gate, required: bool) -> list[RemoteRole]:
    try:
        return read_roles(iam, owned, gate)
    except botocore.exceptions.ClientError as exc:
        denied = exc.response.get("Error", {}).get("Code") in (
            "AccessDenied",
            "AccessDeniedException",
        )
        if required or not denied:
            raise
        log.warning("not allowed to list IAM roles: service roles are left as they are")
        return []


def _inline_policies(iam: Any, role: str, gate: Gate) -> dict[str, dict[str, Any]]:
    names = gate.call(_all, _policy_names(iam, role))
    documents = gate.each(
        lambda name: gate.call(iam.get_role_policy, RoleName=role, PolicyName=name),
        names,
    )
    return {name: d["PolicyDocument"] for name, d in zip(names, documents, strict=True)}


def _policy_names(iam: Any, role: str) -> Iterator[str]:
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=role):
        yield from page.get("PolicyNames", [])


def _strip(response: dict[str, Any]) -> dict[str, Any]:
    response.pop("ResponseMetadata", None)
    return response


def missing_documents(ssm: SSMClient, names: list[str], gate: Gate) -> list[str]:
    """The documents among ``names`` that do not exist in the client's region.

    One DescribeDocument per distinct name, side by side. InvalidDocument is AWS's
    answer for a document that is not there; any other error is a failure.
    """
    distinct = list(dict.fromkeys(names))
    found = gate.each(lambda name: gate.call(_document_exists, ssm, name), distinct)
    return [name for name, exists in zip(distinct, found, strict=True) if not exists]


def _document_exists(ssm: SSMClient, name: str) -> bool:
    try:
        ssm.describe_document(Name=name)
    except botocore.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "InvalidDocument":
            return False
        raise
    return True
