"""The desired Setup as a CloudFormation template, for rolling one config out with StackSets.

Pure: no boto3, no AWS call. :func:`cloudformation` turns a
:class:`~patchsetup.model.Setup` into a template (a plain dict that
``json.dumps`` writes as is) made from the create plan, the calls the planner
makes in an empty account (``planner.plan(setup, RemoteState())``): one
resource per create request, with that request's parameters as properties, so
the requests have one copy (``deploy/calls.py``):

=========================  ===============================================
planner call               template resource
=========================  ===============================================
create_role (+ policies)   ``AWS::IAM::Role`` with inline ``Policies``
create_patch_baseline      ``AWS::SSM::PatchBaseline``
register_..._patch_group   the baseline's ``PatchGroups`` property
create_maintenance_window  ``AWS::SSM::MaintenanceWindow``
register_target_with_...   ``AWS::SSM::MaintenanceWindowTarget``
register_task_with_...     ``AWS::SSM::MaintenanceWindowTask``
=========================  ===============================================

IDs that only exist once a resource is made become intrinsic functions: a
window's ID ``{"Ref": window}``, a window target's ID ``{"Ref": target}`` and
the created service role's ARN (``SERVICE_ROLE``) ``{"Fn::GetAtt": [role,
"Arn"]}``. ``TaskInvocationParameters.RunCommand`` of the API is
``TaskInvocationParameters.MaintenanceWindowRunCommandParameters`` in
CloudFormation; every other property keeps its API name and shape. The
property names and shapes follow the CloudFormation resource schemas that
cfn-lint bundles (``tests/unit/test_export.py`` lints every example with it).

What a template cannot say is reported, not dropped silently: the template's
``Metadata`` holds a list of warnings (:func:`warnings`) for the CLI to
print (a disabled window also carries a ``Metadata`` note of its own):

* ``AWS::SSM::MaintenanceWindow`` has no ``Enabled`` property, so a window
  the config disables is created enabled and runs its tasks.
* IAM is global: a named role in a StackSet deployed to two regions of one
  account fails in the second region ("already exists").
* CloudFormation's limits of 500 resources per template and 51,200 bytes for a
  template body (larger templates must be uploaded to S3).

Logical IDs come from names: ``patchsetup/export/logical_ids.py``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from patchsetup.deploy.calls import compact
from patchsetup.deploy.plan import Change, Json, Ref
from patchsetup.deploy.planner import plan
from patchsetup.deploy.remote import RemoteState
from patchsetup.export.logical_ids import ExportError, LogicalIds
from patchsetup.model import (
    BOUNDARY_NAME,
    BOUNDARY_PATH,
    SERVICE_ROLE,
    TOOL,
    BaselineSpec,
    Setup,
    TaskSpec,
)

__all__ = [
    "BASELINE",
    "MAX_RESOURCES",
    "MAX_TEMPLATE_BODY",
    "ROLE",
    "TARGET",
    "TASK",
    "WINDOW",
    "cloudformation",
    "dumps",
    "resource_summary",
    "warnings",
]

BASELINE = "AWS::SSM::PatchBaseline"
WINDOW = "AWS::SSM::MaintenanceWindow"
TARGET = "AWS::SSM::MaintenanceWindowTarget"
TASK = "AWS::SSM::MaintenanceWindowTask"
ROLE = "AWS::IAM::Role"

#: CloudFormation quotas: resources per template, bytes of a template passed as TemplateBody.
MAX_RESOURCES = 500
MAX_TEMPLATE_BODY = 51_200

#: The key under which the template and its resources carry this tool's notes.
METADATA_KEY = TOOL

#: CreatePatchBaseline request fields that AWS::SSM::PatchBaseline has under the same
#: name and shape (Name, Tags and ClientToken are set here, not taken from the rules).
_BASELINE_FIELDS = (
    "OperatingSystem",
    "Description",
    "GlobalFilters",
    "ApprovalRules",
    "ApprovedPatches",
    "ApprovedPatchesComplianceLevel",
    "ApprovedPatchesEnableNonSecurity",
    "RejectedPatches",
    "RejectedPatchesAction",
    "Sources",
    "AvailableSecurityUpdatesComplianceStatus",
)
_NOT_RULES = frozenset({"Name", "Tags", "ClientToken"})


def cloudformation(setup: Setup) -> dict[str, Any]:
    """The CloudFormation template that creates what ``setup`` describes.

    One resource per resource the planner would create in an empty account,
    with the properties of its create request; patch-group registrations are
    the baselines' ``PatchGroups``. Warnings about what the template cannot
    express are in ``template["Metadata"]`` (read them with :func:`warnings`).

    Raises:
        ExportError: a baseline rule field AWS::SSM::PatchBaseline does not have.
    """
    ids = LogicalIds(setup)
    created = plan(setup, RemoteState(), _no_token)
    # Registrations follow their baselines in the plan; the template names them first.
    groups: dict[str, list[str]] = {}
    for call in created.calls:
        if call.method == "register_patch_baseline_for_patch_group":
            baseline = call.params["BaselineId"]
            groups.setdefault(baseline.var, []).append(call.params["PatchGroup"])
    specs = {window.name: window for window in setup.windows}
    #: Ref variable -> what stands for the value in the template.
    refs: dict[str, Any] = {}
    resources: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    for change in created.changes:
        if change.action != "create" or not change.calls or change.id_var is None:
            continue
        request = change.calls[0].params
        if change.kind == "role":
            refs[change.id_var] = {"Fn::GetAtt": [ids.role, "Arn"]}
            resources[ids.role] = _role(change, change.id_var)
            notes.append(
                f"IAM role {change.name!r}: IAM is global, so a stack in a second "
                "region of the same account fails with 'already exists'; deploy the StackSet to "
                "one region per account, or export without the service role and make it once "
                "per account"
            )
        elif change.kind == "baseline":
            spec = next(b for b in setup.baselines if b.name == change.name)
            patch_groups = groups.get(change.id_var, [])
            resources[ids.baseline(change.name)] = _baseline(spec, request, patch_groups)
        elif change.kind == "window":
            window_id = ids.window(change.name)
            refs[change.id_var] = {"Ref": window_id}
            resources[window_id] = _window(request)
            if not specs[change.name].enabled:
                note = (
                    f"window {change.name!r} is disabled in the config, but "
                    "AWS::SSM::MaintenanceWindow has no Enabled property: CloudFormation "
                    "creates it enabled and its tasks will run. Disable it in every account "
                    "after the deployment, or remove it from the config"
                )
                resources[window_id]["Metadata"] = {METADATA_KEY: {"Enabled": False, "Note": note}}
                notes.append(note)
        elif change.kind == "target":
            target_id = ids.target(str(change.parent), change.name)
            refs[change.id_var] = {"Ref": target_id}
            resources[target_id] = _target(request, refs)
        elif change.kind == "task":
            task = next(t for t in specs[str(change.parent)].tasks if t.name == change.name)
            if setup.service_role is None and _uses_service_role(task):
                raise ExportError(
                    f"task {task.name}: uses the created service role, but none is set"
                )
            resources[ids.task(str(change.parent), change.name)] = _task(request, refs)
    template: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": _description(setup),
        "Metadata": {METADATA_KEY: {"Setup": setup.name, "Warnings": notes}},
        "Resources": resources,
    }
    if len(resources) > MAX_RESOURCES:
        notes.append(
            f"the template has {len(resources)} resources; CloudFormation allows "
            f"{MAX_RESOURCES} per stack: split the config into several setups"
        )
    size = len(dumps(template, indent=None))
    if size > MAX_TEMPLATE_BODY:
        notes.append(
            f"the template is {size} bytes; a template body may have {MAX_TEMPLATE_BODY}: "
            "upload it to S3 and pass its URL (--template-url)"
        )
    return template


def _no_token() -> str:
    # ClientTokens are the API's; a template has none.
    return ""


def resource_summary(template: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(resource type, resource name) of every resource, in template order."""
    summary: list[tuple[str, str]] = []
    for resource in template.get("Resources", {}).values():
        properties = resource.get("Properties", {})
        name = properties.get("RoleName") if resource["Type"] == ROLE else properties.get("Name")
        summary.append((str(resource["Type"]), str(name)))
    return summary


def warnings(template: Mapping[str, Any]) -> list[str]:
    """What the template cannot express as the config says it (for the CLI to print)."""
    notes = template.get("Metadata", {}).get(METADATA_KEY, {}).get("Warnings", [])
    return [str(note) for note in notes]


def dumps(template: Mapping[str, Any], indent: int | None = 2) -> str:
    """The template as JSON text (CloudFormation reads JSON templates as they are)."""
    if indent is None:
        return json.dumps(template, separators=(",", ":"), ensure_ascii=False)
    return json.dumps(template, indent=indent, ensure_ascii=False) + "\n"


# -- resources ------------------------------------------------------------------------


def _role(change: Change, var: str) -> dict[str, Any]:
    """From CreateRole and its PutRolePolicy calls; ``var`` holds the created role's ARN."""
    create, *policies = change.calls
    request = create.params
    # The role's own ARN in its own policy: GetAtt on itself would be a circular
    # dependency, so the ARN is built from the partition, account, path and name.
    own = {
        "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role"
        f"{request['Path']}{request['RoleName']}"
    }
    return {
        "Type": ROLE,
        "Properties": {
            "RoleName": request["RoleName"],
            "Path": request["Path"],
            "AssumeRolePolicyDocument": json.loads(request["AssumeRolePolicyDocument"]),
            "Description": request["Description"],
            # The same boundary setup gives the role (policy.py): in the stack's account.
            "PermissionsBoundary": {
                "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy"
                f"{BOUNDARY_PATH}{BOUNDARY_NAME}"
            },
            "Policies": [
                {
                    "PolicyName": put.params["PolicyName"],
                    "PolicyDocument": _plain(put.params["PolicyDocument"], {var: own}),
                }
                for put in policies
            ],
            "Tags": _plain(request["Tags"]),
        },
    }


def _baseline(
    spec: BaselineSpec, request: Mapping[str, Any], patch_groups: list[str]
) -> dict[str, Any]:
    """From CreatePatchBaseline; the OS as the model has it (the request may leave it out)."""
    unknown = sorted(k for k in request if k not in _BASELINE_FIELDS and k not in _NOT_RULES)
    if unknown:
        raise ExportError(
            f"baseline {spec.name}: {', '.join(unknown)} cannot be expressed in "
            f"{BASELINE} (it has {', '.join(_BASELINE_FIELDS)})"
        )
    rules = {k: _plain(request[k]) for k in _BASELINE_FIELDS if k in request}
    properties = compact(
        {
            "Name": spec.name,
            **rules,
            "OperatingSystem": spec.operating_system,
            "PatchGroups": patch_groups or None,
            # CloudFormation's own property: the stack registers it as the OS's default.
            "DefaultBaseline": True if spec.default else None,
            "Tags": _plain(request["Tags"]),
        }
    )
    return {"Type": BASELINE, "Properties": properties}


def _window(request: Mapping[str, Any]) -> dict[str, Any]:
    """From CreateMaintenanceWindow (which, like CloudFormation, has no Enabled)."""
    properties = {k: _plain(v) for k, v in request.items() if k != "ClientToken"}
    return {"Type": WINDOW, "Properties": properties}


def _target(request: Mapping[str, Any], refs: Mapping[str, Any]) -> dict[str, Any]:
    """From RegisterTargetWithMaintenanceWindow."""
    properties = {k: _plain(v, refs) for k, v in request.items() if k != "ClientToken"}
    return {"Type": TARGET, "Properties": properties}


def _task(request: Mapping[str, Any], refs: Mapping[str, Any]) -> dict[str, Any]:
    """From RegisterTaskWithMaintenanceWindow: RunCommand is named differently here."""
    fields = {k: v for k, v in request.items() if k != "ClientToken"}
    run_command = fields.pop("TaskInvocationParameters")["RunCommand"]
    properties = {
        **{k: _plain(v, refs) for k, v in fields.items()},
        "TaskInvocationParameters": {
            "MaintenanceWindowRunCommandParameters": _plain(run_command, refs)
        },
    }
    return {"Type": TASK, "Properties": properties}


def _uses_service_role(task: TaskSpec) -> bool:
    notification_role = task.notification.role_arn if task.notification else None
    return SERVICE_ROLE in (task.service_role_arn, notification_role)


def _description(setup: Setup) -> str:
    targets = sum(len(w.targets) for w in setup.windows)
    tasks = sum(len(w.tasks) for w in setup.windows)
    parts = [
        f"{len(setup.baselines)} patch baseline(s)",
        f"{len(setup.windows)} maintenance window(s)",
        f"{targets} target(s)",
        f"{tasks} task(s)",
    ]
    if setup.service_role is not None:
        parts.append(f"service role {setup.service_role.name}")
    return f"{TOOL} setup '{setup.name}': Patch Manager with {', '.join(parts)}"


def _plain(value: Any, refs: Mapping[str, Any] | None = None) -> Any:
    """Mappings and sequences as dicts and lists, so the template is plain JSON data;
    a ``Ref`` to what an earlier request made replaced by ``refs[var]`` (its intrinsic
    function), a ``Json`` document by the document itself."""
    if isinstance(value, Ref):
        return (refs or {})[value.var]
    if isinstance(value, Json):
        return _plain(value.value, refs)
    if isinstance(value, Mapping):
        return {str(k): _plain(v, refs) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, refs) for v in value]
    return value
