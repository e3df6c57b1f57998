"""The planner and sweeper on plain data: no endpoint, no boto3."""

from __future__ import annotations

import itertools
import json
from typing import Any

from patchsetup import aws_defaults
from patchsetup.baselines.presets import preset
from patchsetup.deploy.plan import Json, Plan, Ref
from patchsetup.deploy.planner import plan
from patchsetup.deploy.remote import (
    Registration,
    RemoteRole,
    RemoteState,
    RemoteTarget,
    RemoteTask,
    RemoteWindow,
)
from patchsetup.deploy.sweeper import cleanup_plan
from patchsetup.model import OWNER_TAG, SERVICE_ROLE, Setup, role_region_tag
from patchsetup.seed import FlagOptions, build_setup
from tests.helpers.setups import as_remote, flag_setup


def _tokens() -> Any:
    counter = itertools.count()
    return lambda: f"token-{next(counter)}"


def _methods(p: Plan) -> list[str]:
    return [c.method for c in p.calls]


def test_fresh_plan_creates_everything_parents_first() -> None:
    setup = flag_setup()
    p = plan(setup, RemoteState(), _tokens())
    methods = _methods(p)
    assert methods.count("create_maintenance_window") == 8
    assert methods.count("register_target_with_maintenance_window") == 8
    assert methods.count("register_task_with_maintenance_window") == 8
    assert methods.count("create_patch_baseline") == 1
    assert methods.count("register_patch_baseline_for_patch_group") == 8
    assert methods.index("create_patch_baseline") < methods.index(
        "register_patch_baseline_for_patch_group"
    )
    # Each window's chain: window, then its target, then its task, with Refs linking them.
    for window in setup.windows:
        chain = [c for c in p.changes if c.name == window.name or c.parent == window.name]
        assert [c.kind for c in chain] == ["window", "target", "task"]
        task_call = chain[2].calls[0]
        assert task_call.params["WindowId"] == Ref(f"window:{window.name}")
        assert task_call.params["Targets"][0]["Values"] == [
            Ref(f"target:{window.name}/{window.targets[0].name}")
        ]
    assert p.counts() == {"create": 33, "update": 0, "delete": 0, "adopt": 0, "unchanged": 0}


def test_every_create_carries_a_client_token_and_owner_tag() -> None:
    p = plan(flag_setup(name="blue"), RemoteState(), _tokens())
    creates = [c for c in p.calls if c.method.startswith(("create_", "register_t"))]
    tokens = [c.params["ClientToken"] for c in creates]
    assert len(tokens) == len(set(tokens)) == 1 + 8 * 3
    for call in p.calls:
        if call.method in ("create_maintenance_window", "create_patch_baseline"):
            assert {"Key": OWNER_TAG, "Value": "blue"} in call.params["Tags"]


def test_converged_state_plans_no_call() -> None:
    setup = flag_setup(timezone="Europe/London", weeks=(1, 3), days=(5,), hours=(22,))
    p = plan(setup, as_remote(setup), _tokens())
    assert p.is_empty
    assert p.counts()["unchanged"] == len(p.changes) == 1 + 2 + 2 * 3


def test_changed_schedule_is_one_update_in_place() -> None:
    setup = flag_setup()
    remote = as_remote(setup)
    remote.windows[0].fields["Schedule"] = "cron(00 05 ? * TUE#1 *)"
    p = plan(setup, remote, _tokens())
    assert _methods(p) == ["update_maintenance_window"]
    change = next(c for c in p.changes if c.action == "update")
    assert change.resource_id == remote.windows[0].window_id
    assert [(d.field, d.old, d.new) for d in change.diffs] == [
        ("Schedule", "cron(00 05 ? * TUE#1 *)", "cron(00 03 ? * TUE#1 *)")
    ]
    assert change.calls[0].params["Replace"] is True


def test_baseline_rule_drift_is_an_update() -> None:
    setup = flag_setup()
    remote = as_remote(setup)
    remote.baselines[0].rules["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"] = 3
    p = plan(setup, remote, _tokens())
    assert _methods(p) == ["update_patch_baseline"]


def test_patch_group_on_another_baseline_is_moved() -> None:
    setup = flag_setup()
    remote = as_remote(setup)
    moved = remote.registrations[0]
    remote.registrations[0] = Registration(
        moved.patch_group, moved.operating_system, "pb-elsewhere", "other"
    )
    p = plan(setup, remote, _tokens())
    # The untagged baseline is not the setup's: taking the group is adoption, and the
    # baseline, left holding nothing, is deleted after it.
    # The untagged baseline is tagged first, so that a run stopped half way leaves
    # it owned (and deleted next time), not orphaned.
    assert _methods(p) == [
        "add_tags_to_resource",
        "deregister_patch_baseline_for_patch_group",
        "register_patch_baseline_for_patch_group",
        "delete_patch_baseline",
    ]
    assert p.calls[1].params == {"BaselineId": "pb-elsewhere", "PatchGroup": moved.patch_group}
    assert [c.action for c in p.changes if c.calls] == ["adopt", "adopt", "delete"]
    # Moved between two of the setup's own baselines, it is a plain update.
    remote.registrations[0] = Registration(
        moved.patch_group, moved.operating_system, "pb-elsewhere", "other", "default"
    )
    assert [c.action for c in plan(setup, remote, _tokens()).changes if c.calls] == ["update"]


def test_fewer_weeks_deletes_the_rest_and_duplicates() -> None:
    before = flag_setup()
    remote = as_remote(before)
    duplicate = RemoteWindow(
        "mw-duplicate00000", dict(remote.windows[0].fields), {OWNER_TAG: "default"}
    )
    remote.windows.append(duplicate)
    p = plan(flag_setup(weeks=(1,)), remote, _tokens())
    deleted = {c.resource_id for c in p.changes if c.kind == "window" and c.action == "delete"}
    assert deleted == {w.window_id for w in remote.windows[4:8]} | {"mw-duplicate00000"}
    groups = [c for c in p.changes if c.kind == "patch-group" and c.action == "delete"]
    assert {c.resource_id for c in groups} == {r.patch_group for r in remote.registrations[4:]}
    # Deletes come before anything else.
    actions = [c.action for c in p.changes if c.calls]
    assert actions == sorted(actions, key=lambda a: a != "delete")


def test_retargeted_task_is_repointed_before_the_stray_target_goes() -> None:
    setup = flag_setup(weeks=(1,), days=(2,), hours=(3,))
    remote = as_remote(setup)
    window = remote.windows[0]
    window.targets.append(
        RemoteTarget("stray-target", {"Name": "Stray", "ResourceType": "INSTANCE"})
    )
    window.tasks[0].fields["Targets"] = [{"Key": "WindowTargetIds", "Values": ["stray-target"]}]
    p = plan(setup, remote, _tokens())
    assert _methods(p) == [
        "update_maintenance_window_task",
        "deregister_target_from_maintenance_window",
    ]
    assert p.calls[0].params["Targets"][0]["Values"] == [window.targets[0].window_target_id]
    assert p.calls[1].params["Safe"] is True


def test_baseline_with_new_os_replaces_old_after_deregistering() -> None:
    before = flag_setup()
    remote = as_remote(before)
    after = build_setup(FlagOptions(), preset("WINDOWS"))
    p = plan(after, remote, _tokens())
    methods = _methods(p)
    assert methods.index("delete_patch_baseline") > max(
        i for i, m in enumerate(methods) if m == "deregister_patch_baseline_for_patch_group"
    )
    assert methods.index("create_patch_baseline") > methods.index("delete_patch_baseline")


def test_cleanup_deletes_window_whole_unless_it_holds_a_foreign_task() -> None:
    setup = flag_setup(weeks=(1,), days=(2,), hours=(3, 4))
    remote = as_remote(setup)
    shell = RemoteTask(
        "shell-task", {"Name": "Backup", "TaskArn": "AWS-RunShellScript", "TaskType": "RUN_COMMAND"}
    )
    remote.windows[1].tasks.append(shell)
    p = cleanup_plan(remote)
    methods = _methods(p)
    assert methods.count("delete_maintenance_window") == 1
    assert methods.count("deregister_task_from_maintenance_window") == 1
    assert methods.count("delete_patch_baseline") == 1
    assert "shell-task" not in str([c.params for c in p.calls])
    assert methods[-1] == "delete_patch_baseline"


def test_cleanup_of_nothing_is_empty() -> None:
    assert cleanup_plan(RemoteState()).is_empty


def test_all_patching_also_deregisters_groups_of_aws_baselines() -> None:
    state = RemoteState(
        registrations=[
            Registration(
                "Old",
                "WINDOWS",
                "arn:aws:ssm:us-east-1:1:patchbaseline/pb-1",
                "AWS-DefaultPatchBaseline",
            )
        ]
    )
    assert cleanup_plan(state).is_empty
    assert _methods(cleanup_plan(state, all_patching=True)) == [
        "deregister_patch_baseline_for_patch_group"
    ]


def _own_arn(document: Any, arn: str) -> Any:
    """A policy as IAM holds it: the role's own ARN where the model says SERVICE_ROLE."""
    return json.loads(json.dumps(document).replace(json.dumps(SERVICE_ROLE), json.dumps(arn)))


def _with_role_remote(setup: Setup, *regions: str) -> RemoteState:
    state = as_remote(setup)
    role = setup.service_role
    assert role is not None
    arn = f"arn:aws:iam::123456789012:role/ssm-patching-setup/{role.name}"
    state.roles.append(
        RemoteRole(
            role.name,
            arn,
            role.description,
            role.trust_policy(),
            {k: _own_arn(v, arn) for k, v in role.policies.items()},
            {OWNER_TAG: setup.name, **{role_region_tag(r): "true" for r in regions}},
        )
    )
    arn = state.roles[0].arn
    for window in state.windows:
        for task in window.tasks:
            task.fields["ServiceRoleArn"] = arn
    return state


def test_service_role_is_created_first_and_used_by_every_task() -> None:
    setup = flag_setup(create_service_role=True)
    p = plan(setup, RemoteState(), _tokens())
    assert p.calls[0].method == "create_role" and p.calls[0].service == "iam"
    assert p.calls[0].params["Path"] == "/ssm-patching-setup/"
    assert p.calls[0].output == ("role:ssm-patching-setup-default", "Role.Arn")
    assert p.calls[1].method == "put_role_policy"
    tasks = [c for c in p.calls if c.method == "register_task_with_maintenance_window"]
    assert {str(t.params["ServiceRoleArn"]) for t in tasks} == {
        str(Ref("role:ssm-patching-setup-default"))
    }


def test_the_created_role_may_pass_only_itself() -> None:
    p = plan(flag_setup(create_service_role=True), RemoteState(), _tokens(), region="eu-west-1")
    create, put = p.calls[:2]
    assert {"Key": role_region_tag("eu-west-1"), "Value": "true"} in create.params["Tags"]
    document = put.params["PolicyDocument"]
    assert isinstance(document, Json)  # made once CreateRole has told the ARN
    [passing] = [s for s in document.value["Statement"] if s["Action"] == "iam:PassRole"]
    assert passing["Resource"] == [Ref("role:ssm-patching-setup-default")]


def test_region_tags_on_the_role() -> None:
    """Each region using the role tags it; letting go removes the tag, the last deletes it."""
    with_role = flag_setup(create_service_role=True)
    tagged = _with_role_remote(with_role, "us-east-1")
    assert plan(with_role, tagged, _tokens(), region="us-east-1").is_empty
    joining = plan(with_role, tagged, _tokens(), region="eu-west-1")
    assert [(c.method, c.params["Tags"]) for c in joining.calls] == [
        ("tag_role", [{"Key": role_region_tag("eu-west-1"), "Value": "true"}])
    ]
    both = _with_role_remote(with_role, "us-east-1", "eu-west-1")
    release = [c for c in cleanup_plan(both, region="eu-west-1").changes if c.kind == "role"]
    assert [(c.action, c.note) for c in release] == [("update", "kept: still used in us-east-1")]
    assert [(c.method, c.params["TagKeys"]) for c in release[0].calls] == [
        ("untag_role", [role_region_tag("eu-west-1")])
    ]
    elsewhere = plan(flag_setup(), _with_role_remote(with_role, "us-east-1"), region="eu-west-1")
    [kept] = [c for c in elsewhere.changes if c.kind == "role"]
    assert (kept.action, kept.calls) == ("unchanged", ())
    last = cleanup_plan(_with_role_remote(with_role, "us-east-1"), region="us-east-1")
    assert _methods(last)[-2:] == ["delete_role_policy", "delete_role"]
    untagged = cleanup_plan(_with_role_remote(with_role), region="us-east-1")  # older version's
    assert _methods(untagged)[-1] == "delete_role"


def test_converged_role_plans_nothing_and_policy_drift_is_repaired() -> None:
    setup = flag_setup(create_service_role=True)
    remote = _with_role_remote(setup)
    assert plan(setup, remote, _tokens()).is_empty
    policy = remote.roles[0].policies["maintenance-window"]
    policy["Statement"] = policy["Statement"][:1]
    p = plan(setup, remote, _tokens())
    assert _methods(p) == ["put_role_policy"]


def test_dropping_the_role_deletes_it_after_tasks_stop_using_it() -> None:
    remote = _with_role_remote(flag_setup(create_service_role=True))
    p = plan(flag_setup(), remote, _tokens())
    methods = _methods(p)
    assert methods.count("update_maintenance_window_task") == 8
    last_task = max(i for i, m in enumerate(methods) if m == "update_maintenance_window_task")
    assert last_task < methods.index("delete_role_policy")
    updates = [c for c in p.calls if c.method == "update_maintenance_window_task"]
    assert all("ServiceRoleArn" not in c.params for c in updates)
    assert methods.index("delete_role_policy") < methods.index("delete_role")
    cleanup = _methods(cleanup_plan(remote))
    assert cleanup[-2:] == ["delete_role_policy", "delete_role"]


def test_service_linked_role_reported_by_aws_is_no_difference() -> None:
    setup = flag_setup(weeks=(1,), days=(2,), hours=(3,))
    remote = as_remote(setup)
    linked = (
        "arn:aws:iam::123456789012:role/aws-service-role/ssm.amazonaws.com/"
        "AWSServiceRoleForAmazonSSM"
    )
    remote.windows[0].tasks[0].fields["ServiceRoleArn"] = linked
    assert plan(setup, remote, _tokens()).is_empty


def test_window_offset_and_dates_are_created_and_compared() -> None:
    from dataclasses import replace

    setup = flag_setup(weeks=(2,), days=(2,), hours=(3,))
    window = replace(setup.windows[0], schedule_offset=2, start_date="2027-01-01T00:00:00Z")
    setup = replace(setup, windows=(window,))
    create = plan(setup, RemoteState(), _tokens()).calls
    params = next(c.params for c in create if c.method == "create_maintenance_window")
    assert (params["ScheduleOffset"], params["StartDate"]) == (2, "2027-01-01T00:00:00Z")
    assert "EndDate" not in params and "Enabled" not in params
    remote = as_remote(setup)
    assert plan(setup, remote, _tokens()).is_empty
    remote.windows[0].fields["ScheduleOffset"] = 3
    assert _methods(plan(setup, remote, _tokens())) == ["update_maintenance_window"]


def test_what_aws_fills_in_is_no_difference_but_a_changed_default_is() -> None:
    setup = flag_setup(weeks=(1,), days=(2,), hours=(3,))
    remote = as_remote(setup)
    [task] = remote.windows[0].tasks
    # As AWS reports it: TaskParameters {}, RunCommand Comment "" and TimeoutSeconds 600.
    task.fields = aws_defaults.task(task.fields)
    assert task.fields["TaskInvocationParameters"]["RunCommand"]["TimeoutSeconds"] == 600
    assert task.fields["TaskParameters"] == {}
    assert plan(setup, remote, _tokens()).is_empty
    task.fields["TaskInvocationParameters"]["RunCommand"]["TimeoutSeconds"] = 1200
    p = plan(setup, remote, _tokens())
    [change] = [c for c in p.changes if c.action == "update"]
    assert [d.field for d in change.diffs] == ["TaskInvocationParameters"]
    [call] = change.calls
    # Sent as the tool means it: no TimeoutSeconds, so Replace=True resets it to 600.
    assert "TimeoutSeconds" not in call.params["TaskInvocationParameters"]["RunCommand"]
