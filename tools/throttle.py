"""The fault proxy's rate limits: a token bucket per operation and per account+region.

AWS limits each API's request rate per account and region with a token bucket: a steady
rate (tokens per second) and a burst (the bucket's size, full at the start); a request
beyond it is answered ``ThrottlingException`` "Rate exceeded" (JSON protocol, SSM's
modelled error; the query protocol's IAM and STS say ``Throttling``). AWS does not
publish the rates of SSM's maintenance-window and baseline APIs; the limits here are
whatever the proxy is told.

``parse_limits`` reads them, either the command line's text
``default=5/10,CreateMaintenanceWindow=2/5`` (``NAME=RATE/BURST``, comma separated) or
the control API's object ``{"default": {"rate": 5, "burst": 10}, ...}`` (``stats``
shows it in that form). ``default`` applies to every operation that has no limit of its
own; a NAME is an operation (``CreateMaintenanceWindow``, any service) or
``service:Operation`` (``ssm:CreateMaintenanceWindow``), which wins over the bare name.
Without ``default`` only the operations named are limited.

``Buckets.take`` spends one token of a request's bucket, one bucket per (account,
region, service, operation): the region is the one in the request's SigV4 credential
scope, the account the one its access key acts in as moto maps it (``Accounts``).
Thread safety is the caller's (the proxy's State lock). Standard library only.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: moto's account for any access key it did not hand out itself (the "testing" keys).
DEFAULT_ACCOUNT = "123456789012"
_NAME = re.compile(r"^(?:[a-z0-9-]+:)?[A-Za-z0-9]+$")
_ROLE_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):")
_ACCESS_KEY = re.compile(rb"<AccessKeyId>\s*([^<\s]+)\s*</AccessKeyId>")


class LimitError(ValueError):
    """Limits the proxy cannot use."""


@dataclass(frozen=True)
class Limit:
    rate: float  # tokens per second
    burst: float  # the bucket's size (and its content at the start)


@dataclass(frozen=True)
class Limits:
    default: Limit | None
    per_operation: Mapping[str, Limit]

    def of(self, service: str, operation: str) -> Limit | None:
        named = self.per_operation
        return named.get(f"{service}:{operation}") or named.get(operation) or self.default

    def as_json(self) -> dict[str, dict[str, float]]:
        named = {**({"default": self.default} if self.default else {}), **self.per_operation}
        return {name: {"rate": limit.rate, "burst": limit.burst} for name, limit in named.items()}


def _limit(name: str, rate: Any, burst: Any) -> Limit:
    for what, value, low in (("rate", rate, 0.0), ("burst", burst, 1.0)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise LimitError(f"throttle {name}: {what} must be a number, got {value!r}")
        if value < low or (what == "rate" and value == 0):
            bound = "> 0" if what == "rate" else ">= 1"
            raise LimitError(f"throttle {name}: {what} must be {bound}, got {value!r}")
    return Limit(float(rate), float(burst))


def _from_text(text: str) -> dict[str, Limit]:
    limits: dict[str, Limit] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        name, equals, value = entry.partition("=")
        rate, slash, burst = value.partition("/")
        try:
            numbers = (float(rate), float(burst))
        except ValueError:
            numbers = None
        if not equals or not slash or numbers is None:
            raise LimitError(f"throttle: {entry!r} is not NAME=RATE/BURST (e.g. default=5/10)")
        limits[name.strip()] = _limit(name.strip(), *numbers)
    return limits


def _from_object(value: Mapping[str, Any]) -> dict[str, Limit]:
    limits: dict[str, Limit] = {}
    for name, given in value.items():
        if not isinstance(given, dict) or set(given) != {"rate", "burst"}:
            raise LimitError(f"throttle {name}: must be an object {{rate, burst}}, got {given!r}")
        limits[name] = _limit(name, given["rate"], given["burst"])
    return limits


def parse_limits(value: Any) -> Limits | None:
    """The limits of a spec text or object; None for None (no throttling)."""
    if value is None:
        return None
    if isinstance(value, str):
        limits = _from_text(value)
    elif isinstance(value, dict):
        limits = _from_object(value)
    else:
        raise LimitError(f"throttle must be NAME=RATE/BURST,... or an object, got {value!r}")
    if not limits:
        raise LimitError("throttle: no limit given (e.g. default=5/10)")
    bad = [name for name in limits if name != "default" and not _NAME.match(name)]
    if bad:
        raise LimitError(f"throttle: {bad} are not operation names (Op or service:Op)")
    default = limits.pop("default", None)
    return Limits(default, limits)


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class Buckets:
    """Token buckets, one per (account, region, service, operation) that has a limit."""

    limits: Limits
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[tuple[str, str, str, str], _Bucket] = field(default_factory=dict)

    def take(self, account: str, region: str, service: str, operation: str) -> bool:
        """Spend one token; False (throttled, nothing spent) when the bucket has none."""
        limit = self.limits.of(service, operation)
        if limit is None:
            return True
        now = self.clock()
        bucket = self._buckets.setdefault(
            (account, region, service, operation), _Bucket(limit.burst, now)
        )
        bucket.tokens = min(limit.burst, bucket.tokens + (now - bucket.at) * limit.rate)
        bucket.at = now
        if bucket.tokens < 1.0:
            return False
        bucket.tokens -= 1.0
        return True


@dataclass
class Accounts:
    """The account an access key acts in, as moto maps it.

    moto maps the access key of an assumed role to the role's account and any other key
    to ``DEFAULT_ACCOUNT`` (its own IAM users' keys aside, which the tool never uses).
    The proxy sees every ``sts:AssumeRole`` it forwards, so ``learn`` reads the role's
    account from the request and the key from the answer. Kept across resets: a key
    moto handed out still maps to the same account.
    """

    keys: dict[str, str] = field(default_factory=dict)

    def of(self, access_key: str) -> str:
        return self.keys.get(access_key, DEFAULT_ACCOUNT)

    def learn(self, operation: str, request: bytes, answer: bytes) -> None:
        """Remember the key an ``AssumeRole`` answer hands out (a no-op for the rest)."""
        if operation != "AssumeRole":
            return
        params = urllib.parse.parse_qs(request.decode("utf-8", errors="replace"))
        role = _ROLE_ACCOUNT.match(params.get("RoleArn", [""])[0])
        key = _ACCESS_KEY.search(answer)
        if role and key:
            self.keys[key.group(1).decode()] = role.group(1)
