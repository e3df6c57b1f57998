"""The per-operation pacing under throttles (patchsetup/aws/pacing.py), on a fake clock.

Deterministic: the clock only moves when the test (or a wait's sleep) moves it. An
operation is not held back until it is throttled; the first throttle guesses its rate
from what got through lately, the second measures it (what got through between them);
the calls that were already on the wire when a pace was set do not change it; each
operation has its own pace; an operation left alone is measured afresh. Through the
CLI and the fault proxy: tests/resilience/test_throttle.py.
"""

from __future__ import annotations

import itertools

import pytest

from patchsetup.aws import pacing
from patchsetup.aws.pacing import Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def pacer(clock: Clock) -> Pacer:
    return Pacer(clock=clock, sleep=clock.sleep)


def _burst(pacer: Pacer, clock: Clock, op: str, calls: int, every: float) -> None:
    for _ in range(calls):
        pacer.passed(op, pacer.wait(op))
        clock.now += every


def test_an_operation_never_throttled_is_not_held_back(pacer: Pacer, clock: Clock) -> None:
    _burst(pacer, clock, "CreateMaintenanceWindow", 50, 0.001)
    assert clock.slept == []
    assert pacer.rate("CreateMaintenanceWindow") is None


def test_the_first_throttle_guesses_from_what_got_through_lately(
    pacer: Pacer, clock: Clock
) -> None:
    _burst(pacer, clock, "Op", 10, 0.01)  # a burst of 10 in a tenth of a second
    pacer.throttled("Op", clock.now)
    guessed = 10 / pacing.WINDOW * pacing.BACK_OFF
    assert pacer.rate("Op") == pytest.approx(guessed)
    # The throttled call goes again in its turn: one slot after the throttle, at the
    # guess (which doubles every second, so the slot comes a little sooner).
    throttled_at = clock.now
    slot = pacer.wait("Op") - throttled_at
    assert 1 / (guessed * 2) < slot <= 1 / guessed + pacing.RECHECK, slot
    assert clock.slept and max(clock.slept) <= pacing.RECHECK


def test_the_second_throttle_measures_what_got_through_between(pacer: Pacer, clock: Clock) -> None:
    _burst(pacer, clock, "Op", 10, 0.01)
    pacer.throttled("Op", clock.now)
    first = clock.now
    # AWS lets 5 a second through: 15 calls go in the 3 s after the first throttle.
    for _ in range(15):
        clock.now += 0.2
        pacer.passed("Op", clock.now)
    pacer.throttled("Op", clock.now)
    assert clock.now - first == pytest.approx(3.0)
    assert pacer.rate("Op") == pytest.approx(5 * pacing.BACK_OFF)
    # ... and creeps up until the next throttle.
    clock.now += 2
    assert pacer.rate("Op") == pytest.approx(5 * pacing.BACK_OFF * (1 + 2 * pacing.SPEED_UP))


def test_paced_calls_go_one_slot_apart(pacer: Pacer, clock: Clock) -> None:
    _burst(pacer, clock, "Op", 10, 0.01)
    pacer.throttled("Op", clock.now)
    sent = [pacer.wait("Op") for _ in range(4)]
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    rate = pacer.rate("Op")
    assert rate is not None
    # Each gap is one slot at the pace of its moment (a guess doubles every second).
    assert all(g == pytest.approx(1 / rate, rel=0.5) for g in gaps), gaps
    assert all(g > 0.1 for g in gaps), gaps


def test_throttles_of_calls_sent_before_the_pace_change_nothing(pacer: Pacer, clock: Clock) -> None:
    _burst(pacer, clock, "Op", 10, 0.01)
    on_the_wire = clock.now - 0.005
    pacer.throttled("Op", clock.now)
    rate = pacer.rate("Op")
    for _ in range(7):
        pacer.throttled("Op", on_the_wire)
        pacer.passed("Op", on_the_wire)
    assert pacer.rate("Op") == rate


def test_each_operation_has_its_own_pace(pacer: Pacer, clock: Clock) -> None:
    _burst(pacer, clock, "CreateMaintenanceWindow", 10, 0.01)
    pacer.throttled("CreateMaintenanceWindow", clock.now)
    assert pacer.rate("CreateMaintenanceWindow") is not None
    clock.slept.clear()
    _burst(pacer, clock, "RegisterTargetWithMaintenanceWindow", 20, 0.001)
    assert clock.slept == []
    assert pacer.rate("RegisterTargetWithMaintenanceWindow") is None


def test_an_operation_left_alone_is_measured_afresh(pacer: Pacer, clock: Clock) -> None:
    _burst(pacer, clock, "Op", 10, 0.01)
    pacer.throttled("Op", clock.now)
    clock.now += pacing.IDLE + 1  # AWS's bucket fills up again meanwhile
    _burst(pacer, clock, "Op", 4, 0.01)
    pacer.throttled("Op", clock.now)
    # Not measured over the idle time (which would say 4 calls in 4 s): guessed again.
    assert pacer.rate("Op") == pytest.approx(4 / pacing.WINDOW * pacing.BACK_OFF)


def test_a_throttle_with_nothing_through_paces_at_the_slowest(pacer: Pacer, clock: Clock) -> None:
    pacer.throttled("Op", pacer.wait("Op"))
    assert pacer.rate("Op") == pytest.approx(pacing.MIN_RATE)
