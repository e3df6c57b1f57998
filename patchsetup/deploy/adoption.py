"""Adoption: what a setup would duplicate, found before any write (pure: no boto3).

A window the setup wants may already exist unowned: the replaced tool's (the same
name, untagged) or one made in the console (another name, the same schedule and a
target selecting the same instances). The reader reads such candidates in full
(``adoption_candidates``); the planner takes one over in place (``find_duplicate``)
instead of creating a second window that would patch the same instances again.
Another setup's resources are never adopted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from patchsetup.deploy.plan import PlanConflict
from patchsetup.deploy.remote import RemoteTarget, RemoteWindow
from patchsetup.model import OWNER_TAG, Setup, WindowSpec


def adoption_candidates(desired: Setup) -> Callable[[Mapping[str, Any]], bool]:
    """Which windows (listing entries) the reader must read in full: possible duplicates."""
    names = {w.name for w in desired.windows}

    def candidate(identity: Mapping[str, Any]) -> bool:
        if identity.get("Name") in names:
            return True
        return any(same_schedule(identity, w) for w in desired.windows)

    return candidate


def find_duplicate(
    spec: WindowSpec, foreign: Iterable[RemoteWindow], claimed: set[str]
) -> RemoteWindow | None:
    """An existing window this setup does not own that ``spec`` would duplicate.

    The same name, or (untagged) the same schedule with a target selecting the same
    instances; ``claimed`` windows are already taken by another spec. Raises
    PlanConflict for a same-named window of another setup.
    """
    others = [w for w in foreign if w.window_id not in claimed]
    for window in others:
        if window.name != spec.name:
            continue
        owner = window.tags.get(OWNER_TAG)
        if owner is not None:
            raise PlanConflict(
                f"window {spec.name!r} already exists ({window.window_id}) and belongs to "
                f"setup {owner!r}; another setup's resources are never adopted: rename "
                f"this window or clean up setup {owner!r} first"
            )
        return window
    wanted = [t.fields()["Targets"] for t in spec.targets]
    for window in others:
        if OWNER_TAG in window.tags or not same_schedule(window.fields, spec):
            continue
        if any(t.fields.get("Targets") in wanted for t in window.targets):
            return window
    return None


def pair_target(wanted: Any, targets: list[RemoteTarget]) -> RemoteTarget | None:
    """In an adopted window: the target selecting ``wanted`` instances, else the first left."""
    for target in targets:
        if target.fields.get("Targets") == wanted:
            return target
    return targets[0] if targets else None


def same_schedule(fields: Mapping[str, Any], spec: WindowSpec) -> bool:
    """Whether a window (its listing entry) runs when ``spec`` would (cron spelled any way)."""
    zone = fields.get("ScheduleTimezone") or "UTC"
    return zone == (spec.timezone or "UTC") and _schedule_key(
        str(fields.get("Schedule", ""))
    ) == _schedule_key(spec.schedule)


def _schedule_key(expression: str) -> tuple[str, ...]:
    """``cron(0 3 ? * tue#1 *)`` and ``cron(00 03 ? * TUE#1 *)`` alike."""
    head, _, rest = expression.strip().partition("(")
    tokens = rest.rstrip(")").split()
    return (head.lower(), *(str(int(t)) if t.isdigit() else t.upper() for t in tokens))
