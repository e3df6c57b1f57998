"""A plan is data: the changes to make, each with the API calls that make it.

Plans can be printed, compared in tests and executed; building one needs no
AWS. Values that only exist once an earlier call has run (a new window's ID
feeding its target and task) are ``Ref``s, resolved by the executor. A change's
phase, lane and Refs (``in_phase``, deploy/order.py) say what waits for what.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from patchsetup.deploy.diff import FieldDiff

#: "adopt": take over in place something this setup did not make (``--adopt``).
Action = Literal["create", "update", "delete", "adopt", "unchanged"]
ACTIONS: tuple[Action, ...] = ("create", "update", "delete", "adopt", "unchanged")
#: "instance": a managed node's patch-group tag (``assign``).
Kind = Literal[
    "role", "baseline", "patch-group", "default-baseline", "window", "target", "task", "instance"
]
#: The order resources are shown in, in every output for people (then by name).
KINDS: tuple[Kind, ...] = (
    "role",
    "baseline",
    "patch-group",
    "default-baseline",
    "window",
    "target",
    "task",
    "instance",
)

#: Terraform's markers, and one for adoption: every text output marks changes here
#: (``marked``), so that one place can colour them.
MARKERS: dict[str, str] = {"create": "+", "update": "~", "delete": "-", "adopt": ">"}


def marked(action: str, words: str) -> str:
    """``words`` after the marker of ``action`` (a blank for an unchanged resource)."""
    return f"{MARKERS.get(action, ' ')} {words}"


class PlanConflict(ValueError):
    """The desired state collides with something another setup owns (one line)."""


@dataclass(frozen=True)
class Ref:
    """The value an earlier call stored under ``var``."""

    var: str


#: What a plan shows for a value that exists only once an earlier call has run
#: (never the Ref itself).
KNOWN_AFTER_APPLY = "(known after apply)"


@dataclass(frozen=True)
class Confirm:
    """A read that tells whether a call that failed with one of ``on`` already worked.

    ``params`` and ``expected`` may hold Refs, resolved like a call's parameters;
    ``key`` is the response key to compare with ``expected`` (dotted, as in
    ``Call.output``). Equal: the call counts as done. Otherwise its error stands.
    """

    method: str
    params: Mapping[str, Any]
    key: str
    expected: Any
    on: tuple[str, ...]


@dataclass(frozen=True)
class Json:
    """A JSON text made from ``value`` once its Refs are resolved: a policy document
    naming the ARN of a role created earlier in the same run."""

    value: Any


@dataclass(frozen=True)
class Call:
    """One write call: an SSM client method, its parameters, and what to remember."""

    method: str
    params: Mapping[str, Any]
    #: (variable, response key): store ``response[key]`` as ``variable``; a dotted
    #: key walks into nested structures ("Role.Arn").
    output: tuple[str, str] | None = None
    #: The client the call goes to.
    service: str = "ssm"
    #: Error codes that mean the call's effect is already in place (a retried
    #: delete whose first attempt worked but whose response was lost).
    done_if: tuple[str, ...] = ()
    #: For errors that may or may not mean "already done" (a retried registration
    #: that landed, or someone else's): the read that decides.
    confirm: Confirm | None = None


@dataclass(frozen=True)
class Change:
    """What happens to one resource, and the calls that make it happen."""

    action: Action
    kind: Kind
    name: str
    parent: str | None = None
    #: The resource's ID when it already exists.
    resource_id: str | None = None
    #: For creates: the variable that holds the new ID once the calls ran.
    id_var: str | None = None
    diffs: tuple[FieldDiff, ...] = ()
    calls: tuple[Call, ...] = ()
    note: str | None = None
    #: Phases run one after another; within a phase, lanes run concurrently and
    #: each lane runs its changes in plan order (a window, then its targets, then
    #: its tasks); a change that uses a value (a Ref) waits for the change that
    #: stores it, and for nothing else (deploy/order.py).
    phase: int = 0
    lane: str = ""
    #: Replaces something that is not this setup's (the region's default baseline
    #: made by hand or by another setup): asked for like a delete (--yes).
    takeover: bool = False
    #: Its write is the call of an earlier change of its lane, which names it too (one
    #: CreateTags request tags up to 1000 instances): it has no call of its own.
    batched: bool = False

    @property
    def writes(self) -> bool:
        """Whether running the change writes anything (a delete may need no call)."""
        return bool(self.calls) or self.batched or self.action == "delete"

    @property
    def label(self) -> str:
        """``window/target`` for children, the name otherwise."""
        return f"{self.parent}/{self.name}" if self.parent else self.name


@dataclass(frozen=True)
class Plan:
    """Changes in execution order: deletes first, then parents before children."""

    changes: tuple[Change, ...]

    def counts(self) -> dict[str, int]:
        """How many resources each action touches, every action present."""
        found = Counter(c.action for c in self.changes)
        return {a: found.get(a, 0) for a in ACTIONS}

    @property
    def calls(self) -> list[Call]:
        return [call for change in self.changes for call in change.calls]

    @property
    def deletes(self) -> list[Change]:
        return [c for c in self.changes if c.action == "delete"]

    @property
    def takeovers(self) -> list[Change]:
        return [c for c in self.changes if c.takeover]

    @property
    def moves(self) -> list[Change]:
        """Instances taken out of the patch group they are in (another setup's, the
        replaced tool's, a hand-typed one): asked for like deletes."""
        return [c for c in self.changes if c.kind == "instance" and c.action == "update"]

    @property
    def adoptions(self) -> list[Change]:
        return [c for c in self.changes if c.action == "adopt"]

    @property
    def is_empty(self) -> bool:
        return not self.calls


def in_phase(phase: int, changes: list[Change]) -> list[Change]:
    """Place changes in a phase, each in the lane of what it belongs to."""
    return [replace(c, phase=phase, lane=c.lane or _lane(c)) for c in changes]


def _lane(change: Change) -> str:
    if change.kind in ("window", "target", "task") and (change.parent or change.kind == "window"):
        return f"window:{change.parent or change.name}"
    if change.kind in ("baseline", "role"):
        return f"{change.kind}:{change.name}"
    # Lone deletes (a task, a registration) depend on nothing else in their phase.
    return f"{change.kind}:{change.resource_id}:{change.name}"
