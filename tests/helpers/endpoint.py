"""The local AWS endpoint (tools/local_aws.py) for the tests, and boto3 clients on it.

``start_local_aws`` starts a server through tools/launch.py (``launch_local_aws`` and
``wait_ready`` split the start from the wait); ``tools.launch.stop`` stops it.
``AwsEnv`` is the environment that aims AWS SDKs at an endpoint, ``client`` a cached
boto3 client on one, ``reset_local_aws`` wipes an endpoint's state.
"""

from __future__ import annotations

import os
import threading
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest

from tools import launch
from tools.launch import Server

REGION = "us-east-1"

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


def direct_env(url: str) -> AwsEnv:
    """An AwsEnv on the endpoint itself (for ``client``), bypassing any proxy."""
    env = AwsEnv(FAKE_CREDENTIALS)
    env["AWS_ENDPOINT_URL"] = url
    return env


def launch_local_aws(record: Path | None = None) -> Server:
    """Start tools/local_aws.py --port 0 without waiting for it (url filled by wait_ready).

    With ``record``, the server appends one JSON line per AWS request to that file.
    """
    recording = ["--record", str(record)] if record is not None else []
    return launch.launch(
        "local_aws", "--port", "0", *recording, env={**os.environ, **FAKE_CREDENTIALS}
    )


def wait_ready(server: Server, timeout: float = launch.READY_TIMEOUT) -> Server:
    """Read the ready line; fail the test clearly if it does not come in time."""
    try:
        return launch.wait_ready(server, timeout)
    except launch.NotReady as exc:
        pytest.fail(str(exc), pytrace=False)


def start_local_aws(timeout: float = launch.READY_TIMEOUT, record: Path | None = None) -> Server:
    """Start tools/local_aws.py on a free port and wait until it accepts connections."""
    return wait_ready(launch_local_aws(record), timeout)


def reset_local_aws(url: str) -> None:
    request = urllib.request.Request(f"{url}/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200, f"moto reset failed: HTTP {response.status}"


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
