"""Total throttling mid-run: once a call has failed for good, nothing new starts.

Through the fault proxy: the run's third write (the first window) is held, every
request from then on is throttled, and the write is let go. ``AWS_MAX_ATTEMPTS=2``
keeps each call's retry budget short. With ``--concurrency 2`` two of the eight
window lanes are in flight; before, the six others still started after the first
failure, each spending its whole budget (with the default 11 attempts, minutes).
"""

from __future__ import annotations

import subprocess
import time

from tests.helpers.cli import BIN, cli_env, json_report
from tests.helpers.endpoint import client, direct_env
from tests.helpers.proxy import FaultProxy

ATTEMPTS = 2
LANES = 2


def test_a_throttling_storm_mid_run_gives_up_after_the_lanes_in_flight(
    proxied: FaultProxy,
) -> None:
    proxied.fail_write(3, "hold")
    process = subprocess.Popen(
        [str(BIN / "ssm-patching-setup"), "--output", "json", "--concurrency", str(LANES)],
        env=cli_env(proxied.url, AWS_MAX_ATTEMPTS=str(ATTEMPTS)),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        proxied.wait_holding(process)
        before = proxied.stats()["writes"]
        proxied.configure(faults={"rate": 1.0, "kinds": ["throttle"], "seed": 1})
        started = time.monotonic()
        proxied.release()
        out, err = process.communicate(timeout=60)
        took = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=30)
    stats = proxied.stats()
    after = stats["writes"] - before
    print(f"\ngave up after {took:.1f}s, {after} write attempts: {err.strip()}")
    assert process.returncode == 4, (out, err)  # the lock and the baseline were made
    assert "ThrottlingException" in err and "Traceback" not in err
    # The lanes in flight, each its whole budget; no other lane started.
    assert after <= LANES * ATTEMPTS, stats["write_ops"][before:]
    [report] = json_report(out)["targets"]
    summary = report["summary"]
    assert summary["failed"] <= LANES
    # Started at all: the changes written before the storm (on a busy machine the other
    # lane gets further before it begins), plus the lanes in flight; the rest not run.
    # With the nominal 3 writes before it, at least 28 of the 33 changes are not run.
    started = sum(summary[k] for k in ("create", "update", "delete", "adopt")) + summary["failed"]
    assert started <= before + LANES, (summary, before)
    assert summary["not_run"] == 33 - started, summary
    assert took < 20, took
    # A storm this long also defeats the lock's release; it goes stale in 5 minutes.
    proxied.reset()
    ssm = client(direct_env(proxied.upstream), "ssm")
    for parameter in ssm.describe_parameters()["Parameters"]:
        ssm.delete_parameter(Name=parameter["Name"])
