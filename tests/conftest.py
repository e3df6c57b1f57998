"""Shared fixtures: a local AWS endpoint (tools/local_aws.py) per test session.

* ``local_aws`` (session): starts ``python -m tools.local_aws --port 0`` (tools/launch.py)
  and yields its ``Server`` with ``.url`` and ``.process`` (the Popen); terminated at the
  end. Under pytest-xdist every worker starts its own server.
* ``aws`` (function): resets moto's state (POST {url}/moto-api/reset) and yields an
  ``AwsEnv``: a dict of the environment variables that point AWS SDKs at the endpoint
  (AWS_ENDPOINT_URL, fake credentials, region us-east-1) plus ``.url`` / ``.region`` and
  ``.env()`` (os.environ merged with them, for subprocesses).
* ``ssm`` (function): a boto3 SSM client bound to the endpoint (state reset first).

Nothing here can reach real AWS: fake credentials are set for the whole session,
AWS_PROFILE and shared config/credential files are masked, and every client is given
the endpoint explicitly.

The session server records every AWS request for the least-privilege check at the end
of a whole run: tests/plugins/least_privilege.py, registered here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers.endpoint import (
    FAKE_CREDENTIALS,
    AwsEnv,
    client,
    reset_local_aws,
    start_local_aws,
)
from tools import launch
from tools.launch import Server

pytest_plugins = ["tests.plugins.least_privilege"]

# Fake credentials for everything in this test session, before any boto3 session exists.
# FORCE_COLOR/CLICOLOR_FORCE would colour the text reports the tests read through pipes.
for _name in (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "FORCE_COLOR",
    "CLICOLOR_FORCE",
):
    os.environ.pop(_name, None)
os.environ.update(FAKE_CREDENTIALS)


@pytest.fixture(scope="session")
def local_aws(pytestconfig: pytest.Config) -> Iterator[Server]:
    # Imported here: pytest imports the plugin itself (pytest_plugins), which must come first.
    from tests.plugins.least_privilege import record_file

    server = start_local_aws(record=record_file(pytestconfig, "session"))
    try:
        yield server
    finally:
        problem = launch.stop(server)
    assert problem is None, f"tools/local_aws.py did not shut down cleanly: {problem}"


@pytest.fixture
def aws(local_aws: Server) -> Iterator[AwsEnv]:
    reset_local_aws(local_aws.url)
    env = AwsEnv(FAKE_CREDENTIALS)
    env["AWS_ENDPOINT_URL"] = local_aws.url
    yield env


@pytest.fixture
def ssm(aws: AwsEnv) -> Any:
    """boto3 SSM client on the local endpoint (shared per session; state reset per test)."""
    return client(aws, "ssm")
