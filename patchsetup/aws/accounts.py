"""Where a run goes: accounts x regions, each pair an ``AccountRegion`` with its own clients.

(Not a maintenance-window target: those are ``TargetSpec``/``RemoteTarget``.)

Regions come from -r (repeatable), --all-regions (every region of the
partition where botocore knows an SSM endpoint), or the environment; accounts
from --role-arn (repeatable) or a file of role ARNs, each assumed with STS the
way a CI job bootstrapping accounts would. No role: the caller's own account.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import botocore.session

from patchsetup.aws.organization import Members, OrgScope, members
from patchsetup.aws.session import check_region, client, known_regions, make_session, resolve_region
from patchsetup.errors import BadInput
from patchsetup.fields import ROLE_ARN_RE, ROLE_ARN_RULE, role_arn_problem
from patchsetup.files import TextFileError, read_utf8

SESSION_NAME = "ssm-patching-setup"


@dataclass(frozen=True)
class AccountRegion:
    """One account (through ``role_arn``, or the caller's own) in one region."""

    region: str
    role_arn: str | None = None
    #: The account ID when it is known without a role (--org: the caller's own account).
    account_id: str | None = None

    @property
    def account(self) -> str | None:
        """The account ID of the role, if the pair goes through one (or is known)."""
        match = ROLE_ARN_RE.match(self.role_arn or "")
        return match.group(1) if match else self.account_id

    @property
    def label(self) -> str:
        return f"{self.account}/{self.region}" if self.account else self.region


def role_arns(arns: tuple[str, ...], path: str | None) -> list[str]:
    """Role ARNs from options and a file (one per line, # comments), checked offline."""
    if any(not a.strip() for a in arns):
        raise BadInput(f"--role-arn: empty: give an IAM role ARN ({ROLE_ARN_RULE})")
    found = list(arns)
    if path:
        try:
            text = read_utf8(path)
        except OSError as exc:
            raise BadInput(f"--role-arns-file: cannot read {path}: {exc.strerror}") from None
        except TextFileError as exc:
            raise BadInput(f"--role-arns-file: {path}: {exc}") from None
        listed = [line.split("#", 1)[0].strip() for line in text.splitlines()]
        if not any(listed):
            # As with an empty --role-arn: a truncated file must not mean "this account".
            raise BadInput(f"--role-arns-file: {path} names no role ARN")
        found += listed
    found = [a for a in dict.fromkeys(found) if a]
    for arn in found:
        problem = role_arn_problem(arn)
        if problem is not None:
            raise BadInput(f"--role-arn: {problem}")
    return found


def account_regions(
    session: botocore.session.Session,
    regions: tuple[str, ...],
    all_regions: bool,
    roles: list[str],
) -> list[AccountRegion]:
    """Every (account, region) pair the run covers, in a stable order."""
    if all_regions and regions:
        raise BadInput("--all-regions: give it or -r/--region, not both")
    if all_regions:
        chosen = session.get_available_regions("ssm", partition_name=_partition(session, roles))
    elif regions:
        chosen = [check_region(r) for r in regions]
    else:
        chosen = [resolve_region(session, None)]
    for role in roles:
        _check_partition(session, role, chosen)
    accounts: list[str | None] = [*roles] if roles else [None]
    return [AccountRegion(region, role) for role in accounts for region in chosen]


def org_account_regions(
    session: botocore.session.Session,
    regions: tuple[str, ...],
    all_regions: bool,
    scope: OrgScope,
    endpoint_url: str | None,
) -> tuple[list[AccountRegion], Members]:
    """--org: every active account the scope selects x the regions, and what was left out.

    The regions are checked first (offline); then the organization is listed from the
    first region's partition (its Organizations endpoint), and every member's role ARN
    is checked against the regions' partition as a --role-arn is."""
    chosen = account_regions(session, regions, all_regions, [])
    region = chosen[0].region
    found = members(
        client(session, "organizations", region, endpoint_url),
        client(session, "sts", region, endpoint_url),
        scope,
    )
    if not found.members:
        left = f"{len(found.skipped)} not active, {found.excluded} excluded"
        where = f"under --ou {', '.join(scope.ous)}" if scope.ous else "in the organization"
        raise BadInput(f"--org: no account to run in {where} ({left})")
    pairs = []
    for member in found.members:
        if member.role_arn is not None:
            _check_partition(session, member.role_arn, [t.region for t in chosen])
        pairs += [AccountRegion(t.region, member.role_arn, member.account) for t in chosen]
    return pairs, found


def _partition(session: botocore.session.Session, roles: list[str]) -> str:
    """The partition --all-regions covers: the role ARNs', else the configured region's."""
    partitions = sorted({role.split(":", 2)[1] for role in roles})
    if len(partitions) > 1:
        raise BadInput(
            f"--all-regions: the role ARNs are in partitions {', '.join(partitions)}; "
            "each partition has its own regions: run once per partition"
        )
    if partitions:
        return partitions[0]
    region = session.get_config_variable("region")
    return session.get_partition_for_region(region) if region in known_regions() else "aws"


def _check_partition(session: botocore.session.Session, role: str, regions: list[str]) -> None:
    """A role lives in one partition (aws, aws-cn, aws-us-gov, ...) and STS there hands out
    credentials only that partition's regions take: say so now, from botocore's offline
    partition data, rather than after the first call fails."""
    partition = role.split(":", 2)[1]
    known = session.get_available_partitions()
    if partition not in known:
        raise BadInput(
            f"--role-arn: {role!r}: unknown partition {partition!r} (known: {', '.join(known)})"
        )
    for region in regions:
        home = session.get_partition_for_region(region)
        if home != partition:
            raise BadInput(
                f"--role-arn: {role!r} is in partition {partition!r}, but region {region} "
                f"is in {home!r}: a role works only in its own partition's regions"
            )


#: The services a run talks to; their clients are made when first used.
SERVICES = ("ssm", "iam", "service-quotas", "sts", "ec2")


def clients_for(
    session: botocore.session.Session, account_region: AccountRegion, endpoint_url: str | None
) -> Clients:
    """The clients of one account x region: the session's own, or the assumed role's."""
    if account_region.role_arn is not None:
        sts = client(session, "sts", account_region.region, endpoint_url)
        credentials = sts.assume_role(
            RoleArn=account_region.role_arn, RoleSessionName=SESSION_NAME
        )["Credentials"]
        session = make_session(
            None,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
    return Clients(session, account_region.region, endpoint_url)


class Clients(Mapping[str, Any]):
    """One account x region's clients by service name, each made on its first call.

    Making a client parses its service model (a tenth of a second for SSM's),
    so the IAM and Service Quotas clients are made by the threads that first
    call them, while the SSM reads are on the wire. A botocore session is not
    thread-safe: clients are made one at a time; the clients themselves are.
    """

    def __init__(
        self, session: botocore.session.Session, region: str, endpoint_url: str | None
    ) -> None:
        self._session = session
        self._region = region
        self._endpoint_url = endpoint_url
        self._made: dict[str, Any] = {}
        self._guard = threading.Lock()

    def __getitem__(self, service: str) -> Any:
        if service not in SERVICES:
            raise KeyError(service)
        return _LazyClient(self, service)

    def __iter__(self) -> Iterator[str]:
        return iter(SERVICES)

    def __len__(self) -> int:
        return len(SERVICES)

    @property
    def region(self) -> str:
        """The region (the planner tags the global service role with it)."""
        return self._region

    def made(self, service: str) -> Any:
        """The client itself, made now if it was not yet."""
        with self._guard:
            if service not in self._made:
                self._made[service] = client(
                    self._session, service, self._region, self._endpoint_url
                )
            return self._made[service]


class _LazyClient:
    """Stands for a client until its first attribute is used."""

    def __init__(self, clients: Clients, service: str) -> None:
        self._clients = clients
        self._service = service

    def __getattr__(self, name: str) -> Any:
        return getattr(self._clients.made(self._service), name)
