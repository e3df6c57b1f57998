"""Maintenance windows' story: matched by name, adopted, created, updated or retired.

Pure: no boto3. A window the setup wants is matched by name among its own; else
an unowned window it would duplicate is adopted in place (``adoption``); else it
is created (then disabled, if the config says so: CreateMaintenanceWindow has no
Enabled). A window it no longer wants is deleted with its targets and tasks, or
kept when it holds an operator's task (``retire_window``). Its targets and tasks
are planned in ``window_targets`` and ``window_tasks``, in that order.
"""

from __future__ import annotations

from dataclasses import replace

from patchsetup import aws_defaults
from patchsetup.deploy.adoption import find_duplicate
from patchsetup.deploy.calls import (
    add_tags_to_resource,
    create_maintenance_window,
    delete_maintenance_window,
    update_maintenance_window,
)
from patchsetup.deploy.diff import FieldDiff, diff_fields, first_by
from patchsetup.deploy.draft import PlanDraft
from patchsetup.deploy.ownership import foreign_tasks, held_targets, is_setup_task, task_label
from patchsetup.deploy.plan import Call, Change, Ref
from patchsetup.deploy.remote import RemoteWindow
from patchsetup.deploy.window_targets import delete_target, plan_targets
from patchsetup.deploy.window_tasks import delete_task, plan_tasks
from patchsetup.model import OWNER_TAG, WindowSpec


def plan_windows(draft: PlanDraft) -> None:
    remote = first_by(draft.remote.windows, lambda w: w.name)
    kept: set[str] = set()
    claimed: set[str] = set()
    for spec in draft.desired.windows:
        found = remote.get(spec.name)
        if found is not None:
            kept.add(found.window_id)
            draft.window_writes.append(_update_window(spec, found))
            plan_children(draft, spec, found.window_id, found)
            continue
        foreign = find_duplicate(spec, draft.remote.foreign_windows, claimed)
        if foreign is not None:
            claimed.add(foreign.window_id)
            adopt = _adopt_window(draft, spec, foreign)
            twins = [
                w.window_id
                for w in draft.remote.foreign_windows
                if w.name == spec.name and w is not foreign and OWNER_TAG not in w.tags
            ]
            if twins:
                # The replaced tool, run twice, made every window twice.
                adopt = replace(
                    adopt,
                    note=f"another untagged window of this name, {', '.join(twins)}, is "
                    "left as it is and patches the same instances: delete it by hand",
                )
            draft.window_writes.append(adopt)
            plan_children(draft, spec, foreign.window_id, foreign, adopting=True)
            continue
        window_id: str | Ref = _create_window(draft, spec)
        plan_children(draft, spec, window_id, None)
    for window in draft.remote.windows:
        if window.window_id not in kept:
            tasks, rest, note = retire_window(window)
            draft.task_deletes.extend(tasks)
            draft.window_deletes.extend(rest)
            if note is not None:
                draft.kept.append(note)


def plan_children(
    draft: PlanDraft,
    spec: WindowSpec,
    window_id: str | Ref,
    found: RemoteWindow | None,
    adopting: bool = False,
) -> None:
    """The window's targets, then its tasks, then the targets no task uses any more."""
    target_ids, leftover = plan_targets(draft, spec, window_id, found, adopting)
    plan_tasks(draft, spec, window_id, found, target_ids, adopting)
    if found is not None:
        draft.window_writes.extend(delete_target(found, t, spec.name) for t in leftover)


def _adopt_window(draft: PlanDraft, spec: WindowSpec, found: RemoteWindow) -> Change:
    """Take over a window in place: its ID, history and console links stay."""
    diffs = diff_fields(spec.fields(), found.fields)
    calls: list[Call] = []
    if diffs:
        calls.append(update_maintenance_window(found.window_id, spec.fields()))
    # Tagged last: a run that stops between the two leaves it unowned, to be
    # adopted again, never owned under a name the setup would delete.
    calls.append(add_tags_to_resource("MaintenanceWindow", found.window_id, draft.desired.name))
    return Change(
        "adopt",
        "window",
        spec.name,
        resource_id=found.window_id,
        diffs=(*diffs, FieldDiff("Owner", found.tags.get(OWNER_TAG), draft.desired.name)),
        calls=tuple(calls),
        note=None if found.name == spec.name else f"was {found.name!r}",
    )


def _create_window(draft: PlanDraft, spec: WindowSpec) -> Ref:
    var = f"window:{spec.name}"
    calls = [create_maintenance_window(spec, draft.desired.name, draft.token(), var)]
    if not spec.enabled:
        # CreateMaintenanceWindow has no Enabled: a disabled window is created, then disabled.
        calls.append(update_maintenance_window(Ref(var), {"Enabled": False}, replace=False))
    draft.window_writes.append(
        Change("create", "window", spec.name, id_var=var, calls=tuple(calls))
    )
    return Ref(var)


def _update_window(spec: WindowSpec, found: RemoteWindow) -> Change:
    diffs = diff_fields(aws_defaults.window(spec.fields()), aws_defaults.window(found.fields))
    if not diffs:
        return Change("unchanged", "window", spec.name, resource_id=found.window_id)
    return Change(
        "update",
        "window",
        spec.name,
        resource_id=found.window_id,
        diffs=diffs,
        calls=(update_maintenance_window(found.window_id, spec.fields()),),
    )


def delete_window(window: RemoteWindow) -> list[Change]:
    """Deleting a window removes its targets and tasks with it: one call."""
    children = [
        Change(
            "delete",
            "task",
            str(t.fields.get("Name") or t.window_task_id),
            parent=window.name,
            resource_id=t.window_task_id,
            note="with its window",
        )
        for t in window.tasks
    ] + [
        Change(
            "delete",
            "target",
            str(t.fields.get("Name") or t.window_target_id),
            parent=window.name,
            resource_id=t.window_target_id,
            note="with its window",
        )
        for t in window.targets
    ]
    return [
        *children,
        Change(
            "delete",
            "window",
            window.name,
            resource_id=window.window_id,
            calls=(delete_maintenance_window(window.window_id),),
        ),
    ]


def retire_window(window: RemoteWindow) -> tuple[list[Change], list[Change], Change | None]:
    """Remove what the setup owns of a window it no longer wants.

    Returns (task deregistrations, target deregistrations or the window delete, the
    note of a kept window). A window that holds an operator's task is kept with
    that task and the targets it uses; only the setup's tasks and targets go.
    """
    foreign = foreign_tasks(window)
    if not foreign:
        return [], delete_window(window), None
    held = held_targets(window)
    tasks = [delete_task(window, t) for t in window.tasks if is_setup_task(t)]
    targets = [
        delete_target(window, t, window.name)
        for t in window.targets
        if t.window_target_id not in held
    ]
    names = ", ".join(task_label(t) for t in foreign)
    note = Change(
        "unchanged",
        "window",
        window.name,
        resource_id=window.window_id,
        note=f"kept: it holds tasks that are not this setup's ({names})",
    )
    return tasks, targets, note
