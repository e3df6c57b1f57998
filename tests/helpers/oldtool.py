"""Accounts as operators really have them: made by the replaced tool, or by hand.

``old_tool_setup`` makes exactly the requests the replaced ``ssm_patching_setup.py``
made (seed 003; its README and the shared reference baselines tell what it made):
one untagged custom baseline, each (week, day, hour)'s patch group registered to it,
and per window an untagged maintenance window (Duration 1, Cutoff 0,
AllowUnassociatedTargets true), an unnamed ``tag:Patch Group`` target and an unnamed
``AWS-ApplyPatchBaseline`` task (Operation Install, MaxConcurrency 2, MaxErrors 1).
Written here from that description; nothing of the old tool's code is used.
"""

from __future__ import annotations

import calendar
import json
from typing import Any

from tests.helpers.paths import SEED

#: The replaced tool's built-in baseline when no ``-b`` file was given.
OLD_INLINE_BASELINE: dict[str, Any] = {
    "OperatingSystem": "WINDOWS",
    "Name": "Windows-0day-Important",
    "GlobalFilters": {"PatchFilters": [{"Key": "PRODUCT", "Values": ["*"]}]},
    "ApprovalRules": {
        "PatchRules": [
            {
                "PatchFilterGroup": {
                    "PatchFilters": [
                        {"Key": "CLASSIFICATION", "Values": ["CriticalUpdates", "SecurityUpdates"]},
                        {"Key": "MSRC_SEVERITY", "Values": ["Important"]},
                    ]
                },
                "ComplianceLevel": "UNSPECIFIED",
                "ApproveAfterDays": 0,
                "EnableNonSecurity": False,
            }
        ]
    },
    "ApprovedPatches": [],
    "ApprovedPatchesComplianceLevel": "UNSPECIFIED",
    "ApprovedPatchesEnableNonSecurity": False,
    "RejectedPatches": [],
    "RejectedPatchesAction": "ALLOW_AS_DEPENDENCY",
    "Description": 'Custom baseline with auto approval at 0 days and MSRC severity "Important"',
    "Sources": [],
}

REFERENCE = SEED


def old_tool_setup(
    ssm: Any,
    weeks: tuple[int, ...] = (1, 2),
    days: tuple[int, ...] = (2, 3),
    hours: tuple[int, ...] = (3, 4),
    timezone: str | None = None,
    baseline_file: str | None = None,
) -> dict[str, Any]:
    """Run the replaced tool's calls; return the IDs it made."""
    rules = dict(OLD_INLINE_BASELINE)
    if baseline_file is not None:
        rules = json.loads((REFERENCE / baseline_file).read_text())
    baseline_id: str = ssm.create_patch_baseline(**rules)["BaselineId"]
    made: dict[str, Any] = {"baseline": baseline_id, "windows": {}, "groups": []}
    for week in weeks:
        for day in days:
            for hour in hours:
                group = f"Week {week} Day {day} - Unattended - {hour:02d}:00"
                name = f"Week{week}Day{day}Unattended{hour:02d}00"
                cron = f"cron(00 {hour:02d} ? * {calendar.day_abbr[day - 1].upper()}#{week} *)"
                ssm.register_patch_baseline_for_patch_group(
                    BaselineId=baseline_id, PatchGroup=group
                )
                window = {"Name": name, "Schedule": cron, "Duration": 1, "Cutoff": 0}
                if timezone:
                    window["ScheduleTimezone"] = timezone
                window_id = ssm.create_maintenance_window(**window, AllowUnassociatedTargets=True)[
                    "WindowId"
                ]
                target_id = ssm.register_target_with_maintenance_window(
                    WindowId=window_id,
                    ResourceType="INSTANCE",
                    Targets=[{"Key": "tag:Patch Group", "Values": [group]}],
                )["WindowTargetId"]
                task_id = ssm.register_task_with_maintenance_window(
                    WindowId=window_id,
                    Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
                    TaskArn="AWS-ApplyPatchBaseline",
                    TaskType="RUN_COMMAND",
                    TaskInvocationParameters={
                        "RunCommand": {"Parameters": {"Operation": ["Install"]}}
                    },
                    MaxConcurrency="2",
                    MaxErrors="1",
                )["WindowTaskId"]
                made["windows"][name] = {"id": window_id, "target": target_id, "task": task_id}
                made["groups"].append(group)
    return made


def operator_task(ssm: Any, window_id: str, name: str = "backup-before-patch") -> dict[str, str]:
    """What operators add to the tool's windows (seed 000): their own target and task."""
    target_id: str = ssm.register_target_with_maintenance_window(
        WindowId=window_id,
        ResourceType="INSTANCE",
        Targets=[{"Key": "tag:Backup", "Values": ["yes"]}],
        Name=f"{name}-targets",
    )["WindowTargetId"]
    task_id: str = ssm.register_task_with_maintenance_window(
        WindowId=window_id,
        Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
        TaskArn="AWS-RunShellScript",
        TaskType="RUN_COMMAND",
        TaskInvocationParameters={"RunCommand": {"Parameters": {"commands": ["backup.sh"]}}},
        MaxConcurrency="1",
        MaxErrors="0",
        Priority=0,
        Name=name,
    )["WindowTaskId"]
    return {"target": target_id, "task": task_id}


# -- by hand ----------------------------------------------------------------------------


def make_window(ssm: Any, name: str, *documents: str, tags: dict[str, str] | None = None) -> str:
    """A hand-made window with one instance target and a task per document."""
    window_id: str = ssm.create_maintenance_window(
        Name=name,
        Schedule="cron(0 9 ? * SUN *)",
        Duration=2,
        Cutoff=1,
        AllowUnassociatedTargets=False,
        Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()],
    )["WindowId"]
    target_id = ssm.register_target_with_maintenance_window(
        WindowId=window_id,
        ResourceType="INSTANCE",
        Targets=[{"Key": "tag:Role", "Values": ["web"]}],
        Name=f"{name}-targets",
    )["WindowTargetId"]
    for n, document in enumerate(documents):
        ssm.register_task_with_maintenance_window(
            WindowId=window_id,
            TaskArn=document,
            TaskType="RUN_COMMAND",
            Targets=[{"Key": "WindowTargetIds", "Values": [target_id]}],
            Priority=n + 1,
            MaxConcurrency="1",
            MaxErrors="1",
            Name=f"{name}-task{n}",
            TaskInvocationParameters={"RunCommand": {"Parameters": {"commands": ["echo hi"]}}}
            if document == "AWS-RunShellScript"
            else {"RunCommand": {"Parameters": {"Operation": ["Install"]}}},
        )
    return window_id


def make_baseline(ssm: Any, name: str, group: str, tags: dict[str, str] | None = None) -> str:
    baseline_id: str = ssm.create_patch_baseline(
        Name=name,
        OperatingSystem="AMAZON_LINUX_2",
        ApprovalRules={
            "PatchRules": [
                {
                    "PatchFilterGroup": {
                        "PatchFilters": [{"Key": "CLASSIFICATION", "Values": ["Security"]}]
                    },
                    "ApproveAfterDays": 3,
                }
            ]
        },
        Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()],
    )["BaselineId"]
    ssm.register_patch_baseline_for_patch_group(BaselineId=baseline_id, PatchGroup=group)
    return baseline_id
