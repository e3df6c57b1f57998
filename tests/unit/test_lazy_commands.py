"""The command group imports a command's module only when that command is used.

``--version`` imports none of them, the group's ``--help`` only apply's (its options
are shown beside the command list), and the list's help lines, kept in
``patchsetup.cli.COMMANDS`` so that showing them imports nothing, are each command's own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click
import pytest

from patchsetup import cli

#: The modules of the commands other than apply's (completion's is the group's own).
OTHERS = {module for module, _, _ in cli.COMMANDS.values()} - {
    "patchsetup.cli",
    "patchsetup.cli.apply",
}

_PROBE = """\
import atexit, sys
def _record():
    import json  # not before: a command's own import of json is what is looked for
    print(json.dumps(sorted(sys.modules)))
atexit.register(_record)
sys.argv = ["ssm-patching-setup", *sys.argv[1:]]
from patchsetup import console
console.setup_main()
"""


def _loaded(*args: str, env: dict[str, str] | None = None) -> set[str]:
    """Every module the command imported, package or standard library."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_version_imports_no_command() -> None:
    loaded = _loaded("--version")
    assert "patchsetup.cli" in loaded
    assert {m for m in loaded if m.startswith("patchsetup.cli.")} == set()
    assert "patchsetup.document" not in loaded and "patchsetup.report" not in loaded


def test_the_groups_help_imports_only_apply() -> None:
    loaded = _loaded("--help")
    assert "patchsetup.cli.apply" in loaded  # apply's options are shown
    assert loaded.isdisjoint(OTHERS)


def test_a_command_imports_its_own_module() -> None:
    loaded = _loaded("calendar", "--help")
    assert "patchsetup.cli.calendar" in loaded and "patchsetup.cli.assign" not in loaded


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_each_help_line_is_the_commands_own(name: str) -> None:
    command = cli.load_command(name)
    assert command.name == name
    # The first sentence of the command's help, whole (the list shortens it to the width).
    assert cli.COMMANDS[name][2] == command.get_short_help_str(limit=10_000)


def test_the_list_shows_what_click_would_show() -> None:
    """The group's help lists the commands as click's own Group would, loaded."""
    ctx = click.Context(cli.main, info_name="ssm-patching-setup")
    lazy = click.HelpFormatter(width=cli.CONTEXT["max_content_width"])
    cli.main.format_commands(ctx, lazy)
    eager = click.HelpFormatter(width=cli.CONTEXT["max_content_width"])
    loaded = {name: cli.load_command(name) for name in cli.COMMANDS}
    click.Group.format_commands(click.Group(commands=loaded), ctx, eager)
    assert lazy.getvalue() == eager.getvalue() and "status" in lazy.getvalue()


def test_the_list_is_every_command() -> None:
    ctx = click.Context(cli.main)
    assert cli.main.list_commands(ctx) == sorted(cli.COMMANDS)
    assert cli.main.get_command(ctx, "nope") is None


#: What the group's help, ``init`` and a TAB may load of the package: the group, the
#: option declarations and the command's own module. No model, schedule, config reader,
#: runner or report: those are for a command that runs.
DECLARATIONS = {
    "patchsetup",
    "patchsetup.console",
    "patchsetup.cli",
    "patchsetup.cli.options",
    "patchsetup.cli.values",
    "patchsetup.errors",
    "patchsetup.fields",
    "patchsetup.signals",
    "patchsetup.baselines",
    "patchsetup.baselines.systems",
}
_TAB = {
    "_SSM_PATCHING_SETUP_COMPLETE": "bash_complete",
    "COMP_WORDS": "ssm-patching-setup --operating-system ",
    "COMP_CWORD": "2",
}


@pytest.mark.parametrize(
    ("args", "env", "own"),
    [
        (["--help"], None, {"patchsetup.cli.apply"}),
        (["init", "-"], None, {"patchsetup.cli.init", "patchsetup.samples"}),
        ([], _TAB, {"patchsetup.cli.apply"}),
    ],
    ids=["help", "init", "tab"],
)
def test_help_init_and_tab_load_only_declarations(
    args: list[str], env: dict[str, str] | None, own: set[str]
) -> None:
    loaded = _loaded(*args, env=env)
    assert {m for m in loaded if m.split(".")[0] == "patchsetup"} <= DECLARATIONS | own
    assert "logging" not in loaded  # the group loads it only to report a bug


#: Loaded only where they are needed: the config reader for --config, logging for a run,
#: zoneinfo where a zone is named, hashlib for an .ics UID or two clashing logical IDs.
_NOT_FROM_FLAGS = (
    "patchsetup.config",
    "patchsetup.runner",
    "patchsetup.report",
    "logging",
    "zoneinfo",
    "hashlib",
    "gzip",
)


@pytest.mark.parametrize(
    "args",
    [["export"], ["policy"], ["calendar", "-w", "1", "-d", "2", "--months", "1"]],
    ids=["export", "policy", "calendar"],
)
def test_commands_from_the_flags_load_no_reader_logging_or_zone_data(args: list[str]) -> None:
    loaded = _loaded(*args)
    assert [m for m in _NOT_FROM_FLAGS if m in loaded] == []
    assert "patchsetup.model" in loaded  # the probe sees what the command does load


def test_the_calendar_from_flags_reads_nothing_deployed() -> None:
    loaded = _loaded("calendar", "-w", "1", "-d", "2", "--months", "1")
    assert not any(m.startswith("patchsetup.deploy") for m in loaded)
    assert "patchsetup.calendars.ics" not in loaded  # text: no time-zone definitions
