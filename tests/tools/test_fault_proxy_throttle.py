"""The fault proxy's token buckets (tools/throttle.py through tools/fault_proxy.py).

Over real HTTP, with boto3 clients that never retry (every throttle shows): a request
beyond its bucket is answered as SSM answers (HTTP 400, ``ThrottlingException`` "Rate
exceeded" in the JSON protocol) or as IAM and STS do (``Throttling`` in the query
protocol's XML), and is not forwarded; each operation, region and account has its own
bucket (an assumed role's key acts in the role's account, as moto maps it); a bucket
refills at its rate; the proxy counts throttles per operation and per account/region;
``--throttle`` sets the limits a reset returns to; bad limits are refused.

Rates of 0.001/s make a bucket that never refills within a test: counts, not timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from tests.helpers.endpoint import REGION, reset_local_aws
from tests.helpers.paths import ROOT
from tests.helpers.proxy import FaultProxy, start_fault_proxy
from tools import launch
from tools.launch import Server

MOTO_ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
NEVER_REFILLS = 0.001


@pytest.fixture(scope="module")
def proxy(local_aws: Server) -> Iterator[FaultProxy]:
    started = start_fault_proxy(local_aws.url)
    try:
        yield started
    finally:
        problem = launch.stop(started)
    assert problem is None, f"tools/fault_proxy.py did not shut down cleanly: {problem}"


@pytest.fixture
def throttling(local_aws: Server, proxy: FaultProxy) -> FaultProxy:
    reset_local_aws(local_aws.url)
    proxy.reset()
    return proxy


def _client(proxy: FaultProxy, service: str, region: str = REGION, **keys: str) -> Any:
    credentials = keys or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.session.Session().client(
        service,
        endpoint_url=proxy.url,
        region_name=region,
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
        **credentials,
    )


def _throttled(call: Any, **params: Any) -> bool:
    """Whether the call was throttled (any other error fails the test)."""
    try:
        call(**params)
    except botocore.exceptions.ClientError as exc:
        error = exc.response["Error"]
        assert error["Code"] in ("ThrottlingException", "Throttling"), exc.response
        assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert error["Message"] == "Rate exceeded"
        return True
    return False


def _raw(proxy: FaultProxy, headers: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
    scope = "Credential=testing/20261201/us-east-1/{}/aws4_request, SignedHeaders=host"
    service = "ssm" if "X-Amz-Target" in headers else "iam"
    headers = {**headers, "Authorization": "AWS4-HMAC-SHA256 " + scope.format(service)}
    request = urllib.request.Request(proxy.url + "/", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def test_beyond_the_burst_ssm_answers_throttling_exception(throttling: FaultProxy) -> None:
    throttling.configure(throttle=f"default={NEVER_REFILLS}/2")
    ssm = _client(throttling, "ssm")
    outcome = [_throttled(ssm.describe_maintenance_windows) for _ in range(4)]
    assert outcome == [False, False, True, True]
    target = {"X-Amz-Target": "AmazonSSM.DescribeMaintenanceWindows"}
    json_type = {"Content-Type": "application/x-amz-json-1.1"}
    status, ctype, body = _raw(throttling, {**target, **json_type}, b"{}")
    assert (status, ctype) == (400, "application/x-amz-json-1.1")
    assert json.loads(body) == {"__type": "ThrottlingException", "message": "Rate exceeded"}
    stats = throttling.stats()
    assert stats["throttled"] == {"ssm:DescribeMaintenanceWindows": 3}
    assert stats["throttled_targets"] == {f"{MOTO_ACCOUNT}/us-east-1": 3}
    assert stats["injected"] == {"throttle": 3}
    assert stats["responses"] == {"200": 2, "400": 3}
    assert stats["config"]["throttle"] == {"default": {"rate": NEVER_REFILLS, "burst": 2.0}}


def test_a_throttled_write_is_not_forwarded(throttling: FaultProxy) -> None:
    throttling.configure(throttle=f"PutParameter={NEVER_REFILLS}/1")
    ssm = _client(throttling, "ssm")
    assert not _throttled(ssm.put_parameter, Name="/first", Value="1", Type="String")
    assert _throttled(ssm.put_parameter, Name="/second", Value="1", Type="String")
    # Only PutParameter is limited: the listing is not.
    names = [p["Name"] for p in ssm.describe_parameters()["Parameters"]]
    assert names == ["/first"]
    assert throttling.stats()["writes"] == 2  # every attempt counts


def test_iam_and_sts_answer_throttling_in_xml(throttling: FaultProxy) -> None:
    throttling.configure(throttle=f"default={NEVER_REFILLS}/1")
    iam, sts = _client(throttling, "iam"), _client(throttling, "sts")
    assert [_throttled(iam.list_roles) for _ in range(2)] == [False, True]
    assert [_throttled(sts.get_caller_identity) for _ in range(2)] == [False, True]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, ctype, body = _raw(throttling, form, b"Action=ListRoles&Version=2010-05-08")
    assert (status, ctype) == (400, "text/xml")
    assert b"<Code>Throttling</Code>" in body and b"<Message>Rate exceeded</Message>" in body
    assert throttling.stats()["throttled"] == {"iam:ListRoles": 2, "sts:GetCallerIdentity": 1}


def test_each_operation_has_its_own_bucket_and_may_have_its_own_limit(
    throttling: FaultProxy,
) -> None:
    throttling.configure(
        throttle=f"default={NEVER_REFILLS}/1,ssm:DescribePatchBaselines={NEVER_REFILLS}/3"
    )
    ssm = _client(throttling, "ssm")
    assert [_throttled(ssm.describe_maintenance_windows) for _ in range(2)] == [False, True]
    assert [_throttled(ssm.describe_patch_groups) for _ in range(2)] == [False, True]
    baselines = [_throttled(ssm.describe_patch_baselines) for _ in range(4)]
    assert baselines == [False, False, False, True]


def test_each_region_has_its_own_buckets(throttling: FaultProxy) -> None:
    throttling.configure(throttle=f"default={NEVER_REFILLS}/1")
    east, west = _client(throttling, "ssm"), _client(throttling, "ssm", "eu-west-1")
    assert [_throttled(east.describe_maintenance_windows) for _ in range(2)] == [False, True]
    assert [_throttled(west.describe_maintenance_windows) for _ in range(2)] == [False, True]
    assert throttling.stats()["throttled_targets"] == {
        f"{MOTO_ACCOUNT}/us-east-1": 1,
        f"{MOTO_ACCOUNT}/eu-west-1": 1,
    }


def test_an_assumed_roles_key_has_the_buckets_of_the_roles_account(
    throttling: FaultProxy,
) -> None:
    throttling.configure(throttle=f"default={NEVER_REFILLS}/1")
    role = f"arn:aws:iam::{OTHER_ACCOUNT}:role/member"
    given = _client(throttling, "sts").assume_role(RoleArn=role, RoleSessionName="throttle-test")
    keys = given["Credentials"]
    member = _client(
        throttling,
        "ssm",
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys["SessionToken"],
    )
    caller = _client(throttling, "ssm")
    assert not _throttled(caller.put_parameter, Name="/caller", Value="1", Type="String")
    assert not _throttled(member.put_parameter, Name="/member", Value="1", Type="String")
    assert _throttled(member.put_parameter, Name="/again", Value="1", Type="String")
    assert _throttled(caller.put_parameter, Name="/again", Value="1", Type="String")
    assert throttling.stats()["throttled_targets"] == {
        f"{OTHER_ACCOUNT}/us-east-1": 1,
        f"{MOTO_ACCOUNT}/us-east-1": 1,
    }
    # moto agrees: the member's write landed in the member's account, not the caller's.
    throttling.configure(throttle=None)
    assert [p["Name"] for p in caller.describe_parameters()["Parameters"]] == ["/caller"]
    assert [p["Name"] for p in member.describe_parameters()["Parameters"]] == ["/member"]


def test_a_bucket_refills_at_its_rate(throttling: FaultProxy) -> None:
    throttling.configure(throttle="default=1/1")  # one token a second, at most one
    ssm = _client(throttling, "ssm")
    assert not _throttled(ssm.describe_maintenance_windows)
    assert _throttled(ssm.describe_maintenance_windows)  # well within the second
    time.sleep(1.1)
    assert not _throttled(ssm.describe_maintenance_windows)
    throttling.configure(throttle="default=1/1")  # set again: the buckets start full
    assert not _throttled(ssm.describe_maintenance_windows)


def test_throttle_on_the_command_line_is_what_a_reset_returns_to(local_aws: Server) -> None:
    started = start_fault_proxy(local_aws.url, "--throttle", f"default={NEVER_REFILLS}/1")
    try:
        ssm = _client(started, "ssm")
        assert [_throttled(ssm.describe_maintenance_windows) for _ in range(2)] == [False, True]
        started.reset()
        assert started.stats()["throttled"] == {}
        assert [_throttled(ssm.describe_maintenance_windows) for _ in range(2)] == [False, True]
        started.configure(throttle=None)
        assert not _throttled(ssm.describe_maintenance_windows)
    finally:
        problem = launch.stop(started)
    assert problem is None, problem


@pytest.mark.parametrize(
    "bad",
    [
        "default=5",
        "default=0/10",
        "default=5/0.5",
        "default=five/10",
        "Create Window=1/1",
        "",
        {"default": {"rate": 1}},
        {"default": "5/10"},
        5,
    ],
)
def test_bad_limits_are_refused(throttling: FaultProxy, bad: Any) -> None:
    with pytest.raises(AssertionError, match=r"fault_proxy POST config.*throttle"):
        throttling.configure(throttle=bad)
    assert throttling.stats()["config"]["throttle"] is None


def test_bad_limits_on_the_command_line_exit_2() -> None:
    command = [sys.executable, "-m", "tools.fault_proxy", "--upstream", "http://127.0.0.1:9"]
    done = subprocess.run(
        [*command, "--port", "0", "--throttle", "default=5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2, done
    assert "NAME=RATE/BURST" in done.stderr
