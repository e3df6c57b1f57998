"""Shared fixtures: a local AWS endpoint (tools/local_aws.py) per test session.

* ``local_aws`` (session): starts ``sys.executable tools/local_aws.py --port 0`` and yields
  a ``LocalAws`` with ``.url`` and ``.process`` (the Popen); terminated at the end. Under
  pytest-xdist every worker starts its own server.
* ``aws`` (function): resets moto's state (POST {url}/moto-api/reset) and yields an
  ``AwsEnv``: a dict of the environment variables that point AWS SDKs at the endpoint
  (AWS_ENDPOINT_URL, fake credentials, region us-east-1) plus ``.url`` / ``.region`` and
  ``.env()`` (os.environ merged with them, for subprocesses).
* ``ssm`` (function): a boto3 SSM client bound to the endpoint (state reset first).

Nothing here can reach real AWS: fake credentials are set for the whole session,
AWS_PROFILE and shared config/credential files are masked, and every client is given
the endpoint explicitly.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

ROOT = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
READY_PREFIX = "local_aws listening on "
READY_TIMEOUT = 30.0

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}

# Fake credentials for everything in this test session, before any boto3 session exists.
for _name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
    os.environ.pop(_name, None)
os.environ.update(FAKE_CREDENTIALS)


@dataclass
class LocalAws:
    url: str
    process: subprocess.Popen[str]
    log_path: Path


class AwsEnv(dict[str, str]):
    """Environment variables that aim AWS SDKs at the local endpoint."""

    @property
    def url(self) -> str:
        return self["AWS_ENDPOINT_URL"]

    @property
    def region(self) -> str:
        return self["AWS_DEFAULT_REGION"]

    def env(self) -> dict[str, str]:
        merged = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE",)}
        merged.update(self)
        return merged


def _read_ready_line(process: subprocess.Popen[str], timeout: float) -> str | None:
    assert process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    stdout = process.stdout
    reader = threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True)
    reader.start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return None


def launch_local_aws() -> LocalAws:
    """Start tools/local_aws.py --port 0 without waiting for it (url filled by wait_ready)."""
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - handed to the child process
        prefix="local_aws-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tools" / "local_aws.py"), "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **FAKE_CREDENTIALS},
    )
    log.close()
    return LocalAws("", process, Path(log.name))


def wait_ready(server: LocalAws, timeout: float = READY_TIMEOUT) -> LocalAws:
    """Read the ready line; fail the test clearly if it does not come in time."""
    line = _read_ready_line(server.process, timeout)
    if not line or not line.startswith(READY_PREFIX):
        server.process.kill()
        server.process.wait(timeout=10)
        stderr = server.log_path.read_text(errors="replace")[-4000:]
        pytest.fail(
            f"tools/local_aws.py did not print its ready line within {timeout:.0f}s "
            f"(exit code {server.process.returncode}); stdout line: {line!r}\nstderr:\n"
            f"{stderr}",
            pytrace=False,
        )
    server.url = line[len(READY_PREFIX) :].strip()
    return server


def start_local_aws(timeout: float = READY_TIMEOUT) -> LocalAws:
    """Start tools/local_aws.py on a free port and wait until it accepts connections."""
    return wait_ready(launch_local_aws(), timeout)


def stop_local_aws(server: LocalAws) -> str | None:
    """SIGTERM the server; return a problem description if it did not exit cleanly."""
    problem = None
    if server.process.poll() is None:
        server.process.terminate()
        try:
            if server.process.wait(timeout=10) != 0:
                problem = f"exit status {server.process.returncode} after SIGTERM"
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)
            problem = "did not stop within 10 s of SIGTERM"
    if server.process.stdout is not None:
        server.process.stdout.close()
    if server.log_path.exists():
        if "Traceback" in server.log_path.read_text(errors="replace"):
            problem = f"traceback on stderr:\n{server.log_path.read_text(errors='replace')}"
        server.log_path.unlink()
    return problem


@pytest.fixture(scope="session")
def local_aws() -> Iterator[LocalAws]:
    server = start_local_aws()
    try:
        yield server
    finally:
        problem = stop_local_aws(server)
    assert problem is None, f"tools/local_aws.py did not shut down cleanly: {problem}"


def reset_local_aws(url: str) -> None:
    request = urllib.request.Request(f"{url}/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200, f"moto reset failed: HTTP {response.status}"


@pytest.fixture
def aws(local_aws: LocalAws) -> Iterator[AwsEnv]:
    reset_local_aws(local_aws.url)
    env = AwsEnv(FAKE_CREDENTIALS)
    env["AWS_ENDPOINT_URL"] = local_aws.url
    yield env


_CLIENTS: dict[tuple[str, str, str], Any] = {}
_SESSION_LOCK = threading.Lock()


def client(aws: AwsEnv, service: str, region: str | None = None) -> Any:
    """A boto3 client for `service` bound to the local endpoint with fake credentials.

    Clients are cached per (endpoint, service, region): creating one costs ~0.1 s, and
    the endpoint's state is reset by the `aws` fixture anyway.
    """
    key = (aws.url, service, region or aws.region)
    with _SESSION_LOCK:
        if key not in _CLIENTS:
            session: Any = _boto_session()
            _CLIENTS[key] = session.client(
                service,
                endpoint_url=aws.url,
                region_name=key[2],
                aws_access_key_id=aws["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=aws["AWS_SECRET_ACCESS_KEY"],
                aws_session_token=aws["AWS_SESSION_TOKEN"],
            )
        return _CLIENTS[key]


_BOTO_SESSIONS: list[boto3.session.Session] = []


def _boto_session() -> boto3.session.Session:
    if not _BOTO_SESSIONS:
        _BOTO_SESSIONS.append(boto3.session.Session())
    return _BOTO_SESSIONS[0]


@pytest.fixture
def ssm(aws: AwsEnv) -> Any:
    """boto3 SSM client on the local endpoint (shared per session; state reset per test)."""
    return client(aws, "ssm")
