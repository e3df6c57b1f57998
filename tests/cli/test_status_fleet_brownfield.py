"""status's fleet on an account that is not empty: the replaced tool's windows and
baseline, a hand-made window and baseline (plain boto3 calls), beside this setup's one
window. Their nodes are named as outside this setup, their windows' runs are not this
setup's, and status changes nothing."""

from __future__ import annotations

from typing import Any

from tests.helpers.account import snapshot
from tests.helpers.cli import DEFAULT_WINDOWS, JSON, setup, target_json
from tests.helpers.fleet import ec2_instances, hybrid_nodes, window_execution
from tests.helpers.oldtool import make_baseline, make_window, old_tool_setup

OLD_GROUP = DEFAULT_WINDOWS["Week1Day2Unattended0300"][1]
MINE = "Week 3 Day 4 - Unattended - 05:00"


def test_the_old_tools_and_hand_made_groups_are_named_outside_and_left_alone(
    aws: Any, ssm: Any
) -> None:
    old = old_tool_setup(ssm)  # 8 untagged windows, a WINDOWS baseline for their groups
    hand_window = make_window(ssm, "by-hand-web", "AWS-RunPatchBaseline")  # tag:Role=web
    make_baseline(ssm, "by-hand", "by-hand-group")
    target_json(setup(aws.url, *JSON, "-w", "3", "-d", "4", "-t", "5"))
    old_nodes = ec2_instances(aws, 2, platform="Windows", tags={"Patch Group": OLD_GROUP})
    mine = ec2_instances(aws, 1, tags={"Patch Group": MINE})
    web = hybrid_nodes(aws, 1, tags={"Role": "web"})
    by_hand = ec2_instances(aws, 1, tags={"Patch Group": "by-hand-group"})
    for window_id in (old["windows"]["Week1Day2Unattended0300"]["id"], hand_window):
        window_execution(aws, window_id, status="FAILED")
    before = snapshot(aws.url)

    view = target_json(setup(aws.url, "status", *JSON))
    assert snapshot(aws.url) == before
    assert [w["name"] for w in view["windows"]] == ["Week3Day4Unattended0500"]
    fleet = view["fleet"]
    assert fleet["nodes"] == 5
    [group] = fleet["patch_groups"]
    assert (group["name"], group["node_ids"], group["windows"]) == (
        MINE,
        mine,
        ["Week3Day4Unattended0500"],
    )
    # By patch group name: the old tool's, then the hand-made one; none has an owner tag.
    assert fleet["outside"] == [
        {"patch_group": None, "owner": None, "reason": "no-patch-group", "nodes": web},
        {
            "patch_group": OLD_GROUP,
            "owner": None,
            "reason": "not-a-setup",
            "nodes": sorted(old_nodes),
        },
        {"patch_group": "by-hand-group", "owner": None, "reason": "not-a-setup", "nodes": by_hand},
    ]
    assert fleet["unmatched_targets"] == []
    # Only this setup's window's runs: the old tool's and the hand-made window's are not.
    assert fleet["executions"] == [
        {"window": "Week3Day4Unattended0500", "window_id": view["windows"][0]["id"], "last": []}
    ]
    text = setup(aws.url, "status").stdout
    assert (
        f"  warning: 2 managed nodes in patch group '{OLD_GROUP}' of a baseline no setup owns: "
        f"{', '.join(sorted(old_nodes))}"
    ) in text.splitlines()
    assert "         last: no executions" in text.splitlines()
    assert snapshot(aws.url) == before
