"""AWS's default Systems Manager quotas that a setup can run into, checked before any call.

The numbers are the defaults of the "Service quotas for Maintenance Windows" and
"Service quotas for Patch Manager" tables of "AWS Systems Manager endpoints and
quotas" in the AWS General Reference:
https://docs.aws.amazon.com/general/latest/gr/ssm.html

They apply per account and per Region, and some can be raised through Service
Quotas. A setup is checked on its own: other windows and baselines already in the
account count toward the same quotas, so passing here is necessary, not
sufficient. Failing here, though, means AWS would stop the run half way with
ResourceLimitExceededException, so the config is refused before it starts.
"""

from __future__ import annotations

from patchsetup.model import Setup

__all__ = [
    "MAINTENANCE_WINDOWS",
    "PATCH_BASELINES",
    "PATCH_GROUPS_PER_BASELINE",
    "TARGETS_PER_TASK",
    "TARGETS_PER_WINDOW",
    "TASKS_PER_WINDOW",
    "check_counts",
]

#: "Maintenance windows": per account and Region.
MAINTENANCE_WINDOWS = 50
#: "Tasks per maintenance window".
TASKS_PER_WINDOW = 20
#: "Targets per maintenance window".
TARGETS_PER_WINDOW = 100
#: "Targets per task": window targets one task may name.
TARGETS_PER_TASK = 10
#: "Patch baselines": custom baselines per account and Region.
PATCH_BASELINES = 50
#: "Patch groups per patch baseline".
PATCH_GROUPS_PER_BASELINE = 25
# Not checkable from a config, so not encoded: "Concurrent executions of
# maintenance windows" (5) depends on when windows overlap at run time.

_WHERE = "AWS's default quota (AWS Systems Manager endpoints and quotas)"


def check_counts(setup: Setup) -> list[str]:
    """Return one line per count of ``setup`` above AWS's default quota; empty when all fit.

    Each line names what is counted, the count and the quota, e.g.
    ``windows: 51 maintenance windows; ... is 50 per account and Region``.
    """
    problems: list[str] = []
    if len(setup.windows) > MAINTENANCE_WINDOWS:
        problems.append(
            f"windows: {len(setup.windows)} maintenance windows; {_WHERE} is "
            f"{MAINTENANCE_WINDOWS} per account and Region"
        )
    for window in setup.windows:
        if len(window.targets) > TARGETS_PER_WINDOW:
            problems.append(
                f"window {window.name}: {len(window.targets)} targets; {_WHERE} is "
                f"{TARGETS_PER_WINDOW} targets per maintenance window"
            )
        if len(window.tasks) > TASKS_PER_WINDOW:
            problems.append(
                f"window {window.name}: {len(window.tasks)} tasks; {_WHERE} is "
                f"{TASKS_PER_WINDOW} tasks per maintenance window"
            )
        for task in window.tasks:
            if len(task.target_names) > TARGETS_PER_TASK:
                problems.append(
                    f"window {window.name}, task {task.name}: {len(task.target_names)} "
                    f"targets; {_WHERE} is {TARGETS_PER_TASK} targets per task"
                )
    if len(setup.baselines) > PATCH_BASELINES:
        problems.append(
            f"baselines: {len(setup.baselines)} patch baselines; {_WHERE} is "
            f"{PATCH_BASELINES} per account and Region"
        )
    for baseline in setup.baselines:
        if len(baseline.patch_groups) > PATCH_GROUPS_PER_BASELINE:
            problems.append(
                f"baseline {baseline.name}: {len(baseline.patch_groups)} patch groups; "
                f"{_WHERE} is {PATCH_GROUPS_PER_BASELINE} patch groups per patch baseline"
            )
    return problems
