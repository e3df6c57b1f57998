"""The plan under construction: what the planner was given and one list per phase.

Pure: no boto3. ``planner.plan`` makes a ``PlanDraft``; each resource kind's
module (service_role, patch_baselines, maintenance_windows) adds its changes to
the phases they belong in; ``PlanDraft.plan`` puts the phases in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from patchsetup.deploy.plan import Change, Plan, Ref, in_phase
from patchsetup.deploy.remote import RemoteState
from patchsetup.model import Setup

TokenFactory = Callable[[], str]


@dataclass
class PlanDraft:
    desired: Setup
    remote: RemoteState
    token: TokenFactory
    region: str | None = None
    boundary: str | None = None
    # Phases, concatenated in this order.
    task_deletes: list[Change] = field(default_factory=list)
    window_deletes: list[Change] = field(default_factory=list)
    group_deletes: list[Change] = field(default_factory=list)
    #: AWS's predefined default back, before a default baseline of ours goes.
    default_restores: list[Change] = field(default_factory=list)
    baseline_deletes: list[Change] = field(default_factory=list)
    role_deletes: list[Change] = field(default_factory=list)
    role_writes: list[Change] = field(default_factory=list)
    baseline_writes: list[Change] = field(default_factory=list)
    group_writes: list[Change] = field(default_factory=list)
    #: The region's default baseline per OS, once the baseline exists.
    default_writes: list[Change] = field(default_factory=list)
    window_writes: list[Change] = field(default_factory=list)
    #: Untagged baselines that adoption leaves holding nothing.
    emptied_baselines: list[Change] = field(default_factory=list)
    #: Windows that stay because they hold an operator's tasks.
    kept: list[Change] = field(default_factory=list)

    #: The service role's ARN (or a Ref to the created one) for the tasks.
    role_arn: str | Ref | None = None

    def plan(self) -> Plan:
        """The phases in execution order.

        Within a phase a change waits only for its lane and the values it uses
        (deploy/order.py): the role, the baselines, the windows with their targets and
        tasks, the registrations and the defaults are one phase, so a registration
        starts once its baseline exists and a target once its window does.
        """
        return Plan(
            tuple(
                in_phase(1, self.task_deletes)
                + in_phase(1, self.group_deletes)
                + in_phase(1, self.default_restores)
                + in_phase(2, self.window_deletes)
                + in_phase(2, self.baseline_deletes)
                + in_phase(3, self.role_writes)
                + in_phase(3, self.baseline_writes)
                + in_phase(3, self.window_writes)
                # Registrations need their baseline (a Ref when it is new), not each other.
                + in_phase(3, self.group_writes)
                + in_phase(3, self.default_writes)
                # Last: tasks have been re-pointed away from a role before it goes.
                + in_phase(6, self.role_deletes)
                + in_phase(6, self.emptied_baselines)
                + in_phase(7, self.kept)
            )
        )


def adopted(change: Change, adopting: bool) -> Change:
    """A child of an adopted window is adopted too (with the fields that change)."""
    return replace(change, action="adopt") if adopting else change
