"""``export``: the plan as a CloudFormation template. No AWS call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from patchsetup.cli import options
from patchsetup.errors import AwsError, BadInput


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
    from patchsetup.cli.desired import config_setup, desired_setup
    from patchsetup.export import template as export
    from patchsetup.export.logical_ids import ExportError

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
