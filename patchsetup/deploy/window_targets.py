"""A maintenance window's targets: matched, created, updated, deregistered (pure).

Only the setup's own targets are matched, changed or removed (``ownership``): the
targets an operator's task uses stay as they are. Targets are deregistered only
after the tasks that used them were re-pointed: ``plan_targets`` hands back the
ones to remove, and the window's planner deregisters them after the tasks.
"""

from __future__ import annotations

from patchsetup import aws_defaults
from patchsetup.deploy.adoption import pair_target
from patchsetup.deploy.calls import (
    deregister_target_from_maintenance_window,
    register_target_with_maintenance_window,
    update_maintenance_window_target,
)
from patchsetup.deploy.diff import diff_fields, first_by
from patchsetup.deploy.draft import PlanDraft, adopted
from patchsetup.deploy.ownership import held_targets
from patchsetup.deploy.plan import Change, Ref
from patchsetup.deploy.remote import RemoteTarget, RemoteWindow
from patchsetup.model import TargetSpec, WindowSpec


def plan_targets(
    draft: PlanDraft,
    spec: WindowSpec,
    window_id: str | Ref,
    found: RemoteWindow | None,
    adopting: bool = False,
) -> tuple[dict[str, str | Ref], list[RemoteTarget]]:
    """The window target ID (or Ref) of each spec target, and the setup's targets no
    spec target keeps (to deregister once the tasks no longer use them).

    When adopting, a target no name matches is paired with one selecting the same
    instances, so the replaced tool's unnamed target is taken over, not duplicated.
    """
    held = held_targets(found) if found else set()
    targets = found.targets if found else []
    own_targets = [t for t in targets if t.window_target_id not in held]
    remote_targets = first_by(own_targets, lambda t: t.fields.get("Name"))
    # Targets a foreign task uses may still be the spec's by name (it reuses ours).
    for existing in targets:
        remote_targets.setdefault(existing.fields.get("Name"), existing)
    target_ids: dict[str, str | Ref] = {}
    kept_targets: set[str] = set()
    for target in spec.targets:
        have = remote_targets.get(target.name)
        if have is None and adopting:
            have = pair_target(
                target.fields()["Targets"],
                [t for t in own_targets if t.window_target_id not in kept_targets],
            )
        if have is not None and have.window_target_id in kept_targets:
            have = None
        if have is not None and have.fields.get("ResourceType") == target.resource_type:
            kept_targets.add(have.window_target_id)
            target_ids[target.name] = have.window_target_id
            change = _update_target(spec, window_id, target, have)
            draft.window_writes.append(adopted(change, adopting))
        else:
            target_ids[target.name] = _create_target(draft, spec, window_id, target)
    leftover = [t for t in own_targets if t.window_target_id not in kept_targets]
    return target_ids, leftover


def _create_target(
    draft: PlanDraft, spec: WindowSpec, window_id: str | Ref, target: TargetSpec
) -> Ref:
    var = f"target:{spec.name}/{target.name}"
    call = register_target_with_maintenance_window(window_id, target, draft.token(), var)
    draft.window_writes.append(
        Change("create", "target", target.name, parent=spec.name, id_var=var, calls=(call,))
    )
    return Ref(var)


def _update_target(
    spec: WindowSpec, window_id: str | Ref, target: TargetSpec, have: RemoteTarget
) -> Change:
    diffs = diff_fields(aws_defaults.target(target.fields()), aws_defaults.target(have.fields))
    if not diffs:
        return Change(
            "unchanged",
            "target",
            target.name,
            parent=spec.name,
            resource_id=have.window_target_id,
        )
    return Change(
        "update",
        "target",
        target.name,
        parent=spec.name,
        resource_id=have.window_target_id,
        diffs=diffs,
        calls=(update_maintenance_window_target(window_id, have.window_target_id, target),),
    )


def delete_target(window: RemoteWindow, target: RemoteTarget, parent: str) -> Change:
    """Deregister one target, after the tasks that used it are gone or re-pointed."""
    return Change(
        "delete",
        "target",
        str(target.fields.get("Name") or target.window_target_id),
        parent=parent,
        resource_id=target.window_target_id,
        calls=(
            deregister_target_from_maintenance_window(window.window_id, target.window_target_id),
        ),
    )
