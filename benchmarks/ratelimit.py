"""The rate-limited run: the 40-window x 4-region fresh setup under the proxy's token buckets.

The model (scenarios.RATE_LIMIT): every operation has its own token bucket per account
and region, ``RATE`` requests a second and a burst of ``BURST`` (AWS does not publish
SSM's rates for these APIs: a model, not a measurement). Each repeat runs the setup on
an empty account without limits, reads what it left, then again on an empty account
under the limits and reads that: the two must be the same, with no failed run.

The floor is the time the limits imply, max over account+region and operation of
(calls - BURST) / RATE (the calls of the unthrottled run: what the setup needs), plus
the unthrottled run's own wall time (the start-up, reads and round trips it pays
anyway). The run is judged by its wall time over that floor.
"""

from __future__ import annotations

import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field

from endstate import differences, snapshot
from measure import Result, run_once
from repeats import progress
from scenarios import BURST, DEFAULT, FOUR_REGIONS, RATE, RATE_LIMIT, Cell
from services import Bench

WINDOWS = 40


@dataclass
class RateLimited:
    free: list[Result] = field(default_factory=list)  # without limits, per repeat
    limited: list[Result] = field(default_factory=list)  # under RATE_LIMIT, per repeat
    #: Per repeat: where the end states differ (empty: the same).
    differences: list[list[str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        runs = self.free + self.limited
        return bool(runs) and all(r.ok for r in runs) and not any(self.differences)

    @property
    def same_end_state(self) -> bool:
        return bool(self.differences) and not any(self.differences)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.limited) if self.limited else 0.0

    @property
    def free_wall(self) -> float:
        return statistics.median(r.wall for r in self.free) if self.free else 0.0

    @property
    def limit_time(self) -> float:
        """max over account+region and operation of (calls - BURST) / RATE."""
        if not self.free:
            return 0.0
        calls = self.free[0].passed
        return max(((n - BURST) / RATE for n in calls.values()), default=0.0)

    @property
    def busiest(self) -> str:
        """The account/region and operation the limit time comes from."""
        if not self.free or not self.free[0].passed:
            return "-"
        (where, op), n = max(self.free[0].passed.items(), key=lambda item: item[1])
        return f"{op} in {where}: {n} calls"

    @property
    def floor(self) -> float:
        return self.limit_time + self.free_wall

    @property
    def ratio(self) -> float:
        return self.wall / self.floor if self.floor > 0 else 0.0

    @property
    def throttled(self) -> Counter[str]:
        """Throttles per operation of the median run."""
        if not self.limited:
            return Counter()
        median = sorted(self.limited, key=lambda r: r.wall)[(len(self.limited) - 1) // 2]
        return median.throttled


def rate_limited(bench: Bench, repeat: int) -> RateLimited:
    """``repeat`` pairs of fresh 40 x 4 setups: without the limits, then under them."""
    found = RateLimited()
    for _ in range(repeat):
        states = []
        for throttle in ("", RATE_LIMIT):
            bench.reset_endpoint()
            result = run_once(bench, Cell(WINDOWS, FOUR_REGIONS, "fresh", DEFAULT, throttle))
            progress(result)
            if throttle:
                found.limited.append(result)
                print(f"  throttled: {dict(result.throttled)}", file=sys.stderr, flush=True)
            else:
                found.free.append(result)
            states.append(snapshot(bench.endpoint.url, FOUR_REGIONS))
        found.differences.append(differences(states[0], states[1]))
    bench.reset_endpoint()
    return found
