"""``cleanup`` (also the ``ssm-patching-cleanup`` script): delete what the setup made."""

from __future__ import annotations

from typing import Any

import click

from patchsetup.cli import options
from patchsetup.errors import BadInput


@click.command("cleanup", context_settings=options.CONTEXT)
@click.option(
    "--all-patching",
    is_flag=True,
    help="Also sweep what the replaced tool (or anyone) made: every AWS-RunPatchBaseline/"
    "AWS-ApplyPatchBaseline task, the windows that leaves empty, every patch-group "
    "registration and every custom baseline, except resources tagged for another "
    "setup name. Never AWS-owned baselines or tasks that do not patch.",
)
@click.option(
    "-c",
    "--config",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Take the setup name from this config file (the one setup was run with); "
    "--name still wins.",
)
@options.common_options
def cleanup_command(all_patching: bool, config: str | None, **values: Any) -> None:
    """Delete what setup made for --name in the region, in dependency order.

    Lists what it will delete and asks on a terminal; --yes skips the
    question; with no terminal and no --yes it refuses (exit 3).

    \b
    Examples:
      ssm-patching-cleanup -r eu-west-1 --name default --dry-run
      ssm-patching-cleanup -r eu-west-1 --config patching.toml --yes
    """
    from patchsetup.cli.common import common_of, configure_logging
    from patchsetup.config import load_config
    from patchsetup.config.tables import ConfigError
    from patchsetup.runner import fanout, plans  # loads botocore
    from patchsetup.runner.request import Request

    given = options.given(click.get_current_context())
    common = common_of(values)
    configure_logging(common.loglevel)
    name = common.name
    if config and "name" not in given:
        try:
            # Cleanup needs only the name: a file of just `name = ...` will do.
            name = load_config(config, windows_required=False).name
        except ConfigError as exc:
            raise BadInput(str(exc)) from None
    plan_for = plans.cleanup_plans(name, all_patching)
    fanout.for_each_target(Request("cleanup", name, plan_for, common, [], role_last=True))
