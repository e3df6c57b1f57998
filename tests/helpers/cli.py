"""Running the real console scripts against the local endpoint, as a user would."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import jsonschema

from patchsetup.document import SCHEMA
from tools import launch

BIN = Path(sys.executable).parent
REGION = "us-east-1"

#: Arguments most tests pass: a JSON report; and the smallest flag-mode setup (one window).
JSON = ("--output", "json")
ONE_WINDOW = ("-w", "1", "-d", "2", "-t", "3")
#: The 8 windows the defaults make, as the seed tool made them: name -> (schedule, patch group).
DEFAULT_WINDOWS = {
    "Week1Day2Unattended0300": ("cron(00 03 ? * TUE#1 *)", "Week 1 Day 2 - Unattended - 03:00"),
    "Week1Day2Unattended0400": ("cron(00 04 ? * TUE#1 *)", "Week 1 Day 2 - Unattended - 04:00"),
    "Week1Day3Unattended0300": ("cron(00 03 ? * WED#1 *)", "Week 1 Day 3 - Unattended - 03:00"),
    "Week1Day3Unattended0400": ("cron(00 04 ? * WED#1 *)", "Week 1 Day 3 - Unattended - 04:00"),
    "Week2Day2Unattended0300": ("cron(00 03 ? * TUE#2 *)", "Week 2 Day 2 - Unattended - 03:00"),
    "Week2Day2Unattended0400": ("cron(00 04 ? * TUE#2 *)", "Week 2 Day 2 - Unattended - 04:00"),
    "Week2Day3Unattended0300": ("cron(00 03 ? * WED#2 *)", "Week 2 Day 3 - Unattended - 03:00"),
    "Week2Day3Unattended0400": ("cron(00 04 ? * WED#2 *)", "Week 2 Day 3 - Unattended - 04:00"),
}


def cli_env(url: str, **extra: str) -> dict[str, str]:
    """A clean environment: fake credentials, the local endpoint, no profile."""
    fake = {
        "AWS_ACCESS_KEY_ID": "AKIDLOCALTESTING0001",
        "AWS_SECRET_ACCESS_KEY": "local-secret-key-never-printed-0001",
        "AWS_SESSION_TOKEN": "local-session-token-never-printed-0001",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": "/nonexistent/aws-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    }
    return launch.client_env(url, **{**fake, **extra})


def run(
    url: str,
    command: str,
    *args: str,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``ssm-patching-setup`` or ``ssm-patching-cleanup`` with ``args``."""
    return subprocess.run(
        [str(BIN / command), *args],
        env=env or cli_env(url),
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=120,
    )


def setup(url: str, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return run(url, "ssm-patching-setup", *args, **kw)


def cleanup(url: str, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return run(url, "ssm-patching-cleanup", *args, **kw)


#: Checks a document against the shipped JSON Schema of ``--output json``.
REPORT_SCHEMA = jsonschema.Draft202012Validator(
    json.loads(SCHEMA.read_text(encoding="utf-8")),
    format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
)


def valid_report(document: Any) -> dict[str, Any]:
    """``document``, after checking it against the report's JSON Schema (raises if not)."""
    REPORT_SCHEMA.validate(document)
    assert isinstance(document, dict)
    return document


def json_report(result: subprocess.CompletedProcess[str] | str) -> dict[str, Any]:
    """The one JSON document a run printed (whatever its exit), checked against the schema."""
    stdout = result if isinstance(result, str) else result.stdout
    return valid_report(json.loads(stdout))


def ok_json(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The JSON report of a run that must have succeeded, checked against the schema."""
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return json_report(result)


def target_json(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The one target of a run that must have succeeded in one account x region."""
    document = ok_json(result)
    assert len(document["targets"]) == 1, document["targets"]
    target: dict[str, Any] = document["targets"][0]
    return target


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    """Failed with ``code``, one ``error:`` line on stderr naming ``words``, no traceback."""
    assert result.returncode == code, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for word in words:
        assert word in lines[0], f"{word!r} not in {lines[0]!r}"


#: The hook documents tests/data/kitchen-sink.toml and examples/seed002 name.
KITCHEN_HOOKS = ("Pre-doc", "Post-doc", "Exit-doc")
SEED002_HOOKS = (
    "Pre-patch-WebServer-Document",
    "Post-install-WebServer-Document",
    "Post-reboot-WebServer-Document",
)
_HOOK_CONTENT = json.dumps(
    {
        "schemaVersion": "2.2",
        "description": "A hook for AWS-RunPatchBaselineWithHooks (test fixture)",
        "mainSteps": [
            {"action": "aws:runShellScript", "name": "hook", "inputs": {"runCommand": ["true"]}}
        ],
    }
)


def make_documents(url: str, *names: str, region: str = REGION) -> None:
    """Command documents of these names, as an operator makes hook documents before setup.

    The tool refuses a hook document that does not exist (exit 2), so every test that
    applies a config with hooks makes them first, in each region it applies to.
    """
    ssm = boto3.client(
        "ssm",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    for name in names:
        ssm.create_document(Name=name, Content=_HOOK_CONTENT, DocumentType="Command")


def answering_on_a_terminal(
    url: str, command: str, answer: bytes, *args: str
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` with ``args`` whose stdin is a terminal that types ``answer`` (to a
    question it asks before it writes); stdout and stderr are pipes, read whole."""
    primary, secondary = pty.openpty()
    try:
        process = subprocess.Popen(
            [str(BIN / command), *args],
            stdin=secondary,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=cli_env(url),
            text=True,
        )
        os.close(secondary)
        os.write(primary, answer)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        os.close(primary)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
