"""A plan as a DAG (deploy/order.py), and the executor running it round by round.

What each change waits for: its lane, the values it uses, the phase before its own;
deletes keep their safe order. A stand-in client counts the rounds the executor makes
(a call is one round after the last one answered before it started), as the fault
proxy counts requests in a row.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import pytest

from patchsetup.deploy.executor import ExecutionFailed, execute
from patchsetup.deploy.order import dependencies, heights, sequence
from patchsetup.deploy.plan import Plan
from patchsetup.deploy.planner import plan
from patchsetup.deploy.remote import RemoteState
from patchsetup.deploy.sweeper import cleanup_plan
from tests.helpers.setups import as_remote, flag_setup


def _fresh(**flags: Any) -> Plan:
    return plan(flag_setup(**flags), RemoteState(), lambda: "token")


def _waits(the_plan: Plan) -> dict[str, set[str]]:
    """Each change (kind and label) -> what it waits for (kinds and labels)."""
    names = [f"{c.kind} {c.label}" for c in the_plan.changes]
    return {
        names[i]: {names[w] for w in waits}
        for i, waits in enumerate(dependencies(the_plan))
        if the_plan.changes[i].calls
    }


def test_a_fresh_setup_waits_only_for_what_each_write_needs() -> None:
    the_plan = _fresh(weeks=(1,), days=(2, 3), hours=(3,))
    waits = _waits(the_plan)
    [baseline] = [n for n in waits if n.startswith("baseline ")]
    windows = sorted(n for n in waits if n.startswith("window "))
    assert len(windows) == 2
    assert waits[baseline] == set()
    for window in windows:
        name = window.removeprefix("window ")
        assert waits[window] == set()
        [target] = [n for n in waits if n.startswith(f"target {name}/")]
        [task] = [n for n in waits if n.startswith(f"task {name}/")]
        assert waits[target] == {window}
        assert waits[task] == {target, window}  # its lane, and the window's ID
    groups = [n for n in waits if n.startswith("patch-group ")]
    assert len(groups) == 2
    assert all(waits[g] == {baseline} for g in groups)  # not the windows
    height = dict(
        zip(
            [f"{c.kind} {c.label}" for c in the_plan.changes],
            heights(the_plan, dependencies(the_plan)),
            strict=True,
        )
    )
    assert {height[w] for w in windows} == {3} and height[baseline] == 2


def test_tasks_wait_for_the_role_made_in_the_same_run() -> None:
    waits = _waits(_fresh(weeks=(1,), days=(2,), hours=(3,), create_service_role=True))
    [role] = [n for n in waits if n.startswith("role ")]
    [task] = [n for n in waits if n.startswith("task ")]
    assert role in waits[task]
    assert waits[role] == set()
    assert all(role not in w for n, w in waits.items() if not n.startswith("task "))


def test_deletes_keep_their_safe_order() -> None:
    setup = flag_setup(weeks=(1,), days=(2, 3), hours=(3,))
    state = as_remote(setup)
    [ours] = state.baselines
    state.default_baselines = {ours.baseline_id}
    state.aws_defaults = {ours.operating_system: "arn:aws:ssm:::patchbaseline/pb-aws"}
    the_plan = cleanup_plan(state, all_patching=True)
    changes = the_plan.changes
    waits = dependencies(the_plan)
    restores = [i for i, c in enumerate(changes) if c.kind == "default-baseline"]
    baseline_deletes = [i for i, c in enumerate(changes) if c.kind == "baseline"]
    window_deletes = [i for i, c in enumerate(changes) if c.kind == "window"]
    assert restores and baseline_deletes and window_deletes
    for i in baseline_deletes:  # the default restored (and registrations gone) first
        assert set(restores) <= waits[i]
        assert {j for j, c in enumerate(changes) if c.phase < changes[i].phase} <= waits[i]
    for i in window_deletes:
        assert {j for j, c in enumerate(changes) if c.phase < changes[i].phase} <= waits[i]


def test_one_by_one_is_phase_by_phase_and_lane_by_lane() -> None:
    # --concurrency 1: the order it always had (the baseline, each window's chain, the
    # registrations), one topological order of the DAG.
    the_plan = _fresh(weeks=(1,), days=(2,), hours=(3, 4))
    kinds = [the_plan.changes[i].kind for i in sequence(the_plan)]
    assert kinds == ["baseline", *["window", "target", "task"] * 2, "patch-group", "patch-group"]
    waits = dependencies(the_plan)
    position = {index: n for n, index in enumerate(sequence(the_plan))}
    assert all(position[w] < position[i] for i, ws in enumerate(waits) for w in ws)


# -- the executor, round by round ------------------------------------------------------


class _Rounds:
    """An SSM stand-in: each call ``delay`` long, numbered by round (one more than the
    highest round answered before it started), any method answering an ID."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.answered = 0
        self.rounds: list[list[str]] = []
        self.most = 0
        self._in_flight = 0
        self._guard = threading.Lock()

    def record(self, name: str) -> None:
        with self._guard:
            level = self.answered + 1
            while len(self.rounds) < level:
                self.rounds.append([])
            self.rounds[level - 1].append(name)
            self._in_flight += 1
            self.most = max(self.most, self._in_flight)
        time.sleep(self.delay)
        with self._guard:
            self._in_flight -= 1
            self.answered = max(self.answered, level)

    def __getattr__(self, method: str) -> Any:
        def call(**params: Any) -> dict[str, str]:
            self.record(method)
            return {
                "WindowId": "mw-1",
                "BaselineId": "pb-1",
                "WindowTargetId": "t-1",
                "WindowTaskId": "k-1",
            }

        return call


@pytest.mark.parametrize(("concurrency", "rounds"), [(16, 3), (8, 5), (1, 33)])
def test_eight_windows_take_three_rounds_on_sixteen_lanes(concurrency: int, rounds: int) -> None:
    # 33 writes: 8 windows and the baseline; 8 targets and 8 registrations; 8 tasks.
    ssm = _Rounds(delay=0.2 if concurrency > 1 else 0.0)  # well above thread jitter
    the_plan = _fresh()
    assert len(the_plan.calls) == 33
    tail: list[int] = []

    def lock_read() -> None:
        tail.append(len(ssm.rounds))
        ssm.record("get_parameter")

    outcomes = execute({"ssm": ssm}, the_plan, concurrency=concurrency, tail=lock_read)
    assert {o.status for o in outcomes} == {"done"}
    if concurrency == 1:
        assert len(ssm.rounds) == 33 and ssm.most == 1
        assert tail == []  # one call at a time: nothing beside the last
        return
    assert len(ssm.rounds) == rounds, ssm.rounds
    assert ssm.most <= concurrency
    if concurrency == 16:
        assert Counter(ssm.rounds[0]) == {
            "create_maintenance_window": 8,
            "create_patch_baseline": 1,
        }
        assert Counter(ssm.rounds[1]) == {
            "register_target_with_maintenance_window": 8,
            "register_patch_baseline_for_patch_group": 8,
        }
    # The tail went beside the last round's calls, not after them.
    assert "get_parameter" in ssm.rounds[-1]


def test_a_failed_window_leaves_its_chain_not_run_and_starts_nothing_new() -> None:
    class Failing(_Rounds):
        def create_maintenance_window(self, **params: Any) -> dict[str, str]:
            if params["Name"].endswith("0300"):
                time.sleep(0.03)  # started beside the others, failed while they are in flight
                raise RuntimeError("denied")
            self.record("create_maintenance_window")
            return {"WindowId": "mw-1"}

    ssm = Failing(delay=0.1)
    the_plan = _fresh(weeks=(1,), days=(2,), hours=(3, 4))
    tail: list[bool] = []
    with pytest.raises(ExecutionFailed, match="denied") as caught:
        execute({"ssm": ssm}, the_plan, concurrency=16, tail=lambda: tail.append(True))
    statuses = {f"{o.change.kind} {o.change.label}": o.status for o in caught.value.outcomes}
    # The other window and the baseline finished; nothing that waited for them began.
    assert len(ssm.rounds) == 1, ssm.rounds
    assert Counter(statuses.values()) == {"done": 2, "failed": 1, "not-run": 6}, statuses
    assert tail == []
