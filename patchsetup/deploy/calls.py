"""One constructor per write action: every request the tool sends is built here.

Pure: no boto3. Each function is named after the API action it calls and returns
the ``Call`` (method, parameters, what to remember, what counts as already
done). The planner, the sweeper and the CloudFormation export all take their
requests from here, so there is one copy of each request's shape.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from patchsetup.deploy.plan import Call, Confirm, Json, Ref
from patchsetup.model import OWNER_TAG, ROLE_PATH, BaselineSpec, RoleSpec, TargetSpec, WindowSpec

#: A delete that finds its resource gone: a retry whose first attempt worked.
GONE = ("DoesNotExistException",)
#: IAM's "not found": a retried delete, or another region of the same run that got there first.
IAM_GONE = ("NoSuchEntity",)


def compact(params: Mapping[str, Any]) -> dict[str, Any]:
    """Request parameters without unset values (botocore rejects None)."""
    return {k: v for k, v in params.items() if v is not None}


def tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """Tags as the API takes them: a list of Key/Value pairs, in the mapping's order."""
    return [{"Key": k, "Value": v} for k, v in tags.items()]


# -- IAM: the service role ------------------------------------------------------------


def create_role(spec: RoleSpec, tags: Mapping[str, str], boundary: str | None, var: str) -> Call:
    """CreateRole; the new role's ARN is stored as ``var``."""
    return Call(
        "create_role",
        {
            "Path": ROLE_PATH,
            "RoleName": spec.name,
            "AssumeRolePolicyDocument": json.dumps(spec.trust_policy()),
            "Description": spec.description,
            "Tags": tag_list(tags),
            **({"PermissionsBoundary": boundary} if boundary else {}),
        },
        (var, "Role.Arn"),
        service="iam",
    )


def put_role_policy(role: str, name: str, document: Mapping[str, Any]) -> Call:
    # Json: the document may name the role's own ARN, known only once CreateRole ran.
    return Call(
        "put_role_policy",
        {"RoleName": role, "PolicyName": name, "PolicyDocument": Json(document)},
        service="iam",
    )


def put_role_permissions_boundary(role: str, boundary: str) -> Call:
    return Call(
        "put_role_permissions_boundary",
        {"RoleName": role, "PermissionsBoundary": boundary},
        service="iam",
    )


def update_assume_role_policy(role: str, trust: Mapping[str, Any]) -> Call:
    return Call(
        "update_assume_role_policy",
        {"RoleName": role, "PolicyDocument": json.dumps(trust)},
        service="iam",
    )


def update_role(role: str, description: str) -> Call:
    return Call("update_role", {"RoleName": role, "Description": description}, service="iam")


def delete_role_policy(role: str, name: str, done_if: tuple[str, ...] = ()) -> Call:
    return Call(
        "delete_role_policy",
        {"RoleName": role, "PolicyName": name},
        service="iam",
        done_if=done_if,
    )


def tag_role(role: str, key: str, value: str) -> Call:
    return Call(
        "tag_role", {"RoleName": role, "Tags": [{"Key": key, "Value": value}]}, service="iam"
    )


def untag_role(role: str, key: str) -> Call:
    return Call(
        "untag_role",
        {"RoleName": role, "TagKeys": [key]},
        service="iam",
        done_if=IAM_GONE,
    )


def delete_role(role: str) -> Call:
    return Call("delete_role", {"RoleName": role}, service="iam", done_if=IAM_GONE)


# -- SSM: patch baselines and patch groups ------------------------------------------


def create_patch_baseline(
    spec: BaselineSpec, tags: Mapping[str, str], token: str, var: str
) -> Call:
    """CreatePatchBaseline; the new baseline's ID is stored as ``var``."""
    params = {
        "Name": spec.name,
        **spec.rules,
        "Tags": tag_list(tags),
        "ClientToken": token,
    }
    return Call("create_patch_baseline", params, (var, "BaselineId"))


def update_patch_baseline(baseline_id: str, params: Mapping[str, Any]) -> Call:
    """UpdatePatchBaseline with ``params`` (baselines.update_params), replacing the rest."""
    return Call("update_patch_baseline", {"BaselineId": baseline_id, **params, "Replace": True})


def delete_patch_baseline(baseline_id: str) -> Call:
    return Call("delete_patch_baseline", {"BaselineId": baseline_id})


def register_default_patch_baseline(baseline_id: str | Ref) -> Call:
    return Call("register_default_patch_baseline", {"BaselineId": baseline_id})


def register_patch_baseline_for_patch_group(
    baseline_id: str | Ref, group: str, operating_system: str
) -> Call:
    # A retry whose first attempt landed meets AlreadyExists: done only if the group
    # is registered to exactly this baseline; another baseline is a real conflict.
    return Call(
        "register_patch_baseline_for_patch_group",
        {"BaselineId": baseline_id, "PatchGroup": group},
        confirm=Confirm(
            "get_patch_baseline_for_patch_group",
            {"PatchGroup": group, "OperatingSystem": operating_system},
            "BaselineId",
            baseline_id,
            on=("AlreadyExistsException",),
        ),
    )


def deregister_patch_baseline_for_patch_group(baseline_id: str, group: str) -> Call:
    return Call(
        "deregister_patch_baseline_for_patch_group",
        {"BaselineId": baseline_id, "PatchGroup": group},
        done_if=("DoesNotExistException", "InvalidResourceId"),
    )


def add_tags_to_resource(resource_type: str, resource_id: str, setup_name: str) -> Call:
    """Mark an adopted resource as the setup's: the owner tag, nothing else."""
    return Call(
        "add_tags_to_resource",
        {
            "ResourceType": resource_type,
            "ResourceId": resource_id,
            "Tags": [{"Key": OWNER_TAG, "Value": setup_name}],
        },
    )


# -- SSM: maintenance windows, their targets and tasks -----------------------------


def create_maintenance_window(spec: WindowSpec, owner: str, token: str, var: str) -> Call:
    """CreateMaintenanceWindow (it has no Enabled); the new window's ID is stored as ``var``."""
    fields = {k: v for k, v in spec.fields().items() if k != "Enabled"}
    create = compact({**fields, "Tags": [{"Key": OWNER_TAG, "Value": owner}], "ClientToken": token})
    return Call("create_maintenance_window", create, (var, "WindowId"))


def update_maintenance_window(
    window_id: str | Ref, fields: Mapping[str, Any], *, replace: bool = True
) -> Call:
    """UpdateMaintenanceWindow; ``replace``: unset fields go back to AWS's defaults."""
    params = compact({"WindowId": window_id, **fields, **({"Replace": True} if replace else {})})
    return Call("update_maintenance_window", params)


def delete_maintenance_window(window_id: str) -> Call:
    return Call("delete_maintenance_window", {"WindowId": window_id}, done_if=GONE)


def register_target_with_maintenance_window(
    window_id: str | Ref, target: TargetSpec, token: str, var: str
) -> Call:
    """RegisterTargetWithMaintenanceWindow; the new target's ID is stored as ``var``."""
    params = compact({"WindowId": window_id, **target.fields(), "ClientToken": token})
    return Call("register_target_with_maintenance_window", params, (var, "WindowTargetId"))


def update_maintenance_window_target(
    window_id: str | Ref, window_target_id: str, target: TargetSpec
) -> Call:
    # UpdateMaintenanceWindowTarget takes no ResourceType.
    fields = {k: v for k, v in target.fields().items() if k != "ResourceType"}
    params = compact(
        {
            "WindowId": window_id,
            "WindowTargetId": window_target_id,
            **fields,
            "Replace": True,
        }
    )
    return Call("update_maintenance_window_target", params)


def deregister_target_from_maintenance_window(window_id: str, window_target_id: str) -> Call:
    return Call(
        "deregister_target_from_maintenance_window",
        {
            "WindowId": window_id,
            "WindowTargetId": window_target_id,
            # Refuse rather than leave a task pointing at nothing.
            "Safe": True,
        },
        done_if=GONE,
    )


def register_task_with_maintenance_window(
    window_id: str | Ref, fields: Mapping[str, Any], token: str, var: str
) -> Call:
    """RegisterTaskWithMaintenanceWindow with a task's resolved ``fields``; ID as ``var``."""
    params = compact({"WindowId": window_id, **fields, "ClientToken": token})
    return Call("register_task_with_maintenance_window", params, (var, "WindowTaskId"))


def update_maintenance_window_task(
    window_id: str | Ref, window_task_id: str, fields: Mapping[str, Any]
) -> Call:
    params = compact(
        {
            "WindowId": window_id,
            "WindowTaskId": window_task_id,
            **{k: v for k, v in fields.items() if k != "TaskType"},
            "Replace": True,
        }
    )
    return Call("update_maintenance_window_task", params)


def deregister_task_from_maintenance_window(window_id: str, window_task_id: str) -> Call:
    return Call(
        "deregister_task_from_maintenance_window",
        {"WindowId": window_id, "WindowTaskId": window_task_id},
        done_if=GONE,
    )


# -- instances: the patch-group tag (assign) ----------------------------------------

#: EC2 CreateTags takes "up to 1000 resource IDs" (EC2 API reference, CreateTags).
CREATE_TAGS_MAX = 1000


def create_tags(instance_ids: list[str], key: str, value: str) -> Call:
    """EC2 CreateTags of one tag on up to CREATE_TAGS_MAX instances; other tags stay."""
    return Call(
        "create_tags",
        {"Resources": instance_ids, "Tags": [{"Key": key, "Value": value}]},
        service="ec2",
    )


def tag_managed_instance(instance_id: str, key: str, value: str) -> Call:
    """SSM AddTagsToResource on a hybrid node (``mi-``): one tag; other tags stay."""
    return Call(
        "add_tags_to_resource",
        {
            "ResourceType": "ManagedInstance",
            "ResourceId": instance_id,
            "Tags": [{"Key": key, "Value": value}],
        },
    )
