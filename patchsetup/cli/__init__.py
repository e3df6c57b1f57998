"""The command line: a thin click layer over model, reader, planner and executor.

``ssm-patching-setup`` runs ``apply`` when no command is named, so the replaced
tool's invocations (``./ssm_patching_setup.py -w 1 2 -d 2``) keep working.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from patchsetup import (
    __version__,
    baselines,
    checks,
    config,
    export,
    policy,
    schedule,
    signals,
    status,
)
from patchsetup import config as _config_module
from patchsetup.aws import accounts as targets
from patchsetup.aws import lock, reader
from patchsetup.aws import session as aws
from patchsetup.aws.accounts import Clients
from patchsetup.aws.gate import Gate
from patchsetup.deploy import executor, planner, sweeper
from patchsetup.deploy.adoption import adoption_candidates
from patchsetup.deploy.plan import Plan, PlanConflict
from patchsetup.deploy.remote import RemoteState
from patchsetup.errors import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    EXIT_PARTIAL,
    AwsError,
    BadInput,
    Partial,
    Refused,
    Stopped,
)
from patchsetup.model import SETUP_NAME_RE, ModelError, Setup, WindowSpec, role_regions
from patchsetup.quotas import plan_problems
from patchsetup.report import (
    Report,
    WindowRuns,
    planned,
    render_json,
    render_targets,
    render_text,
)
from patchsetup.schedule import runs
from patchsetup.seed import FlagOptions, build_setup, unique

F = TypeVar("F", bound=Callable[..., Any])
CONTEXT: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
log = logging.getLogger("patchsetup")


# -- option parsing ---------------------------------------------------------------


def _split(values: Sequence[str]) -> list[str]:
    """``-w 1 -w 2,3`` -> ["1", "2", "3"]."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _int_list(
    low: int, high: int, what: str
) -> Callable[[click.Context, click.Parameter, Any], tuple[int, ...]]:
    def convert(
        ctx: click.Context, param: click.Parameter, values: Sequence[str]
    ) -> tuple[int, ...]:
        result: list[int] = []
        for value in _split(values):
            # isdigit() admits "²"; only ASCII digits are numbers here.
            if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
                raise click.BadParameter(f"{what} must be {low}-{high}, got {value!r}")
            result.append(int(value))
        if not result:
            raise click.BadParameter(f"give at least one {what}")
        return unique(result)

    return convert


def _days(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> tuple[int, ...]:
    try:
        days = unique([schedule.parse_day(v) for v in _split(values)])
    except schedule.ScheduleError as exc:
        raise click.BadParameter(str(exc)) from None
    if not days:
        raise click.BadParameter("give at least one day")
    if 0 in days and 7 in days:
        raise click.BadParameter("0 and 7 both mean Sunday: give one of them")
    return days


def _timezone(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return schedule.validate_timezone(value)
    except schedule.ScheduleError as exc:
        raise click.BadParameter(str(exc)) from None


def _regions(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> tuple[str, ...]:
    if any(not v.strip(" ,") for v in values):
        raise click.BadParameter("empty: give a region, e.g. -r eu-west-1")
    try:
        return tuple(dict.fromkeys(aws.check_region(r) for r in _split(values)))
    except BadInput as exc:
        raise click.BadParameter(str(exc).removeprefix("--region: ")) from None


def _endpoint_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return aws.check_endpoint_url(value)
    except BadInput as exc:
        problem = str(exc).split(": ", 1)[1]
        if ctx.get_parameter_source(param.name or "") is click.core.ParameterSource.ENVIRONMENT:
            problem += " (from AWS_ENDPOINT_URL)"
        raise click.BadParameter(problem) from None


class SeedCompatCommand(click.Command):
    """Accepts the replaced tool's space-separated lists: ``-w 1 2 -d 2 3``.

    The command takes no positional arguments, so bare values after a list
    option can only belong to it; they are joined into one comma list.
    """

    list_options = frozenset({"-w", "--week", "-d", "--days", "-t", "--hours"})

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, join_list_values(args, self.list_options))


def join_list_values(args: Sequence[str], list_options: frozenset[str]) -> list[str]:
    """``-w 1 2 -d 3`` -> ``-w 1,2 -d 3``; a value starting with "-" is never taken."""
    joined: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        joined.append(arg)
        index += 1
        if arg == "--":
            joined.extend(args[index:])
            break
        if arg not in list_options:
            continue
        values: list[str] = []
        while index < len(args) and not args[index].startswith("-"):
            values.append(args[index])
            index += 1
        if values:
            joined.append(",".join(values))
    return joined


class DefaultGroup(click.Group):
    """A group that runs ``apply`` when the first argument is not a command."""

    default_command = "apply"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (
            args[0] not in self.commands and args[0] not in ("-h", "--help", "--version")
        ):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


@dataclass(frozen=True)
class Common:
    """Options every command shares."""

    regions: tuple[str, ...]
    all_regions: bool
    role_arns: tuple[str, ...]
    role_arns_file: str | None
    profile: str | None
    endpoint_url: str | None
    loglevel: str
    output: str
    dry_run: bool
    yes: bool
    name: str
    concurrency: int


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
            callback=_regions,
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
            "--profile",
            metavar="NAME",
            help="Named profile from ~/.aws/config. Default: the standard credential chain "
            "(environment, AWS_PROFILE, SSO, instance or task role).",
        ),
        click.option(
            "--endpoint-url",
            envvar="AWS_ENDPOINT_URL",
            callback=_endpoint_url,
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
            "--output",
            type=click.Choice(outputs),
            default="text",
            show_default=True,
            help="text for people; json for scripts and CI (one document on stdout).",
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
            type=click.IntRange(1, 64),
            default=executor.DEFAULT_CONCURRENCY,
            show_default=True,
            help="At most N AWS calls in flight per target (region, or account and region) "
            "and at most N targets at once. Reads fan out per window and baseline; writes run "
            "independent chains side by side (a window with its targets and tasks; a "
            "baseline, then its patch groups). 1: one call at a time; the end state is the same.",
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
                help="Do not ask before deleting. Without a terminal, a run that deletes "
                "anything refuses (exit 3) unless --yes is given.",
            ),
        ]
    for option in reversed(options):
        func = option(func)
    return func


_READ_ONLY_DEFAULTS: dict[str, Any] = {"dry_run": False, "yes": False}


def _common(values: dict[str, Any]) -> Common:
    """The shared options out of ``values``; read-only commands lack the write ones.

    The setup name is checked here, for every command: cleanup and status look
    resources up by it, and a name no setup can have finds nothing, silently.
    """
    common = Common(
        **{
            k: values.pop(k) if k in values else _READ_ONLY_DEFAULTS[k]
            for k in Common.__dataclass_fields__
        }
    )
    if not SETUP_NAME_RE.match(common.name):
        raise BadInput(
            f"--name: must be 1-64 letters, digits, '_', '-' or '.', got {common.name!r}"
        )
    return common


# -- commands ---------------------------------------------------------------------


@click.group(cls=DefaultGroup, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="ssm-patching-setup")
def main() -> None:
    """Set up AWS Systems Manager Patch Manager, and tear exactly that down again.

    With no command, runs `apply` (the replaced ssm_patching_setup.py's
    behaviour): `ssm-patching-setup -r eu-west-1` creates the 8 default
    maintenance windows, their targets and AWS-RunPatchBaseline tasks, a
    patch baseline and its patch groups. Running it again changes nothing.
    """


#: Options that describe what should exist: apply and export share them.
_MODEL_OPTIONS = [
    click.option(
        "-w",
        "--week",
        "weeks",
        multiple=True,
        default=("1", "2"),
        show_default=True,
        callback=_int_list(1, 5, "week"),
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
        callback=_days,
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
        callback=_int_list(0, 23, "hour"),
        metavar="0-23",
        help="Start hour. One window per week x day x hour: the defaults make 8.",
    ),
    click.option(
        "-z",
        "--timezone",
        callback=_timezone,
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
        type=click.Choice(baselines.OPERATING_SYSTEMS, case_sensitive=False),
        metavar="OS",
        help="OS of the built-in baseline, with the rules of AWS's predefined baseline for it: "
        f"{', '.join(baselines.OPERATING_SYSTEMS)}.  [default: AMAZON_LINUX_2]",
    ),
    click.option(
        "--duration",
        type=click.IntRange(1, 24),
        default=1,
        show_default=True,
        help="Window length in hours.",
    ),
    click.option(
        "--cutoff",
        type=click.IntRange(0, 23),
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
        type=click.Choice(["Install", "Scan"]),
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


@main.command("apply", cls=SeedCompatCommand, context_settings=CONTEXT)
@model_options
@click.option(
    "--adopt",
    is_flag=True,
    help="Take over in place what this setup would otherwise duplicate: windows of the "
    "same name (or the same schedule and target) that nobody's setup owns, such as the "
    "replaced tool's, and patch groups held by untagged baselines. IDs and history are "
    "kept. Without it such a run refuses (exit 3) before any write. Also `adopt = true` in "
    "the config file. Another setup's resources are never adopted.",
)
@common_options
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
    given = _given(click.get_current_context())
    common = _common(values)
    _configure_logging(common.loglevel)
    warnings: list[str] = []
    if values["config"]:
        setup = _config_setup(values, common.name, given, warnings)
    else:
        setup = _desired_setup(values, common.name, warnings)
    if adopt:
        setup = replace(setup, adopt=True)
    warnings += checks.setup_warnings(setup)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    windows = _window_runs(setup)
    candidates = adoption_candidates(setup)

    hooks = checks.hook_documents(setup)

    def plan_for(clients: Clients, gate: Gate) -> PlanFn:
        unchecked = list(hooks)  # once per target: the re-plan under the lock skips it

        def plan_fn() -> tuple[Plan, RemoteState]:
            with aws.aws_errors():
                remote = reader.read_setup(
                    clients["ssm"],
                    setup.name,
                    clients["iam"],
                    role_wanted=setup.service_role is not None,
                    gate=gate,
                    candidates=candidates,
                )
                missing = reader.missing_documents(clients["ssm"], unchecked, gate)
            unchecked.clear()
            if missing:
                # The task would be created and fail on every instance at its first run.
                raise BadInput(
                    f"hook document(s) {', '.join(map(repr, missing))} do not exist in "
                    f"{clients['ssm'].meta.region_name}: create them there first, or correct "
                    "the hooks (documents named AWS-..., Amazon... or amzn... are AWS's and "
                    "not looked up)"
                )
            with aws.aws_errors():
                boundary = _role_boundary(setup, remote, clients)
            try:
                made = planner.plan(setup, remote, region=clients.region, boundary=boundary)
                return made, remote
            except PlanConflict as exc:
                raise BadInput(str(exc)) from None

        return plan_fn

    # IAM is global: with a service role, one region per account makes it before the
    # account's other regions start, which would otherwise all try to create it.
    # Without one, the last region of each account is the one that may delete it.
    with_role = setup.service_role is not None
    _for_each_target(
        common,
        "setup",
        setup.name,
        plan_for,
        windows,
        role_first=with_role,
        role_last=not with_role,
        adopt=setup.adopt,
        warnings=warnings,
    )


@main.command("init", context_settings=CONTEXT)
@click.argument("path", default="patching.toml", metavar="[PATH]")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def init_command(path: str, force: bool) -> None:
    """Write a commented sample config to PATH (default patching.toml; - for stdout).

    The sample is seed 004's model in small: Amazon Linux 2 and Windows, test
    and prod (prod approves 14 days later), Linux in batch 1 before Windows in
    batch 2, with every other setting shown commented out.
    Example: ssm-patching-setup init && ssm-patching-setup --config patching.toml --dry-run
    """
    text = config.sample_config()
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


@main.command("cleanup", context_settings=CONTEXT)
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
@common_options
def cleanup_command(all_patching: bool, config: str | None, **values: Any) -> None:
    """Delete what setup made for --name in the region, in dependency order.

    Lists what it will delete and asks on a terminal; --yes skips the
    question; with no terminal and no --yes it refuses (exit 3).

    \b
    Examples:
      ssm-patching-cleanup -r eu-west-1 --name default --dry-run
      ssm-patching-cleanup -r eu-west-1 --config patching.toml --yes
    """
    given = _given(click.get_current_context())
    common = _common(values)
    _configure_logging(common.loglevel)
    name = common.name
    if config and "name" not in given:
        try:
            # Cleanup needs only the name: a file of just `name = ...` will do.
            name = _config_module.load_config(config, windows_required=False).name
        except _config_module.ConfigError as exc:
            raise BadInput(str(exc)) from None

    def plan_for(clients: Clients, gate: Gate) -> PlanFn:
        def plan_fn() -> tuple[Plan, RemoteState]:
            with aws.aws_errors():
                if all_patching:
                    state = reader.read_sweep(clients["ssm"], name, clients["iam"], gate=gate)
                else:
                    state = reader.read_setup(clients["ssm"], name, clients["iam"], gate=gate)
            plan = sweeper.cleanup_plan(state, all_patching=all_patching, region=clients.region)
            return plan, state

        return plan_fn

    _for_each_target(common, "cleanup", name, plan_for, [], role_last=True)


@main.command("export", context_settings=CONTEXT)
@model_options
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
    given = _given(click.get_current_context())
    setup = _config_setup(values, name, given) if values["config"] else _desired_setup(values, name)
    try:
        template = export.cloudformation(setup)
    except export.ExportError as exc:
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


@main.command("policy", context_settings=CONTEXT)
@model_options
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
    given = _given(click.get_current_context())
    setup = _config_setup(values, name, given) if values["config"] else _desired_setup(values, name)
    role = setup.service_role.name if setup.service_role is not None else None
    scope = policy.Scope(partition, account, setup.name, role)
    click.echo(json.dumps(policy.setup_policy(setup, scope, brownfield=brownfield), indent=2))


@main.command("status", context_settings=CONTEXT)
@click.option(
    "-c",
    "--config",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Also show drift: what setup with this config would change.",
)
@read_options
def status_command(config: str | None, **values: Any) -> None:
    """Show what is deployed for a setup name, region by region.

    Windows with their schedule in words and next runs, targets, tasks,
    baselines with their rules, patch-group registrations, the service role,
    and with --config the drift from it. Text table, --output json or csv.

    \b
    Examples:
      ssm-patching-setup status -r eu-west-1
      ssm-patching-setup status -r eu-west-1,us-east-1 --config patching.toml --output csv
    """
    given = _given(click.get_current_context())
    common = _common(values)
    _configure_logging(common.loglevel)
    desired: Setup | None = None
    name = common.name
    if config:
        try:
            overrides = _config_module.Overrides(name=name if "name" in given else None)
            desired = _config_module.load_config(config, overrides)
        except _config_module.ConfigError as exc:
            raise BadInput(str(exc)) from None
        name = desired.name
    session = aws.make_session(common.profile)
    roles = targets.role_arns(common.role_arns, common.role_arns_file)
    chosen = targets.resolve(session, common.regions, common.all_regions, roles)

    def view_of(target: targets.Target) -> status.View:
        # A session per thread: boto3 sessions are not thread-safe, clients are.
        own = session if len(chosen) == 1 else aws.make_session(common.profile)
        with aws.aws_errors():
            clients = targets.clients_for(own, target, common.endpoint_url)
            state = reader.read_setup(
                clients["ssm"],
                name,
                clients["iam"],
                full=True,
                gate=Gate(common.concurrency),
                candidates=adoption_candidates(desired) if desired else None,
            )
        drift = None
        if desired is not None:
            try:
                drift = planner.plan(
                    desired, state, region=target.region, boundary=_role_boundary(desired, state)
                )
            except PlanConflict as exc:
                raise BadInput(str(exc)) from None
        return status.view(target.label, name, state, drift)

    # Targets side by side, bounded like setup's; the first failure ends the command.
    views = Gate(common.concurrency).each(view_of, chosen)
    click.echo(status.render(views, common.output))


@main.command("completion", context_settings=CONTEXT)
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion_command(shell: str) -> None:
    """Print the shell completion script for SHELL.

    \b
    Example (bash): eval "$(ssm-patching-setup completion bash)"
    """
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    assert cls is not None  # the Choice admits only shells click supports
    click.echo(cls(main, {}, "ssm-patching-setup", "_SSM_PATCHING_SETUP_COMPLETE").source())


# -- the shared run --------------------------------------------------------------------


def _role_boundary(setup: Setup, remote: RemoteState, clients: Clients | None = None) -> str | None:
    """The permissions boundary's ARN for the setup's service role: in the account and
    partition of the role when it exists, else of the caller (STS GetCallerIdentity,
    which needs no permission, only when a role is to be created). Without ``clients``
    (status), only an existing role's."""
    if setup.service_role is None:
        return None
    name = setup.service_role.name
    found = next((r.arn for r in remote.roles if r.name == name), None)
    if found is None and clients is not None:
        found = clients["sts"].get_caller_identity()["Arn"]
    return None if found is None else policy.boundary_arn_of(found)


def _desired_setup(values: dict[str, Any], name: str, warnings: list[str] | None = None) -> Setup:
    """Build and validate the desired state from the options (no AWS call)."""
    chosen_os = values["operating_system"]
    try:
        if values["baseline_file"]:
            rules = baselines.load_baseline_file(values["baseline_file"])
            file_os = rules.get("OperatingSystem", "WINDOWS")
            if "OperatingSystem" not in rules and not chosen_os and warnings is not None:
                warnings.append(
                    f"-b/--baseline-file: {values['baseline_file']} has no OperatingSystem, so "
                    'AWS makes it a WINDOWS baseline; add "OperatingSystem" to the file, or '
                    "pass --operating-system WINDOWS to say so"
                )
            if chosen_os and chosen_os.upper() != file_os:
                raise BadInput(
                    f"--operating-system {chosen_os.upper()} contradicts the baseline file's "
                    f"OperatingSystem {file_os}: drop one"
                )
        else:
            rules = baselines.preset((chosen_os or "AMAZON_LINUX_2").upper())
        options = FlagOptions(
            weeks=values["weeks"],
            days=values["days"],
            hours=values["hours"],
            timezone=values["timezone"],
            duration=values["duration"],
            cutoff=values["cutoff"],
            name=name,
            max_concurrency=values["max_concurrency"],
            max_errors=values["max_errors"],
            operation=values["operation"],
            create_service_role=values["create_service_role"],
        )
        setup = build_setup(options, rules)
        setup.validate()
    except (baselines.BaselineError, ModelError) as exc:
        option = "-b/--baseline-file" if isinstance(exc, baselines.BaselineError) else "options"
        raise BadInput(f"{option}: {exc}") from None
    return setup


def _window_runs(setup: Setup) -> list[WindowRuns]:
    now = datetime.now(UTC)
    return [_runs_of(w, now) for w in setup.windows]


def _runs_of(window: WindowSpec, now: datetime) -> WindowRuns:
    """When a window runs next, by the rule status uses too (runs.py)."""
    coming = runs.upcoming(window.fields(), now)
    return WindowRuns(
        name=window.name,
        schedule=window.schedule,
        timezone=window.timezone,
        description=schedule.describe(window.schedule, window.timezone)
        + (f", then {window.schedule_offset} day(s) later" if window.schedule_offset else ""),
        next_runs=coming.runs,
        warnings=coming.warnings,
    )


def _for_each_target(
    common: Common,
    what: str,
    setup_name: str,
    plan_for: Callable[[Clients, Gate], PlanFn],
    windows: list[WindowRuns],
    role_first: bool = False,
    role_last: bool = False,
    adopt: bool = False,
    warnings: Sequence[str] = (),
) -> None:
    """Run in one target as before, or in several concurrently with a summary.

    With ``role_first``, the first region of each account runs before the others.
    With ``role_last``, the last region of each account that finds the service role
    still tagged for the account's other regions of this run waits for them and
    reads again: it then sees only its own tag and deletes the role, once.
    Accounts, not role ARNs: two ARNs may lead into one account.
    """
    session = aws.make_session(common.profile)
    roles = targets.role_arns(common.role_arns, common.role_arns_file)
    chosen = targets.resolve(session, common.regions, common.all_regions, roles)

    def report_for(target: targets.Target) -> Report:
        return Report(
            what,
            setup_name,
            target.region,
            common.dry_run,
            [],
            windows,
            account=target.account,
            warnings=list(warnings),
        )

    if len(chosen) == 1:
        with aws.aws_errors():
            clients = targets.clients_for(session, chosen[0], common.endpoint_url)
        gate = Gate(common.concurrency)
        _run(
            clients, plan_for(clients, gate), gate, report_for(chosen[0]), common, what, adopt=adopt
        )
        return

    first_of: dict[str | None, targets.Target] = {}
    last_of: dict[str | None, targets.Target] = {}
    for target in chosen:
        first_of.setdefault(target.account, target)  # None: the caller's own account
        last_of[target.account] = target
    finished = {target: threading.Event() for target in chosen}

    def plan_in(target: targets.Target, clients: Clients, gate: Gate) -> PlanFn:
        plan_fn = plan_for(clients, gate)
        if not role_last or common.dry_run or last_of[target.account] is not target:
            return plan_fn
        siblings = [t for t in chosen if t.account == target.account and t is not target]
        return _after(plan_fn, [finished[t] for t in siblings], {t.region for t in siblings})

    def one(target: targets.Target) -> tuple[targets.Target, Report, int]:
        report = report_for(target)
        try:
            signals.check()  # a signal came: targets not started yet do not start
            # A session per thread: boto3 sessions are not thread-safe, clients are.
            own = aws.make_session(common.profile)
            with aws.aws_errors():
                clients = targets.clients_for(own, target, common.endpoint_url)
            gate = Gate(common.concurrency)
            plan_fn = plan_in(target, clients, gate)
            _run(clients, plan_fn, gate, report, common, what, emit=_quiet, ask=False, adopt=adopt)
        except click.ClickException as exc:
            report.error = report.error or exc.format_message()
            return target, report, exc.exit_code
        except signals.Interrupted as exc:
            report.error = f"interrupted ({signals.name(exc.signum)}): nothing changed here"
            return target, report, signals.exit_code(exc.signum)
        except Exception as exc:  # one target's bug must not hide the others' results
            log.debug("internal error in %s", target.label, exc_info=True)
            report.error = f"internal error: {type(exc).__name__}: {aws.redact(str(exc))}"
            return target, report, EXIT_FAILURE
        finally:
            finished[target].set()
        return target, report, 0

    waves = [chosen]
    if role_first:
        firsts = list(first_of.values())
        waves = [firsts, [t for t in chosen if t not in firsts]]
    lasts = set(last_of.values())
    done: dict[targets.Target, tuple[targets.Target, Report, int]] = {}
    # --concurrency bounds the targets too: --concurrency 1 is one call at a time.
    with (
        signals.graceful(),
        ThreadPoolExecutor(max_workers=min(len(chosen), common.concurrency)) as pool,
    ):
        for wave in waves:
            # The last region of each account goes in last: when it starts waiting for
            # its account's other regions, they have all started (the pool is FIFO).
            ordered = [t for t in wave if t not in lasts] + [t for t in wave if t in lasts]
            done.update((result[0], result) for result in pool.map(one, ordered))
    results = [done[t] for t in chosen]
    click.echo(render_targets([(t.label, r, code) for t, r, code in results], common.output))
    codes = {code for _, _, code in results}
    signum = signals.received()
    if signum is not None:
        raise Stopped(
            f"interrupted ({signals.name(signum)}): each target's report says what was "
            "done; run again to finish",
            signals.exit_code(signum),
        )
    if codes == {0}:
        return
    raise click.exceptions.Exit(EXIT_PARTIAL if 0 in codes else max(codes))


def _after(plan_fn: PlanFn, others: list[threading.Event], regions: set[str]) -> PlanFn:
    """``plan_fn``, but when a role it reads is tagged for ``regions`` (the account's other
    regions in this run), first wait until those are done (``others``), then read again."""

    def plan_after() -> tuple[Plan, RemoteState]:
        the_plan, state = plan_fn()
        held = any(role_regions(role.tags) & regions for role in state.roles)
        if held and not all(event.is_set() for event in others):
            for event in others:
                event.wait()
            the_plan, state = plan_fn()
        return the_plan, state

    return plan_after


def _quiet(report: Report, common: Common) -> None:
    """Several targets: reports are printed together at the end."""


#: Flags that describe windows and baselines: the config file does that instead.
_MODEL_FLAGS = {
    "weeks": "-w/--week",
    "days": "-d/--days",
    "hours": "-t/--hours",
    "baseline_file": "-b/--baseline-file",
    "operating_system": "--operating-system",
}


def _given(ctx: click.Context) -> set[str]:
    """Parameters the user set on the command line or through the environment."""
    sources = (click.core.ParameterSource.COMMANDLINE, click.core.ParameterSource.ENVIRONMENT)
    return {
        p.name for p in ctx.command.params if p.name and ctx.get_parameter_source(p.name) in sources
    }


def _config_setup(
    values: dict[str, Any], name: str, given: set[str], warnings: list[str] | None = None
) -> Setup:
    """The desired state from --config, with the flags the user gave laid over it."""
    clash = [flag for name, flag in _MODEL_FLAGS.items() if name in given]
    if clash:
        raise BadInput(
            f"--config: {', '.join(clash)} cannot be combined with a config file, which "
            "describes windows and baselines itself"
        )

    def flag(name: str, source: dict[str, Any] = values) -> Any:
        return source[name] if name in given else None

    overrides = config.Overrides(
        name=name if "name" in given else None,
        timezone=flag("timezone"),
        duration=flag("duration"),
        cutoff=flag("cutoff"),
        max_concurrency=flag("max_concurrency"),
        max_errors=flag("max_errors"),
        operation=flag("operation"),
        create_service_role=values["create_service_role"],
    )
    try:
        return config.load_config(values["config"], overrides, warnings=warnings)
    except config.ConfigError as exc:
        raise BadInput(str(exc)) from None


def _emit(report: Report, common: Common) -> None:
    click.echo(render_json(report) if common.output == "json" else render_text(report))


PlanFn = Callable[[], tuple[Plan, RemoteState]]


def _run(
    clients: Clients,
    plan_fn: PlanFn,
    gate: Gate,
    report: Report,
    common: Common,
    what: str,
    emit: Callable[[Report, Common], None] | None = None,
    ask: bool = True,
    adopt: bool = False,
) -> None:
    """``_plan_and_apply``; a signal before the writes began still gets its report."""
    try:
        _plan_and_apply(clients, plan_fn, gate, report, common, what, emit, ask, adopt)
    except signals.Interrupted as exc:
        report.outcomes = [
            replace(o, status="not-run") if o.status == "planned" else o for o in report.outcomes
        ]
        done = sum(o.status == "done" for o in report.outcomes)
        report.error = f"interrupted ({signals.name(exc.signum)}) " + (
            f"after the writes: {done} of {len(report.outcomes)} changes were made"
            if done
            else "before any write: nothing changed"
        )
        (emit or _emit)(report, common)
        raise Stopped(report.error, signals.exit_code(exc.signum)) from None


def _plan_and_apply(
    clients: Clients,
    plan_fn: PlanFn,
    gate: Gate,
    report: Report,
    common: Common,
    what: str,
    emit: Callable[[Report, Common], None] | None = None,
    ask: bool = True,
    adopt: bool = False,
) -> None:
    """Plan, show, get consent for adoptions and deletes, then lock, re-plan, check
    quotas, execute.

    The plan is made again under the lock: another run may have written between
    the first read and the lock, and acting on the old plan could duplicate.
    Service Quotas is asked while the re-read is on the wire, through the same gate.
    """
    show = emit or _emit
    the_plan, state = plan_fn()
    report.outcomes = planned(the_plan)
    if not the_plan.changes:
        report.other_setups = status.other_setups(state)
    if common.dry_run or the_plan.is_empty:
        report.dry_run = common.dry_run
        if not common.dry_run:
            with aws.aws_errors():
                lock.clear_stale(clients["ssm"], report.setup)
            report.outcomes = [replace(o, status="unchanged") for o in report.outcomes]
        show(report, common)
        return
    adopted = {(c.kind, c.resource_id) for c in the_plan.adoptions}
    if adopted and not adopt:
        _refuse(report, common, show, _adoption_refusal(the_plan))
    consented = {(c.kind, c.resource_id) for c in the_plan.deletes}
    if consented and not common.yes:
        if not ask:
            _refuse(
                report,
                common,
                _quiet,
                f"{what} would delete {len(consented)} resources: pass --yes",
            )
        _consent(len(consented), what, report, common, show)
    with aws.aws_errors(), lock.held(clients["ssm"], report.setup) as lease:
        quotas = gate.background(lambda: gate.call(aws.quota_limits, clients["service-quotas"]))
        the_plan, state = plan_fn()
        report.outcomes = planned(the_plan)
        new_deletes = {(c.kind, c.resource_id) for c in the_plan.deletes} - consented
        if new_deletes and not common.yes:
            _refuse(
                report,
                common,
                show,
                f"{what}: the account changed while this run waited; it would now delete "
                f"{len(new_deletes)} more resources: run again to review them",
            )
        new_adoptions = {(c.kind, c.resource_id) for c in the_plan.adoptions} - adopted
        if new_adoptions and not adopt:
            _refuse(report, common, show, _adoption_refusal(the_plan))
        blocked = plan_problems(the_plan, state, quotas.result())
        if blocked:
            report.error = f"pre-flight: {blocked[0]}"
            if common.output == "json":
                show(report, common)
            raise AwsError(report.error)
        _execute(clients, the_plan, report, common, show, lease)
    report.dry_run = False
    show(report, common)


def _refuse(
    report: Report, common: Common, show: Callable[[Report, Common], None], message: str
) -> NoReturn:
    """Stop before any write: the report says what would have been done (exit 3)."""
    report.refused = True
    report.error = message
    show(report, common)
    raise Refused(message)


def _adoption_refusal(the_plan: Plan) -> str:
    """Name what the run would take over, and the two ways on."""
    kinds: dict[str, list[str]] = {}
    for change in the_plan.adoptions:
        kinds.setdefault(change.kind, []).append(change.label)
    listed = ", ".join(
        f"{len(names)} {kind.replace('-', ' ')}{'s' if len(names) != 1 else ''}"
        for kind, names in kinds.items()
    )
    windows = kinds.get("window") or kinds.get("patch-group") or []
    example = ", ".join(windows[:3]) + (", ..." if len(windows) > 3 else "")
    return (
        f"this setup would duplicate what it does not own: {listed} ({example}) already "
        "exist, made by another tool or by hand; pass --adopt to take them over in place "
        "(IDs kept), or remove them first with ssm-patching-cleanup --all-patching"
    )


def _execute(
    clients: Clients,
    the_plan: Plan,
    report: Report,
    common: Common,
    show: Callable[[Report, Common], None],
    lease: lock.Lease,
) -> None:
    def stop() -> bool:
        return signals.STOP.is_set() or lease.lost.is_set()

    try:
        # Writes in flight: a signal only asks the lanes to start nothing new.
        with signals.graceful():
            report.outcomes = executor.execute(
                clients, the_plan, concurrency=common.concurrency, stop=stop
            )
    except executor.ExecutionFailed as failed:
        report.outcomes = failed.outcomes
        done = sum(1 for o in failed.outcomes if o.status == "done")
        report.error = (
            f"{aws.describe_error(failed.cause)}; {done} of {len(failed.outcomes)} "
            "changes were made before it; run again to finish"
        )
        _stopped_by_signal(report, common, show, done)
        show(report, common)
        raise (Partial if done else AwsError)(report.error) from None
    except executor.ExecutionStopped as stopped:
        report.outcomes = stopped.outcomes
        done = sum(1 for o in stopped.outcomes if o.status == "done")
        _stopped_by_signal(report, common, show, done)
        report.error = (
            f"another run took over this run's lock ({lock.parameter_name(report.setup)}): "
            f"stopped; {done} of {len(stopped.outcomes)} changes were made; run again to finish"
        )
        show(report, common)
        raise (Partial if done else AwsError)(report.error) from None
    _stopped_by_signal(report, common, show, sum(o.status == "done" for o in report.outcomes))


def _stopped_by_signal(
    report: Report, common: Common, show: Callable[[Report, Common], None], done: int
) -> None:
    """After the writes: a signal that came during them ends the run with 128 + it."""
    signum = signals.received()
    if signum is None:
        return
    failed = f" ({report.error})" if report.error else ""
    report.error = (
        f"interrupted ({signals.name(signum)}): the calls in flight finished{failed}; "
        f"{done} of {len(report.outcomes)} changes were made, nothing else was started; "
        "run again to finish"
    )
    report.dry_run = False
    show(report, common)
    raise Stopped(report.error, signals.exit_code(signum))


def _consent(
    deletes: int, what: str, report: Report, common: Common, show: Callable[[Report, Common], None]
) -> None:
    if not sys.stdin.isatty():
        _refuse(
            report,
            common,
            show,
            f"{what} would delete {deletes} resources and there is no terminal to ask on: "
            f"review with --dry-run, then pass --yes",
        )
    if common.output == "text":
        show(report, common)  # the plan to confirm
    if click.confirm(
        f"{what}: delete the {deletes} resources listed above?", default=False, err=True
    ):
        return
    report.refused = True
    report.error = "nothing changed: not confirmed"
    if common.output == "json":
        show(report, common)
    raise Refused(report.error)


def _configure_logging(level: str) -> None:
    # Only our logger gets the chosen level: botocore's DEBUG output contains
    # signed headers and is never turned on.
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for handler in logging.getLogger().handlers:  # no log line shows an endpoint's secrets
        if not any(isinstance(f, aws.RedactingFilter) for f in handler.filters):
            handler.addFilter(aws.RedactingFilter())
    logging.getLogger().setLevel(logging.WARNING)
    log.setLevel(level.upper())


# -- entry points -------------------------------------------------------------------


def _entry(command: click.Command, prog: str, args: Sequence[str] | None = None) -> int:
    """Run a command with one-line errors and documented exit codes, never a traceback."""
    try:
        with signals.handled():
            result = command.main(
                args=list(args) if args is not None else None,
                prog_name=prog,
                standalone_mode=False,
            )
    except signals.Interrupted as exc:
        # A signal outside any run (or one that unwound a release): no lock stays.
        lock.release_all()
        click.echo(f"error: interrupted ({signals.name(exc.signum)})", err=True)
        return signals.exit_code(exc.signum)
    except click.exceptions.Abort:
        click.echo("error: aborted", err=True)
        return EXIT_FAILURE
    except click.UsageError as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        return EXIT_BAD_INPUT
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("error: interrupted; run again to converge", err=True)
        return 130
    except aws.AWS_EXCEPTIONS as exc:
        click.echo(f"error: {aws.describe_error(exc)}", err=True)
        return EXIT_FAILURE
    except Exception as exc:  # a bug: say so in one line; the traceback is one flag away
        log.debug("internal error", exc_info=True)
        click.echo(
            f"error: internal error: {type(exc).__name__}: {aws.redact(str(exc))} "
            f"(rerun with -l DEBUG for the traceback, and please report it)",
            err=True,
        )
        return EXIT_FAILURE
    return result if isinstance(result, int) else 0


def setup_main(args: Sequence[str] | None = None) -> None:
    """Console script ``ssm-patching-setup``."""
    sys.exit(_entry(main, "ssm-patching-setup", args))


def cleanup_main(args: Sequence[str] | None = None) -> None:
    """Console script ``ssm-patching-cleanup``."""
    sys.exit(_entry(cleanup_command, "ssm-patching-cleanup", args))
