"""Crash at every write: a re-run after any interruption converges, exactly.

The seed 004 example (46 resources) goes through tools/fault_proxy.py. Its crash
points are the write calls of a clean run: N = 48 for ``ssm-patching-setup`` (the
run lock's PutParameter, 12 baselines, 24 patch-group registrations, 2 windows with
2 targets and 2 tasks each, the lock's DeleteParameter) and M = 40 for
``ssm-patching-cleanup`` (the lock, 2 windows, 24 deregistrations, 12 baselines, the
lock). At the k-th write the proxy receives, for every k, three ways to fail:

* ``error``: the write is refused (AccessDeniedException, not retried);
* ``drop``: the write takes effect but its response is lost (the connection is
  reset; botocore sends it again, with the same parameters and ClientToken);
* ``kill``: the run is SIGKILLed while the proxy holds the write (never sent).

The runs use the tool's default concurrency, as users run it: lanes (a baseline
with its patch groups, a window with its targets and tasks) write side by side, so
which call is the k-th can differ from run to run (only the lock's are fixed: the
first and the last), and a crash can leave any mix of finished and unfinished lanes.
Each test records the call it crashed at and how the run ended.

A phase crashes the command at its k-th write, then checks that it recovers: the
interrupted run may fail, but only with one ``error:`` line and the exit code the
README gives (1 when nothing was changed, 4 when some changes were made), never
with a traceback; a healthy run with ``--yes`` exits 0 and leaves the account
exactly as a clean run does (a snapshot without IDs and timestamps: every window,
target, task, baseline, registration and parameter counted, so no duplicate, no
orphan, no lock left); and, where the crash hit the run lock's own write (the first
or the last), a further run plans nothing and makes no write call. Elsewhere that
further run would only repeat what the exact snapshot already shows.

One test per (how, k) runs the setup phase at write k (on an account holding only
hand-made resources of another owner, which must come through untouched), then, on
the account that phase converged to (the exact state of a clean apply), the cleanup
phase at write k. Chaining the two saves a whole apply per cleanup crash point; the
3 x max(N, M) tests cover 3N + 3M crash points, which
``test_crash_points_are_every_write`` checks against clean runs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest

from tests.helpers.account import assert_same, snapshot, snapshot_diff
from tests.helpers.cli import cleanup, setup, target_json
from tests.helpers.proxy import (
    ARGS,
    NOTHING,
    FaultProxy,
    Reference,
    assert_failed_cleanly,
    changes,
    kill_while_held,
)
from tools.launch import Server

HOWS = ("error", "drop", "kill")

LOCK_TAKE, LOCK_FREE = "ssm:PutParameter", "ssm:DeleteParameter"
LOCK_PARAMETER = "/patchsetup/lock/test-prod-batches"
#: The write calls of a clean apply of the example (the lock's first and last; in
#: between, lanes interleave).
SETUP_WRITES = Counter(
    {
        LOCK_TAKE: 1,
        "ssm:CreatePatchBaseline": 12,
        "ssm:RegisterPatchBaselineForPatchGroup": 24,
        "ssm:CreateMaintenanceWindow": 2,
        "ssm:RegisterTargetWithMaintenanceWindow": 4,
        "ssm:RegisterTaskWithMaintenanceWindow": 4,
        LOCK_FREE: 1,
    }
)
#: The write calls of a clean cleanup: deleting a window takes its targets and tasks
#: with it; a baseline's patch groups are deregistered before it is deleted.
CLEANUP_WRITES = Counter(
    {
        LOCK_TAKE: 1,
        "ssm:DeleteMaintenanceWindow": 2,
        "ssm:DeregisterPatchBaselineForPatchGroup": 24,
        "ssm:DeletePatchBaseline": 12,
        LOCK_FREE: 1,
    }
)
N, M = SETUP_WRITES.total(), CLEANUP_WRITES.total()
CRASH_POINTS = max(N, M)

#: Known tool bug (reported): the run lock's parameter outlives a run whose
#: DeleteParameter fails (lock.held() suppresses the error; exit 0) or that dies at
#: it; the healthy re-run has nothing to do, never takes the lock, and so never
#: removes it. An orphan, which also refuses runs from other hosts for 30 minutes.
#: The phases listed here must show exactly that symptom (a strict expected
#: failure: once fixed, they fail until removed from this list).
ORPHAN_LOCK: set[tuple[str, int, str]] = set()  # fixed: a converged run clears a stale lock
ORPHAN_LOCK_REASON = (
    "tool bug: the run lock parameter is left behind when its DeleteParameter fails or "
    "the run dies there, and a converged re-run never removes it"
)


@dataclass(frozen=True)
class Phase:
    command: str  # "setup" or "cleanup"
    writes: Counter[str]

    def run(self, proxy: FaultProxy, *args: str) -> Any:
        return (setup if self.command == "setup" else cleanup)(proxy.url, *ARGS, *args)

    @property
    def script(self) -> str:
        return f"ssm-patching-{self.command}"

    def lock_write(self, k: int) -> str | None:
        """The k-th write when it is one of the lock's (the first and the last)."""
        return LOCK_TAKE if k == 1 else LOCK_FREE if k == self.writes.total() else None


SETUP, CLEANUP = Phase("setup", SETUP_WRITES), Phase("cleanup", CLEANUP_WRITES)

CRASHES = [(k, how) for how in HOWS for k in range(1, CRASH_POINTS + 1)]
CASES = [pytest.param(k, how, id=f"{how}-w{k:02d}") for k, how in CRASHES]


def test_crash_points_are_every_write(reference: Reference, record_property: Any) -> None:
    """The crash points are exactly the writes clean runs make, each covered 3 times."""
    for phase, writes in ((SETUP, reference.setup_writes), (CLEANUP, reference.cleanup_writes)):
        assert Counter(writes) == phase.writes, (
            f"a clean {phase.command} of the example makes other writes than the crash "
            f"points (update {phase.command.upper()}_WRITES, unless a call was retried: "
            f"answers {reference.responses[phase.command]}): {writes}"
        )
        assert (writes[0], writes[-1]) == (LOCK_TAKE, LOCK_FREE), writes
    n, m = len(reference.setup_writes), len(reference.cleanup_writes)
    covered = sum(int(k <= n) + int(k <= m) for k, _ in CRASHES)
    assert covered == 3 * n + 3 * m
    record_property("crash_points", covered)
    print(f"\ncrash points: setup {n} writes x 3 + cleanup {m} writes x 3 = {covered}")


# -- one phase: crash, converge, confirm -------------------------------------------------


def crash(proxy: FaultProxy, phase: Phase, k: int, how: str) -> str:
    """Run the phase's command with its k-th write failing ``how``; it may fail, cleanly.

    Returns the call it crashed at and how the run ended, for the test's record.
    """
    proxy.reset()
    if how == "kill":
        proxy.fail_write(k, "hold")
        held, status, out, err = kill_while_held(proxy, phase.script, *ARGS, "--yes")
        assert held in phase.writes and held == (phase.lock_write(k) or held), held
        assert status == -9, f"exit {status}\n{out}\n{err}"
        assert "Traceback" not in out + err, err
        return f"{held}: killed"
    proxy.fail_write(k, how)
    result = phase.run(proxy, "--yes")
    stats = proxy.stats()
    assert stats["injected"] == {how: 1}, stats
    crashed_at = stats["write_ops"][k - 1]
    assert crashed_at == (phase.lock_write(k) or crashed_at), stats["write_ops"]
    assert_failed_cleanly(result)
    return f"{crashed_at}: exit {result.returncode} {result.stderr.strip()}".strip()


def recover(
    proxy: FaultProxy, url: str, phase: Phase, k: int, how: str, want: dict[str, Any]
) -> None:
    """A healthy run with --yes converges to ``want``; at a lock write, a further run
    has nothing to do."""
    proxy.reset()
    target_json(phase.run(proxy, "--yes"))
    have = snapshot(url)
    diff = snapshot_diff(want, have)
    if (phase.command, phase.lock_write(k), how) in ORPHAN_LOCK:
        # Strict: exactly the known symptom, or this case is fixed and must leave the list.
        orphan = {f"parameters/{i}": (None, LOCK_PARAMETER) for i in range(len(have["parameters"]))}
        assert diff and set(diff.items()) <= set(orphan.items()), (
            f"{phase.command} crashed ({how}) at its last write no longer (only) leaves the "
            f"lock behind: remove it from ORPHAN_LOCK if fixed; differences: {diff}"
        )
        pytest.xfail(ORPHAN_LOCK_REASON)
    assert_same(
        want, have, f"after {phase.command} crashed ({how}) at write {k}: the healthy re-run"
    )
    if phase.lock_write(k) is None:
        # The snapshot is exact, and a clean account plans nothing (test_examples),
        # so a further run is confirmed only where the lock's own recovery is at stake.
        return
    proxy.reset()
    report = target_json(phase.run(proxy))
    assert changes(report) == NOTHING, report["summary"]
    assert proxy.stats()["writes"] == 0, proxy.stats()["write_ops"]


@pytest.mark.parametrize(("k", "how"), CASES)
def test_crash_at_write_k_then_converge(
    local_aws: Server,
    proxied: FaultProxy,
    account: Reference,
    record_property: Any,
    k: int,
    how: str,
) -> None:
    """Setup crashed at its k-th write converges; then cleanup crashed at its k-th does."""
    if k <= N:
        record_property("setup_crash", crash(proxied, SETUP, k, how))
        recover(proxied, local_aws.url, SETUP, k, how, account.desired)
    else:
        proxied.reset()
        target_json(SETUP.run(proxied))
    if k <= M:
        record_property("cleanup_crash", crash(proxied, CLEANUP, k, how))
        recover(proxied, local_aws.url, CLEANUP, k, how, account.before)
