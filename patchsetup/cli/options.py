"""The options commands share, declared once.

``common_options`` (commands that write), ``read_options`` (status, calendar) and
``model_options`` (what should exist: apply, assign, export, policy, calendar) are
decorators, and ``given`` says which options the user set. The values are parsed
and checked by the callbacks in values.py. A command's help and a TAB need only
these declarations: reading the shared options back into a run's settings is
``cli/common.py``, which a command imports when it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from patchsetup.baselines.systems import PRESET_SYSTEMS
from patchsetup.cli import CONTEXT as CONTEXT  # the commands' settings, re-exported
from patchsetup.cli.values import (
    complete_regions,
    int_list,
    parse_days,
    parse_endpoint_url,
    parse_regions,
    parse_timezone,
)
from patchsetup.fields import (
    CONCURRENCY_MAX,
    CUTOFF_MAX,
    CUTOFF_MIN,
    DEFAULT_CONCURRENCY,
    DURATION_MAX,
    DURATION_MIN,
    OPERATIONS,
)

F = TypeVar("F", bound=Callable[..., Any])
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def common_options(func: F) -> F:
    """The options every command that writes shares, declared once."""
    return _shared(func, outputs=("text", "json"), writes=True)


def read_options(func: F) -> F:
    """The shared options of a read-only command: no --dry-run, --yes."""
    return _shared(func, outputs=("text", "json", "csv"), writes=False)


def _shared(func: F, outputs: tuple[str, ...], writes: bool) -> F:
    options = [
        click.option(
            "-r",
            "--region",
            "regions",
            multiple=True,
            callback=parse_regions,
            shell_complete=complete_regions,
            metavar="REGION",
            help="AWS region, checked offline against botocore's region list; repeat or "
            "comma-separate for several (they run concurrently). Default: AWS_REGION / "
            "AWS_DEFAULT_REGION / the profile's region.",
        ),
        click.option(
            "--all-regions",
            is_flag=True,
            help="Every region of the partition where SSM exists (botocore's offline data).",
        ),
        click.option(
            "--role-arn",
            "role_arns",
            multiple=True,
            metavar="ARN",
            help="Assume this IAM role (one per account) and run there; repeat for several "
            "accounts. Accounts x regions run concurrently, each with its own summary line.",
        ),
        click.option(
            "--role-arns-file",
            type=click.Path(dir_okay=False),
            metavar="FILE",
            help="A file of role ARNs, one per line (# comments), as for --role-arn.",
        ),
        click.option(
            "--org",
            is_flag=True,
            help="Run in every active account of the caller's organization (AWS Organizations), "
            "assuming --role-name there; the caller's own account runs with its own "
            "credentials. Suspended accounts are skipped and reported. Not with --role-arn.",
        ),
        click.option(
            "--ou",
            "ous",
            multiple=True,
            metavar="ID",
            help="With --org: only the accounts under this OU (ou-...) or root (r-...), nested "
            "OUs included; repeat or comma-separate.",
        ),
        click.option(
            "--role-name",
            metavar="NAME",
            help="With --org: the role to assume in each member account, NAME or PATH/NAME.  "
            "[default: OrganizationAccountAccessRole]",
        ),
        click.option(
            "--exclude-account",
            "exclude_accounts",
            multiple=True,
            metavar="ID",
            help="With --org: leave out this 12-digit account; repeat or comma-separate.",
        ),
        click.option(
            "--profile",
            metavar="NAME",
            help="Named profile from ~/.aws/config. Default: the standard credential chain "
            "(environment, AWS_PROFILE, SSO, instance or task role).",
        ),
        click.option(
            "--endpoint-url",
            envvar="AWS_ENDPOINT_URL",
            callback=parse_endpoint_url,
            metavar="URL",
            help="Send SSM calls here instead of AWS, e.g. the local endpoint "
            "http://127.0.0.1:5000. Env: AWS_ENDPOINT_URL.",
        ),
        click.option(
            "-l",
            "--loglevel",
            type=click.Choice(LOG_LEVELS, case_sensitive=False),
            default="WARNING",
            show_default=True,
            help="Log detail on stderr. INFO lists every write call; no level logs credentials.",
        ),
        click.option(
            "-o",
            "--output",
            type=click.Choice(outputs),
            default="text",
            show_default=True,
            help="text for people; json for scripts and CI (one document on stdout).",
        ),
        click.option(
            "-v",
            "--verbose",
            is_flag=True,
            help="Text output: list unchanged resources too, and with several targets each "
            "target's full report before the table. JSON is the same either way.",
        ),
        click.option(
            "--name",
            default="default",
            show_default=True,
            metavar="NAME",
            help="Setup name. Every resource is tagged with it, so setups with different "
            "names never touch each other.",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(1, CONCURRENCY_MAX),
            default=DEFAULT_CONCURRENCY,
            show_default=True,
            help="At most N AWS calls in flight per target (region, or account and region) "
            "and at most N targets at once. Reads fan out per window and baseline; each write "
            "starts once what it needs exists (a target its window, a task its target, a "
            "patch group its baseline). 1: one call at a time; the end state is the same.",
        ),
        click.option(
            "--detailed-exitcode",
            is_flag=True,
            help=(
                "Exit 5 instead of 0 when there are changes: with --dry-run, planned; "
                "without it, made (in any target). 0 still means nothing to do. As "
                "Terraform's plan -detailed-exitcode, for drift checks in CI."
                if writes
                else "With --config: exit 5 instead of 0 when there is drift (in any target). "
                "As Terraform's plan -detailed-exitcode, for drift checks in CI."
            ),
        ),
    ]
    if writes:
        options += [
            click.option(
                "--dry-run",
                is_flag=True,
                help="Read what exists and print the plan; make no write call.",
            ),
            click.option(
                "-y",
                "--yes",
                is_flag=True,
                help="Do not ask before deleting, taking over the region's default "
                "baseline, or moving an instance out of another patch group (assign). "
                "Without a terminal, such a run refuses (exit 3) unless --yes is given.",
            ),
        ]
    for option in reversed(options):
        func = option(func)
    return func


#: Options that describe what should exist: apply and export share them.
_MODEL_OPTIONS = [
    click.option(
        "-w",
        "--week",
        "weeks",
        multiple=True,
        default=("1", "2"),
        show_default=True,
        callback=int_list(1, 5, "week"),
        metavar="1-5",
        help="Week of the month: 1 = the first such weekday of the month (not the first full "
        "week). 5 skips months without a fifth one. Repeat or comma-separate: -w 1,2.",
    ),
    click.option(
        "-d",
        "--days",
        "days",
        multiple=True,
        default=("2", "3"),
        show_default=True,
        callback=parse_days,
        metavar="0-7|DAY",
        help="Day of the week: 0 or 7 = Sunday, 1 = Monday ... or names like TUE. "
        "-d 2,3 = Tue, Wed.",
    ),
    click.option(
        "-t",
        "--hours",
        "hours",
        multiple=True,
        default=("3", "4"),
        show_default=True,
        callback=int_list(0, 23, "hour"),
        metavar="0-23",
        help="Start hour. One window per week x day x hour: the defaults make 8.",
    ),
    click.option(
        "-z",
        "--timezone",
        callback=parse_timezone,
        metavar="ZONE",
        help="IANA time zone the schedule is in, e.g. Europe/London. Default: UTC.",
    ),
    click.option(
        "-b",
        "--baseline-file",
        type=click.Path(dir_okay=False),
        metavar="FILE",
        help="JSON patch baseline in create_patch_baseline's request shape (the old tool's "
        "format). Default: the built-in baseline for --operating-system.",
    ),
    click.option(
        "--operating-system",
        "operating_system",
        type=click.Choice(PRESET_SYSTEMS, case_sensitive=False),
        metavar="OS",
        help="OS of the built-in baseline, with the rules of AWS's predefined baseline for it: "
        f"{', '.join(PRESET_SYSTEMS)}.  [default: AMAZON_LINUX_2]",
    ),
    click.option(
        "--duration",
        type=click.IntRange(DURATION_MIN, DURATION_MAX),
        default=1,
        show_default=True,
        help="Window length in hours.",
    ),
    click.option(
        "--cutoff",
        type=click.IntRange(CUTOFF_MIN, CUTOFF_MAX),
        default=0,
        show_default=True,
        help="Hours before the window ends when no new task starts; less than --duration.",
    ),
    click.option(
        "--max-concurrency",
        default="2",
        show_default=True,
        metavar="N|N%",
        help="Instances patched at once per task.",
    ),
    click.option(
        "--max-errors",
        default="1",
        show_default=True,
        metavar="N|N%",
        help="Errors after which the task stops.",
    ),
    click.option(
        "--operation",
        type=click.Choice(OPERATIONS),
        default="Install",
        show_default=True,
        help="AWS-RunPatchBaseline Operation: Install patches, or only Scan and report.",
    ),
    click.option(
        "-c",
        "--config",
        type=click.Path(dir_okay=False),
        metavar="FILE",
        help="TOML file describing the whole model (baselines per OS and environment, windows, "
        "targets, task batches, hooks, logs, notifications); `ssm-patching-setup init` writes a "
        "sample. --name, -z, --duration, --cutoff, --max-concurrency, --max-errors and --operation "
        "override the file; -w/-d/-t/-b/--operating-system cannot be combined with it.",
    ),
    click.option(
        "--create-service-role",
        is_flag=True,
        help="Create the maintenance-window service role (trusting ssm.amazonaws.com, with the "
        "permissions to run commands, resolve targets and publish to SNS), tag it as this "
        "setup's, and run the tasks with it. Cleanup removes it once no other region uses it.",
    ),
]


def model_options(func: F) -> F:
    """The options that describe the desired state, declared once."""
    for option in reversed(_MODEL_OPTIONS):
        func = option(func)
    return func


def given(ctx: click.Context) -> set[str]:
    """Parameters the user set on the command line or through the environment."""
    sources = (click.core.ParameterSource.COMMANDLINE, click.core.ParameterSource.ENVIRONMENT)
    return {
        p.name for p in ctx.command.params if p.name and ctx.get_parameter_source(p.name) in sources
    }
