"""Each AWS operation of a client at the pace its throttles show: learned, per operation.

AWS limits every API's request rate per account and region, as a token bucket per
operation: a burst, then a steady rate; beyond it the call is throttled. It does not
publish SSM's rates for the maintenance-window and patch-baseline APIs. botocore's
adaptive mode keeps one rate limiter per client: a throttled CreateMaintenanceWindow
slows every other operation of the client too, and every throttled call waits out an
exponential back-off (up to 20 s), so a run under throttling took twice the time its
limits imply. Here each operation of a client (one account x region x service) has a
pace of its own, learned from its own throttles:

* until its first throttle an operation is not held back (the burst is AWS's to give);
* a throttle means AWS's bucket for the operation is empty. Between two throttles, then,
  what got through is what AWS's steady rate refilled (all of it if the calls kept the
  bucket from filling up): from the second throttle on, the rate is the calls that got
  through since the first one, per second, or in the last ``WINDOW`` seconds if that
  is more (calls too slow to keep the bucket empty measure too little over the long
  run), times ``BACK_OFF`` (a little under AWS's rate). It creeps up by ``SPEED_UP``
  of itself per second until the next throttle, so a rate AWS raised is found again.
  After the first throttle there is only a guess (the calls that got through in the
  last ``WINDOW`` seconds, per second), doubled every second until the second throttle.
  An operation left alone for ``IDLE`` seconds may have its burst again: it is measured
  afresh;
* only calls sent after a throttle count: the answers of calls that were already on the
  wire (got through, or throttled) say nothing about the pace it set;
* every attempt of a paced operation waits for its slot, 1/rate after the one before,
  and a throttled call is retried at once in its turn (no back-off): the wait is the pace.

``attach`` hooks a ``Pacer`` into one client (botocore's ``request-created``, before
signing, and ``needs-retry`` events); each pace it sets is a DEBUG line. The attempts
stay those of the client's retry config; a throttle's retry costs one of them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

WINDOW = 2.0
BACK_OFF = 0.9
SPEED_UP = 0.1
IDLE = 3.0
MIN_RATE = 0.2
RECHECK = 0.1  # a waiting call looks at the pace again this often (it may have quickened)
#: The error codes AWS throttles with (botocore's list, less the quota-like ones).
THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "SlowDown",
    }
)


@dataclass
class _Pace:
    rate: float | None = None  # requests per second; None: not held back
    sent_at: float = float("-inf")  # the slot of the last call sent
    throttled_at: float = float("-inf")  # the last throttle that set the rate
    measured: bool = False  # rate measured between throttles (else a guess, doubling)
    first: float | None = None  # the first throttle since the bucket was last full
    since_first: int = 0  # calls that got through since ``first``
    active_at: float = float("-inf")  # the last call that got through or was throttled
    passed: deque[float] = field(default_factory=deque)  # got through, last WINDOW s


class Pacer:
    """The pace of each operation of one client (thread-safe)."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._paces: dict[str, _Pace] = {}
        self._guard = threading.Lock()

    def rate(self, operation: str) -> float | None:
        """The operation's pace now (requests per second), None when not held back."""
        with self._guard:
            pace = self._paces.get(operation)
            return None if pace is None else self._rate(pace, self._clock())

    @staticmethod
    def _rate(pace: _Pace, now: float) -> float | None:
        if pace.rate is None:
            return None
        age = max(0.0, now - pace.throttled_at)
        return pace.rate * ((1 + SPEED_UP * age) if pace.measured else 2.0 ** min(age, 10.0))

    def _pace(self, operation: str, now: float) -> _Pace:
        pace = self._paces.setdefault(operation, _Pace())
        if now - pace.active_at > IDLE:
            pace.first = None  # left alone: AWS's bucket may be full again
        pace.active_at = now
        return pace

    def wait(self, operation: str) -> float:
        """Wait for the operation's next slot (at once when it is not held back); the
        time the call goes (to hand to ``passed`` or ``throttled``).

        The slot is 1/rate after the last one at the rate of the moment, so a pace that
        quickens lets the waiting calls go sooner; whoever wakes first takes it."""
        while True:
            with self._guard:
                now = self._clock()
                pace = self._paces.get(operation)
                rate = None if pace is None else self._rate(pace, now)
                if pace is None or rate is None:
                    return now
                slot = pace.sent_at + 1 / rate
                if slot <= now:
                    pace.sent_at = slot if now - slot < 1 / rate else now
                    return now
            self._sleep(min(slot - now, RECHECK))

    def passed(self, operation: str, sent: float) -> None:
        """A call of the operation sent at ``sent`` got through."""
        with self._guard:
            now = self._clock()
            pace = self._pace(operation, now)
            if pace.first is not None and sent >= pace.first:
                pace.since_first += 1
            pace.passed.append(now)
            while pace.passed and pace.passed[0] <= now - WINDOW:
                pace.passed.popleft()

    def throttled(self, operation: str, sent: float) -> None:
        """A call of the operation sent at ``sent`` was throttled: pace it to what AWS
        lets through."""
        with self._guard:
            now = self._clock()
            pace = self._pace(operation, now)
            if sent < pace.throttled_at:
                return  # sent before the last throttle set the pace
            while pace.passed and pace.passed[0] <= now - WINDOW:
                pace.passed.popleft()
            if pace.first is None:
                guess = len(pace.passed) / WINDOW
                pace.rate = max(MIN_RATE, min(guess, pace.rate or guess) * BACK_OFF)
                pace.measured = False
                pace.first, pace.since_first = now, 0
            else:
                measured = max(pace.since_first / (now - pace.first), len(pace.passed) / WINDOW)
                pace.rate = max(MIN_RATE, measured * BACK_OFF)
                pace.measured = True
            pace.throttled_at = pace.sent_at = now
            how = "measured" if pace.measured else "guessed"
            log.debug("%s throttled: paced at %.2f/s (%s)", operation, pace.rate, how)


def _operation(event_name: str) -> str:
    return event_name.rsplit(".", 1)[-1]


#: Where an attempt's send time is kept: the request context botocore hands to both hooks.
_SENT = "patchsetup_paced_at"


def attach(client: Any, pacer: Pacer | None = None) -> Pacer:
    """Pace every operation of ``client`` (its own Pacer unless one is given)."""
    pacer = pacer or Pacer()
    most = int(client.meta.config.retries.get("total_max_attempts", 1))

    def request_created(request: Any = None, event_name: str = "", **_: Any) -> None:
        # Every attempt makes its request afresh, before signing it: wait here.
        sent = pacer.wait(_operation(event_name))
        if request is not None and isinstance(getattr(request, "context", None), dict):
            request.context[_SENT] = sent

    def needs_retry(
        event_name: str = "",
        response: Any = None,
        attempts: int = 0,
        request_dict: Any = None,
        **_: Any,
    ) -> float | None:
        context = request_dict.get("context", {}) if isinstance(request_dict, dict) else {}
        sent = context.get(_SENT)
        if response is None or sent is None:
            return None
        http, parsed = response
        operation = _operation(event_name)
        status = getattr(http, "status_code", 0)
        code = parsed.get("Error", {}).get("Code", "") if isinstance(parsed, dict) else ""
        if 200 <= status < 300:
            pacer.passed(operation, sent)
            return None
        if code not in THROTTLE_CODES and status != 429:
            return None
        pacer.throttled(operation, sent)
        return 0.0 if attempts < most else None  # again at once: request_created paces it

    client.meta.events.register_first("request-created", request_created)
    client.meta.events.register_first("needs-retry", needs_retry)
    return pacer
