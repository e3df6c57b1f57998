"""The local AWS stand-in (tools/local_aws.py): maintenance-window tasks, and the task,
baseline and window members the server fills in when a request leaves them out, via
boto3.

Each successful response of a filled-in operation is checked on the wire against
botocore's output shape (tests/helpers/shapes.py); each error is checked for its AWS code,
HTTP 400 and the JSON `__type`.
"""

from __future__ import annotations

from tests.helpers.ssm_api import (
    RULES,
    Api,
    make_baseline,
    make_target,
    make_window,
    run_patch_task,
)


def test_window_tasks(api: Api) -> None:
    window_id = make_window(api)
    target_id = make_target(api, window_id)
    params = run_patch_task(window_id, target_id)
    task_id = api("RegisterTaskWithMaintenanceWindow", **params)["WindowTaskId"]

    got = api("GetMaintenanceWindowTask", WindowId=window_id, WindowTaskId=task_id)
    assert got["TaskType"] == "RUN_COMMAND" and got["TaskArn"] == "AWS-RunPatchBaseline"
    assert got["TaskInvocationParameters"] == params["TaskInvocationParameters"]
    assert got["LoggingInfo"] == params["LoggingInfo"]
    assert got["CutoffBehavior"] == "CANCEL_TASK" and got["Priority"] == 1
    assert got["MaxConcurrency"] == "10%" and got["MaxErrors"] == "1"
    assert got["ServiceRoleArn"] == params["ServiceRoleArn"] and got["Targets"] == params["Targets"]

    (described,) = api("DescribeMaintenanceWindowTasks", WindowId=window_id)["Tasks"]
    assert described["Type"] == "RUN_COMMAND" and described["WindowTaskId"] == task_id
    for key in (
        "TaskArn",
        "Targets",
        "Priority",
        "LoggingInfo",
        "ServiceRoleArn",
        "MaxConcurrency",
        "MaxErrors",
        "Name",
        "Description",
        "CutoffBehavior",
    ):
        assert described[key] == got[key], key
    by_type = api(
        "DescribeMaintenanceWindowTasks",
        WindowId=window_id,
        Filters=[{"Key": "TaskType", "Values": ["AUTOMATION"]}],
    )
    assert by_type["Tasks"] == []

    updated = api(
        "UpdateMaintenanceWindowTask",
        WindowId=window_id,
        WindowTaskId=task_id,
        MaxErrors="2",
        TaskInvocationParameters={"RunCommand": {"Comment": "new"}},
    )
    assert updated["MaxErrors"] == "2" and updated["MaxConcurrency"] == "10%"
    # Replaced wholesale; AWS fills in TimeoutSeconds again (its default, 600).
    assert updated["TaskInvocationParameters"] == {
        "RunCommand": {"Comment": "new", "TimeoutSeconds": 600}
    }
    assert updated["Name"] == "install-patches" and "TaskType" not in updated  # not in shape
    api.error(
        "UpdateMaintenanceWindowTask",
        "ValidationException",
        WindowId=window_id,
        WindowTaskId=task_id,
        Replace=True,
        Targets=params["Targets"],
    )
    api.error(
        "UpdateMaintenanceWindowTask",
        "ValidationException",
        WindowId=window_id,
        WindowTaskId=task_id,
        Replace=True,
        TaskArn="AWS-RunPatchBaseline",
    )
    replaced = api(
        "UpdateMaintenanceWindowTask",
        WindowId=window_id,
        WindowTaskId=task_id,
        Replace=True,
        TaskArn="AWS-RunShellScript",
        Targets=params["Targets"],
    )
    for cleared in (
        "Name",
        "Description",
        "MaxErrors",
        "LoggingInfo",
        "ServiceRoleArn",
        "TaskInvocationParameters",
    ):
        assert cleared not in replaced, cleared
    assert replaced["TaskArn"] == "AWS-RunShellScript"
    api.error(
        "UpdateMaintenanceWindowTask",
        "ValidationException",
        WindowId=window_id,
        WindowTaskId=task_id,
        MaxErrors="lots",
    )

    unknown = "00000000-0000-0000-0000-000000000000"
    api.error(
        "GetMaintenanceWindowTask",
        "DoesNotExistException",
        WindowId=window_id,
        WindowTaskId=unknown,
    )
    api.error(
        "DeregisterTaskFromMaintenanceWindow",
        "DoesNotExistException",
        WindowId=window_id,
        WindowTaskId=unknown,
    )
    assert api("DeregisterTaskFromMaintenanceWindow", WindowId=window_id, WindowTaskId=task_id) == {
        "WindowId": window_id,
        "WindowTaskId": task_id,
    }
    assert api("DescribeMaintenanceWindowTasks", WindowId=window_id)["Tasks"] == []
    no_targets = {k: v for k, v in params.items() if k != "Targets"}
    api.error("RegisterTaskWithMaintenanceWindow", "ValidationException", **no_targets)


def test_server_filled_task_defaults(api: Api) -> None:
    """What AWS reports for task members a request left out (aws-cli's published
    get-maintenance-window-task and describe-maintenance-window-tasks examples)."""
    window_id = make_window(api)
    target_id = make_target(api, window_id)
    sparse = run_patch_task(
        window_id,
        target_id,
        TaskInvocationParameters={"RunCommand": {"Parameters": {"Operation": ["Install"]}}},
    )
    for key in ("Priority", "CutoffBehavior", "Description", "LoggingInfo"):
        del sparse[key]
    task_id = api("RegisterTaskWithMaintenanceWindow", **sparse)["WindowTaskId"]
    got = api("GetMaintenanceWindowTask", WindowId=window_id, WindowTaskId=task_id)
    assert got["TaskInvocationParameters"]["RunCommand"] == {
        "Parameters": {"Operation": ["Install"]},
        "Comment": "",
        "TimeoutSeconds": 600,
    }
    assert got["TaskParameters"] == {}
    assert got["Priority"] == 1 and got["CutoffBehavior"] == "CONTINUE_TASK"
    (described,) = api("DescribeMaintenanceWindowTasks", WindowId=window_id)["Tasks"]
    assert described["TaskParameters"] == {} and described["Priority"] == 1
    # What a request sends is kept as sent.
    full = run_patch_task(window_id, target_id, Name="full")
    full_id = api("RegisterTaskWithMaintenanceWindow", **full)["WindowTaskId"]
    got = api("GetMaintenanceWindowTask", WindowId=window_id, WindowTaskId=full_id)
    assert got["TaskInvocationParameters"] == full["TaskInvocationParameters"]
    # Replace=True with a new RunCommand: the defaults are filled in again.
    replaced = api(
        "UpdateMaintenanceWindowTask",
        WindowId=window_id,
        WindowTaskId=full_id,
        Replace=True,
        TaskArn="AWS-RunPatchBaseline",
        Targets=full["Targets"],
        TaskInvocationParameters={"RunCommand": {"Parameters": {"Operation": ["Scan"]}}},
    )
    assert replaced["TaskInvocationParameters"]["RunCommand"]["TimeoutSeconds"] == 600
    assert replaced["TaskInvocationParameters"]["RunCommand"]["Comment"] == ""
    assert replaced["TaskParameters"] == {}


def test_server_filled_baseline_and_window_defaults(api: Api) -> None:
    """GetPatchBaseline / GetMaintenanceWindow defaults for members never sent
    (aws-cli's get-patch-baseline and get-maintenance-window examples)."""
    rule = {k: v for k, v in RULES["PatchRules"][0].items() if k != "ComplianceLevel"}
    windows_id = make_baseline(
        api, "win-sparse", OperatingSystem="WINDOWS", ApprovalRules={"PatchRules": [rule]}
    )
    got = api("GetPatchBaseline", BaselineId=windows_id)
    assert got["ApprovedPatchesComplianceLevel"] == "UNSPECIFIED"
    assert got["ApprovedPatchesEnableNonSecurity"] is False
    assert got["RejectedPatchesAction"] == "ALLOW_AS_DEPENDENCY"
    assert got["ApprovedPatches"] == [] and got["RejectedPatches"] == []
    assert got["GlobalFilters"] == {"PatchFilters": []} and got["Sources"] == []
    (reported,) = got["ApprovalRules"]["PatchRules"]
    assert reported["ComplianceLevel"] == "UNSPECIFIED" and reported["EnableNonSecurity"] is False
    assert got["AvailableSecurityUpdatesComplianceStatus"] == "COMPLIANT"
    # Replace=True without it: back to the default, not gone.
    api(
        "UpdatePatchBaseline",
        BaselineId=windows_id,
        Name="win-sparse",
        AvailableSecurityUpdatesComplianceStatus="NON_COMPLIANT",
    )
    got = api("GetPatchBaseline", BaselineId=windows_id)
    assert got["AvailableSecurityUpdatesComplianceStatus"] == "NON_COMPLIANT"
    api("UpdatePatchBaseline", BaselineId=windows_id, Name="win-sparse", Replace=True)
    got = api("GetPatchBaseline", BaselineId=windows_id)
    assert got["AvailableSecurityUpdatesComplianceStatus"] == "COMPLIANT"
    # Windows Server only: other operating systems do not report it.
    linux = api("GetPatchBaseline", BaselineId=make_baseline(api, "al2-sparse"))
    assert "AvailableSecurityUpdatesComplianceStatus" not in linux

    window_id = api(
        "CreateMaintenanceWindow",
        Name="sparse",
        Schedule="cron(0 3 ? * SUN *)",
        Duration=2,
        Cutoff=0,
        AllowUnassociatedTargets=False,
    )["WindowId"]
    window = api("GetMaintenanceWindow", WindowId=window_id)
    assert window["Enabled"] is True and window["AllowUnassociatedTargets"] is False
