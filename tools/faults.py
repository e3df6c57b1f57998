"""The fault proxy's rules (tools/fault_proxy.py): what counts as a write, and which fault hits.

``State`` holds the config and the counters the control API reports; ``decide`` picks
each AWS request's fault in arrival order, so a sequential client sees the same faults
every time; ``error_body`` is an injected AWS error in the operation's protocol. The
config keys (``POST /__proxy/config``; ``null`` clears one):

* ``"fail_write": {"k": N, "how": "error" | "drop" | "hold"}``: the N-th write
  since the last reset (1-based) fails. ``error``: HTTP 400
  ``{"__type": "AccessDeniedException", "message": "injected by fault_proxy"}``,
  not forwarded (an XML ``ErrorResponse`` with Code ``AccessDenied`` for the query
  protocol). ``drop``: forwarded, so it takes effect, then the client connection
  is reset without a response (botocore retries the same request). ``hold``: not
  forwarded; the connection stays open until ``/__proxy/release``, then it is
  reset and the request discarded.
* ``"faults": {"rate": 0.2, "kinds": ["throttle", "500", "slow", "reset"],
  "seed": 1, "slow_ms": 300}``: each AWS request independently, with
  probability ``rate``, gets one of ``kinds`` (drawn from ``random.Random(seed)``
  in arrival order, so a sequential client sees the same faults every time).
  ``throttle``: HTTP 400 ``ThrottlingException`` "Rate exceeded" (query protocol:
  an XML ``ErrorResponse`` with Code ``Throttling``, as IAM answers); ``500``:
  HTTP 500 ``InternalServerError`` (query protocol: ``InternalFailure``);
  ``slow``: wait ``slow_ms``, then forward; ``reset``: reset the connection
  without a response and without forwarding. Neither ``throttle`` nor ``500``
  is forwarded. ``fail_write`` wins over ``faults`` for its write.
* ``"latency_ms": 20``: a fixed delay before every forwarded request.
* ``"throttle": "default=5/10,CreateMaintenanceWindow=2/5"`` (or the object form
  ``{"default": {"rate": 5, "burst": 10}}``): a token bucket per operation and per
  account+region (tools/throttle.py); a request beyond its bucket is answered as the
  ``throttle`` fault, not forwarded, and counted in ``throttled`` (per operation) and
  ``throttled_targets`` (per ``account/region``). The buckets start full whenever the
  limits are set. The throttle is decided first (AWS refuses before anything else): a
  throttled request gets no other fault, and like every attempt it counts as a read or
  a write. The proxy's ``--throttle`` sets the limits a reset returns to.

Requests in a row: each AWS request gets a *round*, one more than the highest round
of the requests answered before it arrived (1 when none was). A client that waits for
an answer before it sends its next request climbs one round per request; requests sent
side by side share one. ``chain`` in the stats is the highest round (the longest chain
of requests in a row) and ``rounds`` the operations of each round, in arrival order;
``region_chain`` is the same counted per region (of the SigV4 scope) among its own.
With a latency well above the client's own jitter the rounds are deterministic.
"""

from __future__ import annotations

import json
import random
import threading
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from awsrequest import parse_request
from throttle import Accounts, Buckets, LimitError, Limits, parse_limits

WRITE_PREFIXES = (
    "Create",
    "Update",
    "Delete",
    "Register",
    "Deregister",
    "Put",
    "Add",
    "Remove",
    "Attach",
    "Detach",
    "Tag",
    "Untag",
    "Send",
    "Start",
    "Cancel",
    "Modify",
)
HOW = ("error", "drop", "hold")
KINDS = ("throttle", "500", "slow", "reset")


# -- classification -------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    service: str
    name: str
    json_protocol: bool
    access_key: str = ""  # the request's SigV4 credential scope ("" unsigned)
    region: str = ""

    @property
    def write(self) -> bool:
        return self.name.startswith(WRITE_PREFIXES)

    def __str__(self) -> str:
        return f"{self.service}:{self.name}"


def classify(path: str, headers: Any, body: bytes) -> Operation:
    """The AWS service and operation of a request (``?`` where it says none)."""
    request = parse_request(
        authorization=headers.get("Authorization", "") or "",
        target=headers.get("X-Amz-Target", "") or "",
        query=urllib.parse.urlsplit(path).query,
        content_type=headers.get("Content-Type", "") or "",
        body=body,
    )
    if request.json_protocol:
        service = request.service or request.target_prefix or "?"
    else:
        service = request.service or "?"
    return Operation(
        service, request.operation or "?", request.json_protocol, request.access_key, request.region
    )


# -- configuration and counters --------------------------------------------------------


class ConfigError(ValueError):
    """A control request with a value the proxy cannot use."""


@dataclass(frozen=True)
class FailWrite:
    k: int
    how: str


@dataclass(frozen=True)
class Faults:
    rate: float
    kinds: tuple[str, ...]
    seed: int
    slow_ms: int


def _number(value: Any, what: str, low: float, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{what} must be a number, got {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"{low}-{high}" if high is not None else f">= {low}"
        raise ConfigError(f"{what} must be {bounds}, got {value!r}")
    return float(value)


def _keys(given: dict[str, Any], allowed: set[str], what: str) -> None:
    unknown = set(given) - allowed
    if unknown:
        raise ConfigError(f"{what}: unknown keys {sorted(unknown)} (known: {sorted(allowed)})")


def parse_fail_write(value: Any) -> FailWrite | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ConfigError("fail_write must be an object {k, how} or null")
    _keys(value, {"k", "how"}, "fail_write")
    k = value.get("k")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ConfigError(f"fail_write.k must be an integer >= 1, got {k!r}")
    how = value.get("how", "error")
    if how not in HOW:
        raise ConfigError(f"fail_write.how must be one of {list(HOW)}, got {how!r}")
    return FailWrite(k, str(how))


def parse_faults(value: Any) -> Faults | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ConfigError("faults must be an object {rate, kinds, seed, slow_ms} or null")
    _keys(value, {"rate", "kinds", "seed", "slow_ms"}, "faults")
    rate = _number(value.get("rate", 0.0), "faults.rate", 0.0, 1.0)
    kinds = value.get("kinds", list(KINDS))
    if (
        not isinstance(kinds, list)
        or not kinds
        or any(not isinstance(k, str) or k not in KINDS for k in kinds)
    ):
        raise ConfigError(f"faults.kinds must be a non-empty list of {list(KINDS)}, got {kinds!r}")
    seed = value.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"faults.seed must be an integer, got {seed!r}")
    slow_ms = int(_number(value.get("slow_ms", 300), "faults.slow_ms", 0))
    return Faults(rate, tuple(kinds), seed, slow_ms)


@dataclass
class Decision:
    """What to do with one AWS request."""

    fault: str | None = None  # error, drop, hold, throttle, 500, slow, reset
    hold: threading.Event | None = None
    round: int = 1  # 1 + the highest round answered before it arrived (region_round: in its region)
    region_round: int = 1
    where: str = ""  # the request's account/region (its buckets'), for the verbose log
    generation: int = 0  # the resets before it: answered after another, it counts no round


@dataclass
class State:
    """Config and counters, shared by all handler threads (guarded by ``lock``)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    fail_write: FailWrite | None = None
    faults: Faults | None = None
    latency_ms: float = 0.0
    started_limits: Limits | None = None  # the proxy's --throttle: what a reset returns to
    buckets: Buckets | None = None
    accounts: Accounts = field(default_factory=Accounts)
    throttled: dict[str, int] = field(default_factory=dict)
    throttled_targets: dict[str, int] = field(default_factory=dict)
    rng: random.Random = field(default_factory=random.Random)
    requests: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    reads: int = 0
    writes: int = 0
    write_ops: list[str] = field(default_factory=list)
    injected: dict[str, int] = field(default_factory=dict)
    responses: dict[str, int] = field(default_factory=dict)
    held: dict[int, tuple[str, threading.Event]] = field(default_factory=dict)
    released: int = 0
    #: The highest round answered so far, and the operations of each round.
    answered_round: int = 0
    rounds: list[list[str]] = field(default_factory=list)
    region_answered: dict[str, int] = field(default_factory=dict)
    region_chain: dict[str, int] = field(default_factory=dict)
    generation: int = 0  # resets so far
    _next_hold: int = 0

    def configure(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise ConfigError("the config must be a JSON object")
        _keys(body, {"fail_write", "faults", "latency_ms", "throttle"}, "config")
        # Validate everything before changing anything.
        fail_write = parse_fail_write(body["fail_write"]) if "fail_write" in body else None
        faults = parse_faults(body["faults"]) if "faults" in body else None
        latency = _number(body["latency_ms"] or 0, "latency_ms", 0) if "latency_ms" in body else 0.0
        try:
            limits = parse_limits(body.get("throttle"))
        except LimitError as exc:
            raise ConfigError(str(exc)) from None
        with self.lock:
            if "fail_write" in body:
                self.fail_write = fail_write
            if "faults" in body:
                self.faults = faults
                self.rng = random.Random(faults.seed if faults else 0)
            if "latency_ms" in body:
                self.latency_ms = latency
            if "throttle" in body:
                self.buckets = Buckets(limits) if limits else None

    def reset(self) -> None:
        with self.lock:
            self.fail_write = None
            self.faults = None
            self.latency_ms = 0.0
            self.buckets = Buckets(self.started_limits) if self.started_limits else None
            self.throttled = {}
            self.throttled_targets = {}
            self.rng = random.Random(0)
            self.requests = self.reads = self.writes = 0
            self.max_in_flight = self.in_flight  # those still in flight stay counted
            self.write_ops = []
            self.injected = {}
            self.responses = {}
            self.answered_round = 0
            self.rounds = []
            self.generation += 1
            self.region_answered = {}
            self.region_chain = {}
            self._release_locked()
            self.released = 0

    def release(self) -> int:
        with self.lock:
            return self._release_locked()

    def _release_locked(self) -> int:
        count = len(self.held)
        for _, event in self.held.values():
            event.set()
        self.held.clear()
        self.released += count
        return count

    def decide(self, op: Operation) -> Decision:
        """Count the request and choose its fault (in arrival order, so deterministic).

        The request is in flight from here until ``settled``, which comes before its
        client can see an answer: a client that waits for one answer before sending
        its next request is never counted twice.
        """
        with self.lock:
            self.requests += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            done = self.region_answered.get(op.region, 0)
            decision = Decision(None, None, self.answered_round + 1, done + 1, "", self.generation)
            chain = self.region_chain
            chain[op.region] = max(chain.get(op.region, 0), decision.region_round)
            self.rounds += [[]] if len(self.rounds) < decision.round else []
            self.rounds[decision.round - 1].append(str(op))
            if self.faults is not None and self.rng.random() < self.faults.rate:
                decision.fault = self.rng.choice(self.faults.kinds)
            if op.write:
                self.writes += 1
                self.write_ops.append(str(op))
                if self.fail_write is not None and self.writes == self.fail_write.k:
                    decision.fault = self.fail_write.how
            else:
                self.reads += 1
            account = self.accounts.of(op.access_key)
            decision.where = f"{account}/{op.region or '?'}"
            buckets = self.buckets
            if buckets is not None and not buckets.take(account, op.region, op.service, op.name):
                decision.fault = "throttle"
                self.throttled[str(op)] = self.throttled.get(str(op), 0) + 1
                where = decision.where
                self.throttled_targets[where] = self.throttled_targets.get(where, 0) + 1
            if decision.fault is not None:
                self.injected[decision.fault] = self.injected.get(decision.fault, 0) + 1
            if decision.fault == "hold":
                decision.hold = threading.Event()
                self._next_hold += 1
                self.held[self._next_hold] = (str(op), decision.hold)
            return decision

    def forwarded(self, op: Operation, request: bytes, answer: bytes) -> None:
        """A forwarded request's answer (an AssumeRole's maps its key to an account)."""
        with self.lock:
            self.accounts.learn(op.name, request, answer)

    def settled(self, decision: Decision | None = None, region: str = "") -> None:
        """A request is answered (or dropped): later ones are in a row after its round."""
        with self.lock:
            self.in_flight -= 1
            if decision is not None and decision.generation == self.generation:
                self.answered_round = max(self.answered_round, decision.round)
                done = max(self.region_answered.get(region, 0), decision.region_round)
                self.region_answered[region] = done

    def answered(self, answer: str) -> None:
        with self.lock:
            self.responses[answer] = self.responses.get(answer, 0) + 1

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "requests": self.requests,
                "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight,
                "reads": self.reads,
                "writes": self.writes,
                "write_ops": list(self.write_ops),
                "holding": len(self.held),
                "held": [op for op, _ in self.held.values()],
                "released": self.released,
                "injected": dict(self.injected),
                "responses": dict(self.responses),
                "throttled": dict(self.throttled),
                "throttled_targets": dict(self.throttled_targets),
                "chain": len(self.rounds),
                "region_chain": dict(self.region_chain),
                "rounds": [list(ops) for ops in self.rounds],
                "config": {
                    "fail_write": vars(self.fail_write) if self.fail_write else None,
                    "faults": {**vars(self.faults), "kinds": list(self.faults.kinds)}
                    if self.faults
                    else None,
                    "latency_ms": self.latency_ms,
                    "throttle": self.buckets.limits.as_json() if self.buckets else None,
                },
            }


# -- error bodies ----------------------------------------------------------------------


def error_body(op: Operation, code: str, message: str) -> tuple[str, bytes]:
    """(content type, body) of an AWS error in the operation's protocol."""
    if op.json_protocol:
        body = json.dumps({"__type": code, "message": message}).encode()
        return "application/x-amz-json-1.1", body
    xml = (
        '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        "<RequestId>00000000-0000-0000-0000-fa017c0de000</RequestId></ErrorResponse>"
    )
    return "text/xml", xml.encode()


INJECTED_ERRORS = {
    # fault: (status, JSON-protocol code, query-protocol code, message)
    "error": (400, "AccessDeniedException", "AccessDenied", "injected by fault_proxy"),
    "throttle": (400, "ThrottlingException", "Throttling", "Rate exceeded"),
    "500": (500, "InternalServerError", "InternalFailure", "injected by fault_proxy"),
}
