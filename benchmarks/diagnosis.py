"""For each speedup aim, what the default-concurrency run spends its time on."""

from __future__ import annotations

import os
from collections.abc import Sequence

from aims import find
from measure import LOCK_WRITES, Result
from scenarios import DEFAULT, DEFAULT_CONCURRENCY
from tables import PARTS, cpu_text, parts_of


def _plan_writes(r: Result) -> int:
    return sum(n for op, n in r.write_ops.items() if op not in LOCK_WRITES)


def _call_time(results: Sequence[Result], windows: int) -> float | None:
    """Seconds per write when writes go one by one: 1 region, ``--concurrency 1``."""
    try:
        one = find(results, windows, 1, "fresh", "1")
    except KeyError:
        return None
    count = _plan_writes(one)
    if not one.ok or count < 2:
        return None
    return _span(one.first_plan_write, one.last_plan_write) / (count - 1)


def ceiling(fast: Result, slow: Result, per_call: float) -> str:
    """The best ratio the round trips allow, with and without the start-up both pay."""
    calls = slow.reads + slow.writes
    rounds = max(fast.region_chain or fast.chain, 1)
    parts = dict(parts_of(fast))
    fixed = parts.get(PARTS[0], 0.0) + parts.get(PARTS[-1], 0.0)
    network = calls / rounds
    overall = (fixed + calls * per_call) / (fixed + rounds * per_call)
    return (
        f" Round trips: `--concurrency 1` makes its {calls} calls one after another; the "
        f"default run made {rounds} in a row in a region (counted by the proxy: each request "
        f"one round after the last one of its region answered before it arrived; "
        f"{fast.chain} over all regions side by side): the first "
        f"read, the lock, the re-read with Service Quotas beside it, the rounds of plan "
        f"writes with the lock's read beside the last, the lock's release. So it can be at "
        f"most {network:.1f}x faster with no start-up at all, and at most {overall:.1f}x "
        f"with the {fixed:.2f} s of start-up and exit that both runs pay (if CPU were free)."
    )


def diagnosis(results: Sequence[Result], floor: float, latency_ms: float) -> list[str]:
    """For each speedup aim, what the default-concurrency run spends its time on."""
    notes: list[str] = []
    for windows, regions in ((8, 1), (40, 4)):
        try:
            fast = find(results, windows, regions, "fresh", DEFAULT)
            slow = find(results, windows, regions, "fresh", "1")
        except KeyError:
            continue
        if not (fast.ok and slow.ok) or fast.first_plan_write is None:
            continue
        parts = parts_of(fast)
        biggest = max(parts, key=lambda p: p[1])
        count = _plan_writes(fast)
        span = _span(fast.first_plan_write, fast.last_plan_write)
        slow_span = _span(slow.first_plan_write, slow.last_plan_write)
        rest = fast.wall - span
        per_call = _call_time(results, windows)
        calls = ""
        if per_call:
            per_region = count // regions
            lanes = DEFAULT_CONCURRENCY
            calls = (
                f" One write takes {per_call * 1000:.0f} ms when writes go one by one "
                f"({latency_ms:g} ms of it the proxy's latency), so the default run's writes "
                f"took as long as {span / per_call + 1:.0f} calls in a row (from the first "
                f"write's arrival to the last one's, plus one call); {per_region} writes per "
                f"region spread evenly over {lanes} lanes would need {-(-per_region // lanes)}."
            )
        if per_call:
            calls += ceiling(fast, slow, per_call)
        notes.append(
            f"- **{windows} windows, {regions} region(s), fresh**, default concurrency, "
            f"{fast.wall:.2f} s: "
            + ", ".join(f"{name} {seconds:.2f}" for name, seconds in parts)
            + f". Largest part: {biggest[0]}. Its {count} plan writes take {span:.2f} s "
            f"(with `--concurrency 1`: {slow_span:.2f} s).{calls} Everything but the plan "
            f"writes takes {rest:.2f} s of the {fast.wall:.2f} s, so even plan writes that "
            f"took no time at all would make the run at most "
            f"{slow.wall / max(rest, 1e-9):.1f}x faster than `--concurrency 1` "
            f"({slow.wall:.2f} s). CPU s of the tool / the endpoint / the proxy / other "
            f"work: {cpu_text(fast)}; the tool and the two servers used "
            f"{100 * fast.cpu_total / (fast.wall * (os.cpu_count() or 1)):.0f}% of the "
            f"{os.cpu_count()} cores over the run."
        )
    return notes


def _span(start: float | None, end: float | None) -> float:
    return 0.0 if start is None or end is None else end - start
