"""The maintenance-window service role the tool creates: its default and its policy.

The role itself is a :class:`~patchsetup.model.RoleSpec` of the setup; this module
says what ``--create-service-role`` (or ``[service_role] create = true``) makes:
seed 002's trust and permissions, with ``iam:PassRole`` limited to the roles the
tasks name. Pure data, no boto3.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from patchsetup.model import SERVICE_ROLE, RoleSpec, WindowSpec


def maintenance_window_policy(passed_roles: Sequence[str] = ()) -> dict[str, Any]:
    """Seed 002's maintenance-window policy: run commands, resolve targets, notify.

    ``iam:PassRole`` (Run Command passes the SNS notification role) is limited to the
    role itself (SERVICE_ROLE: the planner puts in its ARN) and ``passed_roles``, the
    notification roles the setup names.
    """
    passed = [SERVICE_ROLE, *sorted(set(passed_roles) - {SERVICE_ROLE})]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "ssm:SendCommand",
                    "ssm:CancelCommand",
                    "ssm:ListCommands",
                    "ssm:ListCommandInvocations",
                    "ssm:GetCommandInvocation",
                    "ssm:ListTagsForResource",
                    "ssm:GetParameters",
                ],
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": ["resource-groups:ListGroups", "resource-groups:ListGroupResources"],
                "Resource": "*",
            },
            {"Effect": "Allow", "Action": ["tag:GetResources"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": "arn:aws:sns:*:*:*"},
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": passed,
                "Condition": {"StringEquals": {"iam:PassedToService": ["ssm.amazonaws.com"]}},
            },
        ],
    }


def default_role(setup_name: str) -> RoleSpec:
    """The role ``--create-service-role`` makes for a setup."""
    return RoleSpec(
        name=f"ssm-patching-setup-{setup_name}",
        policies={"maintenance-window": maintenance_window_policy()},
    )


def notification_roles(windows: Sequence[WindowSpec]) -> tuple[str, ...]:
    """The SNS notification roles the tasks name (SERVICE_ROLE included, if used)."""
    found = {
        task.notification.role_arn
        for window in windows
        for task in window.tasks
        if task.notification is not None and task.notification.role_arn is not None
    }
    return tuple(sorted(found))
