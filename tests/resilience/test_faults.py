"""Transient faults: botocore's retries absorb a flaky endpoint; an outage fails cleanly.

The seed 004 example goes through tools/fault_proxy.py:

* at a 20% fault rate (throttling, HTTP 500, a 300 ms delay, a connection reset;
  a fixed seed), setup and then cleanup both succeed and leave exactly the state a
  clean run leaves: the tool's retries (standard mode, 11 attempts) ride it out;
* at 100% (throttling, HTTP 500 and resets only), setup and cleanup each stop with
  one ``error:`` line and exit 1, no traceback, once botocore's retries are spent
  (the setup's 11, the cleanup's 3: CLEANUP_ATTEMPTS); the next healthy run then
  converges to the exact state.

How long the runs take (botocore's backoff, mostly) is printed (``-s`` without
xdist) and recorded as a test property (``--junitxml``); the outage runs are bounded
by ``OUTAGE_LIMIT``. The last tests check the proxy itself: classification, counts,
each kind of fault in both protocols, determinism, latency, hold and release.
"""

from __future__ import annotations

import subprocess
import threading
import time
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from tests.helpers.account import (
    assert_account,
    baseline_for_patch_group,
    custom_baselines,
    parameter_names,
)
from tests.helpers.cli import BIN, cleanup, cli_env, setup, target_json
from tests.helpers.endpoint import REGION
from tests.helpers.proxy import ARGS, NOTHING, FaultProxy, Reference, assert_failed_cleanly, changes
from tools.launch import Server

FLAKY = {"rate": 0.2, "kinds": ["throttle", "500", "slow", "reset"], "seed": 1, "slow_ms": 300}
OUTAGE = {"rate": 1.0, "kinds": ["throttle", "500", "reset"], "seed": 1}
#: An outage run makes its first call 11 times (the tool's max_attempts=10 are
#: retries) and gives up: 10 back-offs of rand(0, 1) * min(2**i, 20) s after a
#: throttle (131 s at the very most, ~65 s on average), a twentieth of that after
#: a 500 or a reset. The size of the example does not matter: nothing is written.
OUTAGE_LIMIT = 150.0
#: The cleanup's outage run gives up after this many attempts (AWS_MAX_ATTEMPTS): the
#: setup's spends the tool's default 11 and shows the bound above, and
#: test_retry_settings.py counts the default attempts; the cleanup's is about failing
#: cleanly and converging after, which waiting out ten more back-offs does not change.
CLEANUP_ATTEMPTS = 3


def _faulted(proxy: FaultProxy) -> dict[str, int]:
    injected: dict[str, int] = proxy.stats()["injected"]
    return injected


def test_setup_and_cleanup_ride_out_a_flaky_endpoint(
    local_aws: Server, proxied: FaultProxy, account: Reference, record_property: Any
) -> None:
    proxied.configure(faults=FLAKY)
    started = time.monotonic()
    applied = target_json(setup(proxied.url, *ARGS))
    took = time.monotonic() - started
    faults = _faulted(proxied)
    print(f"\nsetup at 20% faults: {took:.1f}s, {proxied.stats()['requests']} requests, {faults}")
    record_property("setup", f"{took:.1f}s, faults {faults}")
    assert changes(applied) == {**NOTHING, "create": 46}, applied["summary"]
    assert {r["status"] for r in applied["resources"]} == {"done"}
    assert set(faults) == set(FLAKY["kinds"]), f"the seed should inject every kind: {faults}"
    assert_account(local_aws.url, account.desired, "after setup at a 20% fault rate")

    proxied.reset()
    proxied.configure(faults=FLAKY)
    started = time.monotonic()
    removed = target_json(cleanup(proxied.url, *ARGS, "--yes"))
    took = time.monotonic() - started
    faults = _faulted(proxied)
    print(f"cleanup at 20% faults: {took:.1f}s, {proxied.stats()['requests']} requests, {faults}")
    record_property("cleanup", f"{took:.1f}s, faults {faults}")
    assert changes(removed) == {**NOTHING, "delete": 22}, removed["summary"]
    assert sum(faults.values()) > 0
    assert_account(local_aws.url, account.before, "after cleanup at a 20% fault rate")


def _outage(proxy: FaultProxy, command: str, *args: str, **env: str) -> float:
    """Run through a total outage: one error line, exit 1, no traceback; the time taken."""
    proxy.configure(faults=OUTAGE)
    started = time.monotonic()
    result = subprocess.run(
        [str(BIN / command), *args],
        env=cli_env(proxy.url, **env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=OUTAGE_LIMIT + 60,
    )
    took = time.monotonic() - started
    stats = proxy.stats()
    assert result.returncode == 1, f"exit {result.returncode}\n{result.stderr}"
    assert_failed_cleanly(result)
    assert stats["writes"] == 0, stats["write_ops"]
    assert took < OUTAGE_LIMIT, f"{took:.0f}s to give up ({stats['requests']} requests)"
    print(f"\n{result.stderr.strip()} after {took:.1f}s and {stats['requests']} requests")
    proxy.reset()
    return took


def test_setup_fails_cleanly_in_an_outage_then_converges(
    local_aws: Server, proxied: FaultProxy, account: Reference, record_property: Any
) -> None:
    took = _outage(proxied, "ssm-patching-setup", *ARGS)
    record_property("outage_seconds", round(took, 1))
    assert_account(local_aws.url, account.before, "after setup in an outage")

    applied = target_json(setup(proxied.url, *ARGS))
    assert changes(applied) == {**NOTHING, "create": 46}, applied["summary"]
    assert_account(local_aws.url, account.desired, "after the healthy setup")


def test_cleanup_fails_cleanly_in_an_outage_then_converges(
    local_aws: Server, proxied: FaultProxy, account: Reference, record_property: Any
) -> None:
    target_json(setup(proxied.url, *ARGS))
    proxied.reset()
    took = _outage(
        proxied, "ssm-patching-cleanup", *ARGS, "--yes", AWS_MAX_ATTEMPTS=str(CLEANUP_ATTEMPTS)
    )
    record_property("outage_seconds", round(took, 1))
    assert_account(local_aws.url, account.desired, "after cleanup in an outage")

    removed = target_json(cleanup(proxied.url, *ARGS, "--yes"))
    assert changes(removed) == {**NOTHING, "delete": 22}, removed["summary"]
    assert_account(local_aws.url, account.before, "after the healthy cleanup")


# -- the proxy itself ----------------------------------------------------------------


def _client(proxy: FaultProxy, service: str, region: str = REGION) -> Any:
    """A boto3 client through the proxy that never retries: every fault shows."""
    return boto3.session.Session().client(
        service,
        endpoint_url=proxy.url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )


def _error(call: Any, **params: Any) -> tuple[str, int]:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call(**params)
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


#: Flag mode, one window: the lock, then, one call at a time in plan order (side by
#: side the registration goes beside the target, in either order), the baseline, the
#: window, its target and task, then the one patch-group registration.
ONE_WINDOW_ARGS = ("--output", "json", "-w", "1", "-d", "2", "-t", "3")
ONE_BY_ONE = ("--concurrency", "1")
REGISTRATION_WRITE = 6


def test_a_lost_registration_response_is_done_not_a_failure(proxied: FaultProxy, ssm: Any) -> None:
    # AWS registers the group, the response is lost, botocore sends it again and AWS
    # answers AlreadyExists: the tool reads the group's baseline, finds its own, done.
    proxied.fail_write(REGISTRATION_WRITE, "drop")
    applied = target_json(setup(proxied.url, *ONE_WINDOW_ARGS, *ONE_BY_ONE, "--yes"))
    stats = proxied.stats()
    assert stats["injected"] == {"drop": 1}, stats
    assert stats["write_ops"][REGISTRATION_WRITE - 1] == "ssm:RegisterPatchBaselineForPatchGroup"
    assert changes(applied) == {**NOTHING, "create": 5}, applied["summary"]
    assert {r["status"] for r in applied["resources"]} == {"done"}
    group = "Week 1 Day 2 - Unattended - 03:00"
    [baseline] = custom_baselines(ssm)
    registered = baseline_for_patch_group(ssm, group, "AMAZON_LINUX_2")
    assert registered == baseline["BaselineId"]
    proxied.reset()
    assert changes(target_json(setup(proxied.url, *ONE_WINDOW_ARGS))) == NOTHING
    assert proxied.stats()["writes"] == 0


def test_proxy_counts_reads_and_writes_of_both_protocols(proxied: FaultProxy) -> None:
    ssm, iam = _client(proxied, "ssm"), _client(proxied, "iam")
    ssm.describe_maintenance_windows()
    ssm.put_parameter(Name="/proxy/test", Value="1", Type="String")
    iam.list_roles()
    iam.create_role(RoleName="proxy-test", AssumeRolePolicyDocument="{}")
    ssm.delete_parameter(Name="/proxy/test")
    stats = proxied.stats()
    assert (stats["reads"], stats["writes"]) == (2, 3)
    assert stats["write_ops"] == ["ssm:PutParameter", "iam:CreateRole", "ssm:DeleteParameter"]
    assert stats["injected"] == {} and stats["holding"] == 0

    proxied.reset()
    assert (proxied.stats()["reads"], proxied.stats()["writes"]) == (0, 0)


def test_proxy_injects_errors_in_each_protocol(proxied: FaultProxy) -> None:
    ssm, iam = _client(proxied, "ssm"), _client(proxied, "iam")
    proxied.fail_write(1, "error")
    assert _error(ssm.put_parameter, Name="/p", Value="1", Type="String") == (
        "AccessDeniedException",
        400,
    )
    proxied.configure(fail_write=None, faults={"rate": 1.0, "kinds": ["throttle"]})
    assert _error(ssm.describe_maintenance_windows) == ("ThrottlingException", 400)
    assert _error(iam.list_roles) == ("Throttling", 400)
    proxied.configure(faults={"rate": 1.0, "kinds": ["500"]})
    assert _error(ssm.describe_maintenance_windows) == ("InternalServerError", 500)
    assert _error(iam.list_roles)[1] == 500
    proxied.configure(faults={"rate": 1.0, "kinds": ["reset"]})
    with pytest.raises(botocore.exceptions.ConnectionClosedError):
        ssm.describe_maintenance_windows()
    proxied.configure(faults=None)
    # Nothing was forwarded: the write that failed never happened.
    assert parameter_names(_client(proxied, "ssm")) == []


def test_proxy_drop_forwards_then_resets(proxied: FaultProxy) -> None:
    ssm = _client(proxied, "ssm")
    proxied.fail_write(1, "drop")
    with pytest.raises(botocore.exceptions.ConnectionClosedError):
        ssm.put_parameter(Name="/dropped", Value="1", Type="String")
    assert parameter_names(ssm) == ["/dropped"]


def test_proxy_faults_are_deterministic_per_seed(proxied: FaultProxy) -> None:
    def injected(seed: int) -> list[bool]:
        proxied.reset()
        proxied.configure(faults={"rate": 0.5, "kinds": ["throttle"], "seed": seed})
        ssm = _client(proxied, "ssm")
        outcome = []
        for _ in range(20):
            try:
                ssm.describe_maintenance_windows()
                outcome.append(False)
            except botocore.exceptions.ClientError:
                outcome.append(True)
        return outcome

    assert injected(7) == injected(7)
    assert injected(7) != injected(8)
    assert 0 < sum(injected(7)) < 20


def test_proxy_rejects_a_bad_config(proxied: FaultProxy) -> None:
    for bad in (
        {"fail_write": {"k": 0, "how": "error"}},
        {"fail_write": {"k": 1, "how": "explode"}},
        {"faults": {"rate": 2}},
        {"faults": {"rate": 0.1, "kinds": ["fire"]}},
        {"latency": 5},
    ):
        with pytest.raises(AssertionError, match="fault_proxy POST config"):
            proxied.configure(**bad)
    assert proxied.stats()["config"] == {
        "fail_write": None,
        "faults": None,
        "latency_ms": 0.0,
        "throttle": None,
    }


def test_proxy_adds_latency_and_holds_until_released(proxied: FaultProxy) -> None:
    ssm = _client(proxied, "ssm")
    ssm.describe_maintenance_windows()
    proxied.configure(latency_ms=200)
    started = time.monotonic()
    ssm.describe_maintenance_windows()
    assert time.monotonic() - started >= 0.2
    proxied.configure(latency_ms=0)

    proxied.fail_write(1, "hold")
    outcome: list[Exception] = []

    def put() -> None:
        try:
            ssm.put_parameter(Name="/held", Value="1", Type="String")
        except Exception as exc:
            outcome.append(exc)

    writer = threading.Thread(target=put)
    writer.start()
    deadline = time.monotonic() + 10
    while not proxied.stats()["holding"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proxied.stats()["held"] == ["ssm:PutParameter"]
    assert proxied.release() == 1
    writer.join(timeout=10)
    assert len(outcome) == 1 and isinstance(outcome[0], botocore.exceptions.ConnectionClosedError)
    assert parameter_names(ssm) == []  # the held write was discarded


def test_proxy_counts_requests_in_a_row(proxied: FaultProxy) -> None:
    # Latency well above thread start-up: requests sent side by side share a round.
    proxied.configure(latency_ms=150)
    first, *beside = [_client(proxied, "ssm") for _ in range(4)]
    first.describe_maintenance_windows()
    first.describe_patch_groups()
    start = threading.Barrier(len(beside))

    def read(ssm: Any) -> None:
        start.wait()
        ssm.describe_patch_baselines()

    threads = [threading.Thread(target=read, args=(ssm,)) for ssm in beside]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    first.put_parameter(Name="/in-a-row", Value="1", Type="String")
    stats = proxied.stats()
    assert stats["chain"] == 4
    assert stats["rounds"] == [
        ["ssm:DescribeMaintenanceWindows"],
        ["ssm:DescribePatchGroups"],
        ["ssm:DescribePatchBaselines"] * 3,
        ["ssm:PutParameter"],
    ]
    assert stats["region_chain"] == {REGION: 4}
    # Another region's requests are in a row after this one's, not among its own.
    _client(proxied, "ssm", "eu-west-1").describe_maintenance_windows()
    assert proxied.stats()["region_chain"] == {REGION: 4, "eu-west-1": 1}
    assert proxied.stats()["chain"] == 5
    proxied.reset()
    assert (proxied.stats()["chain"], proxied.stats()["rounds"]) == (0, [])
