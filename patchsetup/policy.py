"""The IAM policies the tool needs, as data: one source for iam/*.json and `policy`.

No boto3 here. Four documents:

* the operator policy: what the identity that runs the tool in an account needs for
  setups it owns (writes only on resources carrying the owner tag, creates only with
  it, the service role only with the shipped permissions boundary);
* the brownfield policy (optional): writes on *untagged* windows and baselines, for
  ``--adopt`` and ``cleanup --all-patching``;
* the assume policy: ``sts:AssumeRole`` on the bootstrap roles of ``--role-arn``, for
  the identity that starts a multi-account run (never on the tool's own role path);
* the role boundary: the permissions boundary every role the tool creates gets, at
  most what the maintenance-window role needs (roles.maintenance_window_policy).

The files under iam/ are these documents for any account and any setup name;
``ssm-patching-setup policy`` prints them for one setup (its name, role and the
role ARNs it passes filled in).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from patchsetup import model
from patchsetup.model import OWNER_TAG, ROLE_PATH, SERVICE_ROLE, TOOL, Setup
from patchsetup.roles import maintenance_window_policy, notification_roles

#: The role names ``sts:AssumeRole`` is granted on: the bootstrap role of each account
#: (edit the pattern in iam/ssm-patching-setup-assume-policy.json for other names).
BOOTSTRAP_ROLE = "PatchingBootstrap*"
#: The role --org assumes in each member account by default (--role-name), the one
#: Organizations creates in the accounts it makes (aws/organization.py).
ORGANIZATION_ROLE = "OrganizationAccountAccessRole"
#: What --org reads to list the organization's accounts (aws/organization.py).
ORGANIZATION_READS = ("organizations:DescribeOrganization", "organizations:ListAccounts")
#: What --ou reads: the accounts and OUs under a root or OU, which these actions scope.
ORGANIZATION_TREE_READS = (
    "organizations:ListAccountsForParent",
    "organizations:ListOrganizationalUnitsForParent",
)
ORGANIZATION_PARENTS = [
    "arn:aws:organizations::*:root/o-*/r-*",
    "arn:aws:organizations::*:ou/o-*/ou-*",
]
#: The lock parameter's path (lock.py).
LOCK_PATH = "/patchsetup/lock/"

FILES = {
    "operator": "ssm-patching-setup-operator-policy.json",
    "brownfield": "ssm-patching-setup-brownfield-policy.json",
    "assume": "ssm-patching-setup-assume-policy.json",
    "boundary": "ssm-patching-setup-role-boundary.json",
}

_OWNER_RESOURCE = f"aws:ResourceTag/{OWNER_TAG}"
_OWNER_REQUEST = f"aws:RequestTag/{OWNER_TAG}"


@dataclass(frozen=True)
class Scope:
    """What a policy is for: any account and setup (``*``), or one."""

    partition: str = "aws"
    account: str = "*"
    #: One setup name (exact owner tag, role and lock), or None for any setup.
    setup_name: str | None = None
    #: The service role's name, or None for any role under the tool's path.
    role_name: str | None = None

    def ssm(self, kind: str) -> str:
        return f"arn:{self.partition}:ssm:*:{self.account}:{kind}/*"

    @property
    def role(self) -> str:
        return f"arn:{self.partition}:iam::{self.account}:role{ROLE_PATH}{self.role_name or '*'}"

    @property
    def boundary(self) -> str:
        return boundary_arn(self.partition, self.account)

    def owner(self, key: str) -> dict[str, Any]:
        """The owner tag ``key`` holds this setup's name (any valid name: non-empty)."""
        if self.setup_name is None:
            return {"StringLike": {key: "?*"}}
        return {"StringEquals": {key: self.setup_name}}


def boundary_arn(partition: str, account: str) -> str:
    return f"arn:{partition}:iam::{account}:policy{model.BOUNDARY_PATH}{model.BOUNDARY_NAME}"


def boundary_arn_of(arn: str) -> str:
    """The boundary's ARN in the partition and account of ``arn`` (a role or caller ARN)."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or not parts[4]:
        raise ValueError(f"not an ARN with an account: {arn!r}")
    return boundary_arn(parts[1], parts[4])


def _statement(
    sid: str, actions: Sequence[str], resource: str | list[str], **condition: Any
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": list(actions),
        "Resource": resource,
    }
    if condition:
        found["Condition"] = condition
    return found


def _document(statements: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


_TAGGED_WRITES = (
    "ssm:UpdateMaintenanceWindow",
    "ssm:DeleteMaintenanceWindow",
    "ssm:RegisterTargetWithMaintenanceWindow",
    "ssm:UpdateMaintenanceWindowTarget",
    "ssm:DeregisterTargetFromMaintenanceWindow",
    "ssm:RegisterTaskWithMaintenanceWindow",
    "ssm:UpdateMaintenanceWindowTask",
    "ssm:DeregisterTaskFromMaintenanceWindow",
    "ssm:UpdatePatchBaseline",
    "ssm:DeletePatchBaseline",
    "ssm:RegisterPatchBaselineForPatchGroup",
    "ssm:DeregisterPatchBaselineForPatchGroup",
)
#: Actions that also authorize on the target or the task (the Service Authorization
#: Reference): those carry no tags, so they are granted there without a tag condition;
#: the window they belong to still needs the tag.
_TARGET_WRITES = ("ssm:UpdateMaintenanceWindowTarget", "ssm:DeregisterTargetFromMaintenanceWindow")
_TASK_WRITES = ("ssm:UpdateMaintenanceWindowTask", "ssm:DeregisterTaskFromMaintenanceWindow")
#: What adoption and the --all-patching sweep do to untagged windows and baselines.
_UNTAGGED_WRITES = (
    "ssm:UpdateMaintenanceWindow",
    "ssm:DeleteMaintenanceWindow",
    "ssm:UpdateMaintenanceWindowTarget",
    "ssm:DeregisterTargetFromMaintenanceWindow",
    "ssm:UpdateMaintenanceWindowTask",
    "ssm:DeregisterTaskFromMaintenanceWindow",
    "ssm:DeletePatchBaseline",
    "ssm:DeregisterPatchBaselineForPatchGroup",
)


def operator_policy(scope: Scope = Scope()) -> dict[str, Any]:
    """What the identity running the tool in one account needs for its own setups."""
    windows_and_baselines = [scope.ssm("maintenancewindow"), scope.ssm("patchbaseline")]
    lock = f"{scope.setup_name}" if scope.setup_name else "*"
    return _document(
        [
            _statement(
                "ReadPatchingListings",
                [
                    "ssm:DescribeMaintenanceWindows",
                    "ssm:DescribePatchBaselines",
                    "ssm:DescribePatchGroups",
                    "ssm:GetPatchBaselineForPatchGroup",
                    # status's fleet: the managed nodes and a patch group's compliance.
                    "ssm:DescribeInstanceInformation",
                    "ssm:DescribePatchGroupState",
                ],
                "*",
            ),
            _statement(
                "ReadPatchingResources",
                [
                    "ssm:GetMaintenanceWindow",
                    "ssm:DescribeMaintenanceWindowTargets",
                    "ssm:DescribeMaintenanceWindowTasks",
                    "ssm:GetMaintenanceWindowTask",
                    "ssm:GetPatchBaseline",
                    "ssm:ListTagsForResource",
                    "ssm:DescribeMaintenanceWindowExecutions",
                ],
                windows_and_baselines,
            ),
            _statement(
                "CreateWithTheOwnerTag",
                ["ssm:CreateMaintenanceWindow", "ssm:CreatePatchBaseline"],
                "*",
                **scope.owner(_OWNER_REQUEST),
            ),
            _statement(
                "ReadHookDocuments",
                ["ssm:DescribeDocument"],
                f"arn:{scope.partition}:ssm:*:{scope.account}:document/*",
            ),
            # assign: the managed nodes (DescribeInstanceInformation, above) and their
            # patch-group tag. The EC2 Describe actions take no resource-level permissions.
            _statement("ReadManagedNodes", ["ec2:DescribeInstances", "ec2:DescribeTags"], "*"),
            _statement(
                "ReadHybridNodeTags",
                ["ssm:ListTagsForResource"],
                scope.ssm("managed-instance"),
            ),
            # Instances and hybrid nodes only. Not narrowed to the patch-group tag keys
            # (aws:TagKeys): the local endpoint cannot enforce it (README, Least privilege).
            _statement(
                "TagManagedNodes",
                ["ec2:CreateTags"],
                f"arn:{scope.partition}:ec2:*:{scope.account}:instance/*",
            ),
            _statement(
                "TagHybridNodes",
                ["ssm:AddTagsToResource"],
                scope.ssm("managed-instance"),
            ),
            _statement(
                "WriteOwnedWindowsAndBaselines",
                _TAGGED_WRITES,
                windows_and_baselines,
                **scope.owner(_OWNER_RESOURCE),
            ),
            _statement("WriteTargetsOfOwnedWindows", _TARGET_WRITES, scope.ssm("windowtarget")),
            _statement("WriteTasksOfOwnedWindows", _TASK_WRITES, scope.ssm("windowtask")),
            # The region's default per OS (default = true): a baseline of this account,
            # or one of AWS's predefined ones, which are AWS's own account's.
            _statement(
                "ReadTheDefaultBaseline",
                ["ssm:GetDefaultPatchBaseline"],
                f"arn:{scope.partition}:ssm:*:*:patchbaseline/*",
            ),
            # AWS's predefined baselines carry no tags: making one the default again
            # (before the setup's own default baseline is deleted) cannot require one;
            # a baseline just created is made the default by the same call (default = true).
            # Any account: AWS's predefined baselines are ARNs of AWS's own accounts.
            _statement(
                "RestoreTheDefaultBaseline",
                ["ssm:RegisterDefaultPatchBaseline"],
                f"arn:{scope.partition}:ssm:*:*:patchbaseline/*",
            ),
            # The account and partition of the boundary's ARN, before a role is created.
            _statement("CallerAccount", ["sts:GetCallerIdentity"], "*"),
            _statement("ServiceRoleList", ["iam:ListRoles"], "*"),
            _statement(
                "ServiceRoleRead",
                ["iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy"],
                scope.role,
            ),
            # Only with the shipped boundary: whatever inline policy is put, the role
            # can do no more than the maintenance-window role needs.
            _statement(
                "ServiceRoleOnlyWithTheBoundary",
                ["iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"],
                scope.role,
                ArnLike={"iam:PermissionsBoundary": scope.boundary},
            ),
            _statement(
                "ServiceRoleTagsOfTheTool",
                ["iam:TagRole"],
                scope.role,
                **{"ForAllValues:StringLike": {"aws:TagKeys": [f"{TOOL}:*"]}},
            ),
            # Only the tool's own tags, and only of the setup's roles: another setup's
            # role keeps its owner tag.
            _statement(
                "ServiceRoleUntagOwned",
                ["iam:UntagRole"],
                scope.role,
                **{"ForAllValues:StringLike": {"aws:TagKeys": [f"{TOOL}:*"]}},
                **scope.owner(_OWNER_RESOURCE),
            ),
            _statement(
                "ServiceRoleOwned",
                [
                    "iam:UpdateAssumeRolePolicy",
                    "iam:UpdateRole",
                    "iam:DeleteRolePolicy",
                    "iam:DeleteRole",
                ],
                scope.role,
                **scope.owner(_OWNER_RESOURCE),
            ),
            _statement(
                "ServiceRolePassToSsm",
                ["iam:PassRole"],
                scope.role,
                StringEquals={"iam:PassedToService": "ssm.amazonaws.com"},
            ),
            _statement(
                "RunLock",
                ["ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter"],
                f"arn:{scope.partition}:ssm:*:{scope.account}:parameter{LOCK_PATH}{lock}",
            ),
            _statement("QuotaPreflightList", ["servicequotas:ListServiceQuotas"], "*"),
        ]
    )


def brownfield_policy(scope: Scope = Scope()) -> dict[str, Any]:
    """Writes on untagged windows and baselines only: attach for --adopt and --all-patching.

    Resources tagged for any setup stay out of reach (``Null`` = the tag is absent).
    """
    untagged = {"Null": {_OWNER_RESOURCE: "true"}}
    windows_and_baselines = [scope.ssm("maintenancewindow"), scope.ssm("patchbaseline")]
    tag_value = scope.owner(_OWNER_REQUEST)
    return _document(
        [
            _statement(
                "AdoptUntaggedWithTheOwnerTag",
                ["ssm:AddTagsToResource"],
                windows_and_baselines,
                **untagged,
                **{"ForAllValues:StringEquals": {"aws:TagKeys": [OWNER_TAG]}},
                **tag_value,
            ),
            _statement(
                "WriteUntaggedWindowsAndBaselines",
                _UNTAGGED_WRITES,
                windows_and_baselines,
                **untagged,
            ),
        ]
    )


def assume_policy(role_arns: Sequence[str] = ()) -> dict[str, Any]:
    """For the identity that starts a run with --role-arn: only the bootstrap roles; and
    with --org: the organization's account lists and its member accounts' access role."""
    resource: str | list[str] = (
        sorted(set(role_arns)) if role_arns else f"arn:aws:iam::*:role/{BOOTSTRAP_ROLE}"
    )
    return _document(
        [
            _statement("AssumeBootstrapRole", ["sts:AssumeRole"], resource),
            _statement(
                "AssumeOrganizationRole",
                ["sts:AssumeRole"],
                f"arn:aws:iam::*:role/{ORGANIZATION_ROLE}",
            ),
            # On "*": DescribeOrganization and ListAccounts have no resource type.
            _statement("ReadOrganization", list(ORGANIZATION_READS), "*"),
            _statement("ListOrganizationTree", list(ORGANIZATION_TREE_READS), ORGANIZATION_PARENTS),
        ]
    )


def boundary_policy(partition: str = "aws") -> dict[str, Any]:
    """The created role's permissions boundary: the maintenance-window policy's actions,
    with iam:PassRole to SSM on any role (the inline policy names the exact ones)."""
    document = maintenance_window_policy()
    statements = []
    for number, statement in enumerate(document["Statement"]):
        found = dict(statement)
        actions = found["Action"]
        found["Action"] = [actions] if isinstance(actions, str) else list(actions)
        if SERVICE_ROLE in found["Resource"]:
            found["Resource"] = f"arn:{partition}:iam::*:role/*"
        elif found["Resource"] == "arn:aws:sns:*:*:*":
            found["Resource"] = f"arn:{partition}:sns:*:*:*"
        found = {"Sid": f"MaintenanceWindowRole{number + 1}", **found}
        statements.append(found)
    return _document(statements)


def passed_roles(setup: Setup) -> list[str]:
    """The role ARNs a setup's tasks run or notify with, other than its own created role."""
    found = {task.service_role_arn for window in setup.windows for task in window.tasks}
    found.update(notification_roles(setup.windows))
    return sorted(a for a in found if a is not None and a != SERVICE_ROLE)


def setup_policy(setup: Setup, scope: Scope, *, brownfield: bool = False) -> dict[str, Any]:
    """The exact operator policy of one setup: its name, its role, the roles it passes."""
    statements = list(operator_policy(scope)["Statement"])
    named = passed_roles(setup)
    if named:
        statements.append(
            _statement(
                "PassNamedRolesToSsm",
                ["iam:PassRole"],
                named,
                StringEquals={"iam:PassedToService": "ssm.amazonaws.com"},
            )
        )
    if brownfield:
        statements += brownfield_policy(scope)["Statement"]
    return _document(statements)


def shipped() -> dict[str, dict[str, Any]]:
    """The documents of iam/, by file name."""
    return {
        FILES["operator"]: operator_policy(),
        FILES["brownfield"]: brownfield_policy(),
        FILES["assume"]: assume_policy(),
        FILES["boundary"]: boundary_policy(),
    }
