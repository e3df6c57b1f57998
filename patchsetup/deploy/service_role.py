"""The service role's story: create it, bring it in line, release or delete it.

Pure: no boto3. IAM is global, windows are regional: the role carries a tag per
region whose windows use it, and a region that lets go of it deletes it only
when no other region's tag is left (``release_role``). The role's inline
policies may name the role's own ARN (``SERVICE_ROLE``), filled in once known.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from patchsetup.deploy.calls import (
    IAM_GONE,
    create_role,
    delete_role,
    delete_role_policy,
    put_role_permissions_boundary,
    put_role_policy,
    tag_role,
    untag_role,
    update_assume_role_policy,
    update_role,
)
from patchsetup.deploy.diff import FieldDiff
from patchsetup.deploy.draft import PlanDraft
from patchsetup.deploy.plan import Call, Change, Ref
from patchsetup.deploy.remote import RemoteRole
from patchsetup.model import (
    OWNER_TAG,
    ROLE_REGION_VALUE,
    SERVICE_ROLE,
    RoleSpec,
    role_region_tag,
    role_regions,
)


def plan_role(draft: PlanDraft) -> str | Ref | None:
    """Plan the service role; return its ARN (or a Ref to it) for the tasks."""
    spec = draft.desired.service_role
    found = next((r for r in draft.remote.roles if spec and r.name == spec.name), None)
    for role in draft.remote.roles:
        if role is not found:
            draft.role_deletes.append(release_role(role, draft.region))
    if spec is None:
        return None
    if found is None:
        var = f"role:{spec.name}"
        tags = {OWNER_TAG: draft.desired.name}
        if draft.region is not None:
            tags[role_region_tag(draft.region)] = ROLE_REGION_VALUE
        calls = [
            create_role(spec, tags, draft.boundary, var),
            *(
                put_role_policy(spec.name, n, _with_arn(d, Ref(var)))
                for n, d in spec.policies.items()
            ),
        ]
        draft.role_writes.append(
            Change("create", "role", spec.name, id_var=var, calls=tuple(calls))
        )
        return Ref(var)
    draft.role_writes.append(_update_role(spec, found, draft.region, draft.boundary))
    return found.arn


def _with_arn(document: Any, arn: str | Ref) -> Any:
    """``document`` with SERVICE_ROLE (the role's own ARN in its policy) replaced by ``arn``."""
    if document == SERVICE_ROLE:
        return arn
    if isinstance(document, Mapping):
        return {k: _with_arn(v, arn) for k, v in document.items()}
    if isinstance(document, list | tuple):
        return [_with_arn(v, arn) for v in document]
    return document


def _update_role(
    spec: RoleSpec, found: RemoteRole, region: str | None = None, boundary: str | None = None
) -> Change:
    """Bring an existing role's boundary, trust, description, inline policies and region
    tag in line."""
    calls: list[Call] = []
    diffs: list[FieldDiff] = []
    if boundary is not None and found.permissions_boundary != boundary:
        # First: the operator policy allows PutRolePolicy only on a role with the boundary.
        diffs.append(FieldDiff("PermissionsBoundary", found.permissions_boundary, boundary))
        calls.append(put_role_permissions_boundary(spec.name, boundary))
    trust = spec.trust_policy()
    if canonical_policy(trust) != canonical_policy(found.trust_policy):
        diffs.append(FieldDiff("AssumeRolePolicyDocument", found.trust_policy, trust))
        calls.append(update_assume_role_policy(spec.name, trust))
    if spec.description != (found.description or ""):
        diffs.append(FieldDiff("Description", found.description, spec.description))
        calls.append(update_role(spec.name, spec.description))
    for name, template in spec.policies.items():
        document = _with_arn(template, found.arn)
        have = found.policies.get(name)
        if have is None or canonical_policy(have) != canonical_policy(document):
            diffs.append(FieldDiff(f"Policy {name}", have, dict(document)))
            calls.append(put_role_policy(spec.name, name, document))
    for name in found.policies:
        if name not in spec.policies:
            diffs.append(FieldDiff(f"Policy {name}", found.policies[name], None))
            calls.append(delete_role_policy(spec.name, name))
    key = role_region_tag(region) if region is not None else None
    if key is not None and key not in found.tags:
        # This region's windows use the role now: another region's cleanup must keep it.
        diffs.append(FieldDiff(f"Tag {key}", None, ROLE_REGION_VALUE))
        calls.append(tag_role(spec.name, key, ROLE_REGION_VALUE))
    return Change(
        "update" if calls else "unchanged",
        "role",
        spec.name,
        resource_id=found.arn,
        diffs=tuple(diffs),
        calls=tuple(calls),
    )


def release_role(role: RemoteRole, region: str | None) -> Change:
    """``region``'s windows no longer use ``role``: delete it unless another region's tag
    says that region's windows still do; then only ``region``'s own tag goes.

    A role without region tags (made before they existed), or a plan without a
    region, deletes it as before.
    """
    others = sorted(role_regions(role.tags) - {region})
    if region is None or not others:
        return _delete_role(role)
    note = f"kept: still used in {', '.join(others)}"
    key = role_region_tag(region)
    if key not in role.tags:
        return Change("unchanged", "role", role.name, resource_id=role.arn, note=note)
    return Change(
        "update",
        "role",
        role.name,
        resource_id=role.arn,
        diffs=(FieldDiff(f"Tag {key}", role.tags[key], None),),
        calls=(untag_role(role.name, key),),
        note=note,
    )


def _delete_role(role: RemoteRole) -> Change:
    """Delete a role: IAM refuses while inline policies remain, so those go first.

    Already gone counts as done: a retried delete, or another region of the same run
    that deleted a role without region tags at the same moment.
    """
    calls = [delete_role_policy(role.name, n, done_if=IAM_GONE) for n in role.policies]
    calls.append(delete_role(role.name))
    return Change("delete", "role", role.name, resource_id=role.arn, calls=tuple(calls))


def canonical_policy(document: Any) -> Any:
    """A policy in comparable form: IAM may return a lone value where a list was sent."""
    if isinstance(document, Mapping):
        return {k: canonical_policy(v) for k, v in sorted(document.items())}
    if isinstance(document, list):
        items = [canonical_policy(v) for v in document]
        if all(isinstance(v, str) for v in items):
            return sorted(items) if len(items) != 1 else items[0]
        return items
    return document
