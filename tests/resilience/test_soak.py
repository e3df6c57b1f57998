"""A soak that hunts what the examples miss: random steps, invariants after each.

A hypothesis state machine drives the real CLI against the local endpoint (through
tools/fault_proxy.py, to kill runs at a random write). Its steps are random config
edits, healthy runs, runs killed at a random write, two runs at once, hand edits to
the setup's own resources (drift) and to foreign ones (an operator's task in the
setup's window), and cleanups. After every step:

- no two windows of the setup share a name (nothing duplicated);
- nothing foreign changed: another setup's resources, a hand-made window and
  baseline, and operators' tasks in the setup's windows are exactly as they were;
- after a healthy run or cleanup, no lock is left;

and at the end a healthy run converges, a further run plans nothing, and cleanup
leaves nothing of the setup but windows kept for an operator's task.

The suite runs a short budget (``SOAK_EXAMPLES`` x ``SOAK_STEPS``, default 2 x 6).
A long soak is one command (its last result is in the README):

    SOAK_RANDOM=1 SOAK_EXAMPLES=40 SOAK_STEPS=12 \\
        .venv/bin/python -m pytest tests/resilience/test_soak.py -p no:xdist -s
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from patchsetup.aws.lock import parameter_name
from patchsetup.model import OWNER_TAG, PATCHING_DOCUMENTS
from tests.helpers.account import (
    parameter_names,
    read_task,
    read_window,
    snapshot,
    tags,
    window_identities,
)
from tests.helpers.cli import cleanup, setup, target_json
from tests.helpers.endpoint import client, direct_env, reset_local_aws
from tests.helpers.oldtool import make_baseline, make_window
from tests.helpers.proxy import FaultProxy, age_locks, start
from tools.launch import Server

NAME = "soak"
JSON = ("--output", "json")
#: The windows a config may hold: (week, day, time).
POOL = {
    "alpha": (1, "TUE", "03:00"),
    "beta": (2, "WED", "04:00"),
    "gamma": ("last", "FRI", "22:00"),
    "delta": (3, "SAT", "06:00"),
}
EXAMPLES = int(os.environ.get("SOAK_EXAMPLES", "2"))
#: How often each step ran (printed at the end: what the soak exercised).
STEPS_RUN: Counter[str] = Counter()
STEPS = int(os.environ.get("SOAK_STEPS", "6"))


def config_text(windows: tuple[str, ...], windows_baseline: bool, duration: int, delay: int) -> str:
    """A config of the chosen windows, an AL2 baseline (and a Windows one) for their groups."""
    groups = ", ".join(json.dumps(f"pg-{w}") for w in windows)
    lines = [f'name = "{NAME}"', "", "[defaults]", f"duration = {duration}", "cutoff = 0", ""]
    lines += [
        "[baselines.linux]",
        'operating_system = "AMAZON_LINUX_2"',
        f"approve_after_days = {delay}",
        f"patch_groups = [{groups}]",
        "",
    ]
    if windows_baseline:
        lines += [
            "[baselines.windows]",
            'operating_system = "WINDOWS"',
            f"patch_groups = [{groups}]",
            "",
        ]
    for window in windows:
        week, day, time = POOL[window]
        lines += [
            f"[windows.{window}]",
            f"week = {json.dumps(week)}",
            f'day = "{day}"',
            f'time = "{time}"',
            "",
            f"[[windows.{window}.targets]]",
            f'name = "{window}-targets"',
            f'patch_group = "pg-{window}"',
            "",
            f"[[windows.{window}.tasks]]",
            f'name = "{window}-patch"',
            f'targets = ["{window}-targets"]',
            "",
        ]
    return "\n".join(lines)


class Soak(RuleBasedStateMachine):
    """One account, one setup name, many runs."""

    url: str
    proxy: FaultProxy
    path: str

    def __init__(self) -> None:
        super().__init__()
        reset_local_aws(self.url)
        self.proxy.reset()
        self.ssm = client(direct_env(self.url), "ssm")
        self.windows: tuple[str, ...] = ("alpha",)
        self.text = config_text(self.windows, False, 1, 0)
        self._write()
        # Foreign: another setup, a hand-made window and baseline.
        target_json(setup(self.url, "-w", "4", "-d", "5", "-t", "1", "--name", "other", *JSON))
        make_window(self.ssm, "hand-backup", "AWS-RunShellScript")
        make_baseline(self.ssm, "hand-baseline", "hand-group")
        self.operator_tasks: dict[str, dict[str, Any]] = {}
        self.foreign = self._foreign()

    # -- the account ----------------------------------------------------------------

    def _write(self) -> None:
        with open(self.path, "w", encoding="utf-8") as handle:
            handle.write(self.text)

    def _owned_windows(self) -> list[dict[str, Any]]:
        found = []
        for identity in window_identities(self.ssm):
            if tags(self.ssm, "MaintenanceWindow", identity["WindowId"]).get(OWNER_TAG) == NAME:
                found.append(identity)
        return found

    def _foreign(self) -> dict[str, Any]:
        """Everything not the setup's: windows, baselines, registrations of theirs."""
        everything = snapshot(self.url)
        windows = {
            k: w for k, w in everything["windows"].items() if w["Tags"].get(OWNER_TAG) != NAME
        }
        baselines = {
            k: b for k, b in everything["baselines"].items() if b["Tags"].get(OWNER_TAG) != NAME
        }
        names = {b["Name"] for b in baselines.values()}
        # "group -> baseline (OS)"
        groups = [
            r for r in everything["registrations"] if r.split(" -> ")[1].rsplit(" (", 1)[0] in names
        ]
        return {"windows": windows, "baselines": baselines, "registrations": groups}

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return setup(self.proxy.url, "--config", self.path, *args)

    # -- steps ------------------------------------------------------------------------

    @rule(
        windows=st.sets(st.sampled_from(sorted(POOL)), min_size=1).map(lambda s: tuple(sorted(s))),
        windows_baseline=st.booleans(),
        duration=st.integers(1, 3),
        delay=st.sampled_from([0, 7]),
    )
    def edit_config(
        self, windows: tuple[str, ...], windows_baseline: bool, duration: int, delay: int
    ) -> None:
        STEPS_RUN["edit_config"] += 1
        self.windows = windows
        self.text = config_text(windows, windows_baseline, duration, delay)
        self._write()

    @rule()
    def healthy_run(self) -> None:
        STEPS_RUN["healthy_run"] += 1
        self.proxy.reset()
        target_json(self._run("--yes", *JSON))
        self._assert_no_lock()

    @rule(k=st.integers(1, 40))
    def run_killed_at_write_k(self, k: int) -> None:
        STEPS_RUN["run_killed_at_write_k"] += 1
        self.proxy.reset()
        self.proxy.fail_write(k, "hold")
        process = start(self.proxy.url, "ssm-patching-setup", "--config", self.path, "--yes", *JSON)
        try:
            while process.poll() is None and not self.proxy.stats()["holding"]:
                time.sleep(0.01)
            killed = process.poll() is None
            if killed:
                process.send_signal(signal.SIGKILL)
            out, err = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate(timeout=30)
            self.proxy.release()
            self.proxy.reset()
        if killed:
            # Its lock stays until its heartbeat is stale: age it, as waiting would.
            age_locks(self.url)
        assert "Traceback" not in out + err, err
        # Killed at write k, or finished first (fewer than k writes).
        assert process.returncode in (-9, 0), f"exit {process.returncode}\n{out}\n{err}"

    @rule()
    def two_runs_at_once(self) -> None:
        STEPS_RUN["two_runs_at_once"] += 1
        self.proxy.reset()
        runs = [
            start(self.proxy.url, "ssm-patching-setup", "--config", self.path, "--yes", *JSON)
            for _ in range(2)
        ]
        codes = []
        for process in runs:
            out, err = process.communicate(timeout=120)
            assert "Traceback" not in out + err, err
            codes.append(process.returncode)
        # One may find the other's lock (exit 1); neither may fail otherwise.
        assert set(codes) <= {0, 1}, codes
        assert 0 in codes, codes

    # The account is not hypothesis's to replay exactly (lanes interleave, two runs
    # race): steps draw an index, never a choice among what they find.
    @rule(index=st.integers(0, 3))
    def drift_an_owned_window(self, index: int) -> None:
        owned = self._owned_windows()
        if not owned:
            return
        STEPS_RUN["drift_an_owned_window"] += 1
        window = owned[index % len(owned)]
        self.ssm.update_maintenance_window(
            WindowId=window["WindowId"], Schedule="cron(0 5 ? * MON#1 *)"
        )

    @rule(index=st.integers(0, 3))
    def operator_adds_a_task(self, index: int) -> None:
        owned = self._owned_windows()
        if not owned:
            return
        STEPS_RUN["operator_adds_a_task"] += 1
        window = owned[index % len(owned)]
        task_id = self.ssm.register_task_with_maintenance_window(
            WindowId=window["WindowId"],
            Targets=[{"Key": "InstanceIds", "Values": ["i-0123456789abcdef0"]}],
            TaskArn="AWS-RunShellScript",
            TaskType="RUN_COMMAND",
            TaskInvocationParameters={"RunCommand": {"Parameters": {"commands": ["true"]}}},
            MaxConcurrency="1",
            MaxErrors="0",
            Name=f"operator-{len(self.operator_tasks)}",
        )["WindowTaskId"]
        self.operator_tasks[task_id] = self._task(window["WindowId"], task_id)

    @rule()
    def clean_up(self) -> None:
        STEPS_RUN["clean_up"] += 1
        self.proxy.reset()
        target_json(cleanup(self.proxy.url, "--name", NAME, "--yes", *JSON))
        self._assert_no_lock()

    # -- invariants -------------------------------------------------------------------

    def _task(self, window_id: str, task_id: str) -> dict[str, Any]:
        task = read_task(self.ssm, window_id, task_id)
        for volatile in ("ModifiedDate", "CreatedDate"):
            task.pop(volatile, None)
        return task

    def _assert_no_lock(self) -> None:
        names = parameter_names(self.ssm)
        # Neither the lock nor a takeover claim of it.
        assert not [n for n in names if n.startswith(parameter_name(NAME))], names

    @invariant()
    def nothing_duplicated(self) -> None:
        names = Counter(w["Name"] for w in self._owned_windows())
        assert all(n == 1 for n in names.values()), names

    @invariant()
    def nothing_foreign_changed(self) -> None:
        assert self._foreign() == self.foreign
        for task_id, task in self.operator_tasks.items():
            assert self._task(task["WindowId"], task_id) == task

    def teardown(self) -> None:
        try:
            self.proxy.reset()
            target_json(self._run("--yes", *JSON))
            self.proxy.reset()
            again = target_json(self._run(*JSON))
            writes = [r for r in again["resources"] if r["status"] != "unchanged"]
            assert writes == [], writes
            assert self.proxy.stats()["writes"] == 0
            target_json(cleanup(self.proxy.url, "--name", NAME, "--yes", *JSON))
            for window in self._owned_windows():
                _, _, tasks = read_window(self.ssm, window["WindowId"])
                documents = {t["TaskArn"] for t in tasks}
                assert documents and not documents & PATCHING_DOCUMENTS, (window, documents)
            self.nothing_foreign_changed()
            self._assert_no_lock()
        finally:
            self.proxy.reset()


def test_soak(local_aws: Server, proxied: FaultProxy, tmp_path: Any) -> None:
    Soak.url = local_aws.url
    Soak.proxy = proxied
    Soak.path = str(tmp_path / "soak.toml")
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(
        Soak,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=not os.environ.get("SOAK_RANDOM"),
            database=None,
        ),
    )
    print(f"\nsoak: {EXAMPLES} runs of up to {STEPS} steps: {dict(sorted(STEPS_RUN.items()))}")
