"""Runs a plan: a dumb interpreter with no decisions of its own.

Starts each change once what it waits for is done (deploy/order.py), resolves
``Ref``s from the outputs of earlier calls, makes each call, and records what
happened. It stops at the first call
that fails (botocore has already retried throttling and transient errors by
then): once a call has failed for good no new change starts in any lane, so a
throttling storm costs about one call's retry budget, not one per lane. A stop
request (a signal) does the same without a failure. The next run reads what
exists and plans only what is still missing.
"""

from __future__ import annotations

import contextvars
import heapq
import json
import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Literal

from patchsetup.deploy import order
from patchsetup.deploy.plan import Call, Change, Json, Plan, Ref
from patchsetup.fields import DEFAULT_CONCURRENCY

log = logging.getLogger(__name__)

Status = Literal["planned", "done", "unchanged", "failed", "not-run"]


@dataclass(frozen=True)
class Outcome:
    change: Change
    status: Status
    resource_id: str | None = None
    error: str | None = None


class ExecutionFailed(Exception):
    """A call failed; ``outcomes`` says what was done before it and what was not."""

    def __init__(self, cause: BaseException, call: Call, outcomes: list[Outcome]) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.call = call
        self.outcomes = outcomes


class ExecutionStopped(Exception):
    """A stop was requested: no new call started; ``outcomes`` say what was done."""

    def __init__(self, outcomes: list[Outcome]) -> None:
        super().__init__("stopped")
        self.outcomes = outcomes


def execute(
    clients: Mapping[str, Any],
    plan: Plan,
    on_outcome: Callable[[Outcome], None] | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    stop: Callable[[], bool] | None = None,
    tail: Callable[[], None] | None = None,
) -> list[Outcome]:
    """Make every call of ``plan`` with ``clients[call.service]``; one Outcome per change.

    Each change starts as soon as what it waits for is done (deploy/order.py: its lane,
    the values it uses, the phase before), at most ``concurrency`` at once, the longest
    chain first. After the first failure no change starts: the calls in flight finish,
    nothing else is started, and ExecutionFailed reports what was done, what failed and
    what was not run. When ``stop()`` turns true, likewise, and ExecutionStopped
    reports it. With ``concurrency=1`` the calls run one by one in plan order (phase by
    phase, lane by lane), in the calling thread.

    ``tail`` runs once, beside the last calls, when no change is left to start and a
    lane is free (not with ``concurrency=1``, nor after a failure or a stop); it must
    not raise.
    """
    variables: dict[str, Any] = {}
    outcomes: list[Outcome | None] = [None] * len(plan.changes)
    guard = threading.Lock()
    failure: list[tuple[BaseException, Call]] = []

    def halted() -> bool:
        return bool(failure) or (stop is not None and stop())

    def run_change(index: int) -> bool:
        """Its calls; False when one failed (recorded)."""
        change = plan.changes[index]
        try:
            for call in change.calls:
                _run(clients[call.service], call, variables, guard)
        except Exception as exc:
            with guard:
                failure.append((exc, call))
                outcomes[index] = Outcome(change, "failed", change.resource_id, str(exc))
            return False
        return True

    def finished(index: int) -> None:
        change = plan.changes[index]
        with guard:
            resource_id = variables.get(change.id_var) if change.id_var else change.resource_id
        outcome = Outcome(change, "done" if change.writes else "unchanged", resource_id)
        outcomes[index] = outcome
        if on_outcome is not None:
            on_outcome(outcome)

    waits = order.dependencies(plan)
    if concurrency <= 1:
        for index in order.sequence(plan):
            # A batched change's write is its lane's earlier call, made already.
            if halted() and not plan.changes[index].batched:
                break
            if any(_undone(outcomes[w]) for w in waits[index]):
                continue  # its lane's earlier change failed: it stays not run
            if run_change(index):
                finished(index)
    else:
        _schedule(plan, waits, concurrency, halted, run_change, finished, tail)
    final = [
        o if o is not None else Outcome(c, "not-run", c.resource_id)
        for o, c in zip(outcomes, plan.changes, strict=True)
    ]
    if failure:
        cause, call = failure[0]
        raise ExecutionFailed(cause, call, final) from cause
    if stop is not None and stop() and any(o.status == "not-run" for o in final):
        raise ExecutionStopped(final)
    return final


def _schedule(
    plan: Plan,
    waits: list[frozenset[int]],
    concurrency: int,
    halted: Callable[[], bool],
    run_change: Callable[[int], bool],
    finished: Callable[[int], None],
    tail: Callable[[], None] | None,
) -> None:
    """Start every change whose waits are done, the highest first, ``concurrency`` at once."""
    height = order.heights(plan, waits)
    left = [len(w) for w in waits]
    waiting: list[list[int]] = [[] for _ in plan.changes]
    for index, earlier in enumerate(waits):
        for e in earlier:
            waiting[e].append(index)
    ready = [(-height[i], i) for i, n in enumerate(left) if n == 0]
    heapq.heapify(ready)
    started = 0
    in_flight: dict[Future[bool], int] = {}
    TAIL = -1

    def done(index: int) -> None:
        finished(index)
        for later in waiting[index]:
            left[later] -= 1
            if left[later] == 0:
                heapq.heappush(ready, (-height[later], later))

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        while True:
            while ready and len(in_flight) < concurrency:
                change = plan.changes[ready[0][1]]
                if halted() and not change.batched:
                    break
                _, index = heapq.heappop(ready)
                started += 1
                if not change.calls:
                    done(index)  # nothing to send: its dependents may start at once
                    continue
                # In a copy of the caller's context: its log lines name its target.
                run = contextvars.copy_context().run
                in_flight[pool.submit(run, run_change, index)] = index
            if (
                tail is not None
                and started == len(plan.changes)
                and len(in_flight) < concurrency
                and not halted()
            ):
                in_flight[pool.submit(contextvars.copy_context().run, _quiet, tail)] = TAIL
                tail = None
            if not in_flight:
                return
            landed, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in landed:
                index = in_flight.pop(future)
                if index != TAIL and future.result():
                    done(index)


def _undone(outcome: Outcome | None) -> bool:
    return outcome is None or outcome.status == "failed"


def _quiet(fn: Callable[[], None]) -> bool:
    try:
        fn()
    except Exception as exc:  # the tail is an optimisation: its caller copes without it
        log.debug("the run's tail failed: %s", exc)
    return False


def _run(client: Any, call: Call, variables: dict[str, Any], guard: threading.Lock) -> None:
    # Imported here, not with the module: deploy/ (and what prints a plan) loads without
    # botocore; by the time a call is made, the client has loaded it anyway.
    import botocore.exceptions

    with guard:
        params = resolve(call.params, variables)
    log.info("%s %s", call.method, _summary(params))
    try:
        response = getattr(client, call.method)(**params)
    except botocore.exceptions.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code not in call.done_if and not _confirmed(client, call, code, variables, guard):
            raise
        log.info("%s: already done (%s)", call.method, code)
        return
    if call.output is not None:
        var, key = call.output
        value = _walk(response, key)
        with guard:
            variables[var] = value
        log.debug("%s = %s", var, value)


def _confirmed(
    client: Any, call: Call, code: Any, variables: dict[str, Any], guard: threading.Lock
) -> bool:
    """Whether the call's ``confirm`` read shows its effect in place (False without one)."""
    confirm = call.confirm
    if confirm is None or code not in confirm.on:
        return False
    with guard:
        params = resolve(confirm.params, variables)
        expected = resolve(confirm.expected, variables)
    try:
        found = _walk(getattr(client, confirm.method)(**params), confirm.key)
    except KeyError:
        found = None
    log.info("%s: %s = %s (wanted %s)", confirm.method, confirm.key, found, expected)
    return bool(found == expected)


def _walk(response: Any, key: str) -> Any:
    """``response[key]``, a dotted key walking into nested structures."""
    value = response
    for part in key.split("."):
        value = value[part]
    return value


def resolve(value: Any, variables: Mapping[str, Any]) -> Any:
    """``value`` with every Ref replaced by the variable it names, every Json made text."""
    if isinstance(value, Ref):
        return variables[value.var]
    if isinstance(value, Json):
        return json.dumps(resolve(value.value, variables))
    if isinstance(value, Mapping):
        return {k: resolve(v, variables) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [resolve(v, variables) for v in value]
    return value


def _summary(params: Mapping[str, Any]) -> str:
    # Names and IDs only: enough to follow a run in the log without dumping rules.
    keys = (
        "Name",
        "RoleName",
        "WindowId",
        "WindowTargetId",
        "WindowTaskId",
        "BaselineId",
        "PatchGroup",
    )
    return " ".join(f"{k}={params[k]}" for k in keys if k in params)
