"""The executor on failures the local endpoint cannot produce (botocore's Stubber)."""

from __future__ import annotations

import threading
import time

import boto3
import botocore.exceptions
import pytest
from botocore.stub import Stubber

from patchsetup.aws.errors import describe_error
from patchsetup.deploy.executor import ExecutionFailed, ExecutionStopped, execute, resolve
from patchsetup.deploy.plan import Call, Change, Plan, Ref

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
    from patchsetup.report import Report, render_text, summary

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
    # Shown by kind, then name (not in execution order), each with its action's marker.
    assert text.splitlines()[2:] == [
        "- not done (delete)  window  Old  mw-0ld00000000000000",
        "+ created            window  W  mw-00000000000000001",
        "+ FAILED create      target  W/T",
        "",
        "Result: 1 created, 0 updated, 0 deleted, 0 unchanged, 1 failed, 1 not done",
    ]


# -- retries whose first attempt already worked -----------------------------------------

GONE = "DoesNotExistException"
WINDOW_ID = "mw-00000000000000000"


def _deletes_plan() -> Plan:
    """The planner's own delete calls: a window, a task and a target (all by ID)."""
    from patchsetup.deploy.maintenance_windows import delete_window
    from patchsetup.deploy.planner import plan
    from patchsetup.deploy.remote import RemoteTarget
    from patchsetup.deploy.window_tasks import delete_task
    from tests.helpers.setups import as_remote, flag_setup

    setup = flag_setup(weeks=(1,), days=(2,), hours=(3,))
    remote = as_remote(setup)
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
    from patchsetup.deploy.planner import plan
    from patchsetup.deploy.remote import RemoteState
    from tests.helpers.setups import flag_setup

    setup = flag_setup(weeks=(1,), days=(2,), hours=(3,))
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


# -- giving up: after a call fails for good, no new call starts -----------------------


class _Throttled:
    """An SSM stand-in that answers every call with throttling after ``delay`` (the
    retry budget botocore would have spent), counting the calls and the most at once."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.calls = 0
        self.in_flight = 0
        self.most = 0
        self._guard = threading.Lock()

    def create_patch_baseline(self, **params: object) -> dict[str, str]:
        with self._guard:
            self.calls += 1
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
        time.sleep(self.delay)
        with self._guard:
            self.in_flight -= 1
        error = {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}
        raise botocore.exceptions.ClientError(error, "CreatePatchBaseline")  # type: ignore[arg-type]


def _baselines_plan(count: int) -> Plan:
    """``count`` baselines, each its own lane of one phase."""
    return Plan(
        tuple(
            Change(
                "create",
                "baseline",
                f"b{n}",
                calls=(Call("create_patch_baseline", {"Name": f"b{n}"}),),
                phase=1,
                lane=f"b{n}",
            )
            for n in range(count)
        )
    )


@pytest.mark.parametrize("concurrency", [1, 4, 8])
def test_after_a_call_fails_for_good_no_new_lane_starts(concurrency: int) -> None:
    # Total throttling: each call spends its whole retry budget (here 0.2 s) and fails.
    # Only the lanes already in flight when the first one fails may finish their call.
    ssm = _Throttled(delay=0.2)
    started = time.monotonic()
    with pytest.raises(ExecutionFailed) as caught:
        execute({"ssm": ssm}, _baselines_plan(40), concurrency=concurrency)
    elapsed = time.monotonic() - started
    assert ssm.calls <= concurrency, ssm.calls
    assert ssm.most <= concurrency
    assert elapsed < 0.2 * 2.5, elapsed  # about one call's budget, not 40 / concurrency
    statuses = [o.status for o in caught.value.outcomes]
    assert statuses.count("failed") == ssm.calls
    assert statuses.count("not-run") == 40 - ssm.calls


def test_a_stop_request_starts_no_new_call_and_reports_what_was_done() -> None:
    ssm = _client()
    stop = threading.Event()
    with Stubber(ssm) as stub:
        stub.add_response("create_maintenance_window", {"WindowId": "mw-00000000000000001"})

        def first_then_stop(outcome: object) -> None:
            stop.set()  # as a signal handler would, while the first change is in flight

        with pytest.raises(ExecutionStopped) as caught:
            execute({"ssm": ssm}, PLAN, on_outcome=first_then_stop, concurrency=1, stop=stop.is_set)
        stub.assert_no_pending_responses()
    assert [o.status for o in caught.value.outcomes] == ["done", "not-run", "not-run"]
