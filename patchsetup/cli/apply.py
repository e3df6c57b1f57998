"""``apply`` (the default command): create or converge the setup in every target.

Like every command module, it declares the command at import, with click and the
shared option declarations only (``--help`` and a TAB need no more); what the
command runs (the model, the schedule, the runner and with it boto3) is imported in
its body, when it runs.
"""

from __future__ import annotations

from typing import Any

import click

from patchsetup.cli import options
from patchsetup.cli.values import SeedCompatCommand


@click.command("apply", cls=SeedCompatCommand, context_settings=options.CONTEXT)
@options.model_options
@click.option(
    "--adopt",
    is_flag=True,
    help="Take over in place what this setup would otherwise duplicate: windows of the "
    "same name (or the same schedule and target) that nobody's setup owns, such as the "
    "replaced tool's, and patch groups held by untagged baselines. IDs and history are "
    "kept. Without it such a run refuses (exit 3) before any write. Also `adopt = true` in "
    "the config file. Another setup's resources are never adopted.",
)
@options.common_options
def apply_command(adopt: bool, **values: Any) -> None:
    """Create or converge the patching setup (the default command).

    Shows when each window runs next, then creates what is missing, updates
    what differs and removes what this setup name owns but no longer wants.

    \b
    Examples:
      ssm-patching-setup -r eu-west-1 -w 1 -d TUE -t 3 -z Europe/London
      ssm-patching-setup -r eu-west-1 --config patching.toml --dry-run
      ssm-patching-setup -r eu-west-1,us-east-1 --role-arn arn:aws:iam::123456789012:role/Ops
    """
    from dataclasses import replace

    from patchsetup.checks import setup_warnings
    from patchsetup.cli.common import common_of, configure_logging
    from patchsetup.cli.desired import config_setup, desired_setup
    from patchsetup.report import window_runs
    from patchsetup.runner import fanout, plans  # loads botocore
    from patchsetup.runner.request import Request

    given = options.given(click.get_current_context())
    common = common_of(values)
    configure_logging(common.loglevel)
    warnings: list[str] = []
    if values["config"]:
        setup = config_setup(values, common.name, given, warnings)
    else:
        setup = desired_setup(values, common.name, warnings)
    if adopt:
        setup = replace(setup, adopt=True)
    warnings += setup_warnings(setup)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    windows = window_runs(setup)
    plan_for = plans.setup_plans(setup)
    # IAM is global: with a service role, one region per account makes it before the
    # account's other regions start, which would otherwise all try to create it.
    # Without one, the last region of each account is the one that may delete it.
    with_role = setup.service_role is not None
    request = Request(
        "setup",
        setup.name,
        plan_for,
        common,
        windows,
        role_first=with_role,
        role_last=not with_role,
        adopt=setup.adopt,
        warnings=warnings,
    )
    fanout.for_each_target(request)
