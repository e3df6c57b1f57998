"""The commands: each parses its options, builds the request and hands it over.

``apply`` and ``cleanup`` hand a ``runner.Request`` to runner_targets, which
runs it over accounts x regions; ``status`` reads through the same fan-out;
``init``, ``export`` and ``policy`` make no AWS call. The group that holds them,
with its one-line errors and exit codes, is in ``patchsetup.cli``.

The commands that call AWS import the runner (and with it boto3) in their bodies:
the others, ``--help`` and shell completion load no AWS SDK
(tests/unit/test_startup.py).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from patchsetup import document, policy, status
from patchsetup.checks import setup_warnings
from patchsetup.cli import options
from patchsetup.cli.desired import config_setup, desired_setup
from patchsetup.cli.values import SeedCompatCommand
from patchsetup.config import load_config, sample_for_init
from patchsetup.config.settings import Overrides
from patchsetup.config.tables import ConfigError
from patchsetup.errors import EXIT_CHANGES, AwsError, BadInput
from patchsetup.export import template as export
from patchsetup.export.logical_ids import ExportError
from patchsetup.model import Setup
from patchsetup.report import window_runs
from patchsetup.runner.request import Request


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
    given = options.given(click.get_current_context())
    common = options.common(values)
    options.configure_logging(common.loglevel)
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
    from patchsetup.runner import fanout, plans  # loads boto3: only the AWS commands

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


@click.command("init", context_settings=options.CONTEXT)
@click.argument("path", default="patching.toml", metavar="[PATH]")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def init_command(path: str, force: bool) -> None:
    """Write a commented sample config to PATH (default patching.toml; - for stdout).

    The sample is seed 004's model in small: Amazon Linux 2 and Windows, test
    and prod (prod approves 14 days later), Linux in batch 1 before Windows in
    batch 2, with every other setting shown commented out. Its first line
    (#:schema) names the config's JSON Schema, for editors that complete keys.
    Example: ssm-patching-setup init && ssm-patching-setup --config patching.toml --dry-run
    """
    text = sample_for_init()
    if path == "-":
        click.echo(text, nl=False)
        return
    target = Path(path)
    if target.exists() and not target.is_file():
        # A FIFO would block the write forever; a directory or device is no config.
        raise BadInput(f"{path} is not a regular file: give a file path to write the sample to")
    if target.exists() and not force:
        raise BadInput(f"{path} exists: pass --force to overwrite it")
    try:
        target.write_text(text)
    except OSError as exc:
        raise AwsError(f"cannot write {path}: {exc.strerror}") from None
    click.echo(f"wrote {path}: edit it, then run: ssm-patching-setup --config {path} --dry-run")


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
    given = options.given(click.get_current_context())
    common = options.common(values)
    options.configure_logging(common.loglevel)
    name = common.name
    if config and "name" not in given:
        try:
            # Cleanup needs only the name: a file of just `name = ...` will do.
            name = load_config(config, windows_required=False).name
        except ConfigError as exc:
            raise BadInput(str(exc)) from None

    from patchsetup.runner import fanout, plans  # loads boto3: only the AWS commands

    plan_for = plans.cleanup_plans(name, all_patching)
    fanout.for_each_target(Request("cleanup", name, plan_for, common, [], role_last=True))


@click.command("export", context_settings=options.CONTEXT)
@options.model_options
@click.option("--name", default="default", show_default=True, metavar="NAME", help="Setup name.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["cloudformation"]),
    default="cloudformation",
    show_default=True,
    help="Template format.",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Write the template here instead of stdout.",
)
def export_command(name: str, fmt: str, output_file: str | None, **values: Any) -> None:
    """Print the plan as a CloudFormation template, for StackSets across an organization.

    The same resources setup would create, from the same options or --config,
    one to one: AWS::SSM::PatchBaseline (with its PatchGroups),
    MaintenanceWindow, MaintenanceWindowTarget, MaintenanceWindowTask, and the
    IAM role when configured. No AWS call is made. What CloudFormation cannot
    express (a disabled window) is warned about on stderr.

    \b
    Example:
      ssm-patching-setup export --config patching.toml -o patching.template.json
    """
    given = options.given(click.get_current_context())
    setup = config_setup(values, name, given) if values["config"] else desired_setup(values, name)
    try:
        template = export.cloudformation(setup)
    except ExportError as exc:
        raise BadInput(f"export: {exc}") from None
    for warning in export.warnings(template):
        click.echo(f"warning: {warning}", err=True)
    text = export.dumps(template)
    if output_file is None:
        click.echo(text)
        return
    try:
        Path(output_file).write_text(text + "\n")
    except OSError as exc:
        raise AwsError(f"cannot write {output_file}: {exc.strerror}") from None
    click.echo(f"wrote {output_file}: {len(template['Resources'])} resources", err=True)


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
    if account != "*" and not (len(account) == 12 and account.isdigit()):
        raise BadInput(f"--account: {account!r} is not a 12-digit AWS account ID")
    given = options.given(click.get_current_context())
    setup = config_setup(values, name, given) if values["config"] else desired_setup(values, name)
    role = setup.service_role.name if setup.service_role is not None else None
    scope = policy.Scope(partition, account, setup.name, role)
    click.echo(json.dumps(policy.setup_policy(setup, scope, brownfield=brownfield), indent=2))


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
    given = options.given(click.get_current_context())
    common = options.common(values)
    options.configure_logging(common.loglevel)
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
    from patchsetup.runner import fanout  # loads boto3: only the AWS commands

    views = fanout.status_views(common, name, desired, fleet=fleet)
    if common.output == "json":
        document.record_status(name, views)  # printed at the exit, with its exit code
    else:
        click.echo(status.render(views, common.output, common.verbose))
    if common.detailed_exitcode and any(view.drift for view in views):
        raise click.exceptions.Exit(EXIT_CHANGES)
