"""Pre-flight: would the plan push the account past a quota? Checked before any write.

Counts what exists in the account (every window and custom baseline, not only
this setup's) plus what the plan creates minus what it deletes, against the
quotas Service Quotas reports, or AWS's documented defaults where it does not
answer. Pure: the quota values and counts come in as data.
"""

from __future__ import annotations

from dataclasses import dataclass

from patchsetup import quotas
from patchsetup.deploy.plan import Plan
from patchsetup.deploy.remote import RemoteState


@dataclass(frozen=True)
class Quotas:
    windows: int = quotas.MAINTENANCE_WINDOWS
    baselines: int = quotas.PATCH_BASELINES
    #: Where the numbers came from, for the message.
    source: str = "AWS's documented default"


def problems(plan: Plan, state: RemoteState, limits: Quotas) -> list[str]:
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
