"""The user's retry settings win over the tool's (standard mode, 11 attempts).

``AWS_MAX_ATTEMPTS`` / ``AWS_RETRY_MODE``, and the profile's ``max_attempts`` /
``retry_mode`` in AWS_CONFIG_FILE, as every AWS SDK reads them. The attempts are counted
at the fault proxy in a total outage of HTTP 500s (every attempt of the run's first call
reaches it; with ``--concurrency 1`` no other call starts). The mode is the one the
clients were made with, as ``-l DEBUG`` names it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers.cli import assert_one_line_error, cli_env, setup
from tests.helpers.endpoint import client, direct_env
from tests.helpers.proxy import FaultProxy

OUTAGE = {"rate": 1.0, "kinds": ["500"], "seed": 1}
STATUS = ("status", "--concurrency", "1")


def _config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "aws-config"
    path.write_text(text)
    return str(path)


def _attempts(proxy: FaultProxy, *args: str, **env: str) -> int:
    """How many requests a run in a total outage sent before it gave up (exit 1)."""
    proxy.reset()
    proxy.configure(faults=OUTAGE)
    result = setup(proxy.url, *args, env=cli_env(proxy.url, **env))
    assert_one_line_error(result, 1, "DescribeMaintenanceWindows", "InternalServerError")
    requests: int = proxy.stats()["requests"]
    proxy.reset()
    return requests


def _retries_logged(proxy: FaultProxy, *args: str, **env: str) -> set[tuple[str, str, str]]:
    """(service, mode, attempts) of every client a healthy run made, from -l DEBUG."""
    result = setup(proxy.url, *args, "-l", "DEBUG", env=cli_env(proxy.url, **env))
    assert result.returncode == 0, result.stderr
    found = re.findall(
        r"(\S+) client for \S+: \S+ \(retries: (\w+) mode, (\d+) attempts\)", result.stderr
    )
    assert found, result.stderr
    return set(found)


def test_throttles_retried_in_their_turn_keep_the_attempts(proxied: FaultProxy) -> None:
    # The tool retries a throttled call itself (aws/pacing.py): within the same attempts.
    # A bucket of one that never refills, spent before the run (moto's account, as the
    # run's): every attempt of the run's first call is throttled.
    proxied.configure(throttle="DescribeMaintenanceWindows=0.001/1")
    client(direct_env(proxied.url), "ssm").describe_maintenance_windows()
    result = setup(proxied.url, *STATUS, env=cli_env(proxied.url, AWS_MAX_ATTEMPTS="3"))
    assert_one_line_error(result, 1, "DescribeMaintenanceWindows", "Throttling")
    assert proxied.stats()["throttled"] == {"ssm:DescribeMaintenanceWindows": 3}


def test_aws_max_attempts_sets_the_attempts(proxied: FaultProxy) -> None:
    assert _attempts(proxied, *STATUS, AWS_MAX_ATTEMPTS="1") == 1
    assert _attempts(proxied, *STATUS, AWS_MAX_ATTEMPTS="3") == 3
    assert _attempts(proxied, "--dry-run", "--concurrency", "1", AWS_MAX_ATTEMPTS="2") == 2
    assert (
        _attempts(proxied, "cleanup", "--dry-run", "--concurrency", "1", AWS_MAX_ATTEMPTS="2") == 2
    )


def test_the_profiles_max_attempts_sets_the_attempts(proxied: FaultProxy, tmp_path: Path) -> None:
    ops = "[profile ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = ops-secret\n"
    config = _config(tmp_path, f"[default]\nmax_attempts = 2\n\n{ops}max_attempts = 3\n")
    assert _attempts(proxied, *STATUS, AWS_CONFIG_FILE=config) == 2
    assert _attempts(proxied, *STATUS, "--profile", "ops", AWS_CONFIG_FILE=config) == 3
    assert _attempts(proxied, *STATUS, AWS_CONFIG_FILE=config, AWS_PROFILE="ops") == 3
    # The environment wins over the profile, as in botocore.
    assert _attempts(proxied, *STATUS, AWS_CONFIG_FILE=config, AWS_MAX_ATTEMPTS="1") == 1


def test_the_retry_mode_from_the_environment_or_the_profile(
    proxied: FaultProxy, tmp_path: Path
) -> None:
    assert _retries_logged(proxied, *STATUS) == {
        ("ssm", "standard", "11"),
        ("iam", "standard", "11"),
    }
    assert _retries_logged(proxied, *STATUS, AWS_RETRY_MODE="adaptive") == {
        ("ssm", "adaptive", "11"),
        ("iam", "adaptive", "11"),
    }
    config = _config(tmp_path, "[default]\nretry_mode = legacy\nmax_attempts = 4\n")
    assert _retries_logged(proxied, *STATUS, AWS_CONFIG_FILE=config) == {
        ("ssm", "legacy", "4"),
        ("iam", "legacy", "4"),
    }
    assert _retries_logged(proxied, *STATUS, AWS_CONFIG_FILE=config, AWS_RETRY_MODE="standard") == {
        ("ssm", "standard", "4"),
        ("iam", "standard", "4"),
    }


def test_an_assumed_roles_clients_keep_the_callers_settings(
    proxied: FaultProxy, tmp_path: Path
) -> None:
    config = _config(tmp_path, "[default]\nretry_mode = standard\nmax_attempts = 3\n")
    role = "arn:aws:iam::111111111111:role/patching"
    logged = _retries_logged(proxied, *STATUS, "--role-arn", role, AWS_CONFIG_FILE=config)
    assert logged == {("sts", "standard", "3"), ("ssm", "standard", "3"), ("iam", "standard", "3")}


@pytest.mark.parametrize(
    ("env", "profile", "words"),
    [
        ({"AWS_MAX_ATTEMPTS": "abc"}, "", ("AWS_MAX_ATTEMPTS", "'abc'", "1 to 100")),
        ({"AWS_MAX_ATTEMPTS": "0"}, "", ("AWS_MAX_ATTEMPTS", "'0'")),
        ({"AWS_RETRY_MODE": "fast"}, "", ("AWS_RETRY_MODE", "'fast'", "standard")),
        ({}, "max_attempts = -1\n", ("max_attempts of profile 'default'", "'-1'")),
        ({}, "retry_mode = Adaptive\n", ("retry_mode of profile 'default'", "'Adaptive'")),
    ],
)
def test_a_bad_retry_setting_is_bad_input_before_any_call(
    proxied: FaultProxy, tmp_path: Path, env: dict[str, str], profile: str, words: tuple[str, ...]
) -> None:
    config = _config(tmp_path, f"[default]\n{profile}")
    for args in (STATUS, ("--dry-run",), ("cleanup", "--dry-run")):
        result = setup(proxied.url, *args, env=cli_env(proxied.url, AWS_CONFIG_FILE=config, **env))
        assert_one_line_error(result, 2, *words)
    assert proxied.stats()["requests"] == 0


def test_commands_that_make_no_call_do_not_read_them(proxied: FaultProxy) -> None:
    env = cli_env(proxied.url, AWS_MAX_ATTEMPTS="abc")
    for command in ("export", "policy"):
        result = setup(proxied.url, command, env=env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("{"), result.stdout
