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
