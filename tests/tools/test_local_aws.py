"""The local AWS stand-in (tools/local_aws.py): the server itself, request validation,
ClientToken, and tools/smoke_check.py against it, via boto3.

Each successful response of a filled-in operation is checked on the wire against
botocore's output shape (tests/helpers/shapes.py); each error is checked for its AWS code,
HTTP 400 and the JSON `__type`.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers.account import custom_baselines, window_identities, window_names
from tests.helpers.cli import cli_env
from tests.helpers.endpoint import AwsEnv, client, launch_local_aws, reset_local_aws, wait_ready
from tests.helpers.paths import ROOT
from tests.helpers.shapes import check_output, output_errors
from tests.helpers.ssm_api import NEXT_RUN, RULES, Api, make_window, run_patch_task
from tools import launch
from tools.launch import Server

# ------------------------------------------------------------------ server and fixtures


def test_server_serves_sts_iam_and_resets(aws: AwsEnv, api: Api) -> None:
    assert re.match(r"^http://127\.0\.0\.1:\d+$", aws.url)
    assert aws.region == "us-east-1" and aws["AWS_ACCESS_KEY_ID"] == "testing"
    assert client(aws, "sts").get_caller_identity()["Account"].isdigit()
    iam = client(aws, "iam")
    iam.create_role(RoleName="mw-role", AssumeRolePolicyDocument="{}")
    make_window(api)
    reset_local_aws(aws.url)
    assert api("DescribeMaintenanceWindows")["WindowIdentities"] == []
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == []


@pytest.fixture(scope="module")
def spare_server() -> Iterator[Server]:
    """A second server, launched early so its start-up overlaps the other tests."""
    server = launch_local_aws()
    try:
        yield server
    finally:
        launch.stop(server)


@pytest.fixture(autouse=True, scope="module")
def _launch_spare_early(spare_server: Server) -> None:
    """Module-wide: request the spare server before the first test of this file."""


def test_shape_checker_is_strict() -> None:
    ok = {"BaselineIdentities": [{"BaselineId": "pb-0123456789abcdef0", "DefaultBaseline": True}]}
    check_output("DescribePatchBaselines", json.dumps(ok).encode())
    bad = {
        "BaselineIdentities": [
            {"BaselineId": "x", "OperatingSystem": "BEOS", "DefaultBaseline": "yes", "Extra": 1}
        ],
        "NextToken": 5,
    }
    errors = output_errors("DescribePatchBaselines", json.dumps(bad))
    joined = "\n".join(errors)
    assert "$.BaselineIdentities[0].Extra: not a member" in joined
    assert "$.BaselineIdentities[0].OperatingSystem: 'BEOS' is not one of" in joined
    assert "$.BaselineIdentities[0].DefaultBaseline: expected boolean" in joined
    assert "$.BaselineIdentities[0].BaselineId: length 1 < min 20" in joined
    assert "$.NextToken: expected string" in joined
    assert output_errors("GetMaintenanceWindow", {"CreatedDate": "2024-01-01"})  # not epoch
    assert output_errors("DescribeMaintenanceWindowTasks", {"Tasks": [{"TaskType": "X"}]})
    with pytest.raises(AssertionError, match="PatchFilters: required member"):
        check_output("GetPatchBaseline", {"GlobalFilters": {}})


# ------------------------------------------------------------------ 5. validation


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"ScheduleTimezone": "Mars/Olympus_Mons"}, "Mars/Olympus_Mons"),
        ({"ScheduleTimezone": "CEST"}, "CEST"),
        ({"Schedule": "every sunday"}, "every sunday"),
        ({"Schedule": "cron(0 3 * * SUN)"}, "6 fields"),
        ({"Schedule": "cron(0 3 * * SUN *)"}, "'?'"),
        ({"Schedule": "cron(0 25 ? * SUN *)"}, "out of range"),
        ({"Schedule": "rate(2 fortnights)"}, "rate(2 fortnights)"),
        ({"Schedule": "rate(1 day)", "ScheduleOffset": 2}, "ScheduleOffset"),
        ({"Duration": 3, "Cutoff": 3}, "cutoff"),
        ({"Duration": 25, "Cutoff": 1}, "less than or equal to 24"),
        ({"Name": "no spaces allowed"}, "regular expression"),
        ({"StartDate": "2030-01-01T00:00:00Z", "EndDate": "2029-01-01T00:00:00Z"}, "EndDate"),
    ],
)
def test_create_window_validation(api: Api, changes: dict[str, Any], fragment: str) -> None:
    params: dict[str, Any] = {
        "Name": "patch-window",
        "Schedule": "cron(0 3 ? * SUN *)",
        "Duration": 3,
        "Cutoff": 1,
        "AllowUnassociatedTargets": False,
    }
    params.update(changes)
    message = api.error("CreateMaintenanceWindow", "ValidationException", **params)
    assert fragment in message


def test_valid_schedules_and_update_validation(api: Api) -> None:
    for schedule in (
        "rate(1 day)",
        "rate(12 hours)",
        "cron(30 23 L * ? *)",
        "cron(0 4 ? JAN-DEC MON#2 *)",
        "cron(0/15 1-3 ? * MON-FRI 2099)",
    ):
        window_id = make_window(api, Schedule=schedule, ScheduleTimezone="America/New_York")
        got = api("GetMaintenanceWindow", WindowId=window_id)
        assert NEXT_RUN.match(got["NextExecutionTime"]), (schedule, got)
    api.error(
        "UpdateMaintenanceWindow",
        "ValidationException",
        WindowId=window_id,
        ScheduleTimezone="Not/AZone",
    )
    api.error(
        "UpdateMaintenanceWindow",
        "ValidationException",
        WindowId=window_id,
        Schedule="cron(nonsense)",
    )
    api.error(
        "UpdateMaintenanceWindow", "ValidationException", WindowId=window_id, Cutoff=3, Duration=2
    )
    assert api("GetMaintenanceWindow", WindowId=window_id)["Duration"] == 3


# ------------------------------------------------------------------ 6. ClientToken


def test_client_token_idempotency(api: Api) -> None:
    window_params: dict[str, Any] = {
        "Name": "patch-window",
        "Schedule": "rate(7 days)",
        "Duration": 2,
        "Cutoff": 1,
        "AllowUnassociatedTargets": False,
        "ClientToken": "tok-w",
    }
    window_id = api("CreateMaintenanceWindow", **window_params)["WindowId"]
    assert api("CreateMaintenanceWindow", **window_params)["WindowId"] == window_id
    assert len(api("DescribeMaintenanceWindows")["WindowIdentities"]) == 1
    api.error(
        "CreateMaintenanceWindow", "IdempotentParameterMismatch", **{**window_params, "Duration": 3}
    )

    target_params: dict[str, Any] = {
        "WindowId": window_id,
        "ResourceType": "INSTANCE",
        "ClientToken": "tok-t",
        "Targets": [{"Key": "tag:Patch Group", "Values": ["web"]}],
    }
    target_id = api("RegisterTargetWithMaintenanceWindow", **target_params)["WindowTargetId"]
    again = api("RegisterTargetWithMaintenanceWindow", **target_params)["WindowTargetId"]
    assert again == target_id
    assert len(api("DescribeMaintenanceWindowTargets", WindowId=window_id)["Targets"]) == 1
    api.error(
        "RegisterTargetWithMaintenanceWindow",
        "IdempotentParameterMismatch",
        **{**target_params, "Name": "other"},
    )

    task_params = run_patch_task(window_id, target_id, ClientToken="tok-task")
    task_id = api("RegisterTaskWithMaintenanceWindow", **task_params)["WindowTaskId"]
    assert api("RegisterTaskWithMaintenanceWindow", **task_params)["WindowTaskId"] == task_id
    assert len(api("DescribeMaintenanceWindowTasks", WindowId=window_id)["Tasks"]) == 1
    api.error(
        "RegisterTaskWithMaintenanceWindow",
        "IdempotentParameterMismatch",
        **{**task_params, "Priority": 5},
    )

    baseline_params: dict[str, Any] = {
        "Name": "custom-al2",
        "OperatingSystem": "AMAZON_LINUX_2",
        "ApprovalRules": RULES,
        "ClientToken": "tok-b",
    }
    baseline_id = api("CreatePatchBaseline", **baseline_params)["BaselineId"]
    assert api("CreatePatchBaseline", **baseline_params)["BaselineId"] == baseline_id
    mine = api("DescribePatchBaselines", Filters=[{"Key": "OWNER", "Values": ["Self"]}])
    assert len(mine["BaselineIdentities"]) == 1
    api.error(
        "CreatePatchBaseline",
        "IdempotentParameterMismatch",
        **{**baseline_params, "Description": "different"},
    )
    # Without a token every call creates a new resource.
    no_token = {k: v for k, v in baseline_params.items() if k != "ClientToken"}
    assert api("CreatePatchBaseline", **no_token)["BaselineId"] != baseline_id


def test_error_bodies_are_json_with_type(local_aws: Server, aws: AwsEnv) -> None:
    api = Api.of(client(aws, "ssm"))
    api.error("GetMaintenanceWindow", "DoesNotExistException", WindowId="mw-0123456789abcdef0")
    status, body = api.raw["GetMaintenanceWindow"]
    payload = json.loads(body)
    assert status == 400 and payload["__type"] == "DoesNotExistException"
    assert "mw-0123456789abcdef0" in payload["message" if "message" in payload else "Message"]
    assert local_aws.process.poll() is None


def test_server_exits_cleanly_on_sigint(spare_server: Server) -> None:
    """Ctrl-C: exit status 0, no traceback, nothing but the ready line on stdout.

    (SIGTERM is checked when the session's server is stopped: see conftest.)
    """
    server = wait_ready(spare_server)
    assert re.match(r"^http://127\.0\.0\.1:\d+$", server.url)
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=10) == 0
    assert server.process.stdout is not None
    assert server.process.stdout.read() == ""
    assert "Traceback" not in server.log_path.read_text()


# ------------------------------------------------------------------ tools/smoke_check.py


def _smoke(aws: AwsEnv, *args: str) -> subprocess.CompletedProcess[str]:
    env = cli_env(aws["AWS_ENDPOINT_URL"])
    url = env.pop("AWS_ENDPOINT_URL")  # the script's own option, as an operator gives it
    return subprocess.run(
        [sys.executable, str(ROOT / "tools" / "smoke_check.py"), "--endpoint-url", url, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_smoke_check_reports_what_aws_filled_in_and_cleans_up(aws: AwsEnv, ssm: Any) -> None:
    result = _smoke(aws, "--region", "us-east-1", "--name", "smoke-test")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "smoke: setup 'smoke-test' in us-east-1"
    task = lines.index("task: 3 field(s) differ")
    assert lines[task + 1 : task + 4] == [
        '  + TaskInvocationParameters.RunCommand.Comment = ""',
        "  + TaskInvocationParameters.RunCommand.TimeoutSeconds = 600",
        "  + TaskParameters = {}",
    ]
    assert "window: 1 field(s) differ" in lines and "  + Enabled = true" in lines
    assert {"target: as sent", "baseline: as sent", "patch-group: as sent"} <= set(lines)
    assert lines[-2:] == ["re-run: plans nothing", "cleanup: complete"]
    assert window_names(ssm) == []
    assert custom_baselines(ssm) == []


def test_smoke_check_keep_leaves_the_setup(aws: AwsEnv, ssm: Any) -> None:
    result = _smoke(aws, "--region", "us-east-1", "--keep")
    assert result.returncode == 0, result.stdout + result.stderr
    name = re.match(r"smoke: setup '(smoke-[0-9a-f]{8})' in us-east-1", result.stdout)
    assert name is not None, result.stdout
    assert result.stdout.splitlines()[-1] == (
        f"cleanup: skipped (--keep); remove it with ssm-patching-cleanup --name {name[1]}"
    )
    [window] = window_identities(ssm)
    assert window["Name"] == "Week1Day2Unattended0300"
