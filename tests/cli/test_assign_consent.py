"""``assign`` on accounts that are not empty: nodes already in a patch group.

A node tagged for another setup (``--name other``), by hand with the replaced tool's
group names, or with a hand-typed group is moved only with consent, as deletes are:
without --yes and without a terminal the run refuses (exit 3) before any write; with
--yes it moves them and touches no other tag.
"""

from __future__ import annotations

from tests.helpers.cli import (
    DEFAULT_WINDOWS,
    JSON,
    REGION,
    answering_on_a_terminal,
    assert_one_line_error,
    json_report,
    setup,
    target_json,
)
from tests.helpers.endpoint import AwsEnv, client
from tests.helpers.fleet import ec2_instances, hybrid_nodes

GROUPS = sorted(group for _, group in DEFAULT_WINDOWS.values())
KEY = "Patch Group"
OTHER = "Week 3 Day 2 - Unattended - 03:00"  # what setup 'other' with -w 3 -d 2 -t 3 makes


def _tags(aws: AwsEnv, node: str) -> dict[str, str]:
    if node.startswith("mi-"):
        listed = client(aws, "ssm").list_tags_for_resource(
            ResourceType="ManagedInstance", ResourceId=node
        )
        return {t["Key"]: t["Value"] for t in listed["TagList"]}
    found = client(aws, "ec2").describe_tags(Filters=[{"Name": "resource-id", "Values": [node]}])
    return {t["Key"]: t["Value"] for t in found["Tags"]}


def _brownfield(aws: AwsEnv) -> dict[str, str]:
    """Four nodes: one per kind of existing group, and one with none."""
    (old_tool,) = ec2_instances(aws, 1, tags={"Owner": "ops"})
    # The replaced tool's operators tagged by hand, in the console: its group names.
    client(aws, "ec2").create_tags(
        Resources=[old_tool], Tags=[{"Key": KEY, "Value": "Week 1 Day 2 - Unattended - 03:00"}]
    )
    (other,) = ec2_instances(aws, 1, platform="Windows", tags={"Owner": "ops"})
    tagged = setup(
        aws.url, "assign", "-r", REGION, "--name", "other", "-w", "3", "-d", "2", "-t", "3",
        "--instance-id", other, "--patch-group", OTHER,
    )  # fmt: skip
    assert tagged.returncode == 0, tagged.stderr
    (typed,) = hybrid_nodes(aws, 1, tags={"Owner": "ops", KEY: "WebServer-Prd"})
    (fresh,) = hybrid_nodes(aws, 1, tags={"Owner": "ops"})
    return {"old_tool": old_tool, "other": other, "typed": typed, "fresh": fresh}


def test_moving_nodes_out_of_another_group_is_refused_without_yes(aws: AwsEnv) -> None:
    nodes = _brownfield(aws)
    before = {name: _tags(aws, node) for name, node in nodes.items()}
    args = ("assign", "-r", REGION, "--all", "--patch-group", GROUPS[-1])
    refused = setup(aws.url, *args)
    assert_one_line_error(
        refused,
        3,
        "assign would move 3 instances out of their patch groups and there is no "
        "terminal to ask on: review with --dry-run, then pass --yes",
    )
    assert "Refused: nothing was written; it would tag 1, move 3; 0 unchanged" in refused.stdout
    document = json_report(setup(aws.url, *args, *JSON))
    (target,) = document["targets"]
    assert target["refused"] and target["exit_code"] == 3
    assert target["planned"]["update"] == 3 and target["planned"]["create"] == 1
    moves = {
        r["name"]: (r["changes"][0]["old"], r["changes"][0]["new"])
        for r in target["resources"]
        if r["action"] == "update"
    }
    assert moves == {
        nodes["old_tool"]: ("Week 1 Day 2 - Unattended - 03:00", GROUPS[-1]),
        nodes["other"]: (OTHER, GROUPS[-1]),
        nodes["typed"]: ("WebServer-Prd", GROUPS[-1]),
    }
    # Nothing written, not even the node that had no group.
    assert {name: _tags(aws, node) for name, node in nodes.items()} == before


def test_with_yes_they_move_and_no_other_tag_changes(aws: AwsEnv) -> None:
    nodes = _brownfield(aws)
    moved = target_json(
        setup(aws.url, "assign", "-r", REGION, "--all", "--patch-group", GROUPS[-1], "--yes", *JSON)
    )
    assert (moved["summary"]["create"], moved["summary"]["update"]) == (1, 3)
    for node in nodes.values():
        assert _tags(aws, node) == {"Owner": "ops", KEY: GROUPS[-1]}


def test_the_replaced_tools_tags_already_count_and_a_spread_keeps_them(aws: AwsEnv) -> None:
    # Tagged by hand for the replaced tool's windows: the same group names as the defaults.
    tagged = ec2_instances(aws, 2) + hybrid_nodes(aws, 1)
    ec2 = client(aws, "ec2")
    ec2.create_tags(Resources=[tagged[0]], Tags=[{"Key": KEY, "Value": GROUPS[5]}])
    ec2.create_tags(Resources=[tagged[1]], Tags=[{"Key": KEY, "Value": GROUPS[6]}])
    client(aws, "ssm").add_tags_to_resource(
        ResourceType="ManagedInstance",
        ResourceId=tagged[2],
        Tags=[{"Key": KEY, "Value": GROUPS[7]}],
    )
    fresh = ec2_instances(aws, 5)
    # No consent needed: nothing is moved, the 3 stay, the 5 fill the other groups.
    target = target_json(setup(aws.url, "assign", "-r", REGION, "--all", "--spread", *JSON))
    assert target["summary"]["unchanged"] == 3 and target["summary"]["create"] == 5
    assert [_tags(aws, n)[KEY] for n in tagged] == GROUPS[5:]
    assert sorted(_tags(aws, n)[KEY] for n in fresh) == GROUPS[:5]


def test_another_setups_run_leaves_this_setups_nodes_alone_without_yes(aws: AwsEnv) -> None:
    nodes = ec2_instances(aws, 2)
    mine = setup(aws.url, "assign", "-r", REGION, "--all", "--spread", "-w", "1", "-d", "2")
    assert mine.returncode == 0, mine.stderr
    mine_tags = {n: _tags(aws, n) for n in nodes}
    theirs = setup(
        aws.url, "assign", "-r", REGION, "--name", "other", "-w", "3", "-d", "2", "-t", "3",
        "--all", "--patch-group", OTHER,
    )  # fmt: skip
    assert_one_line_error(theirs, 3, "would move 2 instances", "pass --yes")
    assert {n: _tags(aws, n) for n in nodes} == mine_tags


def test_on_a_terminal_it_asks_before_moving(aws: AwsEnv) -> None:
    (typed,) = hybrid_nodes(aws, 1, tags={KEY: "WebServer-Prd"})
    args = ("--all", "--patch-group", GROUPS[0])
    declined = answering_on_a_terminal(
        aws.url, "ssm-patching-setup", b"n\n", "assign", "-r", REGION, *args
    )
    assert declined.returncode == 3, declined.stderr
    assert "assign: move the 1 instance listed above out of its patch group?" in declined.stderr
    assert f"~ move  instance  {typed}" in declined.stdout
    assert _tags(aws, typed) == {KEY: "WebServer-Prd"}
    accepted = answering_on_a_terminal(
        aws.url, "ssm-patching-setup", b"y\n", "assign", "-r", REGION, *args
    )
    assert accepted.returncode == 0, accepted.stderr
    assert "Result: 0 tagged, 1 moved, 0 unchanged" in accepted.stdout
    assert _tags(aws, typed) == {KEY: GROUPS[0]}
