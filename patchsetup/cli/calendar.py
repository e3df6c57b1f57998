"""``calendar``: the runs of a setup's windows over the next months, as text or iCalendar.

From ``--config`` or the model flags (no AWS call), or, with neither, from what is
deployed for ``--name`` in the chosen regions and accounts (read-only, through
``runner.deployed``). The runs are the schedule module's (``calendars.events``).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from patchsetup.cli import options
from patchsetup.cli.values import check_setup_name
from patchsetup.errors import AwsError, BadInput

#: read_options' options that say how to report a run: the calendar has --format and -o.
_NOT_HERE = {"output", "verbose", "detailed_exitcode"}
#: The model flags (beside --config) that make the calendar from a desired setup, offline.
_MODEL = (
    "config",
    "weeks",
    "days",
    "hours",
    "timezone",
    "baseline_file",
    "operating_system",
    "duration",
    "cutoff",
    "max_concurrency",
    "max_errors",
    "operation",
    "create_service_role",
)
#: The options that choose where to read what is deployed: not with --config or the flags.
_WHERE = {
    "regions": "-r/--region",
    "all_regions": "--all-regions",
    "role_arns": "--role-arn",
    "role_arns_file": "--role-arns-file",
    "profile": "--profile",
    "endpoint_url": "--endpoint-url",
    "org": "--org",
    "ous": "--ou",
    "role_name": "--role-name",
    "exclude_accounts": "--exclude-account",
}
MONTHS_MAX = 24
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _where_options(func: Any) -> Any:
    """read_options without --output, --verbose and --detailed-exitcode."""
    func = options.read_options(func)
    func.__click_params__ = [p for p in func.__click_params__ if p.name not in _NOT_HERE]
    return func


def _start(text: str | None) -> datetime:
    """--start as 00:00 UTC of that day; today's without it."""
    if text is None:
        return datetime.combine(datetime.now(UTC).date(), time(), UTC)
    if not _DATE.fullmatch(text):
        raise BadInput(f"--start: {text!r} is not a date: give YYYY-MM-DD, e.g. 2027-01-04")
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise BadInput(f"--start: {text!r}: {exc}") from None
    return datetime.combine(day, time(), UTC)


def _check_writable(path: str) -> None:
    """-o FILE can be written (a regular file or a new one in a directory), before any call."""
    target = Path(path)
    if target.exists() and not target.is_file():
        raise BadInput(f"-o/--output-file: {path} is not a regular file")
    if target.exists() and not os.access(target, os.W_OK):
        raise BadInput(f"-o/--output-file: {path} is not writable")
    parent = target.parent
    if not parent.is_dir():
        raise BadInput(f"-o/--output-file: {parent} is not a directory")
    if not target.exists() and not os.access(parent, os.W_OK | os.X_OK):
        raise BadInput(f"-o/--output-file: cannot create a file in {parent}")


@click.command("calendar", context_settings=options.CONTEXT)
@options.model_options
@click.option(
    "--months",
    type=click.IntRange(1, MONTHS_MAX),
    default=3,
    show_default=True,
    help=f"How many months from --start (1-{MONTHS_MAX}).",
)
@click.option(
    "--start",
    metavar="YYYY-MM-DD",
    help="The first day (from 00:00 UTC). Default: today.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "ics"]),
    default="text",
    show_default=True,
    help="text: month grids and the runs by date; ics: an iCalendar file (RFC 5545).",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Write the calendar here instead of stdout.",
)
@_where_options
def calendar_command(
    months: int, start: str | None, fmt: str, output_file: str | None, **values: Any
) -> None:
    """Show when the setup's windows run over the next months, or write an .ics file.

    From --config FILE or the model flags (-w/-d/-t/-z, ...), no AWS call is made;
    without them, from what is deployed for --name in the regions (read-only), one
    calendar over all accounts and regions. Each run follows the window's time
    zone, schedule offset, start and end dates and daylight saving; a disabled
    window has no runs (the text view names it). Event UIDs stay the same for the
    same run, so importing the file again updates the events instead of adding more.

    \b
    Examples:
      ssm-patching-setup calendar -r eu-west-1 --months 6
      ssm-patching-setup calendar --config patching.toml --format ics -o patching.ics
      ssm-patching-setup calendar -r eu-west-1,us-east-1 --format ics > patching.ics
    """
    from dateutil.relativedelta import relativedelta

    from patchsetup.calendars import events, month
    from patchsetup.cli.desired import config_setup, desired_setup

    ctx = click.get_current_context()
    given = options.given(ctx)
    offline = [name for name in _MODEL if name in given]
    # On the command line only: AWS_ENDPOINT_URL in the environment is no request to read.
    typed = {n for n in _WHERE if ctx.get_parameter_source(n) == ParameterSource.COMMANDLINE}
    where = [flag for name, flag in _WHERE.items() if name in typed and values.get(name)]
    if offline and where:
        raise BadInput(
            f"calendar: {', '.join(where)} reads what is deployed; --config and the model "
            "flags make the calendar without AWS: give one or the other"
        )
    begin = _start(start)
    end = begin + relativedelta(months=months)
    if output_file is not None:
        _check_writable(output_file)
    if offline:  # the desired setup: no run's settings, no logging, no AWS SDK
        chosen = check_setup_name(values["name"])
        if values["config"]:
            setup = config_setup(values, chosen, given)
        else:
            setup = desired_setup(values, chosen)
        name, windows = setup.name, events.from_setup(setup)
    else:
        from patchsetup.cli.common import common_of, configure_logging
        from patchsetup.runner.deployed import deployed_states  # loads botocore

        values.update(output="text", verbose=False, detailed_exitcode=False)
        common = common_of(values)
        configure_logging(common.loglevel)
        name = common.name
        windows = [
            window
            for target, state in deployed_states(common, name)
            for window in events.from_state(state, target.account, target.region)
        ]
    calendar = events.build(name, windows, begin, end)
    for warning in calendar.warnings:
        click.echo(f"warning: {warning}", err=True)
    if fmt == "ics":
        from patchsetup.calendars import ics  # with its time zones' definitions

        text = ics.render(calendar, datetime.now(UTC))
    else:
        text = month.render(calendar) + "\n"
    if output_file is None:
        click.echo(text, nl=False)
        return
    try:
        Path(output_file).write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise AwsError(f"cannot write {output_file}: {exc.strerror}") from None
    click.echo(f"wrote {output_file}: {len(calendar.runs)} runs", err=True)
