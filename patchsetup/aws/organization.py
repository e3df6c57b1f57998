"""Whole organizations: the accounts ``--org`` runs in, listed with AWS Organizations.

``org_scope`` checks ``--org``, ``--ou``, ``--role-name`` and ``--exclude-account``
offline (the patterns of the Organizations and IAM API references), before any call.
``members`` lists the accounts (after ``DescribeOrganization``, which says whether
the caller is in an organization at all): every account of the organization (``ListAccounts``),
or with ``--ou`` those under the given OUs or roots, nested OUs included
(``ListOrganizationalUnitsForParent`` + ``ListAccountsForParent``), each account once,
every list paged. An account that is not active (``State``, or the older ``Status``,
other than ``ACTIVE``: suspended, pending closure, closed, pending activation) is
skipped and reported, as is an excluded account the listing did not find.

Each member is run in through ``--role-name`` (default OrganizationAccountAccessRole,
the role Organizations creates in the accounts it makes), except the caller's own
account (the management account, or a delegated administrator's): AWS creates no such
role there, so it runs with the caller's own credentials, as a run without --role-arn
does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions

from patchsetup.aws.errors import describe_error
from patchsetup.errors import AwsError, BadInput

DEFAULT_ROLE_NAME = "OrganizationAccountAccessRole"
#: IAM's role name ([\w+=,.@-], 1-64), optionally after a path of such segments.
ROLE_NAME_RE = re.compile(r"\A(?:[\w+=,.@-]+/){0,32}[\w+=,.@-]{1,64}\Z", re.ASCII)
ROLE_NAME_RULE = "an IAM role name (1-64 of letters, digits and +=,.@_-), optionally PATH/NAME"
#: A root (r-...) or an organizational unit (ou-<root>-<ou>): Organizations' ParentId.
PARENT_RE = re.compile(r"\A(?:r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})\Z")
PARENT_RULE = (
    "an OU ID (ou-, 4-32 lowercase letters or digits, -, 8-32 more: ou-ab12-cdef3456) "
    "or a root ID (r-ab12)"
)
ACCOUNT_RE = re.compile(r"\A[0-9]{12}\Z")
ACTIVE = "ACTIVE"


@dataclass(frozen=True)
class OrgScope:
    """What ``--org`` runs over: its role, its OUs (none: the whole organization), its
    exceptions."""

    role_name: str = DEFAULT_ROLE_NAME
    ous: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    """Repeats and comma lists, in order, each once."""
    found = [part.strip() for value in values for part in value.split(",")]
    return tuple(dict.fromkeys(found))


def org_scope(
    org: bool,
    ous: tuple[str, ...],
    role_name: str | None,
    exclude: tuple[str, ...],
    role_arns: tuple[str, ...],
    role_arns_file: str | None,
) -> OrgScope | None:
    """The checked ``--org`` options, or None without --org (BadInput, exit 2, on a mistake)."""
    if not org:
        for option, given in (
            ("--ou", ous),
            ("--role-name", role_name is not None),
            ("--exclude-account", exclude),
        ):
            if given:
                raise BadInput(f"{option}: only with --org (it narrows the organization)")
        return None
    if role_arns or role_arns_file:
        raise BadInput(
            "--org: give it or --role-arn/--role-arns-file, not both: --org runs in every "
            "account of the organization through --role-name"
        )
    name = DEFAULT_ROLE_NAME if role_name is None else role_name
    if not ROLE_NAME_RE.match(name):
        raise BadInput(f"--role-name: {name!r} is not {ROLE_NAME_RULE}")
    parents = _split(ous)
    for parent in parents:
        if not PARENT_RE.match(parent):
            raise BadInput(f"--ou: {parent!r} is not {PARENT_RULE}")
    accounts = _split(exclude)
    for account in accounts:
        if not ACCOUNT_RE.match(account):
            raise BadInput(f"--exclude-account: {account!r} is not a 12-digit AWS account ID")
    return OrgScope(name, parents, accounts)


@dataclass(frozen=True)
class Member:
    """One account to run in: through ``role_arn``, or (None) the caller's credentials."""

    account: str
    role_arn: str | None


@dataclass
class Members:
    """The accounts of a ``--org`` run, and what was left out and why."""

    members: list[Member] = field(default_factory=list)
    #: Accounts not active: ``{"account", "name", "state"}``, by account.
    skipped: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: How many listed accounts --exclude-account left out.
    excluded: int = 0

    def lines(self) -> list[str]:
        """One line per skipped account, then the warnings (stderr, text and JSON alike)."""
        skipped = [
            f"--org: skipped account {s['account']} ({s['name']}): {s['state']}"
            for s in self.skipped
        ]
        return skipped + self.warnings


def members(organizations: Any, sts: Any, scope: OrgScope) -> Members:
    """The accounts ``scope`` selects, each once, by account ID (one-line errors)."""
    try:
        identity = sts.get_caller_identity()
        caller, partition = identity["Account"], identity["Arn"].split(":", 2)[1]
        # First: the one call that says "not in an organization" from any account
        # (AWSOrganizationsNotInUseException), before any list.
        organizations.describe_organization()
        if scope.ous:
            listed = list(_under(organizations, scope.ous))
        else:
            listed = list(_paged(organizations, "list_accounts", "Accounts"))
    except botocore.exceptions.ClientError as exc:
        raise _org_error(exc) from None
    found = Members()
    accounts = {account["Id"]: account for account in listed}
    for account_id in scope.exclude:
        if account_id not in accounts:
            where = "under --ou " + ", ".join(scope.ous) if scope.ous else "in the organization"
            found.warnings.append(
                f"--exclude-account {account_id}: no such account {where}: nothing to exclude"
            )
    for account_id in sorted(accounts):
        if account_id in scope.exclude:
            found.excluded += 1
            continue
        account = accounts[account_id]
        state = _state(account)
        if state != ACTIVE:
            name = str(account.get("Name", ""))
            found.skipped.append({"account": account_id, "name": name, "state": state})
            continue
        role = None if account_id == caller else _role_arn(partition, account_id, scope.role_name)
        found.members.append(Member(account_id, role))
    return found


def _state(account: dict[str, Any]) -> str:
    """The account's State (newer) if it is not active, else its Status."""
    state = str(account.get("State") or ACTIVE)
    return state if state != ACTIVE else str(account.get("Status") or ACTIVE)


def _role_arn(partition: str, account: str, role_name: str) -> str:
    return f"arn:{partition}:iam::{account}:role/{role_name}"


def _under(organizations: Any, parents: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """The accounts under ``parents`` and their OUs, at any depth, each OU visited once."""
    seen: set[str] = set()
    queue = list(parents)
    while queue:
        parent = queue.pop(0)
        if parent in seen:
            continue
        seen.add(parent)
        try:
            accounts = list(
                _paged(organizations, "list_accounts_for_parent", "Accounts", ParentId=parent)
            )
        except botocore.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ParentNotFoundException":
                raise
            raise BadInput(
                f"--ou: {parent!r}: no such OU or root in the organization ({describe_error(exc)})"
            ) from None
        yield from accounts
        children = _paged(
            organizations,
            "list_organizational_units_for_parent",
            "OrganizationalUnits",
            ParentId=parent,
        )
        queue += [child["Id"] for child in children]


def _paged(organizations: Any, operation: str, key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    for page in organizations.get_paginator(operation).paginate(**kwargs):
        yield from page.get(key, [])


def _org_error(exc: botocore.exceptions.ClientError) -> Exception:
    """Why the organization could not be listed, in one line."""
    code = exc.response.get("Error", {}).get("Code", "Error")
    said = describe_error(exc)
    if code == "AWSOrganizationsNotInUseException":
        return AwsError(f"--org: the caller's account is not in an organization ({said})")
    if code == "AccessDeniedException":
        return AwsError(
            f"--org: cannot list the organization's accounts ({said}): run from the "
            "management account or a delegated administrator, with "
            "iam/ssm-patching-setup-assume-policy.json"
        )
    return AwsError(f"--org: {said}")
