"""status's fleet through the real CLI: coverage, gaps, compliance and last runs of a
seeded fleet over the 8 default patch groups (tests/helpers/fleet.py seeds it), in text,
JSON and CSV; another region, another setup, --no-fleet. The old tool's and hand-made
resources: test_status_fleet_brownfield.py."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.helpers.account import snapshot
from tests.helpers.cli import DEFAULT_WINDOWS, JSON, ok_json, setup, target_json
from tests.helpers.fleet import (
    ec2_instances,
    hybrid_nodes,
    patch_state,
    unmanaged_ec2_instances,
    window_execution,
)

GROUPS = sorted(group for _, group in DEFAULT_WINDOWS.values())
G1, G2 = GROUPS[0], GROUPS[1]  # Week 1 Day 2 03:00 and 04:00
EMPTY = GROUPS[7]  # Week 2 Day 3 - Unattended - 04:00: its target gets a typo by hand
TYPO = "Week 2 Day 3 - Unattended - 04:0O"
OTHER_GROUP = "Week 3 Day 5 - Unattended - 01:00"  # setup "other"'s one window
WEST = "us-west-2"


def _tag(group: str) -> dict[str, str]:
    return {"Patch Group": group}


def _fleet(aws: Any, ssm: Any) -> dict[str, Any]:
    """The defaults, setup 'other' with one window, and a fleet with every gap."""
    target_json(setup(aws.url, *JSON))
    target_json(setup(aws.url, *JSON, "--name", "other", "-w", "3", "-d", "5", "-t", "1"))
    target_json(setup(aws.url, *JSON, "-r", WEST))
    win, lost = "Windows", "ConnectionLost"
    nodes = {
        "g1_linux": ec2_instances(aws, 2, tags=_tag(G1), platform_name="Amazon Linux"),
        "g1_windows": ec2_instances(aws, 1, platform=win, tags=_tag(G1), ping=lost),
        "g2_hybrid": hybrid_nodes(aws, 1, tags=_tag(G2), platform_name="Ubuntu"),
        "g2_hybrid_lost": hybrid_nodes(aws, 1, platform=win, tags=_tag(G2), ping=lost),
        "others": [i for g in GROUPS[2:7] for i in ec2_instances(aws, 1, tags=_tag(g))],
        "none": ec2_instances(aws, 1, tags={"Name": "web-1"}),
        "other_setup": ec2_instances(aws, 1, tags=_tag(OTHER_GROUP)),
        "west": ec2_instances(aws, 2, tags=_tag(G1), region=WEST),
    }  # fmt: skip
    unmanaged_ec2_instances(aws, 1, tags=_tag(G1))  # EC2 only: SSM does not manage it
    # By hand, in the console: a typo in the last window's target.
    window = next(
        w for w in ssm.describe_maintenance_windows()["WindowIdentities"]
        if w["Name"] == "Week2Day3Unattended0400"
    )  # fmt: skip
    [target] = ssm.describe_maintenance_window_targets(WindowId=window["WindowId"])["Targets"]
    ssm.update_maintenance_window_target(
        WindowId=window["WindowId"],
        WindowTargetId=target["WindowTargetId"],
        Targets=[{"Key": "tag:Patch Group", "Values": [TYPO]}],
    )
    # Compliance: the first group's three nodes reported.
    linux_a, linux_b = nodes["g1_linux"]
    patch_state(aws, linux_a, InstalledCount=10, MissingCount=2)
    patch_state(aws, linux_b, InstalledCount=4, FailedCount=1)
    patch_state(aws, nodes["g1_windows"][0], InstalledPendingRebootCount=1)
    # Four runs of the first window: status shows the last three, newest first.
    first = next(
        w["WindowId"] for w in ssm.describe_maintenance_windows()["WindowIdentities"]
        if w["Name"] == "Week1Day2Unattended0300"
    )  # fmt: skip
    start = datetime(2026, 8, 4, 3, 0, tzinfo=UTC)
    runs = {}
    for month, status in enumerate(["SUCCESS", "FAILED", "SUCCESS", "TIMED_OUT"]):
        begin = start + timedelta(days=35 * month)
        runs[status, month] = window_execution(
            aws,
            first,
            status=status,
            start=begin.isoformat(),
            end=(begin + timedelta(minutes=20 + month)).isoformat(),
        )
    return {**nodes, "runs": runs, "first_window": first}


def test_status_shows_coverage_gaps_compliance_and_last_runs(aws: Any, ssm: Any) -> None:
    seeded = _fleet(aws, ssm)
    before = snapshot(aws.url)
    view = target_json(setup(aws.url, "status", *JSON))
    assert snapshot(aws.url) == before  # read-only
    fleet = view["fleet"]
    # 12 managed nodes in us-east-1: neither the unmanaged instance nor us-west-2's.
    assert (fleet["key"], fleet["nodes"]) == ("Patch Group", 12)
    assert fleet["platforms"] == {"Linux": 10, "Windows": 2}
    assert fleet["ping"] == {"Online": 10, "ConnectionLost": 2}
    groups = {g["name"]: g for g in fleet["patch_groups"]}
    # The 8 registered groups and the typo a window targets.
    assert sorted(groups) == sorted([*GROUPS, TYPO])
    one, two = groups[G1], groups[G2]
    assert (one["nodes"], one["platforms"], one["ping"]) == (
        3,
        {"Linux": 2, "Windows": 1},
        {"Online": 2, "ConnectionLost": 1},
    )
    assert one["node_ids"] == sorted(seeded["g1_linux"] + seeded["g1_windows"])
    assert one["baselines"] == {"AMAZON_LINUX_2": "ssm-patching-setup-default-amazon-linux-2"}
    assert one["windows"] == ["Week1Day2Unattended0300"]
    assert (two["nodes"], two["platforms"], two["ping"]) == (
        2,
        {"Linux": 1, "Windows": 1},
        {"Online": 1, "ConnectionLost": 1},
    )
    assert all(i.startswith("mi-") for i in two["node_ids"])
    assert [groups[g]["nodes"] for g in GROUPS[2:7]] == [1] * 5
    assert (groups[EMPTY]["nodes"], groups[EMPTY]["windows"]) == (0, [])
    assert (groups[TYPO]["nodes"], groups[TYPO]["baselines"]) == (0, {})
    compliance = one["compliance"]
    assert {k: v for k, v in compliance.items() if v} == {
        "instances": 3,
        "installed": 2,
        "installed_pending_reboot": 1,
        "missing": 1,
        "failed": 1,
    }
    assert not any(two["compliance"].values())
    assert fleet["outside"] == [
        {"patch_group": None, "owner": None, "reason": "no-patch-group", "nodes": seeded["none"]},
        {
            "patch_group": OTHER_GROUP,
            "owner": "other",
            "reason": "other-setup",
            "nodes": seeded["other_setup"],
        },
    ]
    assert fleet["unmatched_targets"] == [
        {
            "window": "Week2Day3Unattended0400",
            "target": "Week2Day3Unattended0400Targets",
            "key": "tag:Patch Group",
            "value": TYPO,
        }
    ]
    executions = {e["window"]: e["last"] for e in fleet["executions"]}
    assert sorted(executions) == sorted(DEFAULT_WINDOWS)
    runs = seeded["runs"]
    assert [(e["id"], e["status"]) for e in executions["Week1Day2Unattended0300"]] == [
        (runs["TIMED_OUT", 3], "TIMED_OUT"),
        (runs["SUCCESS", 2], "SUCCESS"),
        (runs["FAILED", 1], "FAILED"),
    ]
    newest = executions["Week1Day2Unattended0300"][0]
    assert (newest["start"], newest["end"]) == (
        "2026-11-17T03:00:00+00:00",
        "2026-11-17T03:23:00+00:00",
    )
    assert executions["Week1Day2Unattended0400"] == []
    assert fleet["warnings"] == [
        f"1 managed node in no patch group: the region's default patch baseline applies: "
        f"{seeded['none'][0]}",
        f"1 managed node in patch group '{OTHER_GROUP}' of setup 'other', not this one: "
        f"{seeded['other_setup'][0]}",
        *(
            f"patch group '{g}': 1 Windows node but no Windows baseline is registered for it: "
            "the region's default patch baseline for Windows applies"
            for g in (G1, G2)
        ),
        f"patch group with no managed node: '{EMPTY}'",
        "window Week2Day3Unattended0400 target Week2Day3Unattended0400Targets: no managed "
        f"node is tag Patch Group={TYPO!r} (a typo?)",
    ]

    # The text: the same numbers in columns, the gaps as warnings, the last runs.
    text = setup(aws.url, "status")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert (
        "fleet    12 managed nodes: 10 in the 9 patch groups of this setup (tag 'Patch Group'); "
        "Linux 10, Windows 2; Online 10, ConnectionLost 2"
    ) in lines
    header = next(line for line in lines if line.startswith("  PATCH GROUP"))
    row = next(line for line in lines if line.startswith(f"  {G1}  "))
    width = header.index("NODES")
    cells = dict(zip(header[width:].split(), row[width:].split(), strict=False))
    assert cells == {
        "NODES": "3", "LINUX": "2", "WINDOWS": "1", "MACOS": "0", "ONLINE": "2", "LOST": "1",
        "INACTIVE": "0", "REPORTED": "3", "MISSING": "1", "FAILED": "1", "REBOOT": "1",
        "WINDOW": "Week1Day2Unattended0300", "/": "/", "BASELINE": "AMAZON_LINUX_2",
    }  # fmt: skip
    assert [line[len("  warning: ") :] for line in lines if line.startswith("  warning: ")] == (
        fleet["warnings"]
    )
    assert (
        "         last: TIMED_OUT 2026-11-17 03:00 to 03:23, SUCCESS 2026-10-13 03:00 to 03:22, "
        "FAILED 2026-09-08 03:00 to 03:21"
    ) in lines
    # The fleet section comes after the windows, before the baselines.
    fleet_at = lines.index(next(line for line in lines if line.startswith("fleet ")))
    assert max(i for i, line in enumerate(lines) if line.startswith("window ")) < fleet_at
    assert fleet_at < min(i for i, line in enumerate(lines) if line.startswith("baseline "))

    # The CSV: one table as before, the numbers in the count column.
    rows = list(csv.DictReader(io.StringIO(setup(aws.url, "status", "--output", "csv").stdout)))
    count = {(r["kind"], r["name"], r["details"]): r["count"] for r in rows if r["count"]}
    assert count[("fleet", "Patch Group", "nodes")] == "12"
    assert count[("coverage", G1, "nodes")] == "3"
    assert count[("coverage", G1, "platform=Windows")] == "1"
    assert count[("coverage", G2, "ping=ConnectionLost")] == "1"
    assert count[("compliance", G1, "missing")] == "1"
    assert count[("compliance", G1, "installed_pending_reboot")] == "1"
    assert [r["name"] for r in rows if r["kind"] == "outside"] == [
        seeded["none"][0],
        seeded["other_setup"][0],
    ]
    assert [r["details"] for r in rows if r["kind"] == "unmatched-target"] == [
        f"tag:Patch Group={TYPO}"
    ]
    assert [
        (r["window"], r["name"], r["id"]) for r in rows if r["kind"] == "execution"
    ] == [("Week1Day2Unattended0300", e["status"], e["id"]) for e in executions[
        "Week1Day2Unattended0300"
    ]]  # fmt: skip
    kinds = [r["kind"] for r in rows]
    assert (kinds.count("window"), kinds.count("baseline"), kinds.count("patch-group")) == (8, 1, 8)


def test_another_region_another_setup_and_no_fleet(aws: Any, ssm: Any) -> None:
    seeded = _fleet(aws, ssm)
    document = ok_json(setup(aws.url, "status", *JSON, "-r", f"us-east-1,{WEST}"))
    east, west = document["targets"]
    assert (east["region"], east["fleet"]["nodes"]) == ("us-east-1", 12)
    assert (west["region"], west["fleet"]["nodes"]) == (WEST, 2)
    [west_g1] = [g for g in west["fleet"]["patch_groups"] if g["name"] == G1]
    assert west_g1["node_ids"] == sorted(seeded["west"])
    assert west["fleet"]["outside"] == [] and west["fleet"]["unmatched_targets"] == []
    # Setup "other" sees its own group's node, and ours as another setup's.
    other = target_json(setup(aws.url, "status", *JSON, "--name", "other"))["fleet"]
    assert [(g["name"], g["node_ids"]) for g in other["patch_groups"]] == [
        (OTHER_GROUP, seeded["other_setup"])
    ]
    reasons = {(o["reason"], o["patch_group"], o["owner"]): o["nodes"] for o in other["outside"]}
    assert reasons[("no-patch-group", None, None)] == seeded["none"]
    assert reasons[("other-setup", G1, "default")] == sorted(
        seeded["g1_linux"] + seeded["g1_windows"]
    )
    assert len(reasons) == 1 + 7  # the untagged one, and 7 of our groups that have nodes
    # --no-fleet: nothing of it is read or shown.
    bare = target_json(setup(aws.url, "status", *JSON, "--no-fleet"))
    assert bare["fleet"] is None
    text = setup(aws.url, "status", "--no-fleet").stdout
    assert "fleet " not in text and "last:" not in text and "warning:" not in text
    assert [r for r in csv.DictReader(io.StringIO(setup(aws.url, "status", "--no-fleet",
            "--output", "csv").stdout)) if r["count"]] == []  # fmt: skip
    # Nothing deployed: no fleet either.
    assert target_json(setup(aws.url, "status", *JSON, "--name", "absent"))["fleet"] is None


def test_another_account_through_a_role_sees_only_its_own_nodes(aws: Any) -> None:
    account = "111111111111"
    role = ("--role-arn", f"arn:aws:iam::{account}:role/PatchingBootstrap")
    one = ("-w", "1", "-d", "2", "-t", "3")
    target_json(setup(aws.url, *JSON, *one))
    target_json(setup(aws.url, *JSON, *one, *role))
    theirs = ec2_instances(aws, 2, tags=_tag(G1), account=account)
    hybrid = hybrid_nodes(aws, 1, platform="MacOS", tags=_tag(G1), account=account)
    mine = ec2_instances(aws, 1, tags=_tag(G1))
    there = target_json(setup(aws.url, "status", *JSON, *role))
    assert there["account"] == account
    [group] = there["fleet"]["patch_groups"]
    assert (group["name"], group["node_ids"]) == (G1, sorted(theirs + hybrid))
    assert group["platforms"] == {"Linux": 2, "MacOS": 1}
    # A MacOS node in a group of a Linux baseline: the region's default for macOS applies.
    assert there["fleet"]["warnings"] == [
        f"patch group '{G1}': 1 MacOS node but no MacOS baseline is registered for it: "
        "the region's default patch baseline for MacOS applies"
    ]
    here = target_json(setup(aws.url, "status", *JSON))
    assert (here["account"], here["fleet"]["patch_groups"][0]["node_ids"]) == (None, mine)
