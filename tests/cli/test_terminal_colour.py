"""Colour for create, update, delete and adopt in the text report, on a terminal only:
never with NO_COLOR (any non-empty value), with --output json, or through a pipe
(unless FORCE_COLOR / CLICOLOR_FORCE asks for it).
"""

from __future__ import annotations

from typing import Any

from tests.helpers.cli import JSON, ONE_WINDOW, setup
from tests.helpers.terminal import ESC, TWO_REGIONS, setup_on_terminal, terminal_env


def _lines_of(stdout: str, *words: str) -> list[str]:
    """The report's lines naming all ``words``, without their indentation."""
    return [line.lstrip() for line in stdout.splitlines() if all(w in line for w in words)]


def test_the_text_report_is_coloured_on_a_terminal(aws: Any) -> None:
    ran = setup_on_terminal(aws.url, *ONE_WINDOW)
    # Each change's line starts with its marker/action word in green (created).
    for ident in ("mw-", "pb-", "Week1Day2Unattended0300Targets", "Week1Day2Unattended0300Patch"):
        lines = _lines_of(ran.stdout, ident)
        assert lines and all(line.startswith(f"{ESC}32m") for line in lines), ran.stdout
    assert ran.stdout.count(f"{ESC}32m") == 5 and ran.stdout.count(f"{ESC}0m") == 5, ran.stdout
    # Only the changes: the header, the windows' runs and the footer stay plain.
    plain = [line for line in ran.stdout.splitlines() if ESC not in line]
    assert any(line.startswith("setup: setup 'default'") for line in plain), ran.stdout
    assert any(line.startswith("Result: ") for line in plain), ran.stdout
    again = setup_on_terminal(aws.url, *ONE_WINDOW[:-2], "-t", "4", "--dry-run")
    for window, colour in (("Week1Day2Unattended0400", "32m"), ("Week1Day2Unattended0300", "31m")):
        lines = _lines_of(again.stdout, "window", window)
        assert lines and all(line.startswith(ESC + colour) for line in lines), again.stdout


def test_several_targets_colour_each_report(aws: Any) -> None:
    # Several targets print a table; each target's report (coloured) comes with -v.
    ran = setup_on_terminal(aws.url, *ONE_WINDOW, *TWO_REGIONS, "-v")
    windows = _lines_of(ran.stdout, "window", "mw-")
    assert len(windows) == 2 and all(w.startswith(f"{ESC}32m") for w in windows), ran.stdout


def test_no_colour_with_no_color_set(aws: Any) -> None:
    ran = setup_on_terminal(aws.url, *ONE_WINDOW, env=terminal_env(aws.url, NO_COLOR="1"))
    assert ESC not in ran.stdout and "Week1Day2Unattended0300Patch" in ran.stdout, repr(ran.stdout)
    # Only a non-empty NO_COLOR counts (no-color.org).
    empty = setup_on_terminal(
        aws.url, *ONE_WINDOW[:-2], "-t", "4", "--dry-run", env=terminal_env(aws.url, NO_COLOR="")
    )
    assert ESC in empty.stdout, repr(empty.stdout)


def test_no_colour_when_stdout_is_not_a_terminal_unless_forced(aws: Any) -> None:
    piped = setup_on_terminal(aws.url, *ONE_WINDOW, stdout_tty=False)
    assert ESC not in piped.stdout and "Week1Day2Unattended0300Patch" in piped.stdout, repr(
        piped.stdout
    )
    forced = setup(aws.url, *ONE_WINDOW, "--dry-run", env=terminal_env(aws.url, FORCE_COLOR="1"))
    assert ESC not in forced.stdout, repr(forced.stdout)  # nothing to change: all in place
    forced = setup(
        aws.url, *ONE_WINDOW, "-w", "2", "--dry-run", env=terminal_env(aws.url, FORCE_COLOR="1")
    )
    lines = _lines_of(forced.stdout, "window", "Week2Day2Unattended0300")
    assert lines and all(line.startswith(f"{ESC}32m") for line in lines), repr(forced.stdout)
    both = setup(
        aws.url,
        *ONE_WINDOW,
        "-w",
        "2",
        "--dry-run",
        env=terminal_env(aws.url, FORCE_COLOR="1", NO_COLOR="1"),
    )
    assert ESC not in both.stdout, repr(both.stdout)  # NO_COLOR wins
    json_forced = setup(aws.url, *JSON, "--dry-run", env=terminal_env(aws.url, CLICOLOR_FORCE="1"))
    assert ESC not in json_forced.stdout, repr(json_forced.stdout)
