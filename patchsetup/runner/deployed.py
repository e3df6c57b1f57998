"""What is deployed for a setup name in every chosen target: read-only, side by side.

``calendar`` without ``--config`` reads the windows it shows through here, with the
calls apply and status make to read windows (no IAM, no lock, no write).
"""

from __future__ import annotations

import sys

from patchsetup import logtarget, progress
from patchsetup.aws import reader
from patchsetup.aws.accounts import AccountRegion, clients_for
from patchsetup.aws.errors import aws_errors
from patchsetup.aws.gate import Gate
from patchsetup.aws.session import make_session
from patchsetup.deploy.remote import RemoteState
from patchsetup.runner.fanout import targets
from patchsetup.runner.request import Common


def deployed_states(common: Common, name: str) -> list[tuple[AccountRegion, RemoteState]]:
    """Setup ``name``'s windows, targets and tasks in each target, in the targets' order."""
    session = make_session(common.profile)
    chosen = targets(session, common)  # --role-arn's, --org's, or the caller's own
    live = progress.for_stream(sys.stderr, len(chosen), "text", "calendar")

    def state_of(target: AccountRegion) -> tuple[AccountRegion, RemoteState]:
        with logtarget.in_target(target.label):
            try:
                # A session per thread: botocore sessions are not thread-safe, clients are.
                own = session if len(chosen) == 1 else make_session(common.profile)
                with aws_errors():
                    clients = clients_for(own, target, common.endpoint_url)
                    state = reader.read_setup(clients["ssm"], name, gate=Gate(common.concurrency))
                return target, state
            finally:
                live.target_done()

    with progress.shown(live):
        return Gate(common.concurrency).each(state_of, chosen)
