"""A maintenance window's tasks: matched, created, updated, deregistered (pure).

Only the setup's own patching tasks are matched, changed or removed (``ownership``):
an operator's task in the window stays as it is. A task names its targets by name
in the config; here they become window target IDs (Refs for targets created in the
same run), and the created service role (``SERVICE_ROLE``) becomes its ARN.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from patchsetup import aws_defaults
from patchsetup.deploy.calls import (
    deregister_task_from_maintenance_window,
    register_task_with_maintenance_window,
    update_maintenance_window_task,
)
from patchsetup.deploy.diff import FieldDiff, diff_fields, first_by
from patchsetup.deploy.draft import PlanDraft, adopted
from patchsetup.deploy.ownership import is_setup_task
from patchsetup.deploy.plan import Change, Ref
from patchsetup.deploy.remote import RemoteTask, RemoteWindow
from patchsetup.model import SERVICE_ROLE, TaskSpec, WindowSpec


def plan_tasks(
    draft: PlanDraft,
    spec: WindowSpec,
    window_id: str | Ref,
    found: RemoteWindow | None,
    target_ids: Mapping[str, str | Ref],
    adopting: bool = False,
) -> None:
    """The spec's tasks, pointed at ``target_ids``; the setup's other tasks deregistered.

    When adopting, a task no name matches takes over one of the window's unnamed
    patching tasks (the replaced tool's), so it is not duplicated.
    """
    own_tasks = [t for t in (found.tasks if found else []) if is_setup_task(t)]
    remote_tasks = first_by(own_tasks, lambda t: t.fields.get("Name"))
    kept_tasks: set[str] = set()
    named = {t.name for t in spec.tasks}
    for task in spec.tasks:
        have_task = remote_tasks.get(task.name)
        if have_task is None and adopting:
            spare = [
                t
                for t in own_tasks
                if t.window_task_id not in kept_tasks and t.fields.get("Name") not in named
            ]
            have_task = spare[0] if spare else None
        if have_task is not None and have_task.window_task_id in kept_tasks:
            have_task = None
        if have_task is not None and have_task.fields.get("TaskType") == "RUN_COMMAND":
            kept_tasks.add(have_task.window_task_id)
            change = _update_task(draft, spec, window_id, task, have_task, target_ids)
            draft.window_writes.append(adopted(change, adopting))
        else:
            draft.window_writes.append(_create_task(draft, spec, window_id, task, target_ids))
    if found is None:
        return
    for remote_task in own_tasks:
        if remote_task.window_task_id not in kept_tasks:
            draft.task_deletes.append(delete_task(found, remote_task))


def _task_params(
    draft: PlanDraft, task: TaskSpec, target_ids: Mapping[str, str | Ref]
) -> dict[str, Any]:
    fields = task.fields()
    fields["Targets"] = [
        {"Key": "WindowTargetIds", "Values": [target_ids[n] for n in task.target_names]}
    ]
    run_command = fields["TaskInvocationParameters"]["RunCommand"]
    for holder in (fields, run_command):
        if holder.get("ServiceRoleArn") == SERVICE_ROLE:
            holder["ServiceRoleArn"] = draft.role_arn
    return fields


def _create_task(
    draft: PlanDraft,
    spec: WindowSpec,
    window_id: str | Ref,
    task: TaskSpec,
    target_ids: Mapping[str, str | Ref],
) -> Change:
    var = f"task:{spec.name}/{task.name}"
    fields = _task_params(draft, task, target_ids)
    call = register_task_with_maintenance_window(window_id, fields, draft.token(), var)
    return Change("create", "task", task.name, parent=spec.name, id_var=var, calls=(call,))


def _update_task(
    draft: PlanDraft,
    spec: WindowSpec,
    window_id: str | Ref,
    task: TaskSpec,
    have: RemoteTask,
    target_ids: Mapping[str, str | Ref],
) -> Change:
    want = _task_params(draft, task, target_ids)
    # Both sides with AWS's defaults filled in (reported or not); sent as the tool
    # means it (Replace resets the rest to those defaults).
    diffs = diff_fields(aws_defaults.task(want), aws_defaults.task(have.fields))
    if task.service_role_arn is None:
        # Without a role AWS runs the task with its service-linked role and may
        # report that role's ARN: not a difference worth an update. Any other
        # role (one this setup is deleting, say) must be cleared.
        diffs = tuple(
            d for d in diffs if not (d.field == "ServiceRoleArn" and _is_linked_role(d.old))
        )
    if not diffs:
        return Change(
            "unchanged", "task", task.name, parent=spec.name, resource_id=have.window_task_id
        )
    return Change(
        "update",
        "task",
        task.name,
        parent=spec.name,
        resource_id=have.window_task_id,
        diffs=tuple(_readable_targets(d, task) for d in diffs),
        calls=(update_maintenance_window_task(window_id, have.window_task_id, want),),
    )


def _readable_targets(diff: FieldDiff, task: TaskSpec) -> FieldDiff:
    # Target IDs of targets created in this run are Refs; show the names instead.
    if diff.field != "Targets":
        return diff
    return FieldDiff(
        "Targets", diff.old, [{"Key": "WindowTargetIds", "Values": list(task.target_names)}]
    )


def _is_linked_role(arn: Any) -> bool:
    return isinstance(arn, str) and ":role/aws-service-role/ssm.amazonaws.com/" in arn


def delete_task(window: RemoteWindow, task: RemoteTask) -> Change:
    """Deregister one task from its window."""
    return Change(
        "delete",
        "task",
        str(task.fields.get("Name") or task.window_task_id),
        parent=window.name,
        resource_id=task.window_task_id,
        calls=(deregister_task_from_maintenance_window(window.window_id, task.window_task_id),),
    )
