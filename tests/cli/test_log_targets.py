"""Log lines (-l INFO/DEBUG) name the target they belong to: the region, and the account
when a role is assumed, also from the threads a target's run starts (the executor's lanes).
"""

from __future__ import annotations

import re
from typing import Any

from tests.helpers.cli import ONE_WINDOW, setup
from tests.helpers.terminal import TWO_REGIONS

ROLE = "arn:aws:iam::111111111111:role/ops/patching"


def _write_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "patchsetup.deploy.executor:" in line]


def test_log_lines_name_their_region_with_several_regions(aws: Any) -> None:
    result = setup(aws.url, *ONE_WINDOW, *TWO_REGIONS, "-l", "INFO")
    assert result.returncode == 0, result.stderr
    lines = _write_lines(result.stderr)
    prefixes = {
        re.sub(r"^INFO patchsetup\.deploy\.executor: (\[[^\]]*\]) .*$", r"\1", line)
        for line in lines
    }
    assert prefixes == {"[us-east-1]", "[eu-west-1]"}, result.stderr
    # Each region's writes: the window creation is logged once in each.
    for region in ("us-east-1", "eu-west-1"):
        assert any(
            line.startswith(
                f"INFO patchsetup.deploy.executor: [{region}] create_maintenance_window"
            )
            for line in lines
        ), result.stderr


def test_log_lines_name_the_account_when_a_role_is_assumed(aws: Any) -> None:
    result = setup(aws.url, *ONE_WINDOW, *TWO_REGIONS, "--role-arn", ROLE, "-l", "DEBUG")
    assert result.returncode == 0, result.stderr
    lines = _write_lines(result.stderr)
    assert lines, result.stderr
    for line in lines:
        assert re.match(
            r"^(INFO|DEBUG) patchsetup\.deploy\.executor: \[111111111111/(us-east-1|eu-west-1)\] ",
            line,
        ), line
    regions = {re.search(r"/([a-z0-9-]+)\] ", line).group(1) for line in lines}  # type: ignore[union-attr]
    assert regions == {"us-east-1", "eu-west-1"}, result.stderr


def test_one_region_logs_name_it_too(aws: Any) -> None:
    result = setup(aws.url, *ONE_WINDOW, "-l", "INFO")
    assert result.returncode == 0, result.stderr
    lines = _write_lines(result.stderr)
    assert lines and all("executor: [us-east-1] " in line for line in lines), result.stderr
