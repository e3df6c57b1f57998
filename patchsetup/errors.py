"""Failures a user sees: one line each, with an exit code that says which kind.

Exit codes (documented in the README):
  0  success (also: nothing to do)
  1  AWS or runtime failure (the message says which call failed and why)
  2  bad input: an option, a file, or a combination; nothing was written
  3  refused: the run would delete something and nobody said yes
  4  partial: some changes were made, then a failure stopped the run (run again)
  5  with --detailed-exitcode: success, and there are changes (planned with --dry-run,
     made without it; drift for status --config)
  130, 143  interrupted by SIGINT, SIGTERM: the calls in flight finished (run again)
"""

from __future__ import annotations

import click

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
EXIT_REFUSED = 3
EXIT_PARTIAL = 4
#: Only with --detailed-exitcode (Terraform's name): succeeded, and the plan has changes.
EXIT_CHANGES = 5


def located(source: str, path: str, problem: str) -> str:
    """``FILE: key.path: problem`` (or ``FILE: problem`` at the top), on one line: the
    whitespace of a value holding newlines is collapsed, so one error stays one line."""
    where = f"{source}: {path}: " if path else f"{source}: "
    return " ".join((where + problem).split())


class AwsError(click.ClickException):
    """AWS refused or could not be reached."""

    exit_code = EXIT_FAILURE


class BadInput(click.UsageError):
    """Input that can never work; shown without the usage block."""

    exit_code = EXIT_BAD_INPUT

    def show(self, file: object = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class Refused(click.ClickException):
    """The run needs consent it did not get."""

    exit_code = EXIT_REFUSED


class Partial(AwsError):
    """A failure after some changes were made: the account is half way."""

    exit_code = EXIT_PARTIAL


class Stopped(click.ClickException):
    """A signal stopped the run: exit 128 + the signal (130 SIGINT, 143 SIGTERM)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # per signal; click reads it here
