"""The setup's service roles as ``RemoteRole``: the IAM reads (the writes are planned calls).

Roles under the tool's IAM path whose owner tag matches, with their inline
policies. An operator who wants no role need not grant IAM read access.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import botocore.exceptions

from patchsetup.aws.gate import Gate
from patchsetup.aws.listing import OwnerTest, drain
from patchsetup.deploy.remote import RemoteRole
from patchsetup.model import ROLE_PATH

log = logging.getLogger(__name__)


def read_roles(iam: Any, owned: OwnerTest, gate: Gate | None = None) -> list[RemoteRole]:
    """Roles under the tool's IAM path whose owner tag matches, with inline policies."""
    gate = gate or Gate(1)
    listed = gate.call(drain, _list_roles(iam))

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


def roles_if_allowed(iam: Any, owned: OwnerTest, gate: Gate, required: bool) -> list[RemoteRole]:
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
    names = gate.call(drain, _policy_names(iam, role))
    documents = gate.each(
        lambda name: gate.call(iam.get_role_policy, RoleName=role, PolicyName=name),
        names,
    )
    return {name: d["PolicyDocument"] for name, d in zip(names, documents, strict=True)}


def _policy_names(iam: Any, role: str) -> Iterator[str]:
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=role):
        yield from page.get("PolicyNames", [])
