"""What ``assign`` reads and plans in one target: the managed nodes the selection names
and their patch-group tag (plans.py has the other commands'). The runner calls the plan
function twice, before consent and again under the lock.
"""

from __future__ import annotations

import click

from patchsetup.aws import read_nodes
from patchsetup.aws.accounts import Clients
from patchsetup.aws.errors import aws_errors
from patchsetup.aws.gate import Gate
from patchsetup.deploy.instance_tags import instance_plan
from patchsetup.deploy.plan import Plan
from patchsetup.deploy.remote import RemoteNode, RemoteState
from patchsetup.errors import BadInput
from patchsetup.fields import other_key
from patchsetup.fleet.assign import Selection, assign_to, spread
from patchsetup.runner.request import PlanFn, PlanFor


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
