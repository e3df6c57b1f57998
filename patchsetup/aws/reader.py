"""What exists: reads one region's SSM state into ``RemoteState`` (deploy/remote.py).

Read calls only. This module decides what is read and whose it is; the calls per
resource kind are in ``read_windows``, ``read_baselines`` and ``iam``, the
shared paging helpers in ``listing``. Ownership comes from the owner tag on
windows and baselines; targets and tasks belong to their window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import botocore.exceptions

from patchsetup.aws.gate import Gate
from patchsetup.aws.iam import roles_if_allowed
from patchsetup.aws.listing import OwnerTest, drain, list_tags
from patchsetup.aws.read_baselines import (
    aws_default_baselines,
    default_baseline,
    describe_custom_baselines,
    describe_patch_groups,
    read_baseline,
)
from patchsetup.aws.read_windows import describe_maintenance_windows, read_windows
from patchsetup.deploy.remote import Registration, RemoteRole, RemoteState
from patchsetup.model import OWNER_TAG, PATCHING_DOCUMENTS

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient
else:
    SSMClient = Any

log = logging.getLogger(__name__)

#: Given a window's listing entry: should it be read as a possible duplicate?
WindowTest = Callable[[dict[str, Any]], bool]
#: Reads in flight at once when the caller gives no gate.
READ_CONCURRENCY = 8


def read_setup(
    ssm: SSMClient,
    setup_name: str,
    iam: Any = None,
    *,
    role_wanted: bool = False,
    full: bool = False,
    gate: Gate | None = None,
    candidates: WindowTest | None = None,
    defaults_for: Collection[str] = (),
) -> RemoteState:
    """Everything owned by ``setup_name`` in the client's region, and all registrations.

    For each OS in ``defaults_for`` (those the setup wants a default baseline for),
    the region's current default (GetDefaultPatchBaseline).

    With an IAM client, also the setup's service roles. An operator who wants no
    role need not grant IAM read access: a denial then only skips the roles.
    Windows this setup does not own for which ``candidates`` (given the listing
    entry) is true are read in full into ``foreign_windows``: what the setup might
    otherwise duplicate. Calls go through ``gate`` (default: 8 at once).
    """
    owned: OwnerTest = lambda tags: tags.get(OWNER_TAG) == setup_name  # noqa: E731
    roles = None if iam is None else lambda g: roles_if_allowed(iam, owned, g, role_wanted)
    return _read(
        ssm,
        owned,
        roles,
        sweep=False,
        full=full,
        gate=gate or Gate(READ_CONCURRENCY),
        candidates=candidates,
        setup_name=setup_name,
        defaults_for=defaults_for,
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
    roles = None if iam is None else lambda g: roles_if_allowed(iam, mine, g, False)
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
    defaults_for: Collection[str] = (),
) -> RemoteState:
    """The windows, the baselines, the patch groups and the roles, read side by side."""
    state = RemoteState()
    others: dict[str, list[int]] = {}

    def count_other(tags: dict[str, str], index: int) -> None:
        owner = tags.get(OWNER_TAG)
        if owner is not None and owner != setup_name:
            others.setdefault(owner, [0, 0])[index] += 1

    def windows() -> None:
        identities = gate.call(drain, describe_maintenance_windows(ssm))
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
        identities = gate.call(drain, describe_custom_baselines(ssm))
        state.account_baselines = len(identities)
        tags_of = gate.each(
            lambda b: gate.call(list_tags, ssm, "PatchBaseline", b["BaselineId"]), identities
        )
        for identity, tags in zip(identities, tags_of, strict=True):
            owners[identity["BaselineId"]] = tags.get(OWNER_TAG)
            state.baseline_names[identity["BaselineId"]] = identity.get("BaselineName", "")
            count_other(tags, 1)
            if identity.get("DefaultBaseline"):
                state.default_baselines.add(identity["BaselineId"])
        state.baseline_owners = dict(owners)
        if state.default_baselines or defaults_for:
            # Deleting a default needs AWS's own put back first: one listing, only now.
            state.aws_defaults, aws_names = gate.call(aws_default_baselines, ssm)
            state.baseline_names.update(aws_names)
        wanted = sorted(set(defaults_for))
        found = gate.each(lambda os_name: gate.call(default_baseline, ssm, os_name), wanted)
        state.current_defaults = dict(zip(wanted, found, strict=True))
        state.baselines = gate.each(
            lambda it: gate.call(read_baseline, ssm, it[0]["BaselineId"], it[1]),
            [(b, t) for b, t in zip(identities, tags_of, strict=True) if owned(t)],
        )

    groups: list[Registration] = []

    def patch_groups() -> None:
        groups.extend(gate.call(drain, describe_patch_groups(ssm)))

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


def _owner_tags(reg: Registration) -> dict[str, str]:
    return {OWNER_TAG: reg.baseline_owner} if reg.baseline_owner else {}


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
