"""What each command reads and plans in one target: the first step of the run.

``setup_plans`` and ``cleanup_plans`` make the ``PlanFor`` a ``runner.Request``
carries: given a target's clients and gate, a function that reads the account
and returns the plan with the state it was made from. The runner calls it
twice, before consent and again under the lock.
"""

from __future__ import annotations

import click

from patchsetup import checks, policy
from patchsetup.aws import read_nodes, reader
from patchsetup.aws.accounts import Clients
from patchsetup.aws.errors import aws_errors
from patchsetup.aws.gate import Gate
from patchsetup.deploy import planner, sweeper
from patchsetup.deploy.adoption import adoption_candidates
from patchsetup.deploy.instance_tags import instance_plan
from patchsetup.deploy.plan import Plan, PlanConflict
from patchsetup.deploy.remote import RemoteNode, RemoteState
from patchsetup.errors import BadInput
from patchsetup.fields import other_key
from patchsetup.fleet.assign import Selection, assign_to, spread
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


def assign_plans(chosen: Selection, groups: list[str], key: str, spreading: bool) -> PlanFor:
    """``assign``: read the managed nodes ``chosen`` selects and their ``key`` tag, plan
    their tag: into ``groups[0]``, or with ``spreading`` evenly over ``groups``."""

    def plan_for(clients: Clients, gate: Gate) -> PlanFn:
        warned: list[str] = []  # said once per target: the plan is made again under the lock

        def plan_fn() -> tuple[Plan, RemoteState]:
            with aws_errors():
                nodes = read_nodes.managed_nodes(
                    clients, key=key, gate=gate, platform=chosen.platform, tags=chosen.tags
                )
                _check_named(clients, chosen, nodes, gate)
            nodes = [n for n in nodes if chosen.matches(n)]
            if not nodes:
                click.echo(
                    f"warning: {clients.region}: no managed node matches the selection: "
                    "nothing to assign",
                    err=True,
                )
            if not warned:
                warned[:] = _warn_other_key(clients.region, nodes, key)
            wanted = spread(nodes, groups) if spreading else assign_to(nodes, groups[0])
            return instance_plan(nodes, wanted, key), RemoteState()

        return plan_fn

    return plan_for


def _warn_other_key(region: str, nodes: list[RemoteNode], key: str) -> list[str]:
    """Say which nodes also carry the other patch-group key: Patch Manager reads either,
    and assign writes only ``key``, so such a node would carry two patch groups."""
    both = sorted(n.instance_id for n in nodes if n.other_group is not None)
    if both:
        shown = ", ".join(both[:5]) + (f" and {len(both) - 5} more" if len(both) > 5 else "")
        click.echo(
            f"warning: {region}: {len(both)} of the nodes also carry the tag "
            f"'{other_key(key)}', the other patch-group key (Patch Manager reads either); "
            f"assign writes '{key}' only: remove one of the two, or give the setup "
            f"patch_group_key = '{other_key(key)}': {shown}",
            err=True,
        )
    return both


def _check_named(clients: Clients, chosen: Selection, found: list[RemoteNode], gate: Gate) -> None:
    """Every --instance-id not found among the nodes read must still be a managed node
    (one the tag or platform filters left out); else it is an unmanaged EC2 instance,
    which tagging would not get patched, or no instance at all (bad input either way)."""
    missing = sorted(set(chosen.instance_ids) - {n.instance_id for n in found})
    if not missing:
        return
    if chosen.tags or chosen.platform:
        missing = sorted(set(missing) - read_nodes.managed_ids(clients, missing, gate))
    if not missing:
        return
    states = read_nodes.ec2_states(clients, missing, gate)
    region = clients.region
    unmanaged = [i for i in missing if i in states]
    if unmanaged:
        state = states[unmanaged[0]]
        # DescribeInstanceInformation lists no stopped or terminated node (the reference).
        why = "no SSM Agent registered" if state == "running" else "SSM lists running nodes only"
        raise BadInput(
            f"--instance-id: {', '.join(unmanaged)}: an EC2 instance in {region} that SSM does "
            f"not manage (state {state}; {why}): tagging it would not get it patched; make it "
            "a managed node first"
        )
    raise BadInput(f"--instance-id: {', '.join(missing)}: no such instance in {region}")
