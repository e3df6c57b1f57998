"""Patch Manager / maintenance-window gap fillers for moto's SSM backend.

`install()` monkeypatches moto's `SimpleSystemManagerBackend` and
`SimpleSystemManagerResponse` (never boto3/botocore). The list of gaps filled is in
the docstring of tools/local_aws.py.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import re
import threading
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from local_ssm_data import (
    AWS_BASELINE_DATE,
    ScheduleError,
    next_execution_time,
    operating_systems,
    parse_iso,
    parse_schedule,
    predefined_baselines,
    ssm_model,
    validate_timezone,
)
from moto.core.responses import ActionResult
from moto.servicequotas.responses import ServiceQuotasResponse
from moto.ssm.exceptions import SSMException
from moto.ssm.models import (
    FakeMaintenanceWindow,
    FakeMaintenanceWindowTarget,
    FakeMaintenanceWindowTask,
    FakePatchBaseline,
    SimpleSystemManagerBackend,
)
from moto.ssm.responses import SimpleSystemManagerResponse

JSON = dict[str, Any]
Backend = SimpleSystemManagerBackend
Response = SimpleSystemManagerResponse
F = TypeVar("F", bound=Callable[..., Any])


class LocalSSMError(SSMException):
    """An SSM error serialized by moto as a JSON error with `__type` = code, HTTP 400."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)


def _validation(message: str) -> LocalSSMError:
    return LocalSSMError("ValidationException", message)


def _now() -> dt.datetime:
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
        self.created_date = self.modified_date = _now()

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
                _now(),
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
        self.created_date = self.modified_date = AWS_BASELINE_DATE if aws_owned else _now()

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
            raise _validation(
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


_LOCK = threading.RLock()


def _extras(backend: Backend) -> Extras:
    with _LOCK:
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


def _idempotent(
    backend: Backend, op: str, token: str | None, params: JSON, create: Callable[[], str]
) -> str:
    """ClientToken idempotency: same token + same request -> same id, nothing created."""
    if not token:
        return create()
    ex = _extras(backend)
    fingerprint = json.dumps(
        {k: v for k, v in params.items() if k != "ClientToken"}, sort_keys=True, default=str
    )
    with _LOCK:
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


# --------------------------------------------------------------------------------------
# Input validation against botocore's input shapes (patterns, enums, ranges)
# --------------------------------------------------------------------------------------

_UNICODE_CLASSES = {
    r"\p{L}": "a-zA-Z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u1fff"
    "\u3040-\u9fff\uac00-\ud7af\uf900-\ufaff\uff21-\uff3a\uff41-\uff5a",
    r"\p{Z}": " \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000",
    r"\p{N}": "0-9\u00b2\u00b3\u00b9\u00bc-\u00be\u0660-\u0669\u06f0-\u06f9\u0966-\u096f"
    "\uff10-\uff19",
}


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    for prop, chars in _UNICODE_CLASSES.items():
        pattern = pattern.replace(prop, chars)
    return re.compile(pattern)


def _check_input(value: Any, shape: Any, path: str, errors: list[str]) -> None:
    meta = shape.metadata
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value and value[name] is not None:
                sub = name[0].lower() + name[1:]
                _check_input(value[name], member, f"{path}.{sub}" if path else sub, errors)
        return
    if kind == "list" and isinstance(value, list):
        if "min" in meta and len(value) < meta["min"]:
            errors.append(
                f"Value at '{path}' failed to satisfy constraint: Member must have "
                f"length greater than or equal to {meta['min']}"
            )
        if "max" in meta and len(value) > meta["max"]:
            errors.append(
                f"Value at '{path}' failed to satisfy constraint: Member must have "
                f"length less than or equal to {meta['max']}"
            )
        for i, item in enumerate(value, 1):
            _check_input(item, shape.member, f"{path}.{i}.member", errors)
        return
    if kind == "map" and isinstance(value, dict):
        for k, v in value.items():
            _check_input(v, shape.value, f"{path}.{k}", errors)
        return
    shown = "***" if meta.get("sensitive") else value
    if kind == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            errors.append(
                f"Value '{shown}' at '{path}' failed to satisfy constraint: Member "
                f"must satisfy enum value set: [{', '.join(shape.enum)}]"
            )
        if "min" in meta and len(value) < meta["min"]:
            errors.append(
                f"Value '{shown}' at '{path}' failed to satisfy constraint: Member "
                f"must have length greater than or equal to {meta['min']}"
            )
        if "max" in meta and len(value) > meta["max"]:
            errors.append(
                f"Value '{shown}' at '{path}' failed to satisfy constraint: Member "
                f"must have length less than or equal to {meta['max']}"
            )
        if "pattern" in meta and not _pattern(meta["pattern"]).search(value):
            errors.append(
                f"Value '{shown}' at '{path}' failed to satisfy constraint: Member "
                f"must satisfy regular expression pattern: {meta['pattern']}"
            )
    elif kind in ("integer", "long") and isinstance(value, int):
        if "min" in meta and value < meta["min"]:
            errors.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: Member "
                f"must have value greater than or equal to {meta['min']}"
            )
        if "max" in meta and value > meta["max"]:
            errors.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: Member "
                f"must have value less than or equal to {meta['max']}"
            )


def validate_request(operation: str, params: JSON) -> None:
    """Raise ValidationException the way AWS does for constraint violations."""
    errors: list[str] = []
    _check_input(params, ssm_model().operation_model(operation).input_shape, "", errors)
    if errors:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        raise _validation(f"{count} validation {noun} detected: " + "; ".join(errors))


# --------------------------------------------------------------------------------------
# Maintenance windows
# --------------------------------------------------------------------------------------

_WINDOW_FIELDS = {
    "Name": "name",
    "Description": "description",
    "StartDate": "start_date",
    "EndDate": "end_date",
    "Schedule": "schedule",
    "ScheduleTimezone": "schedule_timezone",
    "ScheduleOffset": "schedule_offset",
    "Duration": "duration",
    "Cutoff": "cutoff",
    "AllowUnassociatedTargets": "allow_unassociated_targets",
}
_WINDOW_REQUIRED = ("Name", "Schedule", "Duration", "Cutoff", "AllowUnassociatedTargets")


def _validate_window(p: JSON) -> None:
    try:
        schedule = parse_schedule(p["Schedule"])
        if p.get("ScheduleTimezone") is not None:
            validate_timezone(p["ScheduleTimezone"])
        start = parse_iso(p["StartDate"], "StartDate") if p.get("StartDate") else None
        end = parse_iso(p["EndDate"], "EndDate") if p.get("EndDate") else None
    except ScheduleError as exc:
        raise _validation(str(exc)) from None
    if p.get("ScheduleOffset") is not None and not p["Schedule"].startswith("cron("):
        raise _validation("ScheduleOffset is only supported with cron expressions.")
    del schedule
    if start and end:
        # Without an offset a date is in the window's zone, as NextExecutionTime reads it.
        zone = p.get("ScheduleTimezone")
        tz: dt.tzinfo = zoneinfo.ZoneInfo(zone) if zone else dt.UTC
        s = start if start.tzinfo else start.replace(tzinfo=tz)
        e = end if end.tzinfo else end.replace(tzinfo=tz)
        if e <= s:
            raise _validation("EndDate must be later than StartDate.")
    if not 1 <= p["Duration"] <= 24:
        raise _validation("Duration must be between 1 and 24 hours.")
    if not 0 <= p["Cutoff"] < p["Duration"]:
        raise _validation(
            "The cutoff time must be less than the duration of the maintenance window."
        )


def create_maintenance_window(backend: Backend, p: JSON) -> str:
    validate_request("CreateMaintenanceWindow", p)
    _validate_window(p)

    def create() -> str:
        window = LocalWindow(p)
        backend.windows[window.id] = window
        if p.get("Tags"):
            tags = {t["Key"]: t["Value"] for t in p["Tags"]}
            backend.add_tags_to_resource("MaintenanceWindow", window.id, tags)
        return str(window.id)

    return _idempotent(backend, "CreateMaintenanceWindow", p.get("ClientToken"), p, create)


def _window(backend: Backend, window_id: str) -> LocalWindow:
    window = backend.windows.get(window_id)
    if not isinstance(window, LocalWindow):
        raise LocalSSMError(
            "DoesNotExistException", f"Maintenance window {window_id} does not exist"
        )
    return window


def update_maintenance_window(backend: Backend, p: JSON) -> LocalWindow:
    validate_request("UpdateMaintenanceWindow", p)
    window = _window(backend, p["WindowId"])
    replace = bool(p.get("Replace"))
    if replace:
        missing = [k for k in _WINDOW_REQUIRED if p.get(k) is None]
        if missing:
            raise _validation(
                "When Replace is true, the following parameters are required: " + ", ".join(missing)
            )
        merged: JSON = {k: p.get(k) for k in _WINDOW_FIELDS}
    else:
        merged = {k: getattr(window, a) for k, a in _WINDOW_FIELDS.items()}
        merged.update({k: p[k] for k in _WINDOW_FIELDS if p.get(k) is not None})
    _validate_window(merged)
    for key, attr in _WINDOW_FIELDS.items():
        setattr(window, attr, merged[key])
    if p.get("Enabled") is not None:
        window.enabled = bool(p["Enabled"])
    elif replace:
        window.enabled = True
    window.modified_date = _now()
    return window


def describe_maintenance_windows(backend: Backend, filters: list[JSON] | None) -> list[JSON]:
    windows = [w for w in backend.windows.values() if isinstance(w, LocalWindow)]
    for f in filters or []:
        values = f.get("Values") or []
        if f.get("Key") == "Name":
            windows = [w for w in windows if w.name in values]
        elif f.get("Key") == "Enabled":
            wanted = {str(v).lower() for v in values}
            windows = [w for w in windows if str(w.enabled).lower() in wanted]
        else:
            raise _validation(
                f"Invalid filter key {f.get('Key')}. Supported filter keys are Name and Enabled."
            )
    return [w.to_json() for w in windows]


def delete_maintenance_window(backend: Backend, window_id: str) -> None:
    validate_request("DeleteMaintenanceWindow", {"WindowId": window_id})
    if backend.windows.pop(window_id, None) is not None:
        backend._resource_tags["MaintenanceWindow"].pop(window_id, None)


def register_target(backend: Backend, p: JSON) -> str:
    validate_request("RegisterTargetWithMaintenanceWindow", p)
    window = _window(backend, p["WindowId"])
    if not p["Targets"]:
        raise _validation("Targets must contain at least one target.")

    def create() -> str:
        target = LocalTarget(window.id, p)
        window.targets[target.window_target_id] = target
        return str(target.window_target_id)

    return _idempotent(
        backend, "RegisterTargetWithMaintenanceWindow", p.get("ClientToken"), p, create
    )


def _target(window: LocalWindow, target_id: str) -> LocalTarget:
    target = window.targets.get(target_id)
    if not isinstance(target, LocalTarget):
        raise LocalSSMError(
            "DoesNotExistException",
            f"Maintenance window target {target_id} does not exist in window {window.id}",
        )
    return target


def update_target(backend: Backend, p: JSON) -> LocalTarget:
    validate_request("UpdateMaintenanceWindowTarget", p)
    target = _target(_window(backend, p["WindowId"]), p["WindowTargetId"])
    replace = bool(p.get("Replace"))
    if replace and not p.get("Targets"):
        raise _validation("When Replace is true, the following parameters are required: Targets")
    for key, attr in (
        ("Targets", "targets"),
        ("OwnerInformation", "owner_information"),
        ("Name", "name"),
        ("Description", "description"),
    ):
        if p.get(key) is not None:
            setattr(target, attr, p[key])
        elif replace:
            setattr(target, attr, None)
    return target


def _task_references(task: FakeMaintenanceWindowTask, target_id: str) -> bool:
    for t in task.targets or []:
        if t.get("Key") == "WindowTargetIds" and target_id in (t.get("Values") or []):
            return True
    return False


def deregister_target(backend: Backend, window_id: str, target_id: str, safe: bool) -> None:
    window = _window(backend, window_id)
    _target(window, target_id)
    if safe:
        users = [t.window_task_id for t in window.tasks.values() if _task_references(t, target_id)]
        if users:
            raise LocalSSMError(
                "TargetInUseException",
                f"Target {target_id} is being referenced by task(s): {', '.join(users)}",
            )
    del window.targets[target_id]


def _match_filters(
    items: Iterable[JSON], filters: list[JSON] | None, keys: dict[str, str]
) -> list[JSON]:
    result = list(items)
    for f in filters or []:
        key = f.get("Key")
        if key not in keys:
            raise _validation(
                f"Invalid filter key {key}. Supported filter keys are {', '.join(keys)}."
            )
        values = [str(v) for v in f.get("Values") or []]
        result = [i for i in result if str(i.get(keys[key], "")) in values]
    return result


def describe_targets(backend: Backend, window_id: str, filters: list[JSON] | None) -> list[JSON]:
    window = _window(backend, window_id)
    items = [t.to_json() for t in window.targets.values() if isinstance(t, LocalTarget)]
    keys = {
        "WindowTargetId": "WindowTargetId",
        "Type": "ResourceType",
        "OwnerInformation": "OwnerInformation",
    }
    return _match_filters(items, filters, keys)


def _validate_task(p: JSON) -> None:
    if p["TaskType"] == "RUN_COMMAND" and not p.get("Targets"):
        raise _validation(
            "One or more targets must be specified for maintenance window Run Command-type tasks."
        )


def register_task(backend: Backend, p: JSON) -> str:
    validate_request("RegisterTaskWithMaintenanceWindow", p)
    window = _window(backend, p["WindowId"])
    _validate_task(p)

    def create() -> str:
        task = LocalTask(window.id, p)
        window.tasks[task.window_task_id] = task
        return str(task.window_task_id)

    return _idempotent(
        backend, "RegisterTaskWithMaintenanceWindow", p.get("ClientToken"), p, create
    )


def _task(backend: Backend, window_id: str, task_id: str) -> LocalTask:
    window = _window(backend, window_id)
    task = window.tasks.get(task_id)
    if not isinstance(task, LocalTask):
        raise LocalSSMError(
            "DoesNotExistException",
            f"Maintenance window task {task_id} does not exist in window {window_id}",
        )
    return task


_TASK_FIELDS = {
    "Targets": "targets",
    "TaskArn": "task_arn",
    "ServiceRoleArn": "service_role_arn",
    "TaskParameters": "task_parameters",
    "TaskInvocationParameters": "task_invocation_parameters",
    "Priority": "priority",
    "MaxConcurrency": "max_concurrency",
    "MaxErrors": "max_errors",
    "LoggingInfo": "logging_info",
    "Name": "name",
    "Description": "description",
    "CutoffBehavior": "cutoff_behavior",
    "AlarmConfiguration": "alarm_configurations",
}
_TASK_RESET = {"Priority": 1, "CutoffBehavior": "CONTINUE_TASK"}


def update_task(backend: Backend, p: JSON) -> LocalTask:
    validate_request("UpdateMaintenanceWindowTask", p)
    task = _task(backend, p["WindowId"], p["WindowTaskId"])
    replace = bool(p.get("Replace"))
    if replace and not p.get("TaskArn"):
        raise _validation("When Replace is true, the following parameters are required: TaskArn")
    merged: JSON = {"TaskType": task.task_type}
    for key, attr in _TASK_FIELDS.items():
        if p.get(key) is not None:
            merged[key] = p[key]
        elif replace:
            merged[key] = _TASK_RESET.get(key)
        else:
            merged[key] = getattr(task, attr)
    _validate_task(merged)
    for key, attr in _TASK_FIELDS.items():
        setattr(task, attr, merged[key])
    return task


def describe_tasks(backend: Backend, window_id: str, filters: list[JSON] | None) -> list[JSON]:
    window = _window(backend, window_id)
    items = [t.to_json() for t in window.tasks.values() if isinstance(t, LocalTask)]
    keys = {
        "WindowTaskId": "WindowTaskId",
        "TaskArn": "TaskArn",
        "Priority": "Priority",
        "TaskType": "Type",
    }
    return _match_filters(items, filters, keys)


def deregister_task(backend: Backend, window_id: str, task_id: str) -> None:
    _task(backend, window_id, task_id)
    del backend.windows[window_id].tasks[task_id]


# --------------------------------------------------------------------------------------
# Patch baselines and patch groups
# --------------------------------------------------------------------------------------


def create_patch_baseline(backend: Backend, p: JSON) -> str:
    validate_request("CreatePatchBaseline", p)

    def create() -> str:
        baseline = LocalBaseline(p)
        backend.baselines[baseline.id] = baseline
        if p.get("Tags"):
            tags = {t["Key"]: t["Value"] for t in p["Tags"]}
            backend.add_tags_to_resource("PatchBaseline", baseline.id, tags)
        return str(baseline.id)

    return _idempotent(backend, "CreatePatchBaseline", p.get("ClientToken"), p, create)


def find_baseline(backend: Backend, baseline_id: str) -> LocalBaseline:
    found = backend.baselines.get(baseline_id) or _extras(backend).aws_baselines.get(baseline_id)
    if not isinstance(found, LocalBaseline):
        raise LocalSSMError(
            "DoesNotExistException", "Patch Baseline to be retrieved does not exist."
        )
    return found


def _groups_of(backend: Backend, baseline_id: str) -> list[str]:
    groups = _extras(backend).patch_groups
    return sorted(g for g, by_os in groups.items() if baseline_id in by_os.values())


def _is_default(backend: Backend, baseline: LocalBaseline) -> bool:
    return _extras(backend).defaults.get(baseline.operating_system) == baseline.id


def baseline_json(backend: Backend, baseline: LocalBaseline) -> JSON:
    return baseline.to_json(_groups_of(backend, baseline.id), _is_default(backend, baseline))


def _refuse_aws_owned(baseline: LocalBaseline, action: str) -> None:
    if baseline.aws_owned:
        raise LocalSSMError(
            "AccessDeniedException",
            f"Patch baseline {baseline.id} is owned by AWS and cannot be {action}.",
        )


def update_patch_baseline(backend: Backend, p: JSON) -> LocalBaseline:
    validate_request("UpdatePatchBaseline", p)
    baseline = find_baseline(backend, p["BaselineId"])
    _refuse_aws_owned(baseline, "updated")
    replace = bool(p.get("Replace"))
    if replace and not p.get("Name"):
        raise _validation("When Replace is true, the following parameters are required: Name")
    baseline.apply(p, replace)
    baseline.modified_date = _now()
    return baseline


def delete_patch_baseline(backend: Backend, baseline_id: str) -> None:
    validate_request("DeletePatchBaseline", {"BaselineId": baseline_id})
    ex = _extras(backend)
    if baseline_id in ex.aws_baselines:
        _refuse_aws_owned(ex.aws_baselines[baseline_id], "deleted")
    baseline = backend.baselines.get(baseline_id)
    if baseline is None:
        return  # AWS: deleting an unknown baseline succeeds
    groups = _groups_of(backend, baseline_id)
    if groups:
        raise LocalSSMError(
            "ResourceInUseException",
            f"PatchBaseline to be deleted is used for Patch Group: {', '.join(groups)}",
        )
    if ex.defaults.get(baseline.operating_system) == baseline_id:
        raise LocalSSMError(
            "ResourceInUseException", "Default baseline cannot be deleted. Set another default."
        )
    del backend.baselines[baseline_id]
    backend._resource_tags["PatchBaseline"].pop(baseline_id, None)


_OWNERS = ("AWS", "Self", "All")


def _filter_baselines(backend: Backend, filters: list[JSON] | None) -> list[LocalBaseline]:
    ex = _extras(backend)
    custom = [b for b in backend.baselines.values() if isinstance(b, LocalBaseline)]
    owner = "All"
    baselines = list(ex.aws_baselines.values()) + custom
    for f in filters or []:
        key, values = f.get("Key"), [str(v) for v in f.get("Values") or []]
        if key == "OWNER":
            if len(values) != 1 or values[0] not in _OWNERS:
                raise _validation("The OWNER filter takes exactly one value: AWS, Self or All.")
            owner = values[0]
        elif key == "NAME_PREFIX":
            baselines = [b for b in baselines if any(b.name.startswith(v) for v in values)]
        elif key == "OPERATING_SYSTEM":
            baselines = [b for b in baselines if b.operating_system in values]
        else:
            raise _validation(
                f"Invalid filter key {key}. Supported filter keys are OWNER, NAME_PREFIX and "
                "OPERATING_SYSTEM."
            )
    if owner == "AWS":
        baselines = [b for b in baselines if b.aws_owned]
    elif owner == "Self":
        baselines = [b for b in baselines if not b.aws_owned]
    return baselines


def describe_patch_baselines(backend: Backend, filters: list[JSON] | None) -> list[JSON]:
    return [baseline_json(backend, b) for b in _filter_baselines(backend, filters)]


#: Patch groups one baseline may hold.
PATCH_GROUPS_PER_BASELINE = 25


def register_patch_group(backend: Backend, baseline_id: str, group: str) -> None:
    validate_request(
        "RegisterPatchBaselineForPatchGroup", {"BaselineId": baseline_id, "PatchGroup": group}
    )
    try:
        baseline = find_baseline(backend, baseline_id)
    except LocalSSMError:
        raise LocalSSMError(
            "DoesNotExistException", f"Patch Baseline {baseline_id} does not exist."
        ) from None
    groups = _extras(backend).patch_groups
    by_os = groups.get(group, {})
    if baseline.operating_system in by_os:
        raise LocalSSMError(
            "AlreadyExistsException",
            "Patch Group baseline already has a baseline registered for OperatingSystem "
            f"{baseline.operating_system}.",
        )
    # AWS's quota "Patch groups per patch baseline" (default 25, AWS General Reference).
    held = sum(1 for registered in groups.values() if baseline.id in registered.values())
    if held >= PATCH_GROUPS_PER_BASELINE:
        raise LocalSSMError(
            "ResourceLimitExceededException",
            f"Patch baseline {baseline.id} already has {held} patch groups registered, "
            f"the maximum of {PATCH_GROUPS_PER_BASELINE}.",
        )
    groups.setdefault(group, by_os)[baseline.operating_system] = baseline.id


def deregister_patch_group(backend: Backend, baseline_id: str, group: str) -> None:
    validate_request(
        "DeregisterPatchBaselineForPatchGroup", {"BaselineId": baseline_id, "PatchGroup": group}
    )
    groups = _extras(backend).patch_groups
    by_os = groups.get(group, {})
    for os_name, registered in list(by_os.items()):
        if registered == baseline_id:
            del by_os[os_name]
            if not by_os:
                del groups[group]
            return
    raise LocalSSMError(
        "InvalidResourceId",
        f"Patch Group {group} is not registered with Patch Baseline {baseline_id}.",
    )


def get_patch_group_baseline(backend: Backend, group: str, os_name: str) -> str:
    ex = _extras(backend)
    return ex.patch_groups.get(group, {}).get(os_name) or ex.defaults[os_name]


def describe_patch_groups(backend: Backend, filters: list[JSON] | None) -> list[JSON]:
    ex = _extras(backend)
    mappings: list[JSON] = []
    for group in sorted(ex.patch_groups):
        for _os, baseline_id in sorted(ex.patch_groups[group].items()):
            b = find_baseline(backend, baseline_id)
            identity = {
                "BaselineId": b.id,
                "BaselineName": b.name,
                "OperatingSystem": b.operating_system,
                "BaselineDescription": b.description,
                "DefaultBaseline": _is_default(backend, b),
            }
            mapping = {"PatchGroup": group, "BaselineIdentity": identity}
            mappings.append({k: v for k, v in mapping.items() if v is not None})
    for f in filters or []:
        key, values = f.get("Key"), [str(v) for v in f.get("Values") or []]
        if key == "NAME_PREFIX":
            mappings = [m for m in mappings if any(m["PatchGroup"].startswith(v) for v in values)]
        elif key == "OPERATING_SYSTEM":
            mappings = [m for m in mappings if m["BaselineIdentity"]["OperatingSystem"] in values]
        else:
            raise _validation(
                f"Invalid filter key {key}. Supported filter keys are NAME_PREFIX and "
                "OPERATING_SYSTEM."
            )
    for m in mappings:
        m["BaselineIdentity"] = {k: v for k, v in m["BaselineIdentity"].items() if v is not None}
    return mappings


def register_default_baseline(backend: Backend, baseline_id: str) -> None:
    validate_request("RegisterDefaultPatchBaseline", {"BaselineId": baseline_id})
    baseline = find_baseline(backend, baseline_id)
    _extras(backend).defaults[baseline.operating_system] = baseline.id


# --------------------------------------------------------------------------------------
# Tags on patch baselines
# --------------------------------------------------------------------------------------

_original_validate: Callable[..., str] = SimpleSystemManagerBackend._validate_resource_type_and_id


def _validate_resource_type_and_id(self: Backend, resource_type: str, resource_id: str) -> str:
    if resource_type == "PatchBaseline":
        if isinstance(self.baselines.get(resource_id), LocalBaseline):
            return resource_id
        raise LocalSSMError("InvalidResourceId", "Invalid Resource Id")
    return _original_validate(self, resource_type, resource_id)


def _add_tags_to_resource(
    self: Backend, resource_type: str, resource_id: str, tags: dict[str, str]
) -> None:
    resource_id = self._validate_resource_type_and_id(resource_type, resource_id)
    current = self._resource_tags[resource_type][resource_id]
    if len(set(current) | set(tags)) > 50:
        raise LocalSSMError("TooManyTagsError", "A resource can have at most 50 tags.")
    current.update(tags)


# --------------------------------------------------------------------------------------
# Response handlers
# --------------------------------------------------------------------------------------


def _params(self: Response) -> JSON:
    body = self.body
    if not body:
        return {}
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    data = json.loads(body)
    return data if isinstance(data, dict) else {}


def _paginate(
    op: str, items: list[JSON], p: JSON, lo: int, hi: int, dflt: int
) -> tuple[list[JSON], str | None]:
    max_results = p.get("MaxResults")
    if max_results is None:
        max_results = dflt
    elif not lo <= int(max_results) <= hi:
        raise _validation(
            f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to "
            f"satisfy constraint: Member must have value between {lo} and {hi}"
        )
    start = 0
    if p.get("NextToken"):
        try:
            kind, _, offset = base64.urlsafe_b64decode(p["NextToken"]).decode().partition(":")
            start = int(offset)
            if kind != op or start < 0:
                raise ValueError(kind)
        except (ValueError, UnicodeDecodeError):
            raise _validation("The specified NextToken is not valid.") from None
    end = start + int(max_results)
    token = None
    if end < len(items):
        token = base64.urlsafe_b64encode(f"{op}:{end}".encode()).decode()
    return items[start:end], token


def _result(body: JSON) -> ActionResult:
    return ActionResult({k: v for k, v in body.items() if v is not None})


_HANDLERS: dict[str, Callable[[Response], ActionResult]] = {}


def handler(op_snake: str) -> Callable[[Callable[[Response], ActionResult]], Any]:
    def deco(fn: Callable[[Response], ActionResult]) -> Callable[[Response], ActionResult]:
        _HANDLERS[op_snake] = fn
        return fn

    return deco


@handler("create_maintenance_window")
def _h_create_window(self: Response) -> ActionResult:
    return _result({"WindowId": create_maintenance_window(self.ssm_backend, _params(self))})


@handler("get_maintenance_window")
def _h_get_window(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("GetMaintenanceWindow", p)
    return _result(_window(self.ssm_backend, p["WindowId"]).to_json())


@handler("update_maintenance_window")
def _h_update_window(self: Response) -> ActionResult:
    return _result(update_maintenance_window(self.ssm_backend, _params(self)).to_json())


@handler("describe_maintenance_windows")
def _h_describe_windows(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("DescribeMaintenanceWindows", p)
    items = describe_maintenance_windows(self.ssm_backend, p.get("Filters"))
    page, token = _paginate("DescribeMaintenanceWindows", items, p, 10, 100, 50)
    return _result({"WindowIdentities": page, "NextToken": token})


@handler("delete_maintenance_window")
def _h_delete_window(self: Response) -> ActionResult:
    window_id = _params(self).get("WindowId", "")
    delete_maintenance_window(self.ssm_backend, window_id)
    return _result({"WindowId": window_id})


@handler("register_target_with_maintenance_window")
def _h_register_target(self: Response) -> ActionResult:
    return _result({"WindowTargetId": register_target(self.ssm_backend, _params(self))})


@handler("update_maintenance_window_target")
def _h_update_target(self: Response) -> ActionResult:
    return _result(update_target(self.ssm_backend, _params(self)).to_json())


@handler("deregister_target_from_maintenance_window")
def _h_deregister_target(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("DeregisterTargetFromMaintenanceWindow", p)
    deregister_target(
        self.ssm_backend, p["WindowId"], p["WindowTargetId"], bool(p.get("Safe", False))
    )
    return _result({"WindowId": p["WindowId"], "WindowTargetId": p["WindowTargetId"]})


@handler("describe_maintenance_window_targets")
def _h_describe_targets(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("DescribeMaintenanceWindowTargets", p)
    items = describe_targets(self.ssm_backend, p["WindowId"], p.get("Filters"))
    page, token = _paginate("DescribeMaintenanceWindowTargets", items, p, 10, 100, 50)
    return _result({"Targets": page, "NextToken": token})


@handler("register_task_with_maintenance_window")
def _h_register_task(self: Response) -> ActionResult:
    return _result({"WindowTaskId": register_task(self.ssm_backend, _params(self))})


@handler("get_maintenance_window_task")
def _h_get_task(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("GetMaintenanceWindowTask", p)
    return _result(_task(self.ssm_backend, p["WindowId"], p["WindowTaskId"]).to_json())


@handler("update_maintenance_window_task")
def _h_update_task(self: Response) -> ActionResult:
    return _result(update_task(self.ssm_backend, _params(self)).to_json())


@handler("describe_maintenance_window_tasks")
def _h_describe_tasks(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("DescribeMaintenanceWindowTasks", p)
    items = describe_tasks(self.ssm_backend, p["WindowId"], p.get("Filters"))
    page, token = _paginate("DescribeMaintenanceWindowTasks", items, p, 10, 100, 50)
    return _result({"Tasks": page, "NextToken": token})


@handler("deregister_task_from_maintenance_window")
def _h_deregister_task(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("DeregisterTaskFromMaintenanceWindow", p)
    deregister_task(self.ssm_backend, p["WindowId"], p["WindowTaskId"])
    return _result({"WindowId": p["WindowId"], "WindowTaskId": p["WindowTaskId"]})


@handler("create_patch_baseline")
def _h_create_baseline(self: Response) -> ActionResult:
    return _result({"BaselineId": create_patch_baseline(self.ssm_backend, _params(self))})


@handler("get_patch_baseline")
def _h_get_baseline(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("GetPatchBaseline", p)
    backend = self.ssm_backend
    return _result(baseline_json(backend, find_baseline(backend, p["BaselineId"])))


@handler("update_patch_baseline")
def _h_update_baseline(self: Response) -> ActionResult:
    backend = self.ssm_backend
    return _result(baseline_json(backend, update_patch_baseline(backend, _params(self))))


@handler("delete_patch_baseline")
def _h_delete_baseline(self: Response) -> ActionResult:
    baseline_id = _params(self).get("BaselineId", "")
    delete_patch_baseline(self.ssm_backend, baseline_id)
    return _result({"BaselineId": baseline_id})


@handler("describe_patch_baselines")
def _h_describe_baselines(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("DescribePatchBaselines", p)
    items = describe_patch_baselines(self.ssm_backend, p.get("Filters"))
    page, token = _paginate("DescribePatchBaselines", items, p, 1, 100, 100)
    return _result({"BaselineIdentities": page, "NextToken": token})


@handler("describe_patch_groups")
def _h_describe_groups(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("DescribePatchGroups", p)
    items = describe_patch_groups(self.ssm_backend, p.get("Filters"))
    page, token = _paginate("DescribePatchGroups", items, p, 1, 100, 100)
    return _result({"Mappings": page, "NextToken": token})


@handler("register_patch_baseline_for_patch_group")
def _h_register_group(self: Response) -> ActionResult:
    p = _params(self)
    register_patch_group(self.ssm_backend, p.get("BaselineId", ""), p.get("PatchGroup", ""))
    return _result({"BaselineId": p["BaselineId"], "PatchGroup": p["PatchGroup"]})


@handler("deregister_patch_baseline_for_patch_group")
def _h_deregister_group(self: Response) -> ActionResult:
    p = _params(self)
    deregister_patch_group(self.ssm_backend, p.get("BaselineId", ""), p.get("PatchGroup", ""))
    return _result({"BaselineId": p["BaselineId"], "PatchGroup": p["PatchGroup"]})


@handler("get_patch_baseline_for_patch_group")
def _h_get_group_baseline(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("GetPatchBaselineForPatchGroup", p)
    os_name = p.get("OperatingSystem") or "WINDOWS"
    baseline_id = get_patch_group_baseline(self.ssm_backend, p["PatchGroup"], os_name)
    return _result(
        {"BaselineId": baseline_id, "PatchGroup": p["PatchGroup"], "OperatingSystem": os_name}
    )


@handler("get_default_patch_baseline")
def _h_get_default(self: Response) -> ActionResult:
    p = _params(self)
    validate_request("GetDefaultPatchBaseline", p)
    os_name = p.get("OperatingSystem") or "WINDOWS"
    baseline_id = _extras(self.ssm_backend).defaults[os_name]
    return _result({"BaselineId": baseline_id, "OperatingSystem": os_name})


@handler("register_default_patch_baseline")
def _h_register_default(self: Response) -> ActionResult:
    baseline_id = _params(self).get("BaselineId", "")
    register_default_baseline(self.ssm_backend, baseline_id)
    return _result({"BaselineId": baseline_id})


def _list_service_quotas(self: Any) -> str:
    """ListServiceQuotas: moto has no handler (HTTP 500, which botocore retries ten
    times). Answer from the default quotas moto knows (VPC only); for any other
    service, NoSuchResourceException, as AWS answers for a service it has no
    quotas for. The tool then falls back to the documented defaults."""
    params = json.loads(self.body or "{}")
    quotas = self.backend.list_aws_default_service_quotas(str(params.get("ServiceCode")))
    return json.dumps({"Quotas": quotas})


_installed = False


def install() -> None:
    """Apply every patch to moto's SSM classes (idempotent)."""
    global _installed
    with _LOCK:
        if _installed:
            return
        assert set(operating_systems()), "botocore's SSM model has no OperatingSystem enum"
        for name, fn in _HANDLERS.items():
            setattr(SimpleSystemManagerResponse, name, fn)
        setattr(  # noqa: B010
            SimpleSystemManagerBackend,
            "_validate_resource_type_and_id",
            _validate_resource_type_and_id,
        )
        setattr(SimpleSystemManagerBackend, "add_tags_to_resource", _add_tags_to_resource)  # noqa: B010
        setattr(ServiceQuotasResponse, "list_service_quotas", _list_service_quotas)  # noqa: B010
        _installed = True
