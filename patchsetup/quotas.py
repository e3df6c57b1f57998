"""AWS's default Systems Manager quotas that a setup can run into, and the pure checks.

The numbers are the defaults of the "Service quotas for Maintenance Windows" and
"Service quotas for Patch Manager" tables of "AWS Systems Manager endpoints and
quotas" in the AWS General Reference:
https://docs.aws.amazon.com/general/latest/gr/ssm.html

They apply per account and per Region, and some can be raised through Service
Quotas. Two checks, both pure (the AWS read of the account's quotas is
``patchsetup.aws.session.quota_limits``):

- ``check_counts``, when the config is read: a setup on its own against AWS's
  defaults. Other windows and baselines already in the account count toward the
  same quotas, so passing here is necessary, not sufficient. Failing here, though,
  means AWS would stop the run half way with ResourceLimitExceededException, so
  the config is refused before it starts.
- ``plan_problems``, the pre-flight before any write: what exists in the account
  (every window and custom baseline, not only this setup's) plus what the plan
  creates minus what it deletes, against the quotas Service Quotas reports
  (``Quotas``), or AWS's documented defaults where it does not answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: the numbers sit below the layers that use them
    from patchsetup.deploy.plan import Plan
    from patchsetup.deploy.remote import RemoteState
    from patchsetup.model import Setup

__all__ = [
    "MAINTENANCE_WINDOWS",
    "PATCH_BASELINES",
    "PATCH_GROUPS_PER_BASELINE",
    "TARGETS_PER_TASK",
    "TARGETS_PER_WINDOW",
    "TASKS_PER_WINDOW",
    "Quotas",
    "check_counts",
    "plan_problems",
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


# -- pre-flight: the plan against the account's quotas -------------------------------


@dataclass(frozen=True)
class Quotas:
    windows: int = MAINTENANCE_WINDOWS
    baselines: int = PATCH_BASELINES
    #: Where the numbers came from, for the message.
    source: str = "AWS's documented default"


def plan_problems(plan: Plan, state: RemoteState, limits: Quotas) -> list[str]:
    """One line per quota the plan would exceed; empty when it fits."""
    found: list[str] = []
    for kind, existing, limit, what in (
        ("window", state.account_windows, limits.windows, "maintenance windows"),
        ("baseline", state.account_baselines, limits.baselines, "custom patch baselines"),
    ):
        after = existing + _net(plan, kind)
        if after > limit and _net(plan, kind) > 0:
            found.append(
                f"the plan would make {after} {what} in this region ({existing} exist, "
                f"{_net(plan, kind):+d} by this run); the quota is {limit} ({limits.source}): "
                "nothing was written"
            )
    return found


def _net(plan: Plan, kind: str) -> int:
    creates = sum(1 for c in plan.changes if c.kind == kind and c.action == "create")
    deletes = sum(1 for c in plan.changes if c.kind == kind and c.action == "delete")
    return creates - deletes
