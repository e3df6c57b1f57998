"""Least privilege, the machinery: the recorder (tools/local_aws.py --record) classifies
JSON- and query-protocol requests and the tool's User-Agent, one whole line per request
under concurrency, and records nothing for a client that went away; ``check_policy``
finds missing, unused, implied and pending grants; every client the tool makes carries
its User-Agent.

The policy document itself is checked in test_policy.py, the workload in
test_policy_workload.py.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import botocore.session
import pytest

from tests.helpers.endpoint import start_local_aws
from tests.helpers.policy import REGION
from tests.plugins.least_privilege import (
    PENDING,
    check_policy,
    is_granted,
    read_records,
    tool_actions,
    with_implied,
)
from tools import launch
from tools.launch import Server

# -- the machinery -----------------------------------------------------------------------


def test_check_policy_finds_missing_unused_implied_and_pending() -> None:
    policy = {
        "Statement": [
            {"Effect": "Allow", "Action": ["ssm:Get*", "iam:CreateRole"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["iam:TagRole", "ssm:Unused"], "Resource": "*"},
            {"Effect": "Allow", "Action": [*PENDING], "Resource": "*"},
            {"Effect": "Deny", "Action": ["ssm:DeleteEverything"], "Resource": "*"},
        ]
    }
    records = [
        {"service": "ssm", "operation": "GetPatchBaseline", "tool": True},
        {"service": "iam", "operation": "CreateRole", "tool": True},
        {"service": "ssm", "operation": "DeleteEverything", "tool": True},
        {"service": "sts", "operation": "GetCallerIdentity", "tool": False},  # the tests' own
    ]
    assert is_granted("SSM:getpatchbaseline", policy)  # IAM compares actions case-blind
    assert with_implied({"iam:CreateRole"}) >= {"iam:CreateRole", "iam:TagRole"}
    verdict = check_policy(records, policy)
    assert verdict.calls == 3
    assert verdict.missing == ["ssm:DeleteEverything"]  # a Deny grants nothing
    assert verdict.unused == ["ssm:Unused"]  # TagRole is implied by CreateRole
    assert verdict.pending_unused == list(PENDING) and verdict.pending_used == []
    assert verdict.failed
    assert check_policy(records, policy, check_unused=False).unused == []


@pytest.fixture
def scratch_server(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    """A recording server whose record stays out of the suite-wide check."""
    record = tmp_path / "calls.jsonl"
    server = start_local_aws(record=record)
    try:
        yield server, record
    finally:
        problem = launch.stop(server)
    assert problem is None, problem


def test_recorder_classifies_requests_and_keeps_lines_whole_under_load(
    scratch_server: tuple[Server, Path],
) -> None:
    server, record = scratch_server
    session = boto3.session.Session()

    def make(service: str, agent: str | None = None) -> Any:
        config = botocore.config.Config(user_agent_extra=agent) if agent else None
        return session.client(  # type: ignore[call-overload]
            service,
            endpoint_url=server.url,
            region_name=REGION,
            aws_access_key_id="AKIDRECORDERTEST",
            aws_secret_access_key="recorder-secret",
            config=config,
        )

    ssm, iam, tool_ssm = make("ssm"), make("iam"), make("ssm", "ssm-patching-setup/0.0-test")
    tool_ssm.describe_patch_groups()
    calls = 20

    def hammer() -> None:
        for _ in range(calls):
            ssm.describe_maintenance_windows()
            iam.list_roles()

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records = read_records([record])  # every line parses: no torn or interleaved writes
    assert len(records) == 1 + 8 * calls * 2
    counts: dict[tuple[str, str, bool], int] = {}
    for r in records:
        key = (r["service"], r["operation"], r["tool"])
        counts[key] = counts.get(key, 0) + 1
    assert counts == {
        ("ssm", "DescribePatchGroups", True): 1,
        ("ssm", "DescribeMaintenanceWindows", False): 8 * calls,
        ("iam", "ListRoles", False): 8 * calls,
    }
    assert tool_actions(records) == {"ssm:DescribePatchGroups"}


def test_recorder_ignores_a_request_whose_client_went_away(
    scratch_server: tuple[Server, Path],
) -> None:
    """Headers, then the client dies before its body: nothing recorded, nothing created,
    no traceback on the server (scratch_server checks that at shutdown)."""
    server, record = scratch_server
    host, port = server.url.removeprefix("http://").split(":")
    headers = (
        "POST / HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        "X-Amz-Target: AmazonSSM.CreatePatchBaseline\r\n"
        "Content-Type: application/x-amz-json-1.1\r\n"
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDX/20260101/us-east-1/ssm/aws4_request, "
        "SignedHeaders=host, Signature=0\r\n"
        "User-Agent: ssm-patching-setup/0.0-test\r\n"
        "Content-Length: 100\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(headers.encode())
        connection.shutdown(socket.SHUT_WR)
        answer = connection.recv(1024)
    assert answer.startswith(b"HTTP/1.") and b" 400 " in answer.split(b"\r\n")[0], answer
    assert read_records([record]) == []


def test_the_tool_tags_its_user_agent_on_every_client() -> None:
    """The recorder tells the tool's calls by User-Agent: every client must carry it."""
    from patchsetup import __version__
    from patchsetup.aws import session as aws

    retry: Any = aws.RETRY_CONFIG
    assert retry.user_agent_extra == f"ssm-patching-setup/{__version__}"
    session = aws.make_session(None, aws_access_key_id="x", aws_secret_access_key="x")
    made = aws.client(session, "ssm", REGION, "http://127.0.0.1:9")
    assert "ssm-patching-setup/" in made.meta.config.user_agent_extra


def test_the_user_agent_is_the_one_a_boto3_session_sends() -> None:
    """The tool makes its sessions with botocore alone (no boto3 import): they say they
    are boto3's, so AWS (and CloudTrail's userAgent) sees what a boto3 session sent."""
    from patchsetup.aws import session as aws

    session = aws.make_session(None, aws_access_key_id="x", aws_secret_access_key="x")
    ours = aws.client(session, "ssm", REGION, "http://127.0.0.1:9")
    config = aws.RETRY_CONFIG.merge(
        botocore.config.Config(retries=dict(aws.DEFAULT_RETRIES))  # type: ignore[arg-type]
    )
    theirs = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="x").client(
        "ssm", region_name=REGION, endpoint_url="http://127.0.0.1:9", config=config
    )
    agent = ours._user_agent_creator.to_string()
    assert agent == theirs._user_agent_creator.to_string()
    assert agent.startswith(f"Boto3/{boto3.__version__} md/Botocore#")
