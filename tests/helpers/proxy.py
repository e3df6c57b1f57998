"""The fault proxy (tools/fault_proxy.py) for the tests, and runs of the CLI through it.

``start_fault_proxy`` starts the proxy through tools/launch.py; ``FaultProxy`` is the
running server with its control API (reset, configure, fail_write, stats, release,
wait_holding). ``start`` and ``kill_while_held`` run the console scripts through it;
``assert_failed_cleanly`` and ``changes`` judge their outcome. The seed 004 example
(``EXAMPLE``, ``ARGS``) with its bystanders (``add_bystanders``) is what the crash and
fault tests run; ``Reference`` is what its clean runs do (the fixtures that learn it
are in tests/resilience/conftest.py).

The account is read with tests/helpers/account.py (``snapshot``), never through the
proxy, so reading counts nothing.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from patchsetup.aws import lock
from patchsetup.model import OWNER_TAG
from tests.helpers.account import parameter_names
from tests.helpers.cli import BIN, cli_env, json_report
from tests.helpers.endpoint import client, direct_env
from tests.helpers.oldtool import make_baseline, make_window
from tests.helpers.paths import EXAMPLES
from tools import launch
from tools.launch import Server

EXAMPLE = EXAMPLES / "seed004-test-prod-batches.toml"
#: Every run of the seed 004 example: through --config, with a JSON report.
ARGS = ("--config", str(EXAMPLE), "--output", "json")
#: What the example adds to an account.
EXAMPLE_COUNTS = {"windows": 2, "targets": 4, "tasks": 4, "baselines": 12, "registrations": 24}
NOTHING = {"create": 0, "update": 0, "delete": 0}

CONTROL_TIMEOUT = 10.0


# -- the proxy process ------------------------------------------------------------------


@dataclass
class FaultProxy(Server):
    """A running tools/fault_proxy.py (in front of ``upstream``) and its control API."""

    upstream: str = ""

    def _call(self, method: str, name: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}/__proxy/{name}", data=data, method=method)
        try:
            with urllib.request.urlopen(request, timeout=CONTROL_TIMEOUT) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"fault_proxy {method} {name}: {exc.read()!r}") from None

    def reset(self) -> None:
        """Zero the counters, clear every fault, release held requests."""
        self._call("POST", "reset", {})

    def configure(self, **config: Any) -> dict[str, Any]:
        """Set fail_write / faults / latency_ms / throttle (see tools/fault_proxy.py)."""
        answer: dict[str, Any] = self._call("POST", "config", config)
        return answer

    def fail_write(self, k: int, how: str) -> None:
        self.configure(fail_write={"k": k, "how": how})

    def stats(self) -> dict[str, Any]:
        answer: dict[str, Any] = self._call("GET", "stats")
        return answer

    def release(self) -> int:
        released: int = self._call("POST", "release", {})["released"]
        return released

    def wait_holding(self, process: subprocess.Popen[str], timeout: float = 60.0) -> str:
        """Wait until the proxy holds a request of ``process``; return the held operation."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            stats = self.stats()
            if stats["holding"]:
                held: str = stats["held"][0]
                return held
            if process.poll() is not None:
                out, err = process.communicate()
                raise AssertionError(
                    f"the run ended (exit {process.returncode}) before the proxy held a "
                    f"write; writes seen: {stats['writes']}\n{out[-2000:]}\n{err[-2000:]}"
                )
            time.sleep(0.01)
        raise AssertionError(f"the proxy held no request within {timeout:.0f}s")


def start_fault_proxy(
    upstream: str, *args: str, timeout: float = launch.READY_TIMEOUT
) -> FaultProxy:
    """Start tools/fault_proxy.py on a free port in front of ``upstream`` (``args`` added)."""
    try:
        server = launch.start(
            "fault_proxy", "--upstream", upstream, "--port", "0", *args, timeout=timeout
        )
    except launch.NotReady as exc:
        pytest.fail(str(exc), pytrace=False)
    return FaultProxy(server.module, server.url, server.process, server.log_path, upstream=upstream)


# -- running the CLI through the proxy -------------------------------------------------


def start(url: str, command: str, *args: str) -> subprocess.Popen[str]:
    """Start a console script without waiting for it (to kill it half way)."""
    return subprocess.Popen(
        [str(BIN / command), *args],
        env=cli_env(url),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_while_held(proxy: FaultProxy, command: str, *args: str) -> tuple[str, int, str, str]:
    """Run ``command`` until the proxy holds its write, SIGKILL it, release the write.

    A killed run cannot release its lock: the lock's heartbeat stops, and the lock is
    stale once the heartbeat is ``lock.STALE_AFTER`` old. The lock is aged by that much
    here, as waiting would, so that the next run may take it over.

    Returns (held operation, exit status, stdout, stderr).
    """
    process = start(proxy.url, command, *args)
    try:
        held = proxy.wait_holding(process)
        process.send_signal(signal.SIGKILL)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=30)
        proxy.release()
    age_locks(proxy.upstream)
    return held, process.returncode, out, err


def age_locks(url: str) -> None:
    """Make every run lock's heartbeat older than ``lock.STALE_AFTER``, as time would."""
    ssm = client(direct_env(url), "ssm")
    old = (datetime.now(UTC) - lock.STALE_AFTER - timedelta(seconds=1)).isoformat()
    for name in parameter_names(ssm):
        if not name.startswith(lock.parameter_name("")):
            continue
        value = json.loads(ssm.get_parameter(Name=name)["Parameter"]["Value"])
        value["heartbeat"] = old
        ssm.put_parameter(Name=name, Value=json.dumps(value), Type="String", Overwrite=True)


def assert_failed_cleanly(result: subprocess.CompletedProcess[str]) -> None:
    """Success, or one ``error:`` line on stderr and the README's exit code; no traceback.

    Exit 1 when nothing was changed, 4 when some changes were made before the failure.
    With --output json, stdout is one JSON document (valid against the schema): the
    report of what was done, with the error; it decides between 1 and 4.
    """
    output = f"exit {result.returncode}\nstdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.stdout + result.stderr, output
    assert result.returncode in (0, 1, 4), output
    if result.returncode == 0:
        return
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    if result.stdout.strip():
        report = json_report(result)
        assert report["error"]["exit_code"] == result.returncode, output
        changed = any(r["status"] == "done" for t in report["targets"] for r in t["resources"])
        assert result.returncode == (4 if changed else 1), output
    else:
        assert result.returncode == 1, output


def changes(report: dict[str, Any]) -> dict[str, int]:
    summary: dict[str, int] = report["summary"]
    return {k: summary[k] for k in ("create", "update", "delete")}


# -- the seed 004 example: the account before and after clean runs ---------------------


def add_bystanders(url: str) -> None:
    """Resources of another owner that neither setup nor cleanup may touch."""
    ssm = client(direct_env(url), "ssm")
    make_window(ssm, "bystander-window", "AWS-RunPatchBaseline", tags={OWNER_TAG: "bystander"})
    make_baseline(ssm, "bystander-baseline", "bystander_group", tags={OWNER_TAG: "bystander"})
    ssm.put_parameter(Name="/bystander/setting", Value="keep me", Type="String")


@dataclass(frozen=True)
class Reference:
    """What clean runs of the example do, learned once per worker through the proxy."""

    before: dict[str, Any]  # the account with only the bystanders
    desired: dict[str, Any]  # after a clean apply
    setup_writes: list[str]  # the write calls of the clean apply, in order
    cleanup_writes: list[str]  # the write calls of the clean cleanup, in order
    responses: dict[str, Any]  # the HTTP statuses the proxy answered, per command
