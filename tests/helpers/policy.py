"""What the least-privilege tests share: moto's account and region, the role assumed in
another account, the IAM service prefixes of the tool's clients, and the operator
policy's statements read as data (which statement grants an action, on which resources,
and whether an ARN falls inside them)."""

from __future__ import annotations

import fnmatch
from typing import Any

from tests.plugins.least_privilege import load_policy

ACCOUNT = "123456789012"  # moto's account
REGION = "us-east-1"
#: IAM service prefix -> botocore service name, for the operation names of its model.
BOTOCORE_NAMES = {
    "ssm": "ssm",
    "iam": "iam",
    "servicequotas": "service-quotas",
    "sts": "sts",
    "organizations": "organizations",
    "ec2": "ec2",
}
#: An operator role in another account, for --role-arn.
TARGET_ROLE = "arn:aws:iam::111111111111:role/PatchingBootstrap"


def statements() -> list[dict[str, Any]]:
    return list(load_policy()["Statement"])


def statement_of(action: str) -> dict[str, Any]:
    [found] = [s for s in statements() if action in s["Action"]]
    return found


def statement_resources(statement: dict[str, Any]) -> list[str]:
    resource = statement["Resource"]
    return [resource] if isinstance(resource, str) else list(resource)


def resources_of(action: str) -> list[str]:
    """Every Resource of every statement (of all the operator's policies) granting it."""
    return [r for s in statements() if action in s["Action"] for r in statement_resources(s)]


def arn_allowed(action: str, arn: str) -> bool:
    """Whether ``arn`` matches a Resource of the statement granting ``action`` (IAM's * and ?)."""
    return any(fnmatch.fnmatchcase(arn, pattern) for pattern in resources_of(action))
