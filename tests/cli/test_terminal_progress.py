"""On a terminal, a live progress line on stderr (targets and writes done of their total,
elapsed), updated in place and cleared at the end; none without a terminal or with JSON.

The real console script runs with stdout and stderr each on a pseudo-terminal or a
pipe (tests/helpers/terminal.py), against the local endpoint.
"""

from __future__ import annotations

import re
from typing import Any

from tests.helpers.cli import JSON, ONE_WINDOW
from tests.helpers.terminal import ESC, TWO_REGIONS, screen, setup_on_terminal

#: The progress line as drawn: a carriage return, then the counts and the time so far.
ONE_TARGET_LINE = re.compile(r"\rsetup: writes (\d+)/(\d+), \d+\.\ds")
TARGETS_LINE = re.compile(r"\rsetup: targets (\d)/2(, writes \d+/\d+)?, \d+\.\ds")


def test_a_run_of_many_writes_shows_its_progress_on_a_terminal_and_clears_it(aws: Any) -> None:
    ran = setup_on_terminal(aws.url)  # the 8 default windows: 33 changes, dozens of write calls
    drawn = ONE_TARGET_LINE.findall(ran.stderr)
    assert drawn, repr(ran.stderr)
    total = int(drawn[0][1])
    assert total >= 33 and all(int(t) == total for _, t in drawn), drawn
    assert all(0 <= int(d) <= total for d, _ in drawn), drawn
    # Cleared at the end: the terminal shows no trace of it, only the report on stdout.
    assert not [line for line in screen(ran.stderr) if line.strip()], repr(ran.stderr)
    assert "Week2Day3Unattended0400Patch" in ran.stdout and "\r" not in ran.stdout


def test_several_targets_show_targets_done_of_total(aws: Any) -> None:
    ran = setup_on_terminal(aws.url, *ONE_WINDOW, *TWO_REGIONS)
    drawn = TARGETS_LINE.findall(ran.stderr)
    assert drawn, repr(ran.stderr)
    assert {done for done, _ in drawn} <= {"0", "1", "2"}
    assert not [line for line in screen(ran.stderr) if line.strip()], repr(ran.stderr)


def test_a_dry_run_over_several_targets_shows_targets_only(aws: Any) -> None:
    ran = setup_on_terminal(aws.url, *ONE_WINDOW, *TWO_REGIONS, "--dry-run")
    drawn = TARGETS_LINE.findall(ran.stderr)
    assert drawn and all(writes == "" for _, writes in drawn), repr(ran.stderr)


def test_no_progress_when_stderr_is_not_a_terminal(aws: Any) -> None:
    ran = setup_on_terminal(aws.url, *TWO_REGIONS, stderr_tty=False)
    assert "\r" not in ran.stderr and "targets" not in ran.stderr, repr(ran.stderr)
    assert ran.stderr == "", repr(ran.stderr)


def test_no_progress_with_json_output(aws: Any) -> None:
    for args in ((), TWO_REGIONS):
        ran = setup_on_terminal(aws.url, *JSON, *args)
        assert "\r" not in ran.stderr and "writes" not in ran.stderr, repr(ran.stderr)
        assert ESC not in ran.stdout, repr(ran.stdout)


def test_a_small_run_in_one_target_shows_no_progress(aws: Any) -> None:
    ran = setup_on_terminal(
        aws.url, *ONE_WINDOW
    )  # 5 changes, under progress.MANY_WRITES write calls
    assert "\r" not in ran.stderr, repr(ran.stderr)


def test_status_over_several_targets_shows_targets_done(aws: Any) -> None:
    setup_on_terminal(aws.url, *ONE_WINDOW, *TWO_REGIONS)
    ran = setup_on_terminal(aws.url, "status", *TWO_REGIONS)
    assert re.search(r"\rstatus: targets \d/2, \d+\.\ds", ran.stderr), repr(ran.stderr)
    assert not [line for line in screen(ran.stderr) if line.strip()], repr(ran.stderr)
    assert "Week1Day2Unattended0300" in ran.stdout
    csv = setup_on_terminal(aws.url, "status", *TWO_REGIONS, "--output", "csv")
    assert "\r" not in csv.stderr, repr(csv.stderr)


def test_log_lines_are_not_garbled_by_the_line(aws: Any) -> None:
    ran = setup_on_terminal(aws.url, *TWO_REGIONS, "-l", "INFO")
    assert TARGETS_LINE.search(ran.stderr), repr(ran.stderr)
    # What the terminal shows: whole log lines, each starting at its level, and no
    # leftover of the progress line on any of them.
    shown = [line for line in screen(ran.stderr) if line.strip()]
    assert len(shown) > 60, shown
    assert all(line.startswith("INFO patchsetup.") for line in shown), shown
    assert not any("targets" in line or "writes" in line for line in shown), shown
