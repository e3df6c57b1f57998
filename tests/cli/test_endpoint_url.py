"""An endpoint URL that cannot work fails fast and in one line.

Malformed and unsupported URLs are bad input (tests/cli/test_bad_flags.py). What only the
wire shows: https to a port that speaks plain http. Every attempt is an SSL error, and
botocore's retries used to spend 30-37 s on them before the run failed; an SSL error is
not retried now (patchsetup/aws/session.py), so the run ends within a few seconds, exit 1.
"""

from __future__ import annotations

import time
from typing import Any

from tests.helpers.cli import assert_one_line_error, cli_env, setup


def test_https_to_an_http_port_fails_at_once(aws: Any) -> None:
    https = aws.url.replace("http://", "https://", 1)
    started = time.monotonic()
    result = setup(aws.url, "--dry-run", env=cli_env(https))
    elapsed = time.monotonic() - started
    assert_one_line_error(result, 1, "SSL")
    assert elapsed < 10, f"{elapsed:.1f} s to fail: {result.stderr}"


def test_the_same_endpoint_over_http_works(aws: Any) -> None:
    """The control: the endpoint itself is fine, only the scheme was wrong."""
    result = setup(aws.url, "--dry-run", env=cli_env(aws.url))
    assert result.returncode == 0, result.stderr
    assert "Plan:" in result.stdout
