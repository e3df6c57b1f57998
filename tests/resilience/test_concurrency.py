"""Concurrent apply ends in exactly the state a one-call-at-a-time run does."""

from __future__ import annotations

import re
from typing import Any

from patchsetup.fields import DEFAULT_CONCURRENCY
from tests.helpers.account import flatten, read_account
from tests.helpers.cli import cleanup, ok_json, setup, target_json
from tests.helpers.endpoint import reset_local_aws
from tests.helpers.paths import ROOT
from tests.helpers.proxy import FaultProxy

EXAMPLE = ROOT / "examples" / "seed004-test-prod-batches.toml"
_IDS = re.compile(r"^(mw-[0-9a-f]{17}|pb-[0-9a-f]{17}|[0-9a-f]{8}-[0-9a-f-]{27})$")


def _shape(account: dict[str, Any]) -> dict[str, Any]:
    """The account without generated IDs: target IDs in tasks become target names."""
    for window in account["windows"].values():
        names = {t["WindowTargetId"]: n for n, t in window["Targets"].items()}
        for task in window["Tasks"].values():
            for target in task["Targets"]:
                target["Values"] = sorted(names.get(v, v) for v in target["Values"])
    return {k: v for k, v in flatten(account).items() if not _IDS.match(str(v))}


def test_concurrent_and_sequential_runs_make_the_same_account(aws: Any) -> None:
    sequential = target_json(
        setup(aws.url, "--output", "json", "--config", str(EXAMPLE), "--concurrency", "1")
    )
    one_by_one = _shape(read_account(aws))
    reset_local_aws(aws.url)
    concurrent = target_json(
        setup(aws.url, "--output", "json", "--config", str(EXAMPLE), "--concurrency", "16")
    )
    assert concurrent["summary"] == sequential["summary"]
    assert _shape(read_account(aws)) == one_by_one
    assert len(one_by_one) > 300  # the comparison covers every field of 46 resources
    gone = target_json(
        cleanup(
            aws.url, "--output", "json", "--config", str(EXAMPLE), "--yes", "--concurrency", "16"
        )
    )
    assert gone["summary"]["failed"] == 0
    assert read_account(aws)["windows"] == {}


# -- --concurrency bounds the calls in flight, reads and writes, across targets ------------


#: Enough latency that calls the tool makes side by side overlap at the proxy.
LATENCY_MS = 25


def _max_in_flight(proxy: FaultProxy, *args: str) -> tuple[int, dict[str, Any]]:
    """The most AWS requests at once at the proxy during one run (latency on)."""
    proxy.reset()
    proxy.configure(latency_ms=LATENCY_MS)
    report = ok_json(setup(proxy.url, "--output", "json", *args))
    stats = proxy.stats()
    assert stats["in_flight"] == 0
    return int(stats["max_in_flight"]), report


def test_concurrency_bounds_every_call_in_flight(proxied: FaultProxy) -> None:
    config = ("--config", str(EXAMPLE))
    # A fresh apply: reads, the lock, the re-read with Service Quotas, the writes.
    most, report = _max_in_flight(proxied, *config, "--concurrency", "3")
    assert report["summary"]["resources"]["create"] > 40
    assert 2 <= most <= 3
    # Re-runs: only reads, which fan out per window, per task and per baseline.
    most, report = _max_in_flight(proxied, *config, "--concurrency", "1")
    assert report["summary"]["resources"]["create"] == 0
    assert most == 1
    most, _ = _max_in_flight(proxied, *config, "--concurrency", "4")
    assert 3 <= most <= 4
    most, _ = _max_in_flight(proxied, *config)  # the default
    assert 5 <= most <= DEFAULT_CONCURRENCY


def test_concurrency_bounds_targets_and_calls_per_target(proxied: FaultProxy) -> None:
    regions = ("-r", "us-east-1,eu-west-1,ap-southeast-2")
    most, report = _max_in_flight(proxied, *regions, "--concurrency", "1")
    assert [t["exit_code"] for t in report["targets"]] == [0, 0, 0]
    assert most == 1
    # Two targets at once, each with at most two calls in flight.
    most, _ = _max_in_flight(proxied, *regions, "--concurrency", "2")
    assert 3 <= most <= 4


def test_many_calls_in_flight_share_the_connections_without_a_warning(
    proxied: FaultProxy,
) -> None:
    # botocore keeps 10 connections per client: the 11th call in flight warned
    # "Connection pool is full" on stderr, which must hold one line at most.
    proxied.configure(latency_ms=LATENCY_MS)
    result = setup(proxied.url, "--output", "json", "--concurrency", "32")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert proxied.stats()["max_in_flight"] > 10


# -- round trips: requests in a row -----------------------------------------------------

#: Well above the tool's own jitter (a client made on first use, a thread started):
#: calls sent side by side reach the proxy in the same round.
ROUND_LATENCY_MS = 150


def test_a_fresh_setup_makes_at_most_seven_requests_in_a_row(proxied: FaultProxy) -> None:
    # One read round, the lock, the re-read (Service Quotas beside it), three rounds of
    # writes (window, baseline; target, registration; task), the lock's release.
    proxied.configure(latency_ms=ROUND_LATENCY_MS)
    report = ok_json(setup(proxied.url, "--output", "json"))  # 8 windows, the default
    assert report["summary"]["resources"]["create"] == 33
    stats = proxied.stats()
    rounds = "\n".join(f"{n}: {ops}" for n, ops in enumerate(stats["rounds"], 1))
    assert stats["chain"] <= 7, rounds
    assert stats["rounds"][0] and all(
        op.split(":")[1].startswith(("Describe", "List")) for op in stats["rounds"][0]
    ), rounds
