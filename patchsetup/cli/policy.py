"""``policy``: the IAM policy the identity running this setup needs. No AWS call."""

from __future__ import annotations

from typing import Any

import click

from patchsetup.cli import options
from patchsetup.errors import BadInput


@click.command("policy", context_settings=options.CONTEXT)
@options.model_options
@click.option("--name", default="default", show_default=True, metavar="NAME", help="Setup name.")
@click.option(
    "--account",
    default="*",
    show_default=True,
    metavar="ID",
    help="The 12-digit account the policy is for (the boundary's ARN names it).",
)
@click.option(
    "--partition",
    type=click.Choice(["aws", "aws-cn", "aws-us-gov"]),
    default="aws",
    show_default=True,
    help="The AWS partition of the account.",
)
@click.option(
    "--brownfield",
    is_flag=True,
    help="Add the writes on untagged windows and baselines that --adopt and "
    "cleanup --all-patching need (iam/ssm-patching-setup-brownfield-policy.json).",
)
def policy_command(
    name: str, account: str, partition: str, brownfield: bool, **values: Any
) -> None:
    """Print the IAM policy the identity running this setup needs, as JSON.

    The operator policy narrowed to this setup: its owner tag value, its service
    role (created only with the permissions boundary
    policy/ssm-patching-setup/ssm-patching-setup-role-boundary), its lock, and
    iam:PassRole for the role ARNs its tasks and notifications name. Takes the
    same options as setup; no AWS call is made.

    \b
    Examples:
      ssm-patching-setup policy --config patching.toml --account 123456789012
      ssm-patching-setup policy --create-service-role --brownfield
    """
    import json

    from patchsetup import policy
    from patchsetup.cli.desired import config_setup, desired_setup

    if account != "*" and not (len(account) == 12 and account.isdigit()):
        raise BadInput(f"--account: {account!r} is not a 12-digit AWS account ID")
    given = options.given(click.get_current_context())
    setup = config_setup(values, name, given) if values["config"] else desired_setup(values, name)
    role = setup.service_role.name if setup.service_role is not None else None
    scope = policy.Scope(partition, account, setup.name, role)
    click.echo(json.dumps(policy.setup_policy(setup, scope, brownfield=brownfield), indent=2))
