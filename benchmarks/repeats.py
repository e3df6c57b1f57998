"""Each scenario, fresh then re-run: retried once, redone on a busy machine, the median kept."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence

from measure import Result, machine_cpu, run_once, self_cpu
from scenarios import DEFAULT, FOUR_REGIONS, Cell
from services import Bench


def run_scenario(
    bench: Bench, windows: int, regions: tuple[str, ...], concurrency: str
) -> list[Result]:
    """On an empty account, a fresh run, then the same command again.

    A failed run is retried once, from an empty account again.
    """
    results: list[Result] = []
    for attempt in (1, 2):
        bench.reset_endpoint()
        results = []
        for run in ("fresh", "re-run"):
            result = run_once(bench, Cell(windows, regions, run, concurrency))
            results.append(result)
            progress(result)
            if not result.ok:
                break
        if all(r.ok for r in results):
            return results
        if attempt == 1:
            print("  retrying once, from an empty account", file=sys.stderr, flush=True)
    return results + [
        Result(Cell(windows, regions, run, concurrency), error="not run: the fresh run failed")
        for run in ("fresh", "re-run")[len(results) :]
    ]


#: A run during which other work used more than this share of the cores is redone.
BUSY_SHARE = 0.10
#: How often a scenario is redone because the machine was busy, at most.
BUSY_REDOS = 3


def busy_share(result: Result) -> float:
    """The share of the machine's cores that other work used during the run."""
    if result.cpu_other is None or result.wall <= 0:
        return 0.0
    return result.cpu_other / (result.wall * (os.cpu_count() or 1))


def wait_quiet(max_wait: float, window: float = 5.0) -> None:
    """Wait (at most ``max_wait`` s) until other work leaves the cores idle twice in a row."""
    deadline = time.monotonic() + max_wait
    quiet = 0
    while quiet < 2 and time.monotonic() < deadline:
        before, own = machine_cpu(), self_cpu()
        time.sleep(window)
        after = machine_cpu()
        if before is None or after is None:
            return
        share = (after - before - (self_cpu() - own)) / (window * (os.cpu_count() or 1))
        quiet = quiet + 1 if share < BUSY_SHARE else 0
        if quiet == 0:
            print(
                f"  machine busy ({share:.0%} of the cores): waiting", file=sys.stderr, flush=True
            )


def measured_scenario(
    bench: Bench, windows: int, regions: tuple[str, ...], concurrency: str, max_wait: float
) -> list[Result]:
    """run_scenario, redone after a wait when other work competed for the cores."""
    results = run_scenario(bench, windows, regions, concurrency)
    for _ in range(BUSY_REDOS):
        busiest = max(busy_share(r) for r in results)
        if busiest <= BUSY_SHARE or max_wait <= 0:
            break
        print(
            f"  other work used {busiest:.0%} of the cores during a run: redoing the scenario",
            file=sys.stderr,
            flush=True,
        )
        wait_quiet(max_wait)
        results = run_scenario(bench, windows, regions, concurrency)
    return results


def median_of(runs: Sequence[Result]) -> Result:
    """The run with the median wall time (the lower one of an even count), or a failure."""
    failed = [r for r in runs if not r.ok]
    if failed:
        return failed[0]
    chosen = sorted(runs, key=lambda r: r.wall)[(len(runs) - 1) // 2]
    chosen.walls = sorted(r.wall for r in runs)
    calls = {(r.reads, r.writes) for r in runs}
    if len(calls) > 1:
        chosen.unstable = "reads/writes differ between repeats: " + ", ".join(
            f"{reads}/{writes}" for reads, writes in sorted(calls)
        )
    return chosen


def progress(result: Result) -> None:
    status = "ok" if result.ok else f"FAILED: {result.error}"
    print(
        f"  {result.cell.label}: {result.wall:.2f} s, {result.reads} reads, "
        f"{result.writes} writes ({status})",
        file=sys.stderr,
        flush=True,
    )


def warm_up(bench: Bench) -> None:
    """One unmeasured setup in every region, then a reset: moto builds each region's
    backends (AWS-owned baselines, IAM's managed policies) on first use, a cost that
    AWS does not have and that would otherwise land on the first measured run only."""
    cell = Cell(8, FOUR_REGIONS, "fresh", DEFAULT)
    bench.reset_endpoint()
    result = run_once(bench, cell)
    if not result.ok:
        print(f"  warm-up run failed (ignored): {result.error}", file=sys.stderr, flush=True)
    bench.reset_endpoint()
