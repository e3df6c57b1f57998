"""SIGINT and SIGTERM at a random moment of a real run: exit 130 / 143, a report, no lock.

The run's k-th write is held at the fault proxy (a random k, printed), the signal
is sent while it is held, then the write is let go. The lanes in flight finish
their call, nothing new starts, the report says what was done and what was not,
the lock is released, and a healthy re-run converges to the exact account.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time

import pytest

from patchsetup.fields import DEFAULT_CONCURRENCY
from tests.helpers.account import parameter_names, window_names
from tests.helpers.cli import JSON, json_report, ok_json, setup, target_json
from tests.helpers.endpoint import client, direct_env
from tests.helpers.proxy import FaultProxy, start

#: The default flags: 33 resources, so 35 writes with the lock's two: the lock, then
#: three rounds (the baseline and 8 windows; 8 targets and 8 registrations; 8 tasks),
#: the lock's release.
WRITES = 35
#: A write held in the first two rounds: the tasks (round 3) are never started. With
#: ``LATENCY_MS`` the calls beside the held one are still in flight when the signal
#: comes (without it, a registration held in round 2 could see every task done first).
LAST_BEFORE_TASKS = 26
LATENCY_MS = 100
#: Lanes in flight at once (the default --concurrency).
LANES = DEFAULT_CONCURRENCY


def _parameters(proxy: FaultProxy) -> list[str]:
    return parameter_names(client(direct_env(proxy.upstream), "ssm"))


def _windows(proxy: FaultProxy) -> list[str]:
    return window_names(client(direct_env(proxy.upstream), "ssm"))


def _signal_while_held(
    proxy: FaultProxy, signum: int, k: int, *args: str
) -> tuple[subprocess.CompletedProcess[str], int]:
    """Hold write k, signal the run, let the write go; (result, writes after the signal)."""
    proxy.reset()
    proxy.configure(latency_ms=LATENCY_MS)
    proxy.fail_write(k, "hold")
    process = start(proxy.url, "ssm-patching-setup", *args)
    try:
        proxy.wait_holding(process)
        before = proxy.stats()["writes"]
        process.send_signal(signum)
        time.sleep(0.5)
        # The held call is in flight: the run waits for it rather than abandon it.
        assert process.poll() is None or k == 1, process.communicate()
        proxy.release()
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=30)
        proxy.release()
    result = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    return result, proxy.stats()["writes"] - before


def _one_error_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["INT", "TERM"]
)
@pytest.mark.parametrize("output", ["json", "text"])
def test_a_signal_mid_run_stops_after_the_calls_in_flight(
    proxied: FaultProxy, signum: int, code: int, output: str
) -> None:
    k = random.randint(2, LAST_BEFORE_TASKS)
    print(f"signal {signal.Signals(signum).name} at write {k}")
    result, later = _signal_while_held(proxied, signum, k, "--output", output)
    assert result.returncode == code, (k, result.returncode, result.stdout, result.stderr)
    name = signal.Signals(signum).name
    _one_error_line(result, f"interrupted ({name})", "run again")
    # At most the calls in flight (one per lane), the held one's retry, and the lock's
    # release; before, every lane ran to its end.
    assert later <= LANES + 2, (k, later)
    if output == "json":
        document = json_report(result)  # one document
        assert document["error"]["exit_code"] == code
        assert f"interrupted ({name})" in document["error"]["message"]
        [report] = document["targets"]
        summary = report["summary"]
        assert f"interrupted ({name})" in report["error"]
        assert summary["not_run"] > 0 and summary["failed"] == 0, summary
        assert summary["create"] == sum(r["status"] == "done" for r in report["resources"])
        assert summary["create"] + summary["not_run"] == 33
    else:
        assert "Result: " in result.stdout and " not done" in result.stdout, result.stdout
    assert _parameters(proxied) == []  # no lock, no claim
    proxied.reset()
    again = target_json(setup(proxied.url, *JSON))
    assert again["summary"]["failed"] == 0
    assert len(_windows(proxied)) == 8  # no duplicate
    assert _parameters(proxied) == []


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_before_the_first_write_changes_nothing(
    proxied: FaultProxy, signum: int, code: int
) -> None:
    # Write 1 is the lock's own create, held: the run is interrupted while taking it.
    result, _ = _signal_while_held(proxied, signum, 1, *JSON)
    assert result.returncode == code, (result.stdout, result.stderr)
    _one_error_line(result, "interrupted", "nothing changed")
    [report] = json_report(result)["targets"]
    assert report["summary"]["create"] == 0 and report["summary"]["not_run"] == 33
    assert _windows(proxied) == [] and _parameters(proxied) == []


def test_a_second_ctrl_c_stops_at_once_and_leaves_no_lock(proxied: FaultProxy) -> None:
    k = random.randint(2, WRITES - 1)
    proxied.reset()
    proxied.fail_write(k, "hold")
    process = start(proxied.url, "ssm-patching-setup", *JSON)
    try:
        proxied.wait_holding(process)
        process.send_signal(signal.SIGINT)
        time.sleep(0.5)
        assert process.poll() is None  # the first waits for the held call
        process.send_signal(signal.SIGINT)
        started = time.monotonic()
        out, err = process.communicate(timeout=30)
        took = time.monotonic() - started
        # Still held: the run did not wait for it.
        assert proxied.stats()["holding"] == 1
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=30)
        proxied.release()
    assert process.returncode == 130, (k, out, err)
    assert took < 10, took
    assert "interrupted again" in err and "Traceback" not in err, err
    assert _parameters(proxied) == []
    proxied.reset()
    ok_json(setup(proxied.url, *JSON))
    assert len(_windows(proxied)) == 8


def test_a_signal_during_a_run_of_several_targets(proxied: FaultProxy) -> None:
    k = random.randint(3, 2 * WRITES - 6)
    regions = ("-r", "us-east-1,eu-west-1")
    result, _ = _signal_while_held(proxied, signal.SIGTERM, k, *JSON, *regions)
    assert result.returncode == 143, (k, result.stdout, result.stderr)
    _one_error_line(result, "interrupted (SIGTERM)")
    document = json_report(result)
    assert document["error"]["exit_code"] == 143
    assert {t["exit_code"] for t in document["targets"]} <= {0, 143}, document["targets"]
    for region in ("us-east-1", "eu-west-1"):
        ssm = client(direct_env(proxied.upstream), "ssm", region)
        assert parameter_names(ssm) == [], region
