"""status's fan-out: what is deployed for a setup name in every chosen target, read-only,
side by side, with the drift from a config and the fleet's coverage (status.py shows it).
"""

from __future__ import annotations

import sys

from patchsetup import logtarget, progress, status
from patchsetup.aws import read_fleet, reader
from patchsetup.aws.accounts import AccountRegion, clients_for
from patchsetup.aws.errors import aws_errors
from patchsetup.aws.gate import Gate
from patchsetup.aws.session import make_session
from patchsetup.deploy import planner
from patchsetup.deploy.adoption import adoption_candidates
from patchsetup.deploy.plan import PlanConflict
from patchsetup.deploy.remote_fleet import query
from patchsetup.errors import BadInput
from patchsetup.model import Setup
from patchsetup.runner.fanout import targets
from patchsetup.runner.plans import role_boundary
from patchsetup.runner.request import Common


def status_views(
    common: Common, name: str, desired: Setup | None, *, fleet: bool = True
) -> list[status.View]:
    """What is deployed for setup ``name`` in every chosen target, with ``desired`` the
    drift from it, with ``fleet`` the coverage and compliance of its managed nodes."""
    session = make_session(common.profile)
    chosen = targets(session, common)

    live = progress.for_stream(sys.stderr, len(chosen), common.output, "status")

    def view_of(target: AccountRegion) -> status.View:
        with logtarget.in_target(target.label):
            try:
                return view_in(target)
            finally:
                live.target_done()

    def view_in(target: AccountRegion) -> status.View:
        # A session per thread: botocore sessions are not thread-safe, clients are.
        own = session if len(chosen) == 1 else make_session(common.profile)
        with aws_errors():
            clients = clients_for(own, target, common.endpoint_url)
            gate = Gate(common.concurrency)
            state = reader.read_setup(
                clients["ssm"],
                name,
                clients["iam"],
                full=True,
                gate=gate,
                candidates=adoption_candidates(desired) if desired else None,
                defaults_for=[b.operating_system for b in desired.baselines if b.default]
                if desired
                else (),
            )
            asked = query(state) if fleet else None
            found = None if asked is None else (asked, read_fleet.read_fleet(clients, asked, gate))
        drift = None
        if desired is not None:
            try:
                drift = planner.plan(
                    desired, state, region=target.region, boundary=role_boundary(desired, state)
                )
            except PlanConflict as exc:
                raise BadInput(str(exc)) from None
        return status.view(
            target.label,
            name,
            state,
            drift,
            account=target.account,
            region=target.region,
            fleet=found,
        )

    # Targets side by side, bounded like setup's; the first failure ends the command.
    with progress.shown(live):
        return Gate(common.concurrency).each(view_of, chosen)
