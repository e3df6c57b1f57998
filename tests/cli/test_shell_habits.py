"""Shell habits: completion in bash, zsh and fish, the top-level --help, and --version.

Completion is driven as the shells' scripts (``ssm-patching-setup completion SHELL``)
drive it: the real console script with ``_SSM_PATCHING_SETUP_COMPLETE=<shell>_complete``
and the words typed so far in COMP_WORDS / COMP_CWORD.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys

import pytest

from tests.helpers.cli import BIN
from tests.helpers.paths import ROOT

COMMANDS = [
    "apply",
    "assign",
    "calendar",
    "cleanup",
    "completion",
    "export",
    "init",
    "policy",
    "status",
]
#: The replaced tool's options, as its users type them.
OLD_TOOL_OPTIONS = [
    "-w, --week",
    "-d, --days",
    "-t, --hours",
    "-z, --timezone",
    "-r, --region",
    "-b, --baseline-file",
    "-l, --loglevel",
]


def _complete(shell: str, line: str, prog: str = "ssm-patching-setup") -> list[str]:
    """The values ``prog`` offers for the last word of ``line`` (may be empty) in ``shell``."""
    words = line.split(" ")
    env = {
        **os.environ,
        f"_{prog.replace('-', '_').upper()}_COMPLETE": f"{shell}_complete",
        "COMP_WORDS": line,
        # fish passes the word being completed itself; bash and zsh its index.
        "COMP_CWORD": words[-1] if shell == "fish" else str(len(words) - 1),
    }
    result = subprocess.run(
        [str(BIN / prog)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
    lines = [line for line in result.stdout.splitlines() if line]  # nothing offered: ""
    if shell == "bash":  # "type,value" per line
        return [line.split(",", 1)[1] for line in lines]
    if shell == "zsh":  # type, value, help: three lines each
        return [lines[i + 1] for i in range(0, len(lines), 3)]
    return [line.split(",", 1)[1].split("\t")[0] for line in lines]  # fish


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_of_command_names(shell: str) -> None:
    assert _complete(shell, "ssm-patching-setup st") == ["status"]
    assert _complete(shell, "ssm-patching-setup c") == ["calendar", "cleanup", "completion"]
    assert _complete(shell, "ssm-patching-setup ") == COMMANDS


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_of_options(shell: str) -> None:
    # No command means apply: its options complete at the first word, and after others.
    assert _complete(shell, "ssm-patching-setup --we") == ["--week"]
    assert _complete(shell, "ssm-patching-setup --vers") == ["--version"]
    assert _complete(shell, "ssm-patching-setup --ver") == ["--version", "--verbose"]
    assert _complete(shell, "ssm-patching-setup -r eu-west-1 --dr") == ["--dry-run"]
    assert _complete(shell, "ssm-patching-setup -r eu-west-1 --output ") == ["text", "json"]
    assert _complete(shell, "ssm-patching-setup status --con") == ["--config", "--concurrency"]
    assert _complete(shell, "ssm-patching-setup status --output ") == ["text", "json", "csv"]
    assert _complete(shell, "ssm-patching-cleanup --all", "ssm-patching-cleanup") == [
        "--all-patching",
        "--all-regions",
    ]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_of_regions(shell: str) -> None:
    """-r completes the regions its check takes, after those already in a comma list."""
    assert _complete(shell, "ssm-patching-setup -r eu-west-") == [
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
    ]
    offered = _complete(shell, "ssm-patching-setup status -r us-east-1,us-east-")
    assert offered == ["us-east-1,us-east-2"]  # us-east-1 is typed already
    assert _complete(shell, "ssm-patching-setup cleanup -r nowhere-") == []


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash here")
def test_the_bash_script_from_completion_bash_completes_a_command_name() -> None:
    """The script ``completion bash`` prints, sourced in bash, fills COMPREPLY."""
    script = (
        'eval "$(ssm-patching-setup completion bash)"; '
        "COMP_WORDS=(ssm-patching-setup st); COMP_CWORD=1; "
        '_ssm_patching_setup_completion ssm-patching-setup; echo "${COMPREPLY[@]}"'
    )
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        ["bash", "--norc", "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["status"]


def _assert_apply_help(text: str) -> None:
    assert "Options of apply (the default command):" in text
    for option in OLD_TOOL_OPTIONS:
        assert f"\n  {option} " in text, option
    for option in ("--dry-run", "--config", "--detailed-exitcode", "--adopt", "--version"):
        assert option in text, option
    commands = text.split("\nCommands:\n", 1)[1]
    assert [line.split()[0] for line in commands.splitlines() if line.strip()] == COMMANDS
    assert text.count("-h, --help") == 1


def test_top_level_help_shows_apply_options_and_the_commands() -> None:
    result = subprocess.run(
        [str(BIN / "ssm-patching-setup"), "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: ssm-patching-setup [OPTIONS] [COMMAND] [ARGS]...")
    _assert_apply_help(result.stdout)
    short = subprocess.run(
        [str(BIN / "ssm-patching-setup"), "-h"], capture_output=True, text=True, timeout=60
    )
    assert short.stdout == result.stdout


def test_old_entry_point_help_shows_apply_options_and_the_commands() -> None:
    result = subprocess.run(
        [sys.executable, "./ssm_patching_setup.py", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    _assert_apply_help(result.stdout)


def test_version_names_boto3_botocore_and_python() -> None:
    from importlib import metadata

    from patchsetup import __version__

    expected = [
        f"ssm-patching-setup, version {__version__}",
        f"boto3 {metadata.version('boto3')}",
        f"botocore {metadata.version('botocore')}",
        f"Python {platform.python_version()} ({platform.python_implementation()})",
    ]
    for command in ([str(BIN / "ssm-patching-setup")], [sys.executable, "-m", "patchsetup"]):
        result = subprocess.run(
            [*command, "--version"], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == expected
