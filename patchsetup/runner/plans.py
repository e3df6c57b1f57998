"""What each command reads and plans in one target: the first step of the run.

``setup_plans`` and ``cleanup_plans`` make the ``PlanFor`` a ``runner.Request``
carries: given a target's clients and gate, a function that reads the account
and returns the plan with the state it was made from. The runner calls it
twice, before consent and again under the lock. assign's is in assigning.py.
"""

from __future__ import annotations

from patchsetup import checks, policy
from patchsetup.aws import reader
from patchsetup.aws.accounts import Clients
from patchsetup.aws.errors import aws_errors
from patchsetup.aws.gate import Gate
from patchsetup.deploy import planner, sweeper
from patchsetup.deploy.adoption import adoption_candidates
from patchsetup.deploy.plan import Plan, PlanConflict
from patchsetup.deploy.remote import RemoteState
from patchsetup.errors import BadInput
from patchsetup.model import Setup
from patchsetup.runner.request import PlanFn, PlanFor


def setup_plans(setup: Setup) -> PlanFor:
    """``apply``: read what the setup has (and what it may adopt), plan towards ``setup``."""
    candidates = adoption_candidates(setup)

    hooks = checks.hook_documents(setup)

    def plan_for(clients: Clients, gate: Gate) -> PlanFn:
        unchecked = list(hooks)  # once per target: the re-plan under the lock skips it

        def plan_fn() -> tuple[Plan, RemoteState]:
            with aws_errors():
                remote = reader.read_setup(
                    clients["ssm"],
                    setup.name,
                    clients["iam"],
                    role_wanted=setup.service_role is not None,
                    gate=gate,
                    candidates=candidates,
                    defaults_for=[b.operating_system for b in setup.baselines if b.default],
                )
                missing = reader.missing_documents(clients["ssm"], unchecked, gate)
            unchecked.clear()
            if missing:
                # The task would be created and fail on every instance at its first run.
                raise BadInput(
                    f"hook document(s) {', '.join(map(repr, missing))} do not exist in "
                    f"{clients['ssm'].meta.region_name}: create them there first, or correct "
                    "the hooks (documents named AWS-..., Amazon... or amzn... are AWS's and "
                    "not looked up)"
                )
            with aws_errors():
                boundary = role_boundary(setup, remote, clients)
            try:
                made = planner.plan(setup, remote, region=clients.region, boundary=boundary)
                return made, remote
            except PlanConflict as exc:
                raise BadInput(str(exc)) from None

        return plan_fn

    return plan_for


def cleanup_plans(name: str, all_patching: bool) -> PlanFor:
    """``cleanup``: read what setup ``name`` made (or, ``all_patching``, any patching
    setup), plan its deletion."""

    def plan_for(clients: Clients, gate: Gate) -> PlanFn:
        def plan_fn() -> tuple[Plan, RemoteState]:
            with aws_errors():
                if all_patching:
                    state = reader.read_sweep(clients["ssm"], name, clients["iam"], gate=gate)
                else:
                    state = reader.read_setup(clients["ssm"], name, clients["iam"], gate=gate)
            plan = sweeper.cleanup_plan(state, all_patching=all_patching, region=clients.region)
            return plan, state

        return plan_fn

    return plan_for


def role_boundary(setup: Setup, remote: RemoteState, clients: Clients | None = None) -> str | None:
    """The permissions boundary's ARN for the setup's service role: in the account and
    partition of the role when it exists, else of the caller (STS GetCallerIdentity,
    which needs no permission, only when a role is to be created). Without ``clients``
    (status), only an existing role's."""
    if setup.service_role is None:
        return None
    name = setup.service_role.name
    found = next((r.arn for r in remote.roles if r.name == name), None)
    if found is None and clients is not None:
        found = clients["sts"].get_caller_identity()["Arn"]
    return None if found is None else policy.boundary_arn_of(found)
