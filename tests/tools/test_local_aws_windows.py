"""The local AWS stand-in (tools/local_aws.py): maintenance windows and their targets, via
boto3. Their tasks and the defaults the server fills in are in test_local_aws_tasks.py.

Each successful response of a filled-in operation is checked on the wire against
botocore's output shape (tests/helpers/shapes.py); each error is checked for its AWS code,
HTTP 400 and the JSON `__type`.
"""

from __future__ import annotations

from tests.helpers.ssm_api import (
    NEXT_RUN,
    Api,
    all_pages,
    make_target,
    make_window,
    run_patch_task,
)

# ------------------------------------------------------------------ maintenance windows


def test_get_and_update_maintenance_window(api: Api) -> None:
    window_id = make_window(
        api,
        Description="weekly",
        Schedule="cron(0 3 ? * SUN *)",
        ScheduleTimezone="Europe/Berlin",
        ScheduleOffset=2,
        StartDate="2024-01-01T00:00:00Z",
        EndDate="2099-01-01T00:00:00Z",
        AllowUnassociatedTargets=True,
    )
    got = api("GetMaintenanceWindow", WindowId=window_id)
    assert got["WindowId"] == window_id and got["Name"] == "patch-window"
    assert got["Description"] == "weekly" and got["ScheduleTimezone"] == "Europe/Berlin"
    assert got["ScheduleOffset"] == 2 and got["Duration"] == 3 and got["Cutoff"] == 1
    assert got["AllowUnassociatedTargets"] is True and got["Enabled"] is True
    assert got["StartDate"] == "2024-01-01T00:00:00Z" and got["EndDate"].startswith("2099")
    assert NEXT_RUN.match(got["NextExecutionTime"]), got["NextExecutionTime"]
    assert got["NextExecutionTime"].endswith(("+01:00", "+02:00"))
    assert got["NextExecutionTime"][11:16] == "03:00"
    assert got["CreatedDate"] == got["ModifiedDate"]

    updated = api("UpdateMaintenanceWindow", WindowId=window_id, Duration=4, Enabled=False)
    assert updated["Duration"] == 4 and updated["Enabled"] is False
    assert updated["Description"] == "weekly" and updated["Cutoff"] == 1
    got = api("GetMaintenanceWindow", WindowId=window_id)
    assert "NextExecutionTime" not in got and got["ModifiedDate"] >= got["CreatedDate"]

    api.error(
        "UpdateMaintenanceWindow",
        "ValidationException",
        WindowId=window_id,
        Replace=True,
        Name="only-name",
    )
    replaced = api(
        "UpdateMaintenanceWindow",
        WindowId=window_id,
        Replace=True,
        Name="renamed",
        Schedule="rate(2 days)",
        Duration=2,
        Cutoff=0,
        AllowUnassociatedTargets=False,
    )
    for cleared in ("Description", "ScheduleTimezone", "ScheduleOffset", "StartDate", "EndDate"):
        assert cleared not in replaced, cleared
    assert replaced["Enabled"] is True and replaced["Schedule"] == "rate(2 days)"
    got = api("GetMaintenanceWindow", WindowId=window_id)
    assert got["Name"] == "renamed" and got["NextExecutionTime"].endswith("Z")
    api.error("GetMaintenanceWindow", "DoesNotExistException", WindowId="mw-0123456789abcdef0")
    api.error(
        "UpdateMaintenanceWindow",
        "DoesNotExistException",
        WindowId="mw-0123456789abcdef0",
        Name="abc",
    )


def test_describe_maintenance_windows(api: Api) -> None:
    ids = [make_window(api, f"window-{i:02d}") for i in range(12)]
    api("UpdateMaintenanceWindow", WindowId=ids[0], Enabled=False)
    listed = all_pages(api, "DescribeMaintenanceWindows", "WindowIdentities", MaxResults=10)
    assert [w["WindowId"] for w in listed] == ids
    assert all(w["Enabled"] is (w["WindowId"] != ids[0]) for w in listed)
    assert all(NEXT_RUN.match(w["NextExecutionTime"]) for w in listed[1:])
    assert listed[1]["Duration"] == 3 and listed[1]["Schedule"] == "cron(0 3 ? * SUN *)"
    disabled = api("DescribeMaintenanceWindows", Filters=[{"Key": "Enabled", "Values": ["False"]}])
    assert [w["WindowId"] for w in disabled["WindowIdentities"]] == [ids[0]]
    named = api("DescribeMaintenanceWindows", Filters=[{"Key": "Name", "Values": ["window-05"]}])
    assert [w["WindowId"] for w in named["WindowIdentities"]] == [ids[5]]


def test_delete_maintenance_window_cascades(api: Api) -> None:
    window_id = make_window(api, Tags=[{"Key": "k", "Value": "v"}])
    target_id = make_target(api, window_id)
    api("RegisterTaskWithMaintenanceWindow", **run_patch_task(window_id, target_id))
    assert api("DeleteMaintenanceWindow", WindowId=window_id) == {"WindowId": window_id}
    api.error("GetMaintenanceWindow", "DoesNotExistException", WindowId=window_id)
    api.error("DescribeMaintenanceWindowTargets", "DoesNotExistException", WindowId=window_id)
    api.error("DescribeMaintenanceWindowTasks", "DoesNotExistException", WindowId=window_id)
    api.error(
        "ListTagsForResource",
        "InvalidResourceId",
        ResourceType="MaintenanceWindow",
        ResourceId=window_id,
    )
    assert api("DeleteMaintenanceWindow", WindowId=window_id) == {"WindowId": window_id}


def test_window_targets(api: Api) -> None:
    window_id = make_window(api)
    target_id = make_target(
        api, window_id, OwnerInformation="team-a", Name="web", Description="web servers"
    )
    other_id = make_target(api, window_id)
    targets = api("DescribeMaintenanceWindowTargets", WindowId=window_id)["Targets"]
    assert targets[0] == {
        "WindowId": window_id,
        "WindowTargetId": target_id,
        "ResourceType": "INSTANCE",
        "Targets": [{"Key": "tag:Patch Group", "Values": ["web"]}],
        "OwnerInformation": "team-a",
        "Name": "web",
        "Description": "web servers",
    }
    assert "OwnerInformation" not in targets[1]
    filtered = api(
        "DescribeMaintenanceWindowTargets",
        WindowId=window_id,
        Filters=[{"Key": "WindowTargetId", "Values": [other_id]}],
    )["Targets"]
    assert [t["WindowTargetId"] for t in filtered] == [other_id]

    updated = api(
        "UpdateMaintenanceWindowTarget",
        WindowId=window_id,
        WindowTargetId=target_id,
        Description="changed",
    )
    assert updated["Description"] == "changed" and updated["OwnerInformation"] == "team-a"
    assert updated["Name"] == "web"
    api.error(
        "UpdateMaintenanceWindowTarget",
        "ValidationException",
        WindowId=window_id,
        WindowTargetId=target_id,
        Replace=True,
        Name="x-y-z",
    )
    new_targets = [{"Key": "InstanceIds", "Values": ["i-0123456789abcdef0"]}]
    replaced = api(
        "UpdateMaintenanceWindowTarget",
        WindowId=window_id,
        WindowTargetId=target_id,
        Targets=new_targets,
        Replace=True,
    )
    assert replaced == {"WindowId": window_id, "WindowTargetId": target_id, "Targets": new_targets}
    api.error(
        "UpdateMaintenanceWindowTarget",
        "DoesNotExistException",
        WindowId=window_id,
        WindowTargetId="00000000-0000-0000-0000-000000000000",
        Name="x-y-z",
    )

    api("RegisterTaskWithMaintenanceWindow", **run_patch_task(window_id, target_id))
    api.error(
        "DeregisterTargetFromMaintenanceWindow",
        "TargetInUseException",
        WindowId=window_id,
        WindowTargetId=target_id,
        Safe=True,
    )
    assert api(
        "DeregisterTargetFromMaintenanceWindow",
        WindowId=window_id,
        WindowTargetId=other_id,
        Safe=True,
    ) == {"WindowId": window_id, "WindowTargetId": other_id}
    api("DeregisterTargetFromMaintenanceWindow", WindowId=window_id, WindowTargetId=target_id)
    assert api("DescribeMaintenanceWindowTargets", WindowId=window_id)["Targets"] == []
    api.error(
        "DeregisterTargetFromMaintenanceWindow",
        "DoesNotExistException",
        WindowId=window_id,
        WindowTargetId=target_id,
    )


def test_describe_targets_and_tasks_paginate(api: Api) -> None:
    window_id = make_window(api)
    targets = [make_target(api, window_id) for _ in range(11)]
    listed = all_pages(
        api, "DescribeMaintenanceWindowTargets", "Targets", WindowId=window_id, MaxResults=10
    )
    assert [t["WindowTargetId"] for t in listed] == targets
    tasks = [
        api("RegisterTaskWithMaintenanceWindow", **run_patch_task(window_id, t))["WindowTaskId"]
        for t in targets
    ]
    listed = all_pages(
        api, "DescribeMaintenanceWindowTasks", "Tasks", WindowId=window_id, MaxResults=10
    )
    assert [t["WindowTaskId"] for t in listed] == tasks
