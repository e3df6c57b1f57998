"""Runs a plan: a dumb interpreter with no decisions of its own.

Walks the changes in order, resolves ``Ref``s from the outputs of earlier
calls, makes each call, and records what happened. It stops at the first call
that fails (botocore has already retried throttling and transient errors by
then); the next run reads what exists and plans only what is still missing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from patchsetup.plan import Call, Change, Plan, Ref

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


def execute(
    clients: Mapping[str, Any], plan: Plan, on_outcome: Callable[[Outcome], None] | None = None
) -> list[Outcome]:
    """Make every call of ``plan`` with ``clients[call.service]``; one Outcome per change."""
    variables: dict[str, Any] = {}
    outcomes: list[Outcome] = []
    for index, change in enumerate(plan.changes):
        for call in change.calls:
            try:
                _run(clients[call.service], call, variables)
            except Exception as exc:
                outcomes.append(Outcome(change, "failed", change.resource_id, str(exc)))
                outcomes.extend(
                    Outcome(c, "not-run", c.resource_id) for c in plan.changes[index + 1 :]
                )
                raise ExecutionFailed(exc, call, outcomes) from exc
        resource_id = variables.get(change.id_var) if change.id_var else change.resource_id
        outcome = Outcome(
            change,
            "done" if change.calls or change.action == "delete" else "unchanged",
            resource_id,
        )
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return outcomes


def _run(client: Any, call: Call, variables: dict[str, Any]) -> None:
    params = resolve(call.params, variables)
    log.info("%s %s", call.method, _summary(params))
    response = getattr(client, call.method)(**params)
    if call.output is not None:
        var, key = call.output
        value = response
        for part in key.split("."):
            value = value[part]
        variables[var] = value
        log.debug("%s = %s", var, value)


def resolve(value: Any, variables: Mapping[str, Any]) -> Any:
    """``value`` with every Ref replaced by the variable it names."""
    if isinstance(value, Ref):
        return variables[value.var]
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
