"""patchsetup.aws.gate: fan-out on threads, at most N calls at once, however deep."""

from __future__ import annotations

import threading
import time

import pytest

from patchsetup.aws.gate import Gate


class Meter:
    """Counts calls in progress and remembers the most at once."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0
        self.order: list[int] = []
        self._guard = threading.Lock()

    def call(self, value: int) -> int:
        with self._guard:
            self.now += 1
            self.most = max(self.most, self.now)
            self.order.append(value)
        time.sleep(0.01)
        with self._guard:
            self.now -= 1
        return value * 10


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_nested_fan_out_never_exceeds_the_limit(limit: int) -> None:
    gate = Gate(limit)
    meter = Meter()

    def chain(first: int) -> list[int]:
        # A listing, then one call per item: like a window's tasks.
        head = gate.call(meter.call, first)
        return [head, *gate.each(lambda i: gate.call(meter.call, i), range(first, first + 4))]

    results = gate.each(chain, [100, 200, 300, 400])
    assert results == [[v * 10 for v in (f, f, f + 1, f + 2, f + 3)] for f in (100, 200, 300, 400)]
    assert meter.most == limit
    assert meter.now == 0


def test_limit_one_calls_in_plan_order() -> None:
    gate = Gate(1)
    meter = Meter()
    gate.each(lambda f: [gate.call(meter.call, f + i) for i in range(2)], [10, 20])
    assert meter.order == [10, 11, 20, 21]


def test_a_limit_below_one_means_one() -> None:
    assert Gate(0).limit == 1


def test_the_first_error_is_raised_after_the_others_finish() -> None:
    gate = Gate(4)
    finished: list[int] = []

    def work(i: int) -> int:
        if i == 1:
            raise ValueError("boom")
        time.sleep(0.02)
        finished.append(i)
        return i

    with pytest.raises(ValueError, match="boom"):
        gate.each(work, range(4))
    assert sorted(finished) == [0, 2, 3]


def test_background_shares_the_gate() -> None:
    gate = Gate(1)
    meter = Meter()
    later = gate.background(lambda: gate.call(meter.call, 7))
    gate.each(lambda i: gate.call(meter.call, i), range(3))
    assert later.result(timeout=5) == 70
    assert meter.most == 1
    failing = gate.background(lambda: 1 // 0)
    with pytest.raises(ZeroDivisionError):
        failing.result(timeout=5)
