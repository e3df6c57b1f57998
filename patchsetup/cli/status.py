"""``status``: what is deployed for a setup name, region by region (read-only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from patchsetup.cli import options
from patchsetup.errors import EXIT_CHANGES, BadInput

if TYPE_CHECKING:
    from patchsetup.model import Setup


@click.command("status", context_settings=options.CONTEXT)
@click.option(
    "-c",
    "--config",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Also show drift: what setup with this config would change.",
)
@click.option(
    "--fleet/--no-fleet",
    default=True,
    show_default=True,
    help="Show the managed nodes: per patch group how many, by platform and ping, their "
    "compliance, the nodes in none and the groups with none, and each window's last runs.",
)
@options.read_options
def status_command(config: str | None, fleet: bool, **values: Any) -> None:
    """Show what is deployed for a setup name, region by region.

    Windows with their schedule in words, next and last runs, targets, tasks,
    the fleet (managed nodes per patch group and their compliance, and the
    gaps), baselines with their rules, patch-group registrations, the service
    role, and with --config the drift from it. Text table, --output json or csv.

    \b
    Examples:
      ssm-patching-setup status -r eu-west-1
      ssm-patching-setup status -r eu-west-1,us-east-1 --config patching.toml --output csv
    """
    from patchsetup import document, status
    from patchsetup.cli.common import common_of, configure_logging
    from patchsetup.config import load_config
    from patchsetup.config.settings import Overrides
    from patchsetup.config.tables import ConfigError
    from patchsetup.runner import statuses  # loads botocore

    given = options.given(click.get_current_context())
    common = common_of(values)
    configure_logging(common.loglevel)
    desired: Setup | None = None
    name = common.name
    if common.detailed_exitcode and not config:
        raise BadInput("--detailed-exitcode: needs --config (drift is measured against a config)")
    if config:
        try:
            overrides = Overrides(name=name if "name" in given else None)
            desired = load_config(config, overrides)
        except ConfigError as exc:
            raise BadInput(str(exc)) from None
        name = desired.name
    views = statuses.status_views(common, name, desired, fleet=fleet)
    if common.output == "json":
        document.record_status(name, views)  # printed at the exit, with its exit code
    else:
        click.echo(status.render(views, common.output, common.verbose))
    if common.detailed_exitcode and any(view.drift for view in views):
        raise click.exceptions.Exit(EXIT_CHANGES)
