"""``assign``: put managed nodes into this setup's patch groups (their patch-group tag).

Parses the selection and the patch groups, checks them before any call, and hands a
``runner.Request`` over like apply: the run protocol gives it the plan, consent for
moves, the lock, dry-run and the fan-out over accounts x regions. As in apply.py, what
the command runs is imported in its body.
"""

from __future__ import annotations

from typing import Any

import click

from patchsetup.cli import options
from patchsetup.cli.values import SeedCompatCommand
from patchsetup.errors import BadInput
from patchsetup.fields import PLATFORMS


@click.command("assign", cls=SeedCompatCommand, context_settings=options.CONTEXT)
@click.option(
    "--instance-id",
    "instance_ids",
    multiple=True,
    metavar="ID",
    help="A managed node: an EC2 instance (i-...) or a hybrid node (mi-...). Repeat for more.",
)
@click.option(
    "--instances-file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Managed node IDs, one per line (# comments), as for --instance-id.",
)
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="KEY=VALUE",
    help="Only nodes carrying this tag, e.g. Environment=prod. Repeat: all must hold.",
)
@click.option(
    "--platform",
    type=click.Choice(sorted(PLATFORMS)),
    help="Only nodes of this platform (run once per platform to spread each its own way).",
)
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Every managed node of the region (the other selectors still narrow it).",
)
@click.option(
    "--patch-group",
    "named_groups",
    multiple=True,
    metavar="NAME",
    help="The patch group to put the nodes in: one of this setup's. With --spread, repeat "
    "to spread over these groups only.",
)
@click.option(
    "--spread",
    is_flag=True,
    help="Spread the nodes evenly over the setup's patch groups (or the --patch-group ones): "
    "sorted instance IDs round robin; nodes already in one of them stay while every group "
    "stays within one of even, so running it again moves nothing.",
)
@options.model_options
@options.common_options
def assign_command(
    instance_ids: tuple[str, ...],
    instances_file: str | None,
    filters: tuple[str, ...],
    platform: str | None,
    everything: bool,
    named_groups: tuple[str, ...],
    spread: bool,
    **values: Any,
) -> None:
    """Put managed nodes into this setup's patch groups by tagging them.

    The tag key is the setup's patch-group key (Patch Group, or PatchGroup where the
    config says so); no other tag is touched. EC2 instances are tagged with
    ec2:CreateTags, hybrid nodes (mi-...) with ssm:AddTagsToResource. The setup's
    patch groups come from the same options as apply (-w/-d/-t, or --config). The plan
    is shown first; a node already in another patch group is moved only with --yes
    (or a yes on a terminal), as deletes are.

    \b
    Examples:
      ssm-patching-setup assign -r eu-west-1 --all --spread --dry-run
      ssm-patching-setup assign --config patching.toml --platform linux \\
          --filter Environment=test --patch-group patch_test_0600_batch_1
      ssm-patching-setup assign --instance-id i-0123456789abcdef0 \\
          --patch-group 'Week 1 Day 2 - Unattended - 03:00'
    """
    from patchsetup.cli.common import common_of, configure_logging
    from patchsetup.cli.desired import config_setup, desired_setup
    from patchsetup.files import TextFileError, read_utf8
    from patchsetup.fleet.assign import AssignError, chosen_groups, patch_groups, selection
    from patchsetup.runner import assigning, fanout  # loads botocore
    from patchsetup.runner.request import Request

    given = options.given(click.get_current_context())
    common = common_of(values)
    configure_logging(common.loglevel)
    if values["config"]:
        setup = config_setup(values, common.name, given)
    else:
        setup = desired_setup(values, common.name)
    listed = None
    if instances_file is not None:
        try:
            listed = read_utf8(instances_file)
        except OSError as exc:
            raise BadInput(
                f"--instances-file: cannot read {instances_file}: {exc.strerror}"
            ) from None
        except TextFileError as exc:
            raise BadInput(f"--instances-file: {instances_file}: {exc}") from None
    try:
        chosen = selection(instance_ids, listed, filters, platform, everything)
        groups = patch_groups(setup)
        targets = chosen_groups(groups, named_groups, spread)
    except AssignError as exc:
        raise BadInput(str(exc)) from None
    plan_for = assigning.assign_plans(chosen, targets, groups[targets[0]], spread)
    fanout.for_each_target(Request("assign", setup.name, plan_for, common, []))
