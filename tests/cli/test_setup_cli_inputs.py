"""ssm-patching-setup end to end, the command line itself: help, bad input (one line, exit
2, nothing written), AWS failures (one line, exit 1), no secrets in the debug log, the
installed console scripts.
"""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from tests.helpers.account import assert_empty
from tests.helpers.cli import (
    ONE_WINDOW,
    assert_one_line_error,
    cli_env,
    setup,
)
from tests.helpers.paths import ROOT


def test_help_teaches_the_options(aws: Any) -> None:
    result = setup(aws.url, "apply", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for option in ("--week", "--days", "--hours", "--timezone", "--baseline-file", "--dry-run"):
        assert option in text
    assert "[default: 1, 2]" in text
    assert "AMAZON_LINUX_2023" in text
    group = setup(aws.url, "--help")
    assert "apply" in group.stdout and "cleanup" in group.stdout
    assert setup(aws.url, "--version").stdout.startswith("ssm-patching-setup, version ")


BAD_INPUTS = [
    (["-w", "6"], "'-w' / '--week'"),
    (["-w", "x"], "'-w' / '--week'"),
    (["-d", "XYZ"], "'-d' / '--days'"),
    (["-d", "0", "-d", "7"], "Sunday"),
    (["-t", "24"], "'-t' / '--hours'"),
    (["-z", "Mars/Olympus"], "'-z' / '--timezone'"),
    (["-r", "eu-west-9"], "'-r' / '--region'"),
    (["-l", "LOUD"], "'-l' / '--loglevel'"),
    (["--operating-system", "BEOS"], "--operating-system"),
    (["--duration", "2", "--cutoff", "2"], "cutoff"),
    (["--duration", "25"], "--duration"),
    (["--max-concurrency", "0"], "max concurrency"),
    (["--max-errors", "101%"], "max errors"),
    (["--name", "no spaces allowed"], "--name"),
    (["-b", "/nonexistent/baseline.json"], "baseline"),
    (["--output", "yaml"], "--output"),
    (["unexpected-positional"], "unexpected"),
    # "ssm-patching-setup-" + 50 characters is more than IAM's 64 for a role name.
    (["--name", "n" * 50, "--create-service-role"], "service role name"),
]


@pytest.mark.parametrize(("args", "word"), BAD_INPUTS, ids=[" ".join(a) for a, _ in BAD_INPUTS])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    aws: Any, ssm: Any, args: list[str], word: str
) -> None:
    assert_one_line_error(setup(aws.url, *args), 2, word)
    assert_empty(ssm)


def test_no_region_is_bad_input(aws: Any) -> None:
    env = cli_env(aws.url)
    del env["AWS_DEFAULT_REGION"]
    assert_one_line_error(setup(aws.url, env=env), 2, "region")


def test_aws_failures_are_one_line_exit_1(aws: Any) -> None:
    unreachable = setup(aws.url, env=cli_env("http://127.0.0.1:9", AWS_MAX_ATTEMPTS="1"))
    assert_one_line_error(unreachable, 1, "127.0.0.1:9")
    env = cli_env(aws.url)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        del env[name]
    assert_one_line_error(setup(aws.url, env=env), 1, "credentials")


def test_debug_log_never_shows_secrets(aws: Any) -> None:
    env = cli_env(aws.url)
    result = setup(aws.url, "-l", "DEBUG", *ONE_WINDOW, env=env)
    assert result.returncode == 0, result.stderr
    assert "create_maintenance_window" in result.stderr
    for secret in (
        env["AWS_SECRET_ACCESS_KEY"],
        env["AWS_SESSION_TOKEN"],
        env["AWS_ACCESS_KEY_ID"],
        "Signature=",
    ):
        assert secret not in result.stdout + result.stderr


def test_console_scripts_are_installed() -> None:
    assert shutil.which("ssm-patching-setup") or (ROOT / ".venv/bin/ssm-patching-setup").exists()
