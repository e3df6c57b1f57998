"""What the cli hands the runner: the shared options (``Common``) and a ``Request``.

Plain data, importable without the AWS SDK: the commands that make no AWS call
(``--help``, ``init``, ``export``, ...) load the cli, and through it this module,
but never the run protocol (``protocol.py``, which loads botocore through the lock
and the clients).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:  # the types only: a calendar from flags reads Common, and plans nothing
    from patchsetup.aws.accounts import Clients
    from patchsetup.aws.gate import Gate
    from patchsetup.deploy.plan import Plan
    from patchsetup.deploy.remote import RemoteState
    from patchsetup.report import WindowRuns


@dataclass(frozen=True)
class Common:
    """Options every command shares."""

    regions: tuple[str, ...]
    all_regions: bool
    role_arns: tuple[str, ...]
    role_arns_file: str | None
    profile: str | None
    endpoint_url: str | None
    loglevel: str
    output: str
    dry_run: bool
    yes: bool
    name: str
    concurrency: int
    #: Exit EXIT_CHANGES instead of 0 when the run has (or, dry, would have) changes.
    detailed_exitcode: bool
    #: Text output lists unchanged resources and every target's report (-v).
    verbose: bool = False
    #: --org: every account of the organization (--ou: under those OUs), through
    #: --role-name, less --exclude-account (aws.organization).
    org: bool = False
    ous: tuple[str, ...] = ()
    role_name: str | None = None
    exclude_accounts: tuple[str, ...] = ()


PlanFn: TypeAlias = "Callable[[], tuple[Plan, RemoteState]]"
#: Makes a target's ``PlanFn`` from its clients and gate.
PlanFor: TypeAlias = "Callable[[Clients, Gate], PlanFn]"


@dataclass(frozen=True)
class Request:
    """One command's run over accounts x regions, as the command line asked for it."""

    #: "setup" or "cleanup": the report's command and the word in its questions.
    what: str
    setup_name: str
    plan_for: PlanFor
    common: Common
    #: When each window runs next, shown in every target's report.
    windows: list[WindowRuns] = field(default_factory=list)
    #: The first region of each account runs before the others (it makes the role).
    role_first: bool = False
    #: The last region of each account may delete the role (runner_targets._after).
    role_last: bool = False
    adopt: bool = False
    warnings: Sequence[str] = ()
