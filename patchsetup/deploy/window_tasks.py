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
from patchsetup.deploy.plan import KNOWN_AFTER_APPLY, Change, Ref
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
            change = _update_task(draft, spec, window_id, task, have_task, target_ids, found)
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
    found: RemoteWindow | None = None,
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
        diffs=tuple(_readable(d, task, found) for d in diffs),
        calls=(update_maintenance_window_task(window_id, have.window_task_id, want),),
    )


def _readable(diff: FieldDiff, task: TaskSpec, found: RemoteWindow | None) -> FieldDiff:
    """A diff a person can read, with no value that exists only inside the plan.

    Targets are shown by name on both sides (the IDs of targets created in this
    run are not known yet; a name never stands in for an ID). A value only known
    once an earlier call ran (the ARN of a role created in this run) is shown as
    Terraform shows it: ``(known after apply)``.
    """
    if diff.field == "Targets":
        names = {t.window_target_id: t.fields.get("Name") for t in (found.targets if found else [])}
        return FieldDiff("Targets", _target_names(diff.old, names), list(task.target_names))
    return FieldDiff(diff.field, _known(diff.old), _known(diff.new))


def _target_names(selectors: Any, names: Mapping[str, Any]) -> list[str] | None:
    """A task's current targets by name (an unnamed target by its ID; tags as key=values)."""
    if not selectors:
        return None
    shown: list[str] = []
    for selector in selectors:
        values = selector.get("Values", [])
        if selector.get("Key") == "WindowTargetIds":
            shown.extend(str(names.get(v) or v) for v in values)
        else:
            shown.append(f"{selector.get('Key')}={','.join(values)}")
    return shown


def _known(value: Any) -> Any:
    if isinstance(value, Ref):
        return KNOWN_AFTER_APPLY
    if isinstance(value, Mapping):
        return {k: _known(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_known(v) for v in value]
    return value


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
