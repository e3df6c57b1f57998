"""The stand-in's SSM resources: subclasses of moto's models, stored in moto's own dicts.

* ``LocalWindow``, ``LocalTarget``, ``LocalTask``, ``LocalBaseline``: each with the full
  output shape of its Get/Describe operations and the defaults AWS fills in (gap 7 in the
  docstring of tools/local_aws.py).
* ``Extras``: the per-backend state moto has no place for (AWS-owned baselines, default
  baselines, patch-group registrations, ClientTokens), and ``idempotent`` (gap 6).
* ``LocalSSMError``: an SSM error with its AWS code.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.ssm.exceptions import SSMException
from moto.ssm.models import (
    FakeMaintenanceWindow,
    FakeMaintenanceWindowTarget,
    FakeMaintenanceWindowTask,
    FakePatchBaseline,
    SimpleSystemManagerBackend,
)

from .cron import next_execution_time
from .predefined import AWS_BASELINE_DATE, JSON, predefined_baselines

Backend = SimpleSystemManagerBackend


class LocalSSMError(SSMException):
    """An SSM error serialized by moto as a JSON error with `__type` = code, HTTP 400."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)


def validation_error(message: str) -> LocalSSMError:
    return LocalSSMError("ValidationException", message)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --------------------------------------------------------------------------------------
# Models (subclasses of moto's, stored in moto's own dicts)
# --------------------------------------------------------------------------------------


class LocalWindow(FakeMaintenanceWindow):
    def __init__(self, p: JSON) -> None:
        keys = ("Name", "Description", "Duration", "Cutoff", "Schedule", "ScheduleTimezone")
        args: list[Any] = [p.get(k) for k in (*keys, "ScheduleOffset", "StartDate", "EndDate")]
        super().__init__(*args)
        self.allow_unassociated_targets: bool = bool(p.get("AllowUnassociatedTargets", False))
        self.enabled = True
        self.created_date = self.modified_date = utc_now()

    def to_json(self) -> JSON:
        out: JSON = {
            "WindowId": self.id,
            "Name": self.name,
            "Description": self.description,
            "StartDate": self.start_date,
            "EndDate": self.end_date,
            "Schedule": self.schedule,
            "ScheduleTimezone": self.schedule_timezone,
            "ScheduleOffset": self.schedule_offset,
            "Duration": self.duration,
            "Cutoff": self.cutoff,
            "AllowUnassociatedTargets": self.allow_unassociated_targets,
            "Enabled": self.enabled,
            "CreatedDate": self.created_date,
            "ModifiedDate": self.modified_date,
        }
        if self.enabled:
            out["NextExecutionTime"] = next_execution_time(
                self.schedule,
                self.schedule_timezone,
                self.schedule_offset,
                self.start_date,
                self.end_date,
                self.created_date,
                utc_now(),
            )
        return {k: v for k, v in out.items() if v is not None}


class LocalTarget(FakeMaintenanceWindowTarget):
    def __init__(self, window_id: str, p: JSON) -> None:
        super().__init__(
            window_id,
            p["ResourceType"],
            p["Targets"],
            owner_information=p.get("OwnerInformation"),
            name=p.get("Name"),
            description=p.get("Description"),
        )

    def to_json(self) -> JSON:
        out = {
            "WindowId": self.window_id,
            "WindowTargetId": self.window_target_id,
            "ResourceType": self.resource_type,
            "Targets": self.targets,
            "OwnerInformation": self.owner_information,
            "Name": self.name,
            "Description": self.description,
        }
        return {k: v for k, v in out.items() if v is not None}


class LocalTask(FakeMaintenanceWindowTask):
    def __init__(self, window_id: str, p: JSON) -> None:
        super().__init__(
            window_id,
            p.get("Targets"),
            p["TaskArn"],
            p.get("ServiceRoleArn"),
            p["TaskType"],
            p.get("TaskParameters"),
            p.get("TaskInvocationParameters"),
            p.get("Priority", 1),
            p.get("MaxConcurrency"),
            p.get("MaxErrors"),
            p.get("LoggingInfo"),
            p.get("Name"),
            p.get("Description"),
            p.get("CutoffBehavior") or "CONTINUE_TASK",
            p.get("AlarmConfiguration"),
        )

    def to_json(self) -> JSON:
        out = {
            "WindowId": self.window_id,
            "WindowTaskId": self.window_task_id,
            "TaskArn": self.task_arn,
            "TaskType": self.task_type,  # GetMaintenanceWindowTask / Update output
            "Type": self.task_type,  # MaintenanceWindowTask (Describe) member name
            "Targets": self.targets,
            "TaskParameters": self.task_parameters or {},
            "TaskInvocationParameters": _with_run_command_defaults(self.task_invocation_parameters),
            "Priority": self.priority,
            "LoggingInfo": self.logging_info,
            "ServiceRoleArn": self.service_role_arn,
            "MaxConcurrency": self.max_concurrency,
            "MaxErrors": self.max_errors,
            "Name": self.name,
            "Description": self.description,
            "CutoffBehavior": self.cutoff_behavior,
            "AlarmConfiguration": self.alarm_configurations,
        }
        return {k: v for k, v in out.items() if v is not None}


#: What AWS reports in TaskInvocationParameters.RunCommand for members a request left
#: out (aws-cli's get-maintenance-window-task example: Comment "", TimeoutSeconds 600).
_RUN_COMMAND_DEFAULTS: JSON = {"Comment": "", "TimeoutSeconds": 600}


def _with_run_command_defaults(invocation: JSON | None) -> JSON | None:
    if not invocation or not isinstance(invocation.get("RunCommand"), dict):
        return invocation
    run_command = {**_RUN_COMMAND_DEFAULTS, **invocation["RunCommand"]}
    return {**invocation, "RunCommand": run_command}


_BASELINE_DEFAULTS: JSON = {
    "GlobalFilters": {"PatchFilters": []},
    "ApprovalRules": {"PatchRules": []},
    "ApprovedPatches": [],
    "ApprovedPatchesComplianceLevel": "UNSPECIFIED",
    "ApprovedPatchesEnableNonSecurity": False,
    "RejectedPatches": [],
    "RejectedPatchesAction": "ALLOW_AS_DEPENDENCY",
    "Description": None,
    "Sources": [],
    "AvailableSecurityUpdatesComplianceStatus": None,
}
_BASELINE_ATTRS = {
    "Name": "name",
    "GlobalFilters": "global_filters",
    "ApprovalRules": "approval_rules",
    "ApprovedPatches": "approved_patches",
    "ApprovedPatchesComplianceLevel": "approved_patches_compliance_level",
    "ApprovedPatchesEnableNonSecurity": "approved_patches_enable_non_security",
    "RejectedPatches": "rejected_patches",
    "RejectedPatchesAction": "rejected_patches_action",
    "Description": "description",
    "Sources": "sources",
    "AvailableSecurityUpdatesComplianceStatus": "available_security_updates_compliance_status",
}


class LocalBaseline(FakePatchBaseline):
    def __init__(self, p: JSON, baseline_id: str | None = None, aws_owned: bool = False) -> None:
        super().__init__(p["Name"], p.get("OperatingSystem") or "WINDOWS", *([None] * 9))
        if baseline_id:
            self.id = baseline_id
        self.aws_owned = aws_owned
        self.available_security_updates_compliance_status: str | None = None
        self.apply(p, replace=True)
        self.created_date = self.modified_date = AWS_BASELINE_DATE if aws_owned else utc_now()

    def apply(self, p: JSON, replace: bool) -> None:
        for key, attr in _BASELINE_ATTRS.items():
            if key in p and p[key] is not None:
                value = copy.deepcopy(p[key])
                if key == "ApprovalRules":
                    value = _normalize_rules(value)
                setattr(self, attr, value)
            elif replace and key != "Name":
                setattr(self, attr, copy.deepcopy(_BASELINE_DEFAULTS[key]))

    def to_json(self, patch_groups: list[str] | None = None, default: bool = False) -> JSON:
        out: JSON = {"BaselineId": self.id, "Name": self.name, "BaselineName": self.name}
        out["OperatingSystem"] = self.operating_system
        for key, attr in _BASELINE_ATTRS.items():
            if key != "Name":
                out[key] = getattr(self, attr)
        if self.operating_system == "WINDOWS" and not self.aws_owned:
            # Windows baselines report it even when it was never sent; the value is
            # undocumented (an approximation: tools/smoke_check.py shows AWS's).
            out["AvailableSecurityUpdatesComplianceStatus"] = (
                out["AvailableSecurityUpdatesComplianceStatus"] or "COMPLIANT"
            )
        out["BaselineDescription"] = self.description
        out["PatchGroups"] = patch_groups or []
        out["CreatedDate"] = self.created_date
        out["ModifiedDate"] = self.modified_date
        out["DefaultBaseline"] = default
        return {k: v for k, v in out.items() if v is not None}


def _normalize_rules(rules: JSON) -> JSON:
    for rule in rules.get("PatchRules", []):
        days, until = rule.get("ApproveAfterDays"), rule.get("ApproveUntilDate")
        if (days is None) == (until is None):
            raise validation_error(
                "Each approval rule must include a value for either ApproveAfterDays or "
                "ApproveUntilDate, but not both."
            )
        rule.setdefault("ComplianceLevel", "UNSPECIFIED")
        rule.setdefault("EnableNonSecurity", False)
    return rules


# --------------------------------------------------------------------------------------
# Per-backend extra state (lazily attached; moto's reset() clears the backend __dict__)
# --------------------------------------------------------------------------------------


@dataclass
class Extras:
    aws_baselines: dict[str, LocalBaseline]
    defaults: dict[str, str]  # OperatingSystem -> BaselineId
    patch_groups: dict[str, dict[str, str]] = field(default_factory=dict)  # group->os->id
    tokens: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)


LOCK = threading.RLock()


def backend_extras(backend: Backend) -> Extras:
    with LOCK:
        found = backend.__dict__.get("_local_ssm_extras")
        if isinstance(found, Extras):
            return found
        aws: dict[str, LocalBaseline] = {}
        defaults: dict[str, str] = {}
        for pre in predefined_baselines(backend.partition, backend.region_name):
            params = {
                "Name": pre.name,
                "OperatingSystem": pre.operating_system,
                "Description": pre.description,
                "ApprovalRules": {"PatchRules": pre.approval_rules},
            }
            aws[pre.arn] = LocalBaseline(params, baseline_id=pre.arn, aws_owned=True)
            if pre.default_for_os:
                defaults[pre.operating_system] = pre.arn
        extras = Extras(aws, defaults)
        backend.__dict__["_local_ssm_extras"] = extras
        return extras


def idempotent(
    backend: Backend, op: str, token: str | None, params: JSON, create: Callable[[], str]
) -> str:
    """ClientToken idempotency: same token + same request -> same id, nothing created."""
    if not token:
        return create()
    ex = backend_extras(backend)
    fingerprint = json.dumps(
        {k: v for k, v in params.items() if k != "ClientToken"}, sort_keys=True, default=str
    )
    with LOCK:
        known = ex.tokens.get((op, token))
        if known is not None:
            if known[0] != fingerprint:
                raise LocalSSMError(
                    "IdempotentParameterMismatch",
                    "Error when an idempotent operation is retried and the parameters don't "
                    "match the original call to the API with the same idempotency token.",
                )
            return known[1]
        new_id = create()
        ex.tokens[(op, token)] = (fingerprint, new_id)
        return new_id
