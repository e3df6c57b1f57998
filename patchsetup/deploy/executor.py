"""Runs a plan: a dumb interpreter with no decisions of its own.

Walks the changes in order, resolves ``Ref``s from the outputs of earlier
calls, makes each call, and records what happened. It stops at the first call
that fails (botocore has already retried throttling and transient errors by
then): once a call has failed for good no new change starts in any lane, so a
throttling storm costs about one call's retry budget, not one per lane. A stop
request (a signal) does the same without a failure. The next run reads what
exists and plans only what is still missing.
"""

from __future__ import annotations

import contextvars
import json
import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

from patchsetup.deploy.plan import DEFAULT_CONCURRENCY, Call, Change, Json, Plan, Ref

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
) -> list[Outcome]:
    """Make every call of ``plan`` with ``clients[call.service]``; one Outcome per change.

    Phases run in order; within a phase, lanes run concurrently (at most
    ``concurrency`` at once), each lane in plan order. After the first failure
    no lane starts another change: the calls in flight finish, nothing else is
    started, and ExecutionFailed reports what was done, what failed and what was
    not run. When ``stop()`` turns true, likewise, and ExecutionStopped reports it.
    With ``concurrency=1`` the calls run one by one in plan order.
    """
    variables: dict[str, Any] = {}
    outcomes: list[Outcome | None] = [None] * len(plan.changes)
    guard = threading.Lock()
    failure: list[tuple[BaseException, Call]] = []

    def halted() -> bool:
        return bool(failure) or (stop is not None and stop())

    def run_lane(indexes: list[int]) -> None:
        for position, index in enumerate(indexes):
            change = plan.changes[index]
            if halted() and not change.batched:  # a batched one's call has been made
                return  # the rest of the lane stays None: reported as not run
            try:
                for call in change.calls:
                    _run(clients[call.service], call, variables, guard)
            except Exception as exc:
                with guard:
                    failure.append((exc, call))
                    outcomes[index] = Outcome(change, "failed", change.resource_id, str(exc))
                    for later in indexes[position + 1 :]:
                        outcomes[later] = Outcome(
                            plan.changes[later], "not-run", plan.changes[later].resource_id
                        )
                return
            with guard:
                resource_id = variables.get(change.id_var) if change.id_var else change.resource_id
            status: Status = "done" if change.writes else "unchanged"
            outcome = Outcome(change, status, resource_id)
            outcomes[index] = outcome
            if on_outcome is not None:
                on_outcome(outcome)

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for lanes in _phases(plan):
            if halted():
                break
            if concurrency <= 1:
                for lane in lanes:
                    run_lane(lane)
                    if halted():
                        break
            else:
                # Each lane in a copy of the caller's context: its log lines name its target.
                lanes_run = [
                    pool.submit(contextvars.copy_context().run, run_lane, lane) for lane in lanes
                ]
                for lane_run in lanes_run:
                    lane_run.result()
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


def _phases(plan: Plan) -> list[list[list[int]]]:
    """Change indexes grouped by phase (in order), then by lane (in first-seen order)."""
    phases: dict[int, dict[str, list[int]]] = {}
    for index, change in enumerate(plan.changes):
        phases.setdefault(change.phase, {}).setdefault(change.lane, []).append(index)
    return [list(phases[p].values()) for p in sorted(phases)]


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
