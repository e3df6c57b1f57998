"""The aims the benchmark checks (``--check``): speedups, a re-run's calls, the rate limit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from measure import Result
from ratelimit import RateLimited
from scenarios import BURST, DEFAULT, RATE

#: Aim 3: a re-run reads at most READS_PER_WINDOW * N + READS_EXTRA calls per region.
READS_PER_WINDOW = 4
READS_EXTRA = 10
#: Aim 4: the rate-limited run within this factor of its floor.
RATE_LIMITED_FACTOR = 1.3


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
    if not parts:
        return Aim(text, False, "not measured: no re-run was run")
    return Aim(text, holds, "; ".join(parts))


def rate_limit_aim(limited: RateLimited | None) -> Aim:
    text = (
        f"the fresh 40-window x 4-region setup under a token bucket per operation and "
        f"account+region ({RATE:g}/s, burst {BURST:g}) ends as without it, with no failed run, "
        f"within {RATE_LIMITED_FACTOR:g}x of its floor (the time the limit implies plus the "
        "unthrottled run's)"
    )
    if limited is None or not limited.limited:
        return Aim(text, False, "not measured: the rate-limited run was not run")
    failed = [r.error for r in limited.free + limited.limited if not r.ok]
    if failed:
        return Aim(text, False, f"a run failed: {failed[0]}")
    if not limited.same_end_state:
        where = next(d for d in limited.differences if d)
        return Aim(text, False, "the end state differs: " + "; ".join(where))
    holds = limited.ratio <= RATE_LIMITED_FACTOR
    return Aim(
        text,
        holds,
        f"{limited.wall:.2f} s / {limited.floor:.2f} s ({limited.limit_time:.2f} s the limit "
        f"implies + {limited.free_wall:.2f} s unthrottled) = {limited.ratio:.2f}x, "
        f"{sum(limited.throttled.values())} throttles answered, the same end state",
    )


def aims(results: Sequence[Result], limited: RateLimited | None = None) -> list[Aim]:
    return [
        speedup_aim(results, 8, 1, 4),
        speedup_aim(results, 40, 4, 15),
        rerun_aim(results),
        rate_limit_aim(limited),
    ]
