"""What AWS fills in that the tool never sends: the one place that knows it.

Pure data and small helpers, no boto3; it sits below both of its users, the
baselines' comparison (patchsetup.baselines) and the planner (patchsetup.deploy).
The planner's comparison fills these into both sides wherever a field is unset:
into what the tool wants (it left the field to AWS) and into what was read (AWS
did not report it). So a field AWS reports at
its documented default is no difference, and neither is one it does not report,
while a field the tool sets, or one edited away from the default by hand, still is.

Sources: the SSM API reference ("The default value is ...") and AWS's published
CLI examples (aws-cli awscli/examples/ssm/get-maintenance-window-task.rst,
describe-maintenance-window-tasks.rst, get-maintenance-window.rst,
get-patch-baseline.rst). Where AWS documents no value (marked below) the entry is
an informed guess: ``tools/smoke_check.py`` run against a sandbox account shows
what real AWS reports.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

#: CreatePatchBaseline without OperatingSystem makes a Windows baseline.
BASELINE_OS = "WINDOWS"
#: ApprovedPatchesComplianceLevel and a rule's ComplianceLevel.
COMPLIANCE_LEVEL = "UNSPECIFIED"
REJECTED_PATCHES_ACTION = "ALLOW_AS_DEPENDENCY"

#: GetPatchBaseline fields omitted at create time (get-patch-baseline.rst).
BASELINE: Mapping[str, Any] = {
    "GlobalFilters": {"PatchFilters": []},
    "ApprovedPatches": [],
    "ApprovedPatchesComplianceLevel": COMPLIANCE_LEVEL,
    "ApprovedPatchesEnableNonSecurity": False,
    "RejectedPatches": [],
    "RejectedPatchesAction": REJECTED_PATCHES_ACTION,
    "Sources": [],
}
#: A PatchRule's omitted fields.
PATCH_RULE: Mapping[str, Any] = {"ComplianceLevel": COMPLIANCE_LEVEL, "EnableNonSecurity": False}
#: Windows baselines only. Undocumented value: COMPLIANT is how Patch Manager
#: treated available-but-unapproved security updates before the option existed.
WINDOWS_BASELINE: Mapping[str, Any] = {"AvailableSecurityUpdatesComplianceStatus": "COMPLIANT"}

#: GetMaintenanceWindow (get-maintenance-window.rst; CreateMaintenanceWindow reference).
WINDOW: Mapping[str, Any] = {"AllowUnassociatedTargets": False, "Enabled": True}

#: GetMaintenanceWindowTask / DescribeMaintenanceWindowTasks
#: (get-maintenance-window-task.rst, describe-maintenance-window-tasks.rst).
TASK: Mapping[str, Any] = {
    "TaskParameters": {},
    "Priority": 1,
    "CutoffBehavior": "CONTINUE_TASK",
}
#: TaskInvocationParameters.RunCommand (get-maintenance-window-task.rst).
RUN_COMMAND: Mapping[str, Any] = {"Comment": "", "TimeoutSeconds": 600}

#: DescribeMaintenanceWindowTargets: AWS's examples show no member it fills in.
TARGET: Mapping[str, Any] = {}


def filled(fields: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """``fields`` with every default set where the field is absent or None."""
    out = dict(fields)
    for key, value in defaults.items():
        if out.get(key) is None:
            out[key] = copy.deepcopy(value)
    return out


def task(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A task's comparable fields as AWS reports them: its defaults and RunCommand's."""
    out = filled(fields, TASK)
    invocation = out.get("TaskInvocationParameters")
    if isinstance(invocation, Mapping) and isinstance(invocation.get("RunCommand"), Mapping):
        out["TaskInvocationParameters"] = {
            **invocation,
            "RunCommand": filled(invocation["RunCommand"], RUN_COMMAND),
        }
    return out


def window(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A window's comparable fields as AWS reports them."""
    return filled(fields, WINDOW)


def target(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A window target's comparable fields as AWS reports them."""
    return filled(fields, TARGET)
