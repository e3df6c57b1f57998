"""Patch baselines' story: the baselines, their patch-group registrations, the default.

Pure: no boto3. A baseline is matched by name and OS, then created, updated (its
rules compared in canonical form) or deleted. AWS registers a patch group to one
baseline per OS: taking a group that a baseline not this setup's holds is
adoption, taking another setup's is a conflict (PlanConflict), and an untagged
baseline that adoption leaves holding nothing goes too. A baseline that is the
region's default for its OS is deleted only after AWS's predefined one is made
the default again (``delete_baseline``).
"""

from __future__ import annotations

from collections.abc import Mapping

from patchsetup.baselines.compare import canonical, update_params
from patchsetup.deploy.calls import (
    add_tags_to_resource,
    create_patch_baseline,
    delete_patch_baseline,
    deregister_patch_baseline_for_patch_group,
    register_patch_baseline_for_patch_group,
    update_patch_baseline,
)
from patchsetup.deploy.diff import FieldDiff, diff_fields, first_by
from patchsetup.deploy.draft import PlanDraft
from patchsetup.deploy.plan import Change, PlanConflict, Ref
from patchsetup.deploy.remote import Registration, RemoteBaseline, RemoteState
from patchsetup.model import OWNER_TAG, BaselineSpec


def plan_baselines(draft: PlanDraft) -> dict[str, str | Ref]:
    """Plan baseline writes; return each desired baseline's ID (or Ref) by name."""
    remote = first_by(draft.remote.baselines, lambda b: (b.name, b.operating_system))
    ids: dict[str, str | Ref] = {}
    wanted: set[str] = set()
    for spec in draft.desired.baselines:
        found = remote.get((spec.name, spec.operating_system))
        if found is None:
            ids[spec.name] = _create_baseline(draft, spec)
            continue
        wanted.add(found.baseline_id)
        ids[spec.name] = found.baseline_id
        draft.baseline_writes.append(_update_baseline(spec, found))
    for baseline in draft.remote.baselines:
        if baseline.baseline_id not in wanted:
            draft.baseline_deletes.append(delete_baseline(baseline, draft.remote))
    return ids


def _create_baseline(draft: PlanDraft, spec: BaselineSpec) -> Ref:
    var = f"baseline:{spec.name}"
    tags = {**spec.tags, OWNER_TAG: draft.desired.name}
    draft.baseline_writes.append(
        Change(
            "create",
            "baseline",
            spec.name,
            id_var=var,
            calls=(create_patch_baseline(spec, tags, draft.token(), var),),
        )
    )
    return Ref(var)


def _update_baseline(spec: BaselineSpec, found: RemoteBaseline) -> Change:
    want = canonical(spec.rules)
    have = canonical(found.rules)
    diffs = diff_fields(want, have)
    if not diffs:
        return Change("unchanged", "baseline", spec.name, resource_id=found.baseline_id)
    params = update_params({**spec.rules, "Name": spec.name})
    return Change(
        "update",
        "baseline",
        spec.name,
        resource_id=found.baseline_id,
        diffs=diffs,
        calls=(update_patch_baseline(found.baseline_id, params),),
    )


# -- patch groups ------------------------------------------------------------


def plan_patch_groups(draft: PlanDraft, baseline_ids: Mapping[str, str | Ref]) -> None:
    deleted = {c.resource_id for c in draft.baseline_deletes if c.action == "delete"}
    current = {(r.patch_group, r.operating_system): r for r in draft.remote.registrations}
    wanted: set[tuple[str, str]] = set()
    moved: list[Registration] = []
    for spec in draft.desired.baselines:
        target = baseline_ids[spec.name]
        for group in spec.patch_groups:
            key = (group, spec.operating_system)
            wanted.add(key)
            found = current.get(key)
            label = f"{group} -> {spec.name}"
            lane = f"patch-group:{group}:{spec.operating_system}"
            if found is not None and found.baseline_owner not in (None, draft.desired.name):
                raise PlanConflict(
                    f"patch group {group!r} ({key[1]}) is registered to baseline "
                    f"{found.baseline_name!r} of setup {found.baseline_owner!r}; AWS allows "
                    "one baseline per group and OS: use another patch group or clean up "
                    f"setup {found.baseline_owner!r} first"
                )
            if found is not None and found.baseline_id == target:
                draft.group_writes.append(
                    Change("unchanged", "patch-group", label, resource_id=group, lane=lane)
                )
            elif found is None or found.baseline_id in deleted:
                draft.group_writes.append(
                    Change(
                        "create",
                        "patch-group",
                        label,
                        resource_id=group,
                        calls=(
                            register_patch_baseline_for_patch_group(
                                target, group, spec.operating_system
                            ),
                        ),
                        lane=lane,
                        note=_elsewhere(draft, group, spec.operating_system),
                    )
                )
            else:
                # Held by a baseline this setup does not own (untagged: the replaced
                # tool's, a console-made one, AWS's): taking it is adoption.
                foreign = found.baseline_owner is None
                if foreign:
                    moved.append(found)
                draft.group_writes.append(
                    Change(
                        "adopt" if foreign else "update",
                        "patch-group",
                        label,
                        resource_id=group,
                        diffs=(FieldDiff("Baseline", found.baseline_name, spec.name),),
                        lane=lane,
                        calls=(
                            deregister_patch_baseline_for_patch_group(found.baseline_id, group),
                            register_patch_baseline_for_patch_group(
                                target, group, spec.operating_system
                            ),
                        ),
                    )
                )
    kept = {b.baseline_id for b in draft.remote.baselines} - deleted
    for reg in draft.remote.registrations:
        key = (reg.patch_group, reg.operating_system)
        if reg.baseline_id in kept and key not in wanted:
            draft.group_deletes.append(delete_registration(reg))
    _plan_emptied(draft, moved)


def _elsewhere(draft: PlanDraft, group: str, operating_system: str) -> str | None:
    """Say so when the group's instances of another OS follow a baseline not ours."""
    others = [
        r
        for r in draft.remote.registrations
        if r.patch_group == group
        and r.operating_system != operating_system
        and r.baseline_owner is None
    ]
    if not others:
        return None
    listed = ", ".join(f"{r.baseline_name!r} ({r.operating_system})" for r in others)
    return (
        f"its instances of other OSes still follow {listed}, not this setup's: to take "
        "that over too, give this setup a baseline for that OS"
    )


def _plan_emptied(draft: PlanDraft, moved: list[Registration]) -> None:
    """An untagged custom baseline that adoption leaves holding nothing goes too."""
    taken = {(r.baseline_id, r.patch_group) for r in moved}
    for baseline_id in dict.fromkeys(r.baseline_id for r in moved):
        if baseline_id.startswith("arn:"):
            continue  # AWS-owned: only ever loses the registration
        left = [
            r
            for r in draft.remote.registrations
            if r.baseline_id == baseline_id and (baseline_id, r.patch_group) not in taken
        ]
        name = next(r.baseline_name for r in moved if r.baseline_id == baseline_id)
        if left:
            continue
        if baseline_id in draft.remote.default_baselines:
            draft.emptied_baselines.append(
                Change(
                    "unchanged",
                    "baseline",
                    name,
                    resource_id=baseline_id,
                    note="kept, although adoption leaves it holding nothing: it is the "
                    "region's default baseline, and it is not this setup's",
                )
            )
            continue
        # Tagged before its groups move: a run that stops in between leaves a
        # baseline this setup owns and no longer wants (deleted next run), never
        # an orphan nobody would recognise.
        draft.baseline_writes.append(
            Change(
                "adopt",
                "baseline",
                name,
                resource_id=baseline_id,
                calls=(add_tags_to_resource("PatchBaseline", baseline_id, draft.desired.name),),
                diffs=(FieldDiff("Owner", None, draft.desired.name),),
                note="to delete it once its patch groups have moved",
            )
        )
        draft.emptied_baselines.append(
            Change(
                "delete",
                "baseline",
                name,
                resource_id=baseline_id,
                calls=(delete_patch_baseline(baseline_id),),
                note="untagged; adoption moved its last patch group to this setup",
            )
        )


def delete_baseline(baseline: RemoteBaseline, remote: RemoteState) -> Change:
    """Delete a baseline, deregistering its patch groups first (AWS refuses otherwise).

    A baseline that is the region's default for its OS cannot be deleted: when it
    is the setup's own, AWS's predefined default is made the default first (by the
    default-baseline change the planner or sweeper puts before the deletes,
    ``default_baselines.restore_default``); anyone else's is kept, and the change
    says why.
    """
    groups = [r for r in remote.registrations if r.baseline_id == baseline.baseline_id]
    calls = [
        deregister_patch_baseline_for_patch_group(r.baseline_id, r.patch_group) for r in groups
    ]
    notes = [f"and its patch groups: {', '.join(r.patch_group for r in groups)}"] if groups else []
    if baseline.baseline_id in remote.default_baselines:
        aws_default = remote.aws_defaults.get(baseline.operating_system)
        if OWNER_TAG not in baseline.tags or aws_default is None:
            why = (
                "it is not this setup's"
                if OWNER_TAG not in baseline.tags
                else f"AWS's predefined {baseline.operating_system} baseline was not found"
            )
            return Change(
                "unchanged",
                "baseline",
                baseline.name,
                resource_id=baseline.baseline_id,
                calls=tuple(calls),
                note=f"kept: it is the region's default {baseline.operating_system} baseline "
                f"and {why}; make another baseline the default first "
                "(aws ssm register-default-patch-baseline)",
            )
        # The default-baseline change before it makes AWS's the default again
        # (default_baselines.restore_default): AWS refuses to delete the default.
        notes.append(
            f"it was the region's default {baseline.operating_system} baseline: AWS's "
            "predefined one is made the default again first"
        )
    calls.append(delete_patch_baseline(baseline.baseline_id))
    return Change(
        "delete",
        "baseline",
        baseline.name,
        resource_id=baseline.baseline_id,
        calls=tuple(calls),
        note="; ".join(notes) or None,
    )


def delete_registration(reg: Registration) -> Change:
    """Deregister one patch group from its baseline."""
    return Change(
        "delete",
        "patch-group",
        f"{reg.patch_group} -> {reg.baseline_name}",
        resource_id=reg.patch_group,
        calls=(deregister_patch_baseline_for_patch_group(reg.baseline_id, reg.patch_group),),
    )
