"""A plan's changes as a DAG: what each change waits for, and which to start first.

Pure: no boto3. A change waits for exactly these, and for nothing else:

* the change before it in its lane (a window, then its targets, then its tasks, in
  plan order: a target is deleted only after the task that used it was re-pointed);
* the change whose call stores a value it uses (a ``Ref``: a new window's ID for its
  target, a new baseline's for its patch-group registration and its default, the new
  role's ARN for the tasks);
* every baseline's adoption, for a patch-group change: a baseline is tagged as this
  setup's before its patch groups move away from it, so that a run stopped in between
  leaves it found (and deleted) by the next run, not an untagged orphan;
* every change of the phase before its own (``Change.phase``): the order that keeps a
  run that stops half way safe (deletes of tasks, registrations and restores of AWS's
  default baselines before deletes of windows and baselines; those before the writes;
  role deletes after every task was re-pointed).

The executor starts each change as soon as what it waits for is done, the one with
the most calls still to come after it first (``heights``), so the longest chains never
wait for a lane behind short ones.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from patchsetup.deploy.plan import Call, Change, Json, Plan, Ref


def dependencies(plan: Plan) -> list[frozenset[int]]:
    """For each change (by index), the indexes of the changes it waits for."""
    producers: dict[str, int] = {}
    for index, change in enumerate(plan.changes):
        for call in change.calls:
            if call.output is not None:
                producers.setdefault(call.output[0], index)
    phases = sorted({c.phase for c in plan.changes})
    members: dict[int, list[int]] = {p: [] for p in phases}
    for index, change in enumerate(plan.changes):
        members[change.phase].append(index)
    before = {p: members[phases[n - 1]] if n else [] for n, p in enumerate(phases)}
    adopted_baselines = {
        i for i, c in enumerate(plan.changes) if c.kind == "baseline" and c.action == "adopt"
    }
    last_in_lane: dict[tuple[int, str], int] = {}
    found: list[frozenset[int]] = []
    for index, change in enumerate(plan.changes):
        waits = set(before[change.phase])
        if change.kind == "patch-group":
            waits.update(adopted_baselines)
        lane = (change.phase, change.lane)
        if lane in last_in_lane:
            waits.add(last_in_lane[lane])
        last_in_lane[lane] = index
        # A Ref nobody stores fails when it is resolved, as it always did.
        waits.update(producers[var] for var in uses(change) if var in producers)
        waits.discard(index)  # a later call of the same change uses an earlier one's
        found.append(frozenset(waits))
    return found


def sequence(plan: Plan) -> list[int]:
    """The one-by-one order (``--concurrency 1``): phase by phase, lane by lane in the
    order lanes first appear, each lane in plan order."""
    lanes: dict[int, dict[str, list[int]]] = {}
    for index, change in enumerate(plan.changes):
        lanes.setdefault(change.phase, {}).setdefault(change.lane, []).append(index)
    return [i for p in sorted(lanes) for lane in lanes[p].values() for i in lane]


def heights(plan: Plan, waits: list[frozenset[int]]) -> list[int]:
    """For each change, its calls plus the most calls of any chain that waits for it.

    Raises ValueError when changes wait for each other in a circle (a wrong plan).
    """
    waiting: list[list[int]] = [[] for _ in plan.changes]
    for index, earlier in enumerate(waits):
        for e in earlier:
            waiting[e].append(index)
    # Kahn's order, then back from its end: each change after all that wait for it.
    left = [len(w) for w in waits]
    order = [i for i, n in enumerate(left) if n == 0]
    for index in order:
        for later in waiting[index]:
            left[later] -= 1
            if left[later] == 0:
                order.append(later)
    if len(order) != len(plan.changes):
        raise ValueError("the plan's changes wait for each other in a circle")
    found = [0] * len(plan.changes)
    for index in reversed(order):
        below = max((found[w] for w in waiting[index]), default=0)
        found[index] = len(plan.changes[index].calls) + below
    return found


def uses(change: Change) -> set[str]:
    """The variables the change's calls (and their confirming reads) need."""
    return {var for call in change.calls for var in _call_refs(call)}


def _call_refs(call: Call) -> Iterator[str]:
    yield from _refs(call.params)
    if call.confirm is not None:
        yield from _refs(call.confirm.params)
        yield from _refs(call.confirm.expected)


def _refs(value: Any) -> Iterator[str]:
    if isinstance(value, Ref):
        yield value.var
    elif isinstance(value, Json):
        yield from _refs(value.value)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _refs(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _refs(item)
