"""The desired Setup as a CloudFormation template, for rolling one config out with StackSets.

Pure: no boto3, no AWS call. :func:`cloudformation` turns a
:class:`~patchsetup.model.Setup` into a template (a plain dict that
``json.dumps`` writes as is) holding the resources the planner would create
from nothing (``planner.plan(setup, RemoteState())``), with the same
properties:

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
cfn-lint bundles (``tests/test_export.py`` lints every example with it).

What a template cannot say is reported, not dropped silently: the template's
``Metadata`` holds a list of warnings (:func:`warnings`) for the CLI to
print (a disabled window also carries a ``Metadata`` note of its own):

* ``AWS::SSM::MaintenanceWindow`` has no ``Enabled`` property, so a window
  the config disables is created enabled and runs its tasks.
* IAM is global: a named role in a StackSet deployed to two regions of one
  account fails in the second region ("already exists").
* CloudFormation's limits of 500 resources per template and 51,200 bytes for a
  template body (larger templates must be uploaded to S3).

Logical IDs are derived from names, so they stay the same from one export to
the next (a changed logical ID would make CloudFormation replace the resource):
``Baseline<Name>``, ``Window<Name>``, ``Target<Name>``, ``Task<Name>`` and
``ServiceRole``, where ``<Name>`` is the name's letters and digits with each
part capitalised (``patch_test-0600`` -> ``PatchTest0600``). When two
resources end up with the same ID (``rhel-test`` and ``rhel_test``, or targets
of the same name in two windows), each of them gets a suffix of 8 hex digits
hashed from its kind and full name (``window/target``): the IDs do not depend
on the order of the config.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from patchsetup.model import (
    OWNER_TAG,
    ROLE_PATH,
    SERVICE_ROLE,
    TOOL,
    BaselineSpec,
    RoleSpec,
    Setup,
    TargetSpec,
    TaskSpec,
    WindowSpec,
)
from patchsetup.policy import BOUNDARY_NAME, BOUNDARY_PATH

__all__ = [
    "BASELINE",
    "MAX_RESOURCES",
    "MAX_TEMPLATE_BODY",
    "ROLE",
    "TARGET",
    "TASK",
    "WINDOW",
    "ExportError",
    "cloudformation",
    "dumps",
    "logical_name",
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

_HASH_LEN = 8
_PART_RE = re.compile(r"[A-Za-z0-9]+")


class ExportError(ValueError):
    """A Setup that a CloudFormation template cannot describe (one line)."""


def cloudformation(setup: Setup) -> dict[str, Any]:
    """The CloudFormation template that creates what ``setup`` describes.

    One resource per resource the planner would create in an empty account,
    with the same properties; patch-group registrations are the baselines'
    ``PatchGroups``. Warnings about what the template cannot express are in
    ``template["Metadata"]`` (read them with :func:`warnings`).

    Raises:
        ExportError: a baseline rule field AWS::SSM::PatchBaseline does not have.
    """
    ids = _LogicalIds(setup)
    resources: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    role_arn: dict[str, Any] | None = None
    if setup.service_role is not None:
        role_arn = {"Fn::GetAtt": [ids.role, "Arn"]}
        resources[ids.role] = _role(setup, setup.service_role)
        notes.append(
            f"IAM role {setup.service_role.name!r}: IAM is global, so a stack in a second "
            "region of the same account fails with 'already exists'; deploy the StackSet to "
            "one region per account, or export without the service role and make it once "
            "per account"
        )
    for baseline in setup.baselines:
        resources[ids.baseline(baseline)] = _baseline(setup, baseline)
    for window in setup.windows:
        window_id = ids.window(window)
        resources[window_id] = _window(setup, window)
        if not window.enabled:
            note = (
                f"window {window.name!r} is disabled in the config, but "
                "AWS::SSM::MaintenanceWindow has no Enabled property: CloudFormation creates "
                "it enabled and its tasks will run. Disable it in every account after the "
                "deployment, or remove it from the config"
            )
            resources[window_id]["Metadata"] = {METADATA_KEY: {"Enabled": False, "Note": note}}
            notes.append(note)
        target_ids: dict[str, str] = {}
        for target in window.targets:
            target_ids[target.name] = ids.target(window, target)
            resources[target_ids[target.name]] = _target(window_id, target)
        for task in window.tasks:
            resources[ids.task(window, task)] = _task(window_id, task, target_ids, role_arn)
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


def _tags(setup: Setup, extra: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """Tags as the planner sends them: extra tags first, the owner tag always last and winning."""
    tags = {**(extra or {}), OWNER_TAG: setup.name}
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _compact(properties: Mapping[str, Any]) -> dict[str, Any]:
    """Properties without unset values (the planner's ``_compact``)."""
    return {k: v for k, v in properties.items() if v is not None}


def _baseline(setup: Setup, spec: BaselineSpec) -> dict[str, Any]:
    unknown = sorted(k for k in spec.rules if k not in _BASELINE_FIELDS and k not in _NOT_RULES)
    if unknown:
        raise ExportError(
            f"baseline {spec.name}: {', '.join(unknown)} cannot be expressed in "
            f"{BASELINE} (it has {', '.join(_BASELINE_FIELDS)})"
        )
    rules = {k: _plain(spec.rules[k]) for k in _BASELINE_FIELDS if k in spec.rules}
    properties = _compact(
        {
            "Name": spec.name,
            **rules,
            "OperatingSystem": spec.operating_system,
            "PatchGroups": list(spec.patch_groups) or None,
            "Tags": _tags(setup, spec.tags),
        }
    )
    return {"Type": BASELINE, "Properties": properties}


def _window(setup: Setup, spec: WindowSpec) -> dict[str, Any]:
    # Enabled is the one window field CloudFormation cannot set (see cloudformation()).
    fields = {k: v for k, v in spec.fields().items() if k != "Enabled"}
    return {"Type": WINDOW, "Properties": _compact({**fields, "Tags": _tags(setup)})}


def _target(window_id: str, spec: TargetSpec) -> dict[str, Any]:
    return {
        "Type": TARGET,
        "Properties": _compact({"WindowId": {"Ref": window_id}, **spec.fields()}),
    }


def _task(
    window_id: str,
    spec: TaskSpec,
    target_ids: Mapping[str, str],
    role_arn: dict[str, Any] | None,
) -> dict[str, Any]:
    def role(value: str | None) -> Any:
        if value != SERVICE_ROLE:
            return value
        if role_arn is None:
            raise ExportError(f"task {spec.name}: uses the created service role, but none is set")
        return role_arn

    fields = spec.fields()
    run_command = fields.pop("TaskInvocationParameters")["RunCommand"]
    if "ServiceRoleArn" in run_command:
        run_command["ServiceRoleArn"] = role(run_command["ServiceRoleArn"])
    properties = {
        "WindowId": {"Ref": window_id},
        **fields,
        "Targets": [
            {
                "Key": "WindowTargetIds",
                "Values": [{"Ref": target_ids[n]} for n in spec.target_names],
            }
        ],
        "ServiceRoleArn": role(spec.service_role_arn),
        "TaskInvocationParameters": {"MaintenanceWindowRunCommandParameters": run_command},
    }
    return {"Type": TASK, "Properties": _compact(properties)}


def _role(setup: Setup, spec: RoleSpec) -> dict[str, Any]:
    # The role's own ARN in its own policy: GetAtt on itself would be a circular
    # dependency, so the ARN is built from the partition, account, path and name.
    own = {
        "Fn::Sub": f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role{ROLE_PATH}{spec.name}"
    }
    return {
        "Type": ROLE,
        "Properties": {
            "RoleName": spec.name,
            "Path": ROLE_PATH,
            "AssumeRolePolicyDocument": spec.trust_policy(),
            "Description": spec.description,
            # The same boundary setup gives the role (policy.py): in the stack's account.
            "PermissionsBoundary": {
                "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy"
                f"{BOUNDARY_PATH}{BOUNDARY_NAME}"
            },
            "Policies": [
                {"PolicyName": name, "PolicyDocument": _plain(document, {SERVICE_ROLE: own})}
                for name, document in spec.policies.items()
            ],
            "Tags": _tags(setup),
        },
    }


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


def _plain(value: Any, swap: Mapping[str, Any] | None = None) -> Any:
    """Mappings and sequences as dicts and lists, so the template is plain JSON data;
    strings in ``swap`` replaced by their values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v, swap) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, swap) for v in value]
    if swap and isinstance(value, str) and value in swap:
        return swap[value]
    return value


# -- logical IDs ----------------------------------------------------------------------


def logical_name(name: str) -> str:
    """Letters and digits of a name, runs capitalised: ``patch_test-0600`` -> ``PatchTest0600``."""
    return "".join(part[0].upper() + part[1:] for part in _PART_RE.findall(name))


class _LogicalIds:
    """Logical IDs of a setup's resources: from names, hashed where two would be the same."""

    def __init__(self, setup: Setup) -> None:
        # (kind, full name) -> plain ID; full names are unique per kind (Setup.validate).
        # The role is always "ServiceRole": no other ID starts with it.
        wanted: dict[tuple[str, str], str] = {}
        for baseline in setup.baselines:
            wanted["baseline", baseline.name] = "Baseline" + logical_name(baseline.name)
        for window in setup.windows:
            wanted["window", window.name] = "Window" + logical_name(window.name)
            for target in window.targets:
                key = ("target", f"{window.name}/{target.name}")
                wanted[key] = "Target" + logical_name(target.name)
            for task in window.tasks:
                wanted["task", f"{window.name}/{task.name}"] = "Task" + logical_name(task.name)
        counts = Counter(wanted.values())
        self._ids = {
            key: plain if counts[plain] == 1 else plain + _short_hash(f"{key[0]}:{key[1]}")
            for key, plain in wanted.items()
        }
        if len(set(self._ids.values())) != len(self._ids):
            clash = [i for i, n in Counter(self._ids.values()).items() if n > 1]
            raise ExportError(f"logical IDs collide even with a hash suffix: {', '.join(clash)}")

    role = "ServiceRole"

    def baseline(self, spec: BaselineSpec) -> str:
        return self._ids["baseline", spec.name]

    def window(self, spec: WindowSpec) -> str:
        return self._ids["window", spec.name]

    def target(self, window: WindowSpec, spec: TargetSpec) -> str:
        return self._ids["target", f"{window.name}/{spec.name}"]

    def task(self, window: WindowSpec, spec: TaskSpec) -> str:
        return self._ids["task", f"{window.name}/{spec.name}"]


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:_HASH_LEN]
