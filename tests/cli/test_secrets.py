"""No output ever shows credentials or signed headers, at -l DEBUG, in either output mode.

Distinctive fake credentials (access key ID, secret key, session token) go in through the
environment and through a named profile. The real console scripts then set up with the
flags, set up from a config with the service role, re-run with a change (updates), dry-run,
run in another account through --role-arn (STS hands out credentials of its own), clean
up, and fail (closed port; access denied is not available locally). None of the secrets,
nor their URL-encoded forms, nor ``Signature=``, ``Authorization`` or
``X-Amz-Security-Token`` may appear on stdout or stderr.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from tests.helpers.cli import KITCHEN_HOOKS, cli_env, make_documents, run
from tests.helpers.paths import ROOT

KITCHEN = ROOT / "tests" / "data" / "kitchen-sink.toml"
SECRETS = {
    "AWS_ACCESS_KEY_ID": "AKIASECRETSTEST00042",
    "AWS_SECRET_ACCESS_KEY": "sEcReT/never+printed/0042/wJalrXUtnFEMI/K7MDENG",
    "AWS_SESSION_TOKEN": "SESSION-TOKEN/never+printed-0042-FwoGZXIvYXdzEJr//////////wEaDFAKE",
}
SIGNED = ("Signature=", "Authorization", "X-Amz-Security-Token")
#: Field names of credentials STS returns for --role-arn (the values are moto's).
STS_FIELDS = ("SecretAccessKey", "SessionToken", "aws_secret_access_key", "aws_session_token")
ROLE = "arn:aws:iam::111111111111:role/patching-operator"
#: An endpoint URL as CI sets AWS_ENDPOINT_URL: a proxy's credentials, a token in the query.
URL_SECRETS = ("URLKEY0042", "URL-SECRET-never-printed-0042", "URL-TOKEN-never-printed-0042")
URL_AUTH = f"{URL_SECRETS[0]}:{URL_SECRETS[1]}@"
URL_QUERY = f"?token={URL_SECRETS[2]}"
CLOSED_PORT = f"http://{URL_AUTH}127.0.0.1:9/{URL_QUERY}"


def forbidden() -> list[str]:
    words = [*SIGNED, *STS_FIELDS, *URL_SECRETS]
    for secret in SECRETS.values():
        words += {secret, quote(secret, safe=""), quote_plus(secret)}
    # A fragment is enough to leak a key: the distinctive middle of each.
    words += [secret[6:26] for secret in SECRETS.values()]
    return words


def assert_clean(label: str, result: subprocess.CompletedProcess[str]) -> None:
    for stream, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        leaked = [word for word in forbidden() if word in text]
        assert not leaked, f"{label}: {stream} shows {leaked}:\n{text}"


Runner = Callable[..., subprocess.CompletedProcess[str]]


def runner(url: str, output: str, env: dict[str, str], seen: list[str]) -> Runner:
    def go(
        label: str, command: str, *args: str, code: int = 0, endpoint: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        # Two attempts at most against another endpoint: one retry is logged (and must not
        # leak either), the other nine would only cost 20 s of backoff.
        other = {"AWS_ENDPOINT_URL": endpoint, "AWS_MAX_ATTEMPTS": "2"} if endpoint else {}
        used = {**env, **other}
        result = run(url, command, "-l", "DEBUG", "--output", output, *args, env=used)
        assert result.returncode == code, (
            f"{label}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
        assert_clean(label, result)
        seen.append(result.stderr)
        return result

    return go


def every_kind_of_run(go: Runner) -> None:
    go("setup", "ssm-patching-setup")
    go("setup again", "ssm-patching-setup")
    go("config with the role", "ssm-patching-setup", "--config", str(KITCHEN))
    go("re-run that updates", "ssm-patching-setup", "--config", str(KITCHEN), "--duration", "4")
    go("dry run", "ssm-patching-setup", "--config", str(KITCHEN), "--dry-run")
    go("another account", "ssm-patching-setup", "--role-arn", ROLE, "-w", "1", "-d", "2", "-t", "3")
    go("cleanup by config", "ssm-patching-cleanup", "--config", str(KITCHEN), "--yes")
    go("cleanup", "ssm-patching-cleanup", "--yes")
    go("cleanup elsewhere", "ssm-patching-cleanup", "--role-arn", ROLE, "--yes")
    # One failing run per mode (the runner allows it a retry, not botocore's 10).
    failed = go("unreachable", "ssm-patching-setup", code=1, endpoint=CLOSED_PORT)
    assert "http://***@127.0.0.1:9/?***" in failed.stderr, failed.stderr  # redacted, not cut
    go("bad input", "ssm-patching-setup", "-w", "9", code=2)
    go("bad endpoint", "ssm-patching-setup", code=2, endpoint=f"ftp://{URL_AUTH}h/{URL_QUERY}")
    go("bad port", "ssm-patching-setup", code=2, endpoint=f"http://{URL_AUTH}h:0/{URL_QUERY}")


def with_url_secrets(url: str) -> str:
    """The local endpoint's URL with userinfo and a query string (botocore sends neither)."""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{URL_AUTH}{rest.rstrip('/')}/{URL_QUERY}"


@pytest.mark.parametrize("output", ["text", "json"])
def test_no_secret_from_the_environment(aws: Any, output: str) -> None:
    seen: list[str] = []
    make_documents(aws.url, *KITCHEN_HOOKS)
    url = with_url_secrets(aws.url)
    every_kind_of_run(runner(aws.url, output, cli_env(url, **SECRETS), seen))
    # Not vacuous: DEBUG logging was on and said things, the endpoint among them (redacted).
    assert any("DEBUG patchsetup" in stderr for stderr in seen), seen
    redacted = with_url_secrets(aws.url).replace(URL_AUTH, "***@").replace(URL_QUERY, "?***")
    assert any(f"client for us-east-1: {redacted}" in stderr for stderr in seen), seen


def test_no_secret_from_a_profile(aws: Any, tmp_path: Path) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[patching]\n"
        f"aws_access_key_id = {SECRETS['AWS_ACCESS_KEY_ID']}\n"
        f"aws_secret_access_key = {SECRETS['AWS_SECRET_ACCESS_KEY']}\n"
        f"aws_session_token = {SECRETS['AWS_SESSION_TOKEN']}\n"
    )
    env = cli_env(aws.url, AWS_SHARED_CREDENTIALS_FILE=str(credentials))
    for name in SECRETS:
        env.pop(name)
    go = runner(aws.url, "text", env, [])
    go("profile setup", "ssm-patching-setup", "--profile", "patching")
    go("profile cleanup", "ssm-patching-cleanup", "--profile", "patching", "--yes")


def test_the_check_would_catch_a_leak() -> None:
    """The scan itself works: a leaked secret, encoded or cut, and a signed header are found."""
    for text in (
        f"Authorization: AWS4-HMAC-SHA256 Credential={SECRETS['AWS_ACCESS_KEY_ID']}/...",
        quote(SECRETS["AWS_SECRET_ACCESS_KEY"], safe=""),
        "token=" + SECRETS["AWS_SESSION_TOKEN"][5:40],
        "X-Amz-Security-Token: x",
        f'Could not connect to the endpoint URL: "{CLOSED_PORT}"',
    ):
        leak = subprocess.CompletedProcess(args=[], returncode=0, stdout="", stderr=text)
        with pytest.raises(AssertionError):
            assert_clean("self-check", leak)
