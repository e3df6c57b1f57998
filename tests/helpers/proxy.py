"""The fault proxy (tools/fault_proxy.py) for the tests, and a lean account snapshot.

Fixtures (bind them by name in a test module: ``fault_proxy = proxyhelp.fault_proxy``):

* ``fault_proxy`` (session): ``tools/fault_proxy.py`` in front of this worker's
  ``local_aws``; a ``FaultProxy`` with ``.url`` and the control API as methods.
* ``proxied`` (function): the endpoint reset (the ``aws`` fixture) and the proxy reset
  (no faults, zero counters); yields the ``FaultProxy``.
* ``reference`` (session): what clean runs of the seed 004 example do, learned once
  per worker through the proxy: the account before (only hand-made "bystander"
  resources of another owner) and after a clean apply, and the write calls of a clean
  apply and of a clean cleanup.
* ``account`` (function): ``proxied``, with the bystanders made; yields ``reference``.

``snapshot()`` reads the account with boto3 directly from the endpoint (never through
the proxy, so it counts nothing): every window with its tags, targets and tasks, every
custom baseline with its tags, every patch-group registration, every SSM parameter and
every IAM role, with IDs replaced by names and timestamps left out, so that two
accounts built by different runs compare equal exactly when they hold the same
resources. Resources are keyed by name; a second one of the same name is keyed
``name (2)``, so a duplicate is a visible extra key, never hidden.
"""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from clihelp import BIN, cleanup, cli_env, ok_json, setup
from conftest import FAKE_CREDENTIALS, ROOT, AwsEnv, LocalAws, client, reset_local_aws
from test_cleanup_cli import make_baseline, make_window

from patchsetup.aws import lock
from patchsetup.model import OWNER_TAG

EXAMPLE = ROOT / "examples" / "seed004-test-prod-batches.toml"
#: Every run of the seed 004 example: through --config, with a JSON report.
ARGS = ("--config", str(EXAMPLE), "--output", "json")
#: What the example adds to an account.
EXAMPLE_COUNTS = {"windows": 2, "targets": 4, "tasks": 4, "baselines": 12, "registrations": 24}
NOTHING = {"create": 0, "update": 0, "delete": 0}

READY_PREFIX = "fault_proxy listening on "
READY_TIMEOUT = 30.0
CONTROL_TIMEOUT = 10.0

# Left out of snapshots: IDs (replaced by names) and values that change with every
# write or with the clock.
VOLATILE = {
    "WindowId",
    "WindowTargetId",
    "WindowTaskId",
    "BaselineId",
    "CreatedDate",
    "ModifiedDate",
    "NextExecutionTime",
    "ResponseMetadata",
    "LastModifiedDate",
    "Version",
    "CreateDate",
    "RoleId",
    "RoleLastUsed",
}


# -- the proxy process ------------------------------------------------------------------


@dataclass
class FaultProxy:
    """A running tools/fault_proxy.py and its control API."""

    url: str
    upstream: str
    process: subprocess.Popen[str]
    log_path: Path

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
        """Set fail_write / faults / latency_ms (see tools/fault_proxy.py)."""
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


def _ready_line(process: subprocess.Popen[str], timeout: float) -> str | None:
    assert process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    stdout = process.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return None


def start_fault_proxy(upstream: str, timeout: float = READY_TIMEOUT) -> FaultProxy:
    """Start tools/fault_proxy.py on a free port in front of ``upstream``."""
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - handed to the child process
        prefix="fault_proxy-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tools" / "fault_proxy.py"),
            "--upstream",
            upstream,
            "--port",
            "0",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    log.close()
    line = _ready_line(process, timeout)
    if not line or not line.startswith(READY_PREFIX):
        process.kill()
        process.wait(timeout=10)
        pytest.fail(
            f"tools/fault_proxy.py did not print its ready line within {timeout:.0f}s "
            f"(exit {process.returncode}); stdout line: {line!r}\n"
            f"{Path(log.name).read_text(errors='replace')[-4000:]}",
            pytrace=False,
        )
    return FaultProxy(line[len(READY_PREFIX) :].strip(), upstream, process, Path(log.name))


def stop_fault_proxy(proxy: FaultProxy) -> str | None:
    """SIGTERM the proxy; a problem description if it did not exit cleanly."""
    problem = None
    if proxy.process.poll() is None:
        proxy.process.send_signal(signal.SIGTERM)
        try:
            if proxy.process.wait(timeout=10) != 0:
                problem = f"exit status {proxy.process.returncode} after SIGTERM"
        except subprocess.TimeoutExpired:
            proxy.process.kill()
            proxy.process.wait(timeout=10)
            problem = "did not stop within 10 s of SIGTERM"
    if proxy.process.stdout is not None:
        proxy.process.stdout.close()
    if proxy.log_path.exists():
        text = proxy.log_path.read_text(errors="replace")
        if "Traceback" in text:
            problem = f"traceback on stderr:\n{text[-4000:]}"
        proxy.log_path.unlink()
    return problem


@pytest.fixture(scope="session")
def fault_proxy(local_aws: LocalAws) -> Iterator[FaultProxy]:
    proxy = start_fault_proxy(local_aws.url)
    try:
        yield proxy
    finally:
        problem = stop_fault_proxy(proxy)
    assert problem is None, f"tools/fault_proxy.py did not shut down cleanly: {problem}"


@pytest.fixture
def proxied(aws: AwsEnv, fault_proxy: FaultProxy) -> FaultProxy:
    fault_proxy.reset()
    return fault_proxy


def direct_env(url: str) -> AwsEnv:
    """An AwsEnv on the endpoint itself (for conftest.client), bypassing the proxy."""
    env = AwsEnv(FAKE_CREDENTIALS)
    env["AWS_ENDPOINT_URL"] = url
    return env


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
    for parameter in _pages(ssm, "describe_parameters", "Parameters"):
        if not parameter["Name"].startswith(lock.parameter_name("")):
            continue
        value = json.loads(ssm.get_parameter(Name=parameter["Name"])["Parameter"]["Value"])
        value["heartbeat"] = old
        ssm.put_parameter(
            Name=parameter["Name"], Value=json.dumps(value), Type="String", Overwrite=True
        )


def assert_failed_cleanly(result: subprocess.CompletedProcess[str]) -> None:
    """Success, or one ``error:`` line on stderr and the README's exit code; no traceback.

    Exit 1 when nothing was changed, 4 when some changes were made before the failure.
    With --output json, stdout is empty (nothing was planned yet) or one JSON document:
    the report of what was done, with the error; it decides between 1 and 4.
    """
    output = f"exit {result.returncode}\nstdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.stdout + result.stderr, output
    assert result.returncode in (0, 1, 4), output
    if result.returncode == 0:
        return
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    if result.stdout.strip():
        report = json.loads(result.stdout)
        assert report["error"], output
        changed = any(r["status"] == "done" for r in report["resources"])
        assert result.returncode == (4 if changed else 1), output
    else:
        assert result.returncode == 1, output


def changes(report: dict[str, Any]) -> dict[str, int]:
    summary: dict[str, int] = report["summary"]
    return {k: summary[k] for k in ("create", "update", "delete")}


# -- the account, with as few calls as it takes ---------------------------------------


def _pages(api: Any, operation: str, key: str, **params: Any) -> Iterator[dict[str, Any]]:
    for page in api.get_paginator(operation).paginate(**params):
        yield from page[key]


def _clean(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in VOLATILE}


def _keyed(items: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Items by name; the n-th duplicate of a name is keyed ``name (n)``."""
    found: dict[str, Any] = {}
    for name, item in sorted(items, key=lambda pair: (pair[0], json.dumps(pair[1], default=str))):
        key, n = name, 1
        while key in found:
            n += 1
            key = f"{name} ({n})"
        found[key] = item
    return found


def _tags(ssm: Any, resource_type: str, resource_id: str) -> dict[str, str]:
    listed = ssm.list_tags_for_resource(ResourceType=resource_type, ResourceId=resource_id)
    return {t["Key"]: t["Value"] for t in listed["TagList"]}


def _window(ssm: Any, window_id: str) -> dict[str, Any]:
    window = _clean(ssm.get_maintenance_window(WindowId=window_id))
    window["Tags"] = _tags(ssm, "MaintenanceWindow", window_id)
    targets = list(
        _pages(ssm, "describe_maintenance_window_targets", "Targets", WindowId=window_id)
    )
    names = {t["WindowTargetId"]: t.get("Name", t["WindowTargetId"]) for t in targets}
    window["Targets"] = _keyed((t.get("Name", "?"), _clean(t)) for t in targets)
    tasks = []
    for summary in _pages(ssm, "describe_maintenance_window_tasks", "Tasks", WindowId=window_id):
        task = _clean(
            ssm.get_maintenance_window_task(
                WindowId=window_id, WindowTaskId=summary["WindowTaskId"]
            )
        )
        # Target IDs differ from run to run: name them (an unknown one stays visible).
        for selector in task.get("Targets", []):
            if selector["Key"] == "WindowTargetIds":
                selector["Values"] = [
                    f"target {names[v]}" if v in names else f"dangling {v}"
                    for v in selector["Values"]
                ]
        tasks.append((task.get("Name", "?"), task))
    window["Tasks"] = _keyed(tasks)
    return window


def snapshot(url: str) -> dict[str, Any]:
    """The whole account (see the module docstring), read from the endpoint at ``url``."""
    env = direct_env(url)
    ssm, iam = client(env, "ssm"), client(env, "iam")
    windows = _keyed(
        (w["Name"], _window(ssm, w["WindowId"]))
        for w in _pages(ssm, "describe_maintenance_windows", "WindowIdentities")
    )
    baselines = []
    owned = [{"Key": "OWNER", "Values": ["Self"]}]
    for identity in _pages(ssm, "describe_patch_baselines", "BaselineIdentities", Filters=owned):
        baseline = _clean(ssm.get_patch_baseline(BaselineId=identity["BaselineId"]))
        baseline["Tags"] = _tags(ssm, "PatchBaseline", identity["BaselineId"])
        baseline["PatchGroups"] = sorted(baseline.get("PatchGroups", []))
        baselines.append((baseline["Name"], baseline))
    registrations = sorted(
        f"{m['PatchGroup']} -> {m['BaselineIdentity']['BaselineName']} "
        f"({m['BaselineIdentity']['OperatingSystem']})"
        for m in _pages(ssm, "describe_patch_groups", "Mappings")
    )
    parameters = sorted(p["Name"] for p in _pages(ssm, "describe_parameters", "Parameters"))
    roles = sorted(r["Path"] + r["RoleName"] for r in _pages(iam, "list_roles", "Roles"))
    return {
        "windows": windows,
        "baselines": _keyed(baselines),
        "registrations": registrations,
        "parameters": parameters,
        "roles": roles,
    }


def counts(account: dict[str, Any]) -> dict[str, int]:
    """How many of each resource the snapshot holds."""
    windows = account["windows"].values()
    return {
        "windows": len(account["windows"]),
        "targets": sum(len(w["Targets"]) for w in windows),
        "tasks": sum(len(w["Tasks"]) for w in windows),
        "baselines": len(account["baselines"]),
        "registrations": len(account["registrations"]),
        "parameters": len(account["parameters"]),
        "roles": len(account["roles"]),
    }


def _flatten(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return {path: value}
    leaves: dict[str, Any] = {path: type(value).__name__} if not value else {}
    for key, item in items:
        leaves.update(_flatten(item, f"{path}/{key}" if path else str(key)))
    return leaves


def snapshot_diff(want: dict[str, Any], have: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Leaf paths whose values differ: {path: (wanted, found)}; {} when equal."""
    old, new = _flatten(want), _flatten(have)
    return {
        k: (old.get(k), new.get(k))
        for k in sorted(old.keys() | new.keys())
        if old.get(k) != new.get(k)
    }


def assert_same(want: dict[str, Any], have: dict[str, Any], when: str) -> None:
    """Two snapshots are equal: same resources, same counts, same fields."""
    diff = snapshot_diff(want, have)
    assert not diff and have == want, (
        f"{when}: the account is not the expected one\n"
        f"counts: want {counts(want)}, have {counts(have)}\n"
        + "\n".join(f"  {path}: want {a!r}, have {b!r}" for path, (a, b) in list(diff.items())[:40])
    )


def assert_account(url: str, want: dict[str, Any], when: str) -> None:
    """The account at ``url`` equals the snapshot ``want`` exactly."""
    assert_same(want, snapshot(url), when)


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


@pytest.fixture(scope="session")
def reference(local_aws: LocalAws, fault_proxy: FaultProxy) -> Reference:
    reset_local_aws(local_aws.url)
    fault_proxy.reset()
    add_bystanders(local_aws.url)
    before = snapshot(local_aws.url)
    applied = ok_json(setup(fault_proxy.url, *ARGS))
    assert changes(applied) == {**NOTHING, "create": 46}, applied["summary"]
    setup_stats = fault_proxy.stats()
    desired = snapshot(local_aws.url)
    added = {k: counts(desired)[k] - counts(before)[k] for k in EXAMPLE_COUNTS}
    assert added == EXAMPLE_COUNTS
    fault_proxy.reset()
    ok_json(cleanup(fault_proxy.url, *ARGS, "--yes"))
    cleanup_stats = fault_proxy.stats()
    assert_account(local_aws.url, before, "after a clean cleanup")
    fault_proxy.reset()
    return Reference(
        before,
        desired,
        setup_stats["write_ops"],
        cleanup_stats["write_ops"],
        {"setup": setup_stats["responses"], "cleanup": cleanup_stats["responses"]},
    )


@pytest.fixture
def account(local_aws: LocalAws, proxied: FaultProxy, reference: Reference) -> Reference:
    """A fresh account holding only the bystanders; the proxy healthy and at zero."""
    add_bystanders(local_aws.url)
    return reference
