"""The adoption rules, pure: which existing windows a setup would duplicate."""

from __future__ import annotations

import pytest

from patchsetup.deploy.adoption import (
    adoption_candidates,
    find_duplicate,
    pair_target,
    same_schedule,
)
from patchsetup.deploy.plan import PlanConflict
from patchsetup.deploy.remote import RemoteTarget, RemoteWindow
from patchsetup.model import OWNER_TAG, Setup, TargetSpec, WindowSpec

GROUP = (("tag:Patch Group", ("g1",)),)
SPEC = WindowSpec(
    "Week1Day2Unattended0300", "cron(00 03 ? * TUE#1 *)", targets=(TargetSpec("t", GROUP),)
)


def _window(
    wid: str,
    name: str,
    schedule: str,
    tags: dict[str, str] | None = None,
    values: tuple[str, ...] = ("g1",),
    zone: str | None = None,
) -> RemoteWindow:
    window = RemoteWindow(
        wid, {"Name": name, "Schedule": schedule, "ScheduleTimezone": zone}, tags or {}
    )
    targets = [{"Key": "tag:Patch Group", "Values": list(values)}]
    window.targets = [RemoteTarget(f"{wid}-t", {"Targets": targets, "Name": None})]
    return window


def test_a_cron_spelt_another_way_is_the_same_schedule() -> None:
    assert same_schedule({"Schedule": "cron(0 3 ? * tue#1 *)"}, SPEC)
    assert same_schedule({"Schedule": "cron(00 03 ? * TUE#1 *)", "ScheduleTimezone": "UTC"}, SPEC)
    assert not same_schedule({"Schedule": "cron(0 4 ? * TUE#1 *)"}, SPEC)
    assert not same_schedule(
        {"Schedule": "cron(0 3 ? * TUE#1 *)", "ScheduleTimezone": "Europe/London"}, SPEC
    )


def test_candidates_are_same_name_or_same_schedule() -> None:
    candidate = adoption_candidates(Setup("default", windows=(SPEC,)))
    assert candidate({"Name": SPEC.name, "Schedule": "rate(1 day)"})
    assert candidate({"Name": "Other", "Schedule": "cron(0 3 ? * TUE#1 *)"})
    assert not candidate({"Name": "Other", "Schedule": "cron(0 3 ? * WED#1 *)"})


def test_the_same_name_wins_then_schedule_and_target() -> None:
    by_schedule = _window("mw-1", "Console", "cron(0 3 ? * TUE#1 *)")
    by_name = _window("mw-2", SPEC.name, "rate(7 days)")
    assert find_duplicate(SPEC, [by_schedule, by_name], set()) is by_name
    assert find_duplicate(SPEC, [by_schedule, by_name], {"mw-2"}) is by_schedule
    other_target = _window("mw-3", "Console", "cron(0 3 ? * TUE#1 *)", values=("g2",))
    assert find_duplicate(SPEC, [other_target], set()) is None


def test_another_setups_window_is_never_adopted() -> None:
    theirs = _window("mw-1", SPEC.name, "cron(0 3 ? * TUE#1 *)", {OWNER_TAG: "other"})
    with pytest.raises(PlanConflict, match="setup 'other'"):
        find_duplicate(SPEC, [theirs], set())
    same_schedule_theirs = _window("mw-2", "X", "cron(0 3 ? * TUE#1 *)", {OWNER_TAG: "other"})
    assert find_duplicate(SPEC, [same_schedule_theirs], set()) is None


def test_pair_target_prefers_the_same_instances() -> None:
    a = RemoteTarget("a", {"Targets": [{"Key": "tag:X", "Values": ["1"]}]})
    b = RemoteTarget("b", {"Targets": [{"Key": "tag:Patch Group", "Values": ["g1"]}]})
    assert pair_target([{"Key": "tag:Patch Group", "Values": ["g1"]}], [a, b]) is b
    assert pair_target([{"Key": "tag:Y", "Values": ["2"]}], [a, b]) is a
    assert pair_target([], []) is None
