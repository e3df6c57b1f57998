"""Maintenance windows, their targets and their tasks in the SSM stand-in.

Create / update / describe / delete of windows, register / update / deregister /
describe of targets and tasks, with AWS's Replace semantics, filters and errors (gaps
2, 4 and 5 in the docstring of tools/local_aws.py). The HTTP side is in handlers.py.
"""

from __future__ import annotations

from collections.abc import Iterable

from moto.ssm.models import FakeMaintenanceWindowTask

from .predefined import JSON
from .resources import (
    Backend,
    LocalSSMError,
    LocalTarget,
    LocalTask,
    LocalWindow,
    idempotent,
    utc_now,
    validation_error,
)
from .validation import validate_request, validate_task, validate_window

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


def create_maintenance_window(backend: Backend, p: JSON) -> str:
    validate_request("CreateMaintenanceWindow", p)
    validate_window(p)

    def create() -> str:
        window = LocalWindow(p)
        backend.windows[window.id] = window
        if p.get("Tags"):
            tags = {t["Key"]: t["Value"] for t in p["Tags"]}
            backend.add_tags_to_resource("MaintenanceWindow", window.id, tags)
        return str(window.id)

    return idempotent(backend, "CreateMaintenanceWindow", p.get("ClientToken"), p, create)


def find_window(backend: Backend, window_id: str) -> LocalWindow:
    window = backend.windows.get(window_id)
    if not isinstance(window, LocalWindow):
        raise LocalSSMError(
            "DoesNotExistException", f"Maintenance window {window_id} does not exist"
        )
    return window


def update_maintenance_window(backend: Backend, p: JSON) -> LocalWindow:
    validate_request("UpdateMaintenanceWindow", p)
    window = find_window(backend, p["WindowId"])
    replace = bool(p.get("Replace"))
    if replace:
        missing = [k for k in _WINDOW_REQUIRED if p.get(k) is None]
        if missing:
            raise validation_error(
                "When Replace is true, the following parameters are required: " + ", ".join(missing)
            )
        merged: JSON = {k: p.get(k) for k in _WINDOW_FIELDS}
    else:
        merged = {k: getattr(window, a) for k, a in _WINDOW_FIELDS.items()}
        merged.update({k: p[k] for k in _WINDOW_FIELDS if p.get(k) is not None})
    validate_window(merged)
    for key, attr in _WINDOW_FIELDS.items():
        setattr(window, attr, merged[key])
    if p.get("Enabled") is not None:
        window.enabled = bool(p["Enabled"])
    elif replace:
        window.enabled = True
    window.modified_date = utc_now()
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
            raise validation_error(
                f"Invalid filter key {f.get('Key')}. Supported filter keys are Name and Enabled."
            )
    return [w.to_json() for w in windows]


def delete_maintenance_window(backend: Backend, window_id: str) -> None:
    validate_request("DeleteMaintenanceWindow", {"WindowId": window_id})
    if backend.windows.pop(window_id, None) is not None:
        backend._resource_tags["MaintenanceWindow"].pop(window_id, None)


def register_target(backend: Backend, p: JSON) -> str:
    validate_request("RegisterTargetWithMaintenanceWindow", p)
    window = find_window(backend, p["WindowId"])
    if not p["Targets"]:
        raise validation_error("Targets must contain at least one target.")

    def create() -> str:
        target = LocalTarget(window.id, p)
        window.targets[target.window_target_id] = target
        return str(target.window_target_id)

    return idempotent(
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
    target = _target(find_window(backend, p["WindowId"]), p["WindowTargetId"])
    replace = bool(p.get("Replace"))
    if replace and not p.get("Targets"):
        raise validation_error(
            "When Replace is true, the following parameters are required: Targets"
        )
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
    window = find_window(backend, window_id)
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
            raise validation_error(
                f"Invalid filter key {key}. Supported filter keys are {', '.join(keys)}."
            )
        values = [str(v) for v in f.get("Values") or []]
        result = [i for i in result if str(i.get(keys[key], "")) in values]
    return result


def describe_targets(backend: Backend, window_id: str, filters: list[JSON] | None) -> list[JSON]:
    window = find_window(backend, window_id)
    items = [t.to_json() for t in window.targets.values() if isinstance(t, LocalTarget)]
    keys = {
        "WindowTargetId": "WindowTargetId",
        "Type": "ResourceType",
        "OwnerInformation": "OwnerInformation",
    }
    return _match_filters(items, filters, keys)


def register_task(backend: Backend, p: JSON) -> str:
    validate_request("RegisterTaskWithMaintenanceWindow", p)
    window = find_window(backend, p["WindowId"])
    validate_task(p)

    def create() -> str:
        task = LocalTask(window.id, p)
        window.tasks[task.window_task_id] = task
        return str(task.window_task_id)

    return idempotent(backend, "RegisterTaskWithMaintenanceWindow", p.get("ClientToken"), p, create)


def find_task(backend: Backend, window_id: str, task_id: str) -> LocalTask:
    window = find_window(backend, window_id)
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
    task = find_task(backend, p["WindowId"], p["WindowTaskId"])
    replace = bool(p.get("Replace"))
    if replace and not p.get("TaskArn"):
        raise validation_error(
            "When Replace is true, the following parameters are required: TaskArn"
        )
    merged: JSON = {"TaskType": task.task_type}
    for key, attr in _TASK_FIELDS.items():
        if p.get(key) is not None:
            merged[key] = p[key]
        elif replace:
            merged[key] = _TASK_RESET.get(key)
        else:
            merged[key] = getattr(task, attr)
    validate_task(merged)
    for key, attr in _TASK_FIELDS.items():
        setattr(task, attr, merged[key])
    return task


def describe_tasks(backend: Backend, window_id: str, filters: list[JSON] | None) -> list[JSON]:
    window = find_window(backend, window_id)
    items = [t.to_json() for t in window.tasks.values() if isinstance(t, LocalTask)]
    keys = {
        "WindowTaskId": "WindowTaskId",
        "TaskArn": "TaskArn",
        "Priority": "Priority",
        "TaskType": "Type",
    }
    return _match_filters(items, filters, keys)


def deregister_task(backend: Backend, window_id: str, task_id: str) -> None:
    find_task(backend, window_id, task_id)
    del backend.windows[window_id].tasks[task_id]
