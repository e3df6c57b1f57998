"""The diff: desired Setup against RemoteState, as a Plan of API calls.

Pure: no boto3. One ``_plan_<kind>`` function per resource kind. Cleanup is
planning against an empty Setup. The order of the plan is the order of
execution, chosen so that every call's dependencies exist and nothing is left
orphaned if a run stops half way: tasks and windows are removed first,
patch-group registrations leave a baseline before it is deleted, a window is
created before its targets and its targets before its tasks, and targets are
removed only after the tasks that used them were re-pointed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from patchsetup.baselines.compare import canonical, update_params
from patchsetup.deploy import aws_defaults
from patchsetup.deploy.adoption import adoption_candidates, find_duplicate, pair_target
from patchsetup.deploy.ownership import foreign_tasks, held_targets, is_setup_task, task_label
from patchsetup.deploy.plan import Call, Change, Confirm, FieldDiff, Json, Plan, PlanConflict, Ref
from patchsetup.deploy.remote import (
    UNKNOWN,
    Registration,
    RemoteBaseline,
    RemoteRole,
    RemoteState,
    RemoteTarget,
    RemoteTask,
    RemoteWindow,
)
from patchsetup.model import (
    OWNER_TAG,
    ROLE_PATH,
    ROLE_REGION_VALUE,
    SERVICE_ROLE,
    BaselineSpec,
    RoleSpec,
    Setup,
    TargetSpec,
    TaskSpec,
    WindowSpec,
    role_region_tag,
    role_regions,
)

__all__ = ["PlanConflict", "adoption_candidates", "plan"]

TokenFactory = Callable[[], str]
#: A delete that finds its resource gone: a retry whose first attempt worked.
_GONE = ("DoesNotExistException",)
T = TypeVar("T")


def _uuid_token() -> str:
    return str(uuid.uuid4())


def plan(
    desired: Setup,
    remote: RemoteState,
    token: TokenFactory = _uuid_token,
    *,
    region: str | None = None,
    boundary: str | None = None,
) -> Plan:
    """The calls that turn ``remote`` into ``desired``; ``token`` makes ClientTokens.

    ``boundary`` is the ARN of the permissions boundary the service role must have
    (policy.boundary_arn_of): a created role gets it, an existing one without it gets
    it put. None: the role's boundary is left as it is (plans made without AWS).

    ``region`` is the region planned for. The service role is global: it carries a
    tag per region that uses it, and a region that lets go of it deletes it only
    when no other region's tag is left (``release_role``). None: no region tags.

    Raises PlanConflict, before anything is written, for a patch group another
    setup's baseline already holds for the same OS.
    """
    builder = _Builder(desired, remote, token, region, boundary)
    return builder.build()


def diff_fields(desired: Mapping[str, Any], actual: Mapping[str, Any]) -> tuple[FieldDiff, ...]:
    """Fields whose values differ; an absent field equals None (AWS omits unset ones)."""
    return tuple(
        FieldDiff(key, _blank(actual.get(key)), _blank(value))
        for key, value in desired.items()
        if actual.get(key) != UNKNOWN and _blank(value) != _blank(actual.get(key))
    )


def _blank(value: Any) -> Any:
    """AWS omits unset strings and empty lists: "", [] and {} mean the same as absent."""
    if isinstance(value, Mapping):
        value = {k: _blank(v) for k, v in value.items()}
        value = {k: v for k, v in value.items() if v is not None}
    elif isinstance(value, list):
        value = [_blank(v) for v in value]
    return None if value in ("", [], {}) else value


def _compact(params: Mapping[str, Any]) -> dict[str, Any]:
    """Request parameters without unset values (botocore rejects None)."""
    return {k: v for k, v in params.items() if v is not None}


@dataclass
class _Builder:
    desired: Setup
    remote: RemoteState
    token: TokenFactory
    region: str | None = None
    boundary: str | None = None
    # Phases, concatenated in this order.
    task_deletes: list[Change] = field(default_factory=list)
    window_deletes: list[Change] = field(default_factory=list)
    group_deletes: list[Change] = field(default_factory=list)
    baseline_deletes: list[Change] = field(default_factory=list)
    role_deletes: list[Change] = field(default_factory=list)
    role_writes: list[Change] = field(default_factory=list)
    baseline_writes: list[Change] = field(default_factory=list)
    group_writes: list[Change] = field(default_factory=list)
    window_writes: list[Change] = field(default_factory=list)
    #: Untagged baselines that adoption leaves holding nothing.
    emptied_baselines: list[Change] = field(default_factory=list)
    #: Windows that stay because they hold an operator's tasks.
    kept: list[Change] = field(default_factory=list)

    role_arn: str | Ref | None = None

    def build(self) -> Plan:
        self.role_arn = self._plan_role()
        baseline_ids = self._plan_baselines()
        self._plan_patch_groups(baseline_ids)
        self._plan_windows()
        return Plan(
            tuple(
                in_phase(1, self.task_deletes)
                + in_phase(1, self.group_deletes)
                + in_phase(2, self.window_deletes)
                + in_phase(2, self.baseline_deletes)
                + in_phase(3, self.role_writes)
                + in_phase(4, self.baseline_writes)
                + in_phase(4, self.window_writes)
                # Registrations need their baseline, and not each other: each its own lane.
                + in_phase(5, self.group_writes)
                # Last: tasks have been re-pointed away from a role before it goes.
                + in_phase(6, self.role_deletes)
                + in_phase(6, self.emptied_baselines)
                + in_phase(7, self.kept)
            )
        )

    # -- the service role ------------------------------------------------------------

    def _plan_role(self) -> str | Ref | None:
        """Plan the service role; return its ARN (or a Ref to it) for the tasks."""
        spec = self.desired.service_role
        found = next((r for r in self.remote.roles if spec and r.name == spec.name), None)
        for role in self.remote.roles:
            if role is not found:
                self.role_deletes.append(release_role(role, self.region))
        if spec is None:
            return None
        if found is None:
            var = f"role:{spec.name}"
            tags = {OWNER_TAG: self.desired.name}
            if self.region is not None:
                tags[role_region_tag(self.region)] = ROLE_REGION_VALUE
            calls = [
                Call(
                    "create_role",
                    {
                        "Path": ROLE_PATH,
                        "RoleName": spec.name,
                        "AssumeRolePolicyDocument": json.dumps(spec.trust_policy()),
                        "Description": spec.description,
                        "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
                        **({"PermissionsBoundary": self.boundary} if self.boundary else {}),
                    },
                    (var, "Role.Arn"),
                    service="iam",
                ),
                *(
                    _put_policy(spec.name, n, _with_arn(d, Ref(var)))
                    for n, d in spec.policies.items()
                ),
            ]
            self.role_writes.append(
                Change("create", "role", spec.name, id_var=var, calls=tuple(calls))
            )
            return Ref(var)
        self.role_writes.append(_update_role(spec, found, self.region, self.boundary))
        return found.arn

    # -- baselines ---------------------------------------------------------------

    def _plan_baselines(self) -> dict[str, str | Ref]:
        """Plan baseline writes; return each desired baseline's ID (or Ref) by name."""
        remote = _first_by(self.remote.baselines, lambda b: (b.name, b.operating_system))
        ids: dict[str, str | Ref] = {}
        wanted: set[str] = set()
        for spec in self.desired.baselines:
            found = remote.get((spec.name, spec.operating_system))
            if found is None:
                ids[spec.name] = self._create_baseline(spec)
                continue
            wanted.add(found.baseline_id)
            ids[spec.name] = found.baseline_id
            self.baseline_writes.append(self._update_baseline(spec, found))
        for baseline in self.remote.baselines:
            if baseline.baseline_id not in wanted:
                self.baseline_deletes.append(delete_baseline(baseline, self.remote))
        return ids

    def _create_baseline(self, spec: BaselineSpec) -> Ref:
        var = f"baseline:{spec.name}"
        tags = {**spec.tags, OWNER_TAG: self.desired.name}
        params = {
            "Name": spec.name,
            **spec.rules,
            "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
            "ClientToken": self.token(),
        }
        self.baseline_writes.append(
            Change(
                "create",
                "baseline",
                spec.name,
                id_var=var,
                calls=(Call("create_patch_baseline", params, (var, "BaselineId")),),
            )
        )
        return Ref(var)

    def _update_baseline(self, spec: BaselineSpec, found: RemoteBaseline) -> Change:
        want = canonical(spec.rules)
        have = canonical(found.rules)
        diffs = diff_fields(want, have)
        if not diffs:
            return Change("unchanged", "baseline", spec.name, resource_id=found.baseline_id)
        params = {
            "BaselineId": found.baseline_id,
            **update_params({**spec.rules, "Name": spec.name}),
            "Replace": True,
        }
        return Change(
            "update",
            "baseline",
            spec.name,
            resource_id=found.baseline_id,
            diffs=diffs,
            calls=(Call("update_patch_baseline", params),),
        )

    # -- patch groups ------------------------------------------------------------

    def _plan_patch_groups(self, baseline_ids: Mapping[str, str | Ref]) -> None:
        deleted = {c.resource_id for c in self.baseline_deletes if c.action == "delete"}
        current = {(r.patch_group, r.operating_system): r for r in self.remote.registrations}
        wanted: set[tuple[str, str]] = set()
        moved: list[Registration] = []
        for spec in self.desired.baselines:
            target = baseline_ids[spec.name]
            for group in spec.patch_groups:
                key = (group, spec.operating_system)
                wanted.add(key)
                found = current.get(key)
                label = f"{group} -> {spec.name}"
                lane = f"patch-group:{group}:{spec.operating_system}"
                if found is not None and found.baseline_owner not in (None, self.desired.name):
                    raise PlanConflict(
                        f"patch group {group!r} ({key[1]}) is registered to baseline "
                        f"{found.baseline_name!r} of setup {found.baseline_owner!r}; AWS allows "
                        "one baseline per group and OS: use another patch group or clean up "
                        f"setup {found.baseline_owner!r} first"
                    )
                if found is not None and found.baseline_id == target:
                    self.group_writes.append(
                        Change("unchanged", "patch-group", label, resource_id=group, lane=lane)
                    )
                elif found is None or found.baseline_id in deleted:
                    self.group_writes.append(
                        Change(
                            "create",
                            "patch-group",
                            label,
                            resource_id=group,
                            calls=(_register_group(target, group, spec.operating_system),),
                            lane=lane,
                            note=self._elsewhere(group, spec.operating_system),
                        )
                    )
                else:
                    # Held by a baseline this setup does not own (untagged: the replaced
                    # tool's, a console-made one, AWS's): taking it is adoption.
                    foreign = found.baseline_owner is None
                    if foreign:
                        moved.append(found)
                    self.group_writes.append(
                        Change(
                            "adopt" if foreign else "update",
                            "patch-group",
                            label,
                            resource_id=group,
                            diffs=(FieldDiff("Baseline", found.baseline_name, spec.name),),
                            lane=lane,
                            calls=(
                                _deregister_group(found.baseline_id, group),
                                _register_group(target, group, spec.operating_system),
                            ),
                        )
                    )
        kept = {b.baseline_id for b in self.remote.baselines} - deleted
        for reg in self.remote.registrations:
            key = (reg.patch_group, reg.operating_system)
            if reg.baseline_id in kept and key not in wanted:
                self.group_deletes.append(delete_registration(reg))
        self._plan_emptied(moved)

    def _elsewhere(self, group: str, operating_system: str) -> str | None:
        """Say so when the group's instances of another OS follow a baseline not ours."""
        others = [
            r
            for r in self.remote.registrations
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

    def _plan_emptied(self, moved: list[Registration]) -> None:
        """An untagged custom baseline that adoption leaves holding nothing goes too."""
        taken = {(r.baseline_id, r.patch_group) for r in moved}
        for baseline_id in dict.fromkeys(r.baseline_id for r in moved):
            if baseline_id.startswith("arn:"):
                continue  # AWS-owned: only ever loses the registration
            left = [
                r
                for r in self.remote.registrations
                if r.baseline_id == baseline_id and (baseline_id, r.patch_group) not in taken
            ]
            name = next(r.baseline_name for r in moved if r.baseline_id == baseline_id)
            if left:
                continue
            if baseline_id in self.remote.default_baselines:
                self.emptied_baselines.append(
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
            self.baseline_writes.append(
                Change(
                    "adopt",
                    "baseline",
                    name,
                    resource_id=baseline_id,
                    calls=(_tag("PatchBaseline", baseline_id, self.desired.name),),
                    diffs=(FieldDiff("Owner", None, self.desired.name),),
                    note="to delete it once its patch groups have moved",
                )
            )
            self.emptied_baselines.append(
                Change(
                    "delete",
                    "baseline",
                    name,
                    resource_id=baseline_id,
                    calls=(Call("delete_patch_baseline", {"BaselineId": baseline_id}),),
                    note="untagged; adoption moved its last patch group to this setup",
                )
            )

    # -- windows, targets, tasks --------------------------------------------------

    def _plan_windows(self) -> None:
        remote = _first_by(self.remote.windows, lambda w: w.name)
        kept: set[str] = set()
        claimed: set[str] = set()
        for spec in self.desired.windows:
            found = remote.get(spec.name)
            if found is not None:
                kept.add(found.window_id)
                self.window_writes.append(self._update_window(spec, found))
                self._plan_children(spec, found.window_id, found)
                continue
            foreign = find_duplicate(spec, self.remote.foreign_windows, claimed)
            if foreign is not None:
                claimed.add(foreign.window_id)
                adopt = self._adopt_window(spec, foreign)
                twins = [
                    w.window_id
                    for w in self.remote.foreign_windows
                    if w.name == spec.name and w is not foreign and OWNER_TAG not in w.tags
                ]
                if twins:
                    # The replaced tool, run twice, made every window twice.
                    adopt = replace(
                        adopt,
                        note=f"another untagged window of this name, {', '.join(twins)}, is "
                        "left as it is and patches the same instances: delete it by hand",
                    )
                self.window_writes.append(adopt)
                self._plan_children(spec, foreign.window_id, foreign, adopting=True)
                continue
            window_id: str | Ref = self._create_window(spec)
            self._plan_children(spec, window_id, None)
        for window in self.remote.windows:
            if window.window_id not in kept:
                tasks, rest, note = retire_window(window)
                self.task_deletes.extend(tasks)
                self.window_deletes.extend(rest)
                if note is not None:
                    self.kept.append(note)

    def _adopt_window(self, spec: WindowSpec, found: RemoteWindow) -> Change:
        """Take over a window in place: its ID, history and console links stay."""
        diffs = diff_fields(spec.fields(), found.fields)
        calls: list[Call] = []
        if diffs:
            params = _compact({"WindowId": found.window_id, **spec.fields(), "Replace": True})
            calls.append(Call("update_maintenance_window", params))
        # Tagged last: a run that stops between the two leaves it unowned, to be
        # adopted again, never owned under a name the setup would delete.
        calls.append(_tag("MaintenanceWindow", found.window_id, self.desired.name))
        return Change(
            "adopt",
            "window",
            spec.name,
            resource_id=found.window_id,
            diffs=(*diffs, FieldDiff("Owner", found.tags.get(OWNER_TAG), self.desired.name)),
            calls=tuple(calls),
            note=None if found.name == spec.name else f"was {found.name!r}",
        )

    def _create_window(self, spec: WindowSpec) -> Ref:
        var = f"window:{spec.name}"
        fields = {k: v for k, v in spec.fields().items() if k != "Enabled"}
        create = _compact(
            {
                **fields,
                "Tags": [{"Key": OWNER_TAG, "Value": self.desired.name}],
                "ClientToken": self.token(),
            }
        )
        calls = [Call("create_maintenance_window", create, (var, "WindowId"))]
        if not spec.enabled:
            # CreateMaintenanceWindow has no Enabled: a disabled window is created, then disabled.
            calls.append(
                Call("update_maintenance_window", {"WindowId": Ref(var), "Enabled": False})
            )
        self.window_writes.append(
            Change("create", "window", spec.name, id_var=var, calls=tuple(calls))
        )
        return Ref(var)

    def _update_window(self, spec: WindowSpec, found: RemoteWindow) -> Change:
        diffs = diff_fields(aws_defaults.window(spec.fields()), aws_defaults.window(found.fields))
        if not diffs:
            return Change("unchanged", "window", spec.name, resource_id=found.window_id)
        params = _compact({"WindowId": found.window_id, **spec.fields(), "Replace": True})
        return Change(
            "update",
            "window",
            spec.name,
            resource_id=found.window_id,
            diffs=diffs,
            calls=(Call("update_maintenance_window", params),),
        )

    def _plan_children(
        self,
        spec: WindowSpec,
        window_id: str | Ref,
        found: RemoteWindow | None,
        adopting: bool = False,
    ) -> None:
        """Targets and tasks; only the setup's own are matched, changed or removed.

        When adopting, what the window holds that no name matches is paired with
        what the spec wants (a target selecting the same instances first), so the
        replaced tool's unnamed target and task are taken over, not duplicated.
        """
        held = held_targets(found) if found else set()
        targets = found.targets if found else []
        own_targets = [t for t in targets if t.window_target_id not in held]
        own_tasks = [t for t in (found.tasks if found else []) if is_setup_task(t)]
        remote_targets = _first_by(own_targets, lambda t: t.fields.get("Name"))
        remote_tasks = _first_by(own_tasks, lambda t: t.fields.get("Name"))
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
                change = self._update_target(spec, window_id, target, have)
                self.window_writes.append(_adopted(change, adopting))
            else:
                target_ids[target.name] = self._create_target(spec, window_id, target)
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
                change = self._update_task(spec, window_id, task, have_task, target_ids)
                self.window_writes.append(_adopted(change, adopting))
            else:
                self.window_writes.append(self._create_task(spec, window_id, task, target_ids))
        if found is None:
            return
        for remote_task in own_tasks:
            if remote_task.window_task_id not in kept_tasks:
                self.task_deletes.append(delete_task(found, remote_task))
        late_deletes = [
            _delete_target(found, t, spec.name)
            for t in own_targets
            if t.window_target_id not in kept_targets
        ]
        self.window_writes.extend(late_deletes)

    def _create_target(self, spec: WindowSpec, window_id: str | Ref, target: TargetSpec) -> Ref:
        var = f"target:{spec.name}/{target.name}"
        fields = target.fields()
        params = _compact({"WindowId": window_id, **fields, "ClientToken": self.token()})
        self.window_writes.append(
            Change(
                "create",
                "target",
                target.name,
                parent=spec.name,
                id_var=var,
                calls=(
                    Call(
                        "register_target_with_maintenance_window", params, (var, "WindowTargetId")
                    ),
                ),
            )
        )
        return Ref(var)

    def _update_target(
        self, spec: WindowSpec, window_id: str | Ref, target: TargetSpec, have: RemoteTarget
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
        fields = {k: v for k, v in target.fields().items() if k != "ResourceType"}
        params = _compact(
            {
                "WindowId": window_id,
                "WindowTargetId": have.window_target_id,
                **fields,
                "Replace": True,
            }
        )
        return Change(
            "update",
            "target",
            target.name,
            parent=spec.name,
            resource_id=have.window_target_id,
            diffs=diffs,
            calls=(Call("update_maintenance_window_target", params),),
        )

    def _task_params(self, task: TaskSpec, target_ids: Mapping[str, str | Ref]) -> dict[str, Any]:
        fields = task.fields()
        fields["Targets"] = [
            {"Key": "WindowTargetIds", "Values": [target_ids[n] for n in task.target_names]}
        ]
        run_command = fields["TaskInvocationParameters"]["RunCommand"]
        for holder in (fields, run_command):
            if holder.get("ServiceRoleArn") == SERVICE_ROLE:
                holder["ServiceRoleArn"] = self.role_arn
        return fields

    def _create_task(
        self,
        spec: WindowSpec,
        window_id: str | Ref,
        task: TaskSpec,
        target_ids: Mapping[str, str | Ref],
    ) -> Change:
        var = f"task:{spec.name}/{task.name}"
        params = _compact(
            {
                "WindowId": window_id,
                **self._task_params(task, target_ids),
                "ClientToken": self.token(),
            }
        )
        return Change(
            "create",
            "task",
            task.name,
            parent=spec.name,
            id_var=var,
            calls=(Call("register_task_with_maintenance_window", params, (var, "WindowTaskId")),),
        )

    def _update_task(
        self,
        spec: WindowSpec,
        window_id: str | Ref,
        task: TaskSpec,
        have: RemoteTask,
        target_ids: Mapping[str, str | Ref],
    ) -> Change:
        want = self._task_params(task, target_ids)
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
        params = _compact(
            {
                "WindowId": window_id,
                "WindowTaskId": have.window_task_id,
                **{k: v for k, v in want.items() if k != "TaskType"},
                "Replace": True,
            }
        )
        return Change(
            "update",
            "task",
            task.name,
            parent=spec.name,
            resource_id=have.window_task_id,
            diffs=tuple(_readable_targets(d, task) for d in diffs),
            calls=(Call("update_maintenance_window_task", params),),
        )


def _readable_targets(diff: FieldDiff, task: TaskSpec) -> FieldDiff:
    # Target IDs of targets created in this run are Refs; show the names instead.
    if diff.field != "Targets":
        return diff
    return FieldDiff(
        "Targets", diff.old, [{"Key": "WindowTargetIds", "Values": list(task.target_names)}]
    )


def delete_baseline(baseline: RemoteBaseline, remote: RemoteState) -> Change:
    """Delete a baseline, deregistering its patch groups first (AWS refuses otherwise).

    A baseline that is the region's default for its OS cannot be deleted: when it
    is the setup's own, AWS's predefined default is made the default first;
    anyone else's is kept, and the change says why.
    """
    groups = [r for r in remote.registrations if r.baseline_id == baseline.baseline_id]
    calls = [_deregister_group(r.baseline_id, r.patch_group) for r in groups]
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
        calls.insert(0, Call("register_default_patch_baseline", {"BaselineId": aws_default}))
        notes.append(
            f"it was the region's default {baseline.operating_system} baseline: AWS's "
            "predefined one is made the default again first"
        )
    calls.append(Call("delete_patch_baseline", {"BaselineId": baseline.baseline_id}))
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
        calls=(_deregister_group(reg.baseline_id, reg.patch_group),),
    )


def delete_task(window: RemoteWindow, task: RemoteTask) -> Change:
    """Deregister one task from its window."""
    return Change(
        "delete",
        "task",
        str(task.fields.get("Name") or task.window_task_id),
        parent=window.name,
        resource_id=task.window_task_id,
        calls=(
            Call(
                "deregister_task_from_maintenance_window",
                {"WindowId": window.window_id, "WindowTaskId": task.window_task_id},
                done_if=_GONE,
            ),
        ),
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
            calls=(
                Call("delete_maintenance_window", {"WindowId": window.window_id}, done_if=_GONE),
            ),
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
        _delete_target(window, t, window.name)
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


def _delete_target(window: RemoteWindow, target: RemoteTarget, parent: str) -> Change:
    """Deregister one target, after the tasks that used it are gone or re-pointed."""
    return Change(
        "delete",
        "target",
        str(target.fields.get("Name") or target.window_target_id),
        parent=parent,
        resource_id=target.window_target_id,
        calls=(
            Call(
                "deregister_target_from_maintenance_window",
                {
                    "WindowId": window.window_id,
                    "WindowTargetId": target.window_target_id,
                    # Refuse rather than leave a task pointing at nothing.
                    "Safe": True,
                },
                done_if=_GONE,
            ),
        ),
    )


def _adopted(change: Change, adopting: bool) -> Change:
    """A child of an adopted window is adopted too (with the fields that change)."""
    return replace(change, action="adopt") if adopting else change


def in_phase(phase: int, changes: list[Change]) -> list[Change]:
    """Place changes in a phase, each in the lane of what it belongs to."""
    return [replace(c, phase=phase, lane=c.lane or _lane(c)) for c in changes]


def _lane(change: Change) -> str:
    if change.kind in ("window", "target", "task") and (change.parent or change.kind == "window"):
        return f"window:{change.parent or change.name}"
    if change.kind in ("baseline", "role"):
        return f"{change.kind}:{change.name}"
    # Lone deletes (a task, a registration) depend on nothing else in their phase.
    return f"{change.kind}:{change.resource_id}:{change.name}"


def _is_linked_role(arn: Any) -> bool:
    return isinstance(arn, str) and ":role/aws-service-role/ssm.amazonaws.com/" in arn


def _put_policy(role: str, name: str, document: Mapping[str, Any]) -> Call:
    # Json: the document may name the role's own ARN, known only once CreateRole ran.
    return Call(
        "put_role_policy",
        {"RoleName": role, "PolicyName": name, "PolicyDocument": Json(document)},
        service="iam",
    )


def _with_arn(document: Any, arn: str | Ref) -> Any:
    """``document`` with SERVICE_ROLE (the role's own ARN in its policy) replaced by ``arn``."""
    if document == SERVICE_ROLE:
        return arn
    if isinstance(document, Mapping):
        return {k: _with_arn(v, arn) for k, v in document.items()}
    if isinstance(document, list | tuple):
        return [_with_arn(v, arn) for v in document]
    return document


def _update_role(
    spec: RoleSpec, found: RemoteRole, region: str | None = None, boundary: str | None = None
) -> Change:
    """Bring an existing role's boundary, trust, description, inline policies and region
    tag in line."""
    calls: list[Call] = []
    diffs: list[FieldDiff] = []
    if boundary is not None and found.permissions_boundary != boundary:
        # First: the operator policy allows PutRolePolicy only on a role with the boundary.
        diffs.append(FieldDiff("PermissionsBoundary", found.permissions_boundary, boundary))
        calls.append(
            Call(
                "put_role_permissions_boundary",
                {"RoleName": spec.name, "PermissionsBoundary": boundary},
                service="iam",
            )
        )
    trust = spec.trust_policy()
    if canonical_policy(trust) != canonical_policy(found.trust_policy):
        diffs.append(FieldDiff("AssumeRolePolicyDocument", found.trust_policy, trust))
        calls.append(
            Call(
                "update_assume_role_policy",
                {"RoleName": spec.name, "PolicyDocument": json.dumps(trust)},
                service="iam",
            )
        )
    if spec.description != (found.description or ""):
        diffs.append(FieldDiff("Description", found.description, spec.description))
        calls.append(
            Call(
                "update_role",
                {"RoleName": spec.name, "Description": spec.description},
                service="iam",
            )
        )
    for name, template in spec.policies.items():
        document = _with_arn(template, found.arn)
        have = found.policies.get(name)
        if have is None or canonical_policy(have) != canonical_policy(document):
            diffs.append(FieldDiff(f"Policy {name}", have, dict(document)))
            calls.append(_put_policy(spec.name, name, document))
    for name in found.policies:
        if name not in spec.policies:
            diffs.append(FieldDiff(f"Policy {name}", found.policies[name], None))
            calls.append(
                Call(
                    "delete_role_policy", {"RoleName": spec.name, "PolicyName": name}, service="iam"
                )
            )
    key = role_region_tag(region) if region is not None else None
    if key is not None and key not in found.tags:
        # This region's windows use the role now: another region's cleanup must keep it.
        diffs.append(FieldDiff(f"Tag {key}", None, ROLE_REGION_VALUE))
        calls.append(
            Call(
                "tag_role",
                {"RoleName": spec.name, "Tags": [{"Key": key, "Value": ROLE_REGION_VALUE}]},
                service="iam",
            )
        )
    return Change(
        "update" if calls else "unchanged",
        "role",
        spec.name,
        resource_id=found.arn,
        diffs=tuple(diffs),
        calls=tuple(calls),
    )


def release_role(role: RemoteRole, region: str | None) -> Change:
    """``region``'s windows no longer use ``role``: delete it unless another region's tag
    says that region's windows still do; then only ``region``'s own tag goes.

    A role without region tags (made before they existed), or a plan without a
    region, deletes it as before.
    """
    others = sorted(role_regions(role.tags) - {region})
    if region is None or not others:
        return delete_role(role)
    note = f"kept: still used in {', '.join(others)}"
    key = role_region_tag(region)
    if key not in role.tags:
        return Change("unchanged", "role", role.name, resource_id=role.arn, note=note)
    return Change(
        "update",
        "role",
        role.name,
        resource_id=role.arn,
        diffs=(FieldDiff(f"Tag {key}", role.tags[key], None),),
        calls=(
            Call(
                "untag_role",
                {"RoleName": role.name, "TagKeys": [key]},
                service="iam",
                done_if=("NoSuchEntity",),
            ),
        ),
        note=note,
    )


def delete_role(role: RemoteRole) -> Change:
    """Delete a role: IAM refuses while inline policies remain, so those go first.

    Already gone counts as done: a retried delete, or another region of the same run
    that deleted a role without region tags at the same moment.
    """
    gone = ("NoSuchEntity",)
    calls = [
        Call(
            "delete_role_policy",
            {"RoleName": role.name, "PolicyName": n},
            service="iam",
            done_if=gone,
        )
        for n in role.policies
    ]
    calls.append(Call("delete_role", {"RoleName": role.name}, service="iam", done_if=gone))
    return Change("delete", "role", role.name, resource_id=role.arn, calls=tuple(calls))


def canonical_policy(document: Any) -> Any:
    """A policy in comparable form: IAM may return a lone value where a list was sent."""
    if isinstance(document, Mapping):
        return {k: canonical_policy(v) for k, v in sorted(document.items())}
    if isinstance(document, list):
        items = [canonical_policy(v) for v in document]
        if all(isinstance(v, str) for v in items):
            return sorted(items) if len(items) != 1 else items[0]
        return items
    return document


def _tag(resource_type: str, resource_id: str, setup_name: str) -> Call:
    """Mark an adopted resource as the setup's: the owner tag, nothing else."""
    return Call(
        "add_tags_to_resource",
        {
            "ResourceType": resource_type,
            "ResourceId": resource_id,
            "Tags": [{"Key": OWNER_TAG, "Value": setup_name}],
        },
    )


def _register_group(baseline_id: str | Ref, group: str, operating_system: str) -> Call:
    # A retry whose first attempt landed meets AlreadyExists: done only if the group
    # is registered to exactly this baseline; another baseline is a real conflict.
    return Call(
        "register_patch_baseline_for_patch_group",
        {"BaselineId": baseline_id, "PatchGroup": group},
        confirm=Confirm(
            "get_patch_baseline_for_patch_group",
            {"PatchGroup": group, "OperatingSystem": operating_system},
            "BaselineId",
            baseline_id,
            on=("AlreadyExistsException",),
        ),
    )


def _deregister_group(baseline_id: str, group: str) -> Call:
    return Call(
        "deregister_patch_baseline_for_patch_group",
        {"BaselineId": baseline_id, "PatchGroup": group},
        done_if=("DoesNotExistException", "InvalidResourceId"),
    )


def _first_by(items: Iterable[T], key: Callable[[T], Any]) -> dict[Any, T]:
    """Index by key, keeping the first of duplicates (later ones are planned for deletion)."""
    found: dict[Any, T] = {}
    for item in items:
        found.setdefault(key(item), item)
    return found
