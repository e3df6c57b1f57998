"""The command line: the click group, its one-line errors and its exit codes.

``ssm-patching-setup`` runs ``apply`` when no command is named, so the replaced
tool's invocations (``./ssm_patching_setup.py -w 1 2 -d 2``) keep working. Each
command is in a module of its own (apply.py, cleanup.py, ...), the options they share
in options.py, the checks of option values in values.py; they hand the run to
``patchsetup.runner``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from patchsetup import __version__, signals
from patchsetup.errors import EXIT_BAD_INPUT, EXIT_FAILURE

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

#: click's settings of every command (-h as well as --help, wide help).
CONTEXT: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

#: Every command: its module and its object, and the first sentence of its help, for the
#: group's command list (a test holds each to the command's own). A command's module is
#: imported when the command runs, is completed, or shows its help: ``--version`` imports
#: none, the group's help only apply's (its options are shown beside the commands).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "apply": (
        "patchsetup.cli.apply",
        "apply_command",
        "Create or converge the patching setup (the default command).",
    ),
    "assign": (
        "patchsetup.cli.assign",
        "assign_command",
        "Put managed nodes into this setup's patch groups by tagging them.",
    ),
    "calendar": (
        "patchsetup.cli.calendar",
        "calendar_command",
        "Show when the setup's windows run over the next months, or write an .ics file.",
    ),
    "cleanup": (
        "patchsetup.cli.cleanup",
        "cleanup_command",
        "Delete what setup made for --name in the region, in dependency order.",
    ),
    "completion": (
        "patchsetup.cli",
        "completion_command",
        "Print the shell completion script for SHELL.",
    ),
    "export": (
        "patchsetup.cli.export",
        "export_command",
        "Print the plan as a CloudFormation template, for StackSets across an organization.",
    ),
    "init": (
        "patchsetup.cli.init",
        "init_command",
        "Write a commented sample config to PATH (default patching.toml; - for stdout).",
    ),
    "policy": (
        "patchsetup.cli.policy",
        "policy_command",
        "Print the IAM policy the identity running this setup needs, as JSON.",
    ),
    "status": (
        "patchsetup.cli.status",
        "status_command",
        "Show what is deployed for a setup name, region by region.",
    ),
}


def load_command(name: str) -> click.Command:
    """The command ``name`` (one of COMMANDS), its module imported on first use."""
    module, attribute, _ = COMMANDS[name]
    found = getattr(importlib.import_module(module), attribute)
    assert isinstance(found, click.Command)
    return found


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """``--version``: the tool's, then what it runs on, one line each (for bug reports).
    The SDK's versions come from its installed metadata: --version imports no boto3."""
    if not value or ctx.resilient_parsing:
        return
    import platform
    from importlib import metadata

    lines = [
        f"ssm-patching-setup, version {__version__}",
        f"boto3 {metadata.version('boto3')}",
        f"botocore {metadata.version('botocore')}",
        f"Python {platform.python_version()} ({platform.python_implementation()})",
    ]
    click.echo("\n".join(lines), color=ctx.color)
    ctx.exit()


class DefaultGroup(click.Group):
    """A group that runs ``apply`` when the first argument is not a command.

    Its help shows apply's options beside the commands, and completing the first word
    offers the commands and apply's options (the shell completion of click).
    """

    default_command = "apply"

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name) if cmd_name in COMMANDS else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands with their help lines, without importing them (COMMANDS),
        shortened to the width as click shortens a command's own."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, click.Command(name, help=COMMANDS[name][2]).get_short_help_str(limit))
            for name in sorted(COMMANDS)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Completing the first word (no complete word yet): stay in the group, whose
        # shell_complete offers the commands; inserting apply would offer only its options.
        completing_first = ctx.resilient_parsing and not args
        if not completing_first and (
            not args or (args[0] not in COMMANDS and args[0] not in ("-h", "--help", "--version"))
        ):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def _default_context(self, ctx: click.Context) -> click.Context:
        default = load_command(self.default_command)
        return click.Context(default, parent=ctx, info_name=self.default_command)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """The commands, the group's options and, for a dash, apply's options too."""
        results = super().shell_complete(ctx, incomplete)
        seen = {item.value for item in results}
        default = load_command(self.default_command)
        for item in default.shell_complete(self._default_context(ctx), incomplete):
            if item.value not in seen:
                results.append(item)
        return results

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The group's options, apply's options (no command means apply), the commands."""
        click.Command.format_options(self, ctx, formatter)
        sub = self._default_context(ctx)
        helps = set(sub.help_option_names)  # -h/--help is listed once, above
        params = [p for p in sub.command.get_params(sub) if not helps & set(p.opts)]
        records = [p.get_help_record(sub) for p in params]
        rows = [record for record in records if record is not None]
        with formatter.section(f"Options of {self.default_command} (the default command)"):
            formatter.write_dl(rows)
        self.format_commands(ctx, formatter)


@click.group(cls=DefaultGroup, context_settings=CONTEXT, subcommand_metavar="[COMMAND] [ARGS]...")
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
def main() -> None:
    """Set up AWS Systems Manager Patch Manager, and tear exactly that down again.

    With no command, runs `apply` (the replaced ssm_patching_setup.py's
    behaviour): `ssm-patching-setup -r eu-west-1` creates the 8 default
    maintenance windows, their targets and AWS-RunPatchBaseline tasks, a
    patch baseline and its patch groups. Running it again changes nothing.
    """


@click.command("completion", context_settings=CONTEXT)
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


# -- entry points -------------------------------------------------------------------


def release_locks() -> None:
    """Release every run lock this process holds (a signal stopped it). Only a command
    that calls AWS loads the run protocol, and with it the lock: before that, none is held."""
    if "patchsetup.runner.protocol" in sys.modules:
        from patchsetup.runner.protocol import release_locks as release

        release()


def _entry(command: click.Command, prog: str, args: Sequence[str] | None = None) -> int:
    """Run a command with one-line errors and documented exit codes, never a traceback;
    with ``--output json``, one document on stdout whatever happened (patchsetup.document)."""
    asked = json_command(command, list(args) if args is not None else sys.argv[1:])
    if asked is not None:
        from patchsetup import document

        document.begin(asked)
    code, message = _run(command, prog, args)
    if message is not None:
        click.echo(f"error: {message}", err=True)
    # Only a command that records a document loads its module: without it, none is owed.
    if "patchsetup.document" in sys.modules:
        shown = sys.modules["patchsetup.document"].finish(code, message)
        if shown is not None:
            click.echo(shown)
    return code


def _run(command: click.Command, prog: str, args: Sequence[str] | None) -> tuple[int, str | None]:
    """The command's exit code, and the message of its one ``error:`` line if it failed."""
    try:
        with signals.handled(at_once=release_locks):
            result = command.main(
                args=list(args) if args is not None else None,
                prog_name=prog,
                standalone_mode=False,
            )
    except signals.Interrupted as exc:
        # A signal outside any run (or one that unwound a release): no lock stays.
        release_locks()
        return signals.exit_code(exc.signum), f"interrupted ({signals.name(exc.signum)})"
    except click.exceptions.Abort:
        return EXIT_FAILURE, "aborted"
    except click.UsageError as exc:
        return EXIT_BAD_INPUT, exc.format_message()
    except click.ClickException as exc:
        return exc.exit_code, exc.format_message()
    except KeyboardInterrupt:
        return 130, "interrupted; run again to converge"
    except Exception as exc:
        return EXIT_FAILURE, _failure(exc)
    return (result if isinstance(result, int) else 0), None


def _failure(exc: Exception) -> str:
    """The line of an AWS failure that escaped a command, else of a bug: in one line, the
    traceback one flag away. Loaded only then (with logging): a run that succeeds or
    stops with a message of its own imports none of it."""
    import logging

    from patchsetup.aws.errors import aws_exceptions, describe_error
    from patchsetup.aws.redact import redact

    if isinstance(exc, aws_exceptions()):
        return describe_error(exc)
    logging.getLogger("patchsetup").debug("internal error", exc_info=True)
    return (
        f"internal error: {type(exc).__name__}: {redact(str(exc))} "
        f"(rerun with -l DEBUG for the traceback, and please report it)"
    )


def json_command(command: click.Command, args: list[str]) -> str | None:
    """The command ``args`` run, if they ask it for ``--output json`` (or ``-o json``):
    known before parsing, so that bad input is answered with a document too."""
    if isinstance(command, click.Group):
        named = bool(args) and args[0] in COMMANDS
        if not named and args and args[0] in ("-h", "--help", "--version"):
            return None
        name = args[0] if named else DefaultGroup.default_command
        command, args = load_command(name), args[1:] if named else args
    option = next((p for p in command.params if p.name == "output"), None)
    if option is None:
        return None
    names = [*option.opts, *option.secondary_opts]
    value = None
    for index, arg in enumerate(args):
        if arg == "--":
            break
        for opt in names:
            if arg == opt and index + 1 < len(args):
                value = args[index + 1]
            elif arg.startswith(opt + "=") and opt.startswith("--"):
                value = arg[len(opt) + 1 :]
            elif len(opt) == 2 and arg.startswith(opt) and len(arg) > 2 and arg[2] != "=":
                value = arg[2:]
    return command.name if value == "json" else None


def setup_main(args: Sequence[str] | None = None) -> None:
    """Console script ``ssm-patching-setup``."""
    sys.exit(_entry(main, "ssm-patching-setup", args))


def cleanup_main(args: Sequence[str] | None = None) -> None:
    """Console script ``ssm-patching-cleanup``."""
    sys.exit(_entry(load_command("cleanup"), "ssm-patching-cleanup", args))
