"""The aims the benchmark checks (``--check``): speedups and a re-run's calls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from measure import Result
from scenarios import DEFAULT

#: Aim 3: a re-run reads at most READS_PER_WINDOW * N + READS_EXTRA calls per region.
READS_PER_WINDOW = 4
READS_EXTRA = 10


@dataclass(frozen=True)
class Aim:
    text: str
    holds: bool
    measured: str


def find(results: Sequence[Result], windows: int, regions: int, run: str, conc: str) -> Result:
    for r in results:
        c = r.cell
        if (c.windows, len(c.regions), c.run, c.concurrency) == (windows, regions, run, conc):
            return r
    raise KeyError((windows, regions, run, conc))


def speedup_aim(results: Sequence[Result], windows: int, regions: int, factor: float) -> Aim:
    where = "1 region" if regions == 1 else f"{regions} regions"
    text = (
        f"a fresh {windows}-window setup ({where}) at default concurrency is at least "
        f"{factor:g}x faster than with `--concurrency 1`"
    )
    try:
        fast = find(results, windows, regions, "fresh", DEFAULT)
        slow = find(results, windows, regions, "fresh", "1")
    except KeyError:
        return Aim(text, False, "not measured: cell not run")
    if not (fast.ok and slow.ok) or fast.wall <= 0:
        return Aim(text, False, "not measured: a run failed")
    ratio = slow.wall / fast.wall
    return Aim(
        text,
        ratio >= factor,
        f"{slow.wall:.2f} s / {fast.wall:.2f} s = {ratio:.1f}x",
    )


def rerun_aim(results: Sequence[Result]) -> Aim:
    text = (
        f"a re-run makes no write call and at most {READS_PER_WINDOW}N+{READS_EXTRA} read "
        "calls per region for N windows"
    )
    parts: list[str] = []
    holds = True
    for r in results:
        if r.cell.run != "re-run":
            continue
        limit = READS_PER_WINDOW * r.cell.windows + READS_EXTRA
        good = r.ok and r.writes == 0 and r.reads_per_region <= limit
        holds = holds and good
        parts.append(
            f"{r.cell.windows} windows x {len(r.cell.regions)} region(s), concurrency "
            f"{r.cell.concurrency}: {r.writes} writes, {r.reads_per_region:g} reads per region "
            f"(limit {limit}){'' if good else ' FAILS'}"
        )
    return Aim(text, holds, "; ".join(parts))


def aims(results: Sequence[Result]) -> list[Aim]:
    return [
        speedup_aim(results, 8, 1, 4),
        speedup_aim(results, 40, 4, 10),
        rerun_aim(results),
    ]
