"""The executor on failures the local endpoint cannot produce (botocore's Stubber)."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from patchsetup.aws import describe_error
from patchsetup.executor import ExecutionFailed, execute, resolve
from patchsetup.plan import Call, Change, Plan, Ref

DENIED = "User is not authorized to perform: ssm:RegisterTargetWithMaintenanceWindow"


def _client():  # type: ignore[no-untyped-def]
    return boto3.session.Session().client(
        "ssm", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )


PLAN = Plan(
    (
        Change(
            "create",
            "window",
            "W",
            id_var="window:W",
            calls=(
                Call(
                    "create_maintenance_window",
                    {
                        "Name": "Www",
                        "Schedule": "rate(1 day)",
                        "Duration": 1,
                        "Cutoff": 0,
                        "AllowUnassociatedTargets": False,
                    },
                    ("window:W", "WindowId"),
                ),
            ),
        ),
        Change(
            "create",
            "target",
            "T",
            parent="W",
            calls=(
                Call(
                    "register_target_with_maintenance_window",
                    {
                        "WindowId": Ref("window:W"),
                        "ResourceType": "INSTANCE",
                        "Targets": [{"Key": "tag:Patch Group", "Values": ["g"]}],
                    },
                ),
            ),
        ),
        Change(
            "delete",
            "window",
            "Old",
            resource_id="mw-0ld00000000000000",
            calls=(Call("delete_maintenance_window", {"WindowId": "mw-0ld00000000000000"}),),
        ),
    )
)


def test_refs_are_resolved_from_earlier_outputs() -> None:
    ssm = _client()
    with Stubber(ssm) as stub:
        stub.add_response("create_maintenance_window", {"WindowId": "mw-00000000000000001"})
        stub.add_response(
            "register_target_with_maintenance_window",
            {"WindowTargetId": "11111111-1111-1111-1111-111111111111"},
            {
                "WindowId": "mw-00000000000000001",
                "ResourceType": "INSTANCE",
                "Targets": [{"Key": "tag:Patch Group", "Values": ["g"]}],
            },
        )
        stub.add_response("delete_maintenance_window", {"WindowId": "mw-0ld00000000000000"})
        outcomes = execute({"ssm": ssm}, PLAN)
        stub.assert_no_pending_responses()
    assert [(o.status, o.resource_id) for o in outcomes] == [
        ("done", "mw-00000000000000001"),
        ("done", None),
        ("done", "mw-0ld00000000000000"),
    ]


def test_a_failed_call_stops_the_run_and_says_what_was_not_done() -> None:
    ssm = _client()
    with Stubber(ssm) as stub:
        stub.add_response("create_maintenance_window", {"WindowId": "mw-00000000000000001"})
        stub.add_client_error(
            "register_target_with_maintenance_window",
            service_error_code="AccessDeniedException",
            service_message=DENIED,
            http_status_code=400,
        )
        with pytest.raises(ExecutionFailed) as failed:
            execute({"ssm": ssm}, PLAN)
    assert [o.status for o in failed.value.outcomes] == ["done", "failed", "not-run"]
    message = describe_error(failed.value.cause)
    assert message == f"RegisterTargetWithMaintenanceWindow failed: AccessDeniedException: {DENIED}"


def test_resolve_walks_nested_values() -> None:
    value = {"A": [Ref("x"), {"B": Ref("y")}], "C": "plain"}
    assert resolve(value, {"x": 1, "y": 2}) == {"A": [1, {"B": 2}], "C": "plain"}


def test_summary_counts_only_what_was_done() -> None:
    from patchsetup.output import Report, render_text, summary

    ssm = _client()
    with Stubber(ssm) as stub:
        stub.add_response("create_maintenance_window", {"WindowId": "mw-00000000000000001"})
        stub.add_client_error("register_target_with_maintenance_window", "ThrottlingException")
        with pytest.raises(ExecutionFailed) as failed:
            execute({"ssm": ssm}, PLAN)
    outcomes = failed.value.outcomes
    assert summary(outcomes) == {
        "create": 1,
        "update": 0,
        "delete": 0,
        "adopt": 0,
        "unchanged": 0,
        "failed": 1,
        "not_run": 1,
    }
    text = render_text(Report("setup", "default", "us-east-1", False, outcomes))
    assert "Result: 1 created, 0 updated, 0 deleted, 0 in place, 1 failed, 1 not done" in text
    assert "FAILED create  target" in text
    assert "not done (delete) window" in text


# -- retries whose first attempt already worked -----------------------------------------

GONE = "DoesNotExistException"
WINDOW_ID = "mw-00000000000000000"


def _deletes_plan() -> Plan:
    """The planner's own delete calls: a window, a task and a target (all by ID)."""
    from test_planner import _as_remote, _setup

    from patchsetup.planner import delete_task, delete_window, plan
    from patchsetup.state import RemoteTarget

    setup = _setup(weeks=(1,), days=(2,), hours=(3,))
    remote = _as_remote(setup)
    [window] = remote.windows
    window.targets.append(RemoteTarget("22222222-2222-2222-2222-222222222222", {"Name": "x"}))
    [target_delete] = [c for c in plan(setup, remote).changes if c.action == "delete"]
    return Plan((*delete_window(window), delete_task(window, window.tasks[0]), target_delete))


def test_a_retried_delete_of_what_is_already_gone_counts_as_done() -> None:
    deletes = _deletes_plan()
    methods = [c.method for c in deletes.calls]
    assert methods == [
        "delete_maintenance_window",
        "deregister_task_from_maintenance_window",
        "deregister_target_from_maintenance_window",
    ]
    ssm = _client()
    with Stubber(ssm) as stub:
        for method in methods:
            stub.add_client_error(method, GONE, "gone", http_status_code=400)
        outcomes = execute({"ssm": ssm}, deletes, concurrency=1)
        stub.assert_no_pending_responses()
    assert {o.status for o in outcomes} == {"done"}
    # Any other error still fails the delete.
    with Stubber(ssm) as stub:
        stub.add_client_error(methods[0], "AccessDeniedException", "no", http_status_code=400)
        with pytest.raises(ExecutionFailed):
            execute({"ssm": ssm}, deletes, concurrency=1)


def _registration_plan() -> Plan:
    """A new baseline, then a patch group registered to it, as the planner builds it."""
    from test_planner import _setup

    from patchsetup.planner import plan
    from patchsetup.state import RemoteState

    setup = _setup(weeks=(1,), days=(2,), hours=(3,))
    changes = plan(setup, RemoteState(), lambda: "token").changes
    wanted = [c for c in changes if c.kind in ("baseline", "patch-group")]
    assert [c.action for c in wanted] == ["create", "create"]
    return Plan(tuple(wanted))


BASELINE = "pb-0123456789abcdef0"
GROUP = "Week 1 Day 2 - Unattended - 03:00"


def _stub_registration(stub: Stubber, registered_to: str) -> None:
    stub.add_response("create_patch_baseline", {"BaselineId": BASELINE})
    stub.add_client_error(
        "register_patch_baseline_for_patch_group",
        "AlreadyExistsException",
        "already registered",
        http_status_code=400,
        expected_params={"BaselineId": BASELINE, "PatchGroup": GROUP},
    )
    stub.add_response(
        "get_patch_baseline_for_patch_group",
        {"BaselineId": registered_to, "PatchGroup": GROUP, "OperatingSystem": "AMAZON_LINUX_2"},
        {"PatchGroup": GROUP, "OperatingSystem": "AMAZON_LINUX_2"},
    )


def test_a_retried_registration_that_landed_on_this_baseline_counts_as_done() -> None:
    ssm = _client()
    with Stubber(ssm) as stub:
        _stub_registration(stub, registered_to=BASELINE)
        outcomes = execute({"ssm": ssm}, _registration_plan(), concurrency=1)
        stub.assert_no_pending_responses()
    assert [o.status for o in outcomes] == ["done", "done"]


def test_a_registration_held_by_another_baseline_still_fails() -> None:
    ssm = _client()
    with Stubber(ssm) as stub:
        _stub_registration(stub, registered_to="pb-0fffffffffffffff0")
        with pytest.raises(ExecutionFailed) as failed:
            execute({"ssm": ssm}, _registration_plan(), concurrency=1)
        stub.assert_no_pending_responses()
    assert [o.status for o in failed.value.outcomes] == ["done", "failed"]
    assert "AlreadyExistsException" in describe_error(failed.value.cause)
