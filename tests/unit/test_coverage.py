"""The fleet's coverage and compliance on plain data (coverage.py, deploy/remote_fleet.py):
no endpoint, no boto3. The end-to-end tests are tests/cli/test_status_fleet*.py."""

from __future__ import annotations

from patchsetup import coverage
from patchsetup.deploy.remote import (
    Registration,
    RemoteBaseline,
    RemoteState,
    RemoteTarget,
    RemoteWindow,
)
from patchsetup.deploy.remote_fleet import Execution, ManagedNode, RemoteFleet, query

G1, G2, G3 = "Week 1 Day 2 - Unattended - 03:00", "Week 1 Day 2 - Unattended - 04:00", "lonely"


def _state() -> RemoteState:
    def window(name: str, wid: str, values: list[str]) -> RemoteWindow:
        target = RemoteTarget(
            f"t-{wid}",
            {"Name": f"{name}Targets", "Targets": [{"Key": "tag:Patch Group", "Values": values}]},
        )
        return RemoteWindow(wid, {"Name": name}, {}, targets=[target])

    return RemoteState(
        windows=[
            window("W1", "mw-1", [G1]),
            # A typo in the second window's target: no node carries it.
            window("W2", "mw-2", [G2, "Week 1 Day 2 - Unatended - 04:00"]),
        ],
        baselines=[RemoteBaseline("pb-mine", "mine", "AMAZON_LINUX_2", {}, {})],
        registrations=[
            Registration(G1, "AMAZON_LINUX_2", "pb-mine", "mine", "default"),
            # The replaced tool's untagged baseline holds the group for Windows: it applies.
            Registration(G1, "WINDOWS", "pb-old", "Windows-0day-Important", None),
            Registration(G2, "AMAZON_LINUX_2", "pb-mine", "mine", "default"),
            Registration(G3, "AMAZON_LINUX_2", "pb-mine", "mine", "default"),
            Registration("theirs", "WINDOWS", "pb-other", "other", "other"),
            Registration("by-hand", "WINDOWS", "pb-hand", "hand", None),
        ],
    )


def _fleet() -> RemoteFleet:
    nodes = [
        ManagedNode("i-1", "Linux", "Amazon Linux", "Online", "EC2Instance"),
        ManagedNode("i-2", "Windows", "Windows Server", "ConnectionLost", "EC2Instance"),
        ManagedNode("mi-3", "Linux", "Ubuntu", "Online", "ManagedInstance"),
        ManagedNode("i-4", "Linux", "Amazon Linux", "Online", "EC2Instance"),
        ManagedNode("i-5", "Windows", "Windows Server", "Online", "EC2Instance"),
        ManagedNode("i-6", "Windows", "Windows Server", "Online", "EC2Instance"),
        ManagedNode("i-7", "Linux", "Amazon Linux", "Inactive", "EC2Instance"),
    ]
    return RemoteFleet(
        nodes=nodes,
        carrying={
            ("Patch Group", G1): ["i-1", "i-2", "mi-3"],
            ("Patch Group", G2): ["i-4"],
            ("Patch Group", G3): [],
            ("Patch Group", "Week 1 Day 2 - Unatended - 04:00"): [],
            ("Patch Group", "theirs"): ["i-5"],
            ("Patch Group", "by-hand"): [],
        },
        keyed=["i-1", "i-2", "mi-3", "i-4", "i-5", "i-6"],
        states={G1: {"Instances": 3, "InstancesWithMissingPatches": 1}},
        executions={
            "mw-1": [
                Execution("e-2", "FAILED", "one failed", "2026-11-03T03:00:00+00:00", None),
                Execution("e-1", "SUCCESS", "", "2026-10-06T03:00:00+00:00", None),
            ],
            "mw-2": [],
        },
    )


def test_the_query_asks_about_the_setups_groups_and_target_values() -> None:
    asked = query(_state())
    assert asked is not None
    assert asked.key == "Patch Group"
    assert asked.groups == ("Week 1 Day 2 - Unatended - 04:00", G1, G2, G3)
    assert asked.foreign == ("by-hand", "theirs")
    assert asked.windows == {"mw-1": "W1", "mw-2": "W2"}
    assert query(RemoteState()) is None
    # A target value no patch group can have (a wildcard, say) is asked about, not as a group.
    odd = _state()
    odd.windows[0].targets[0].fields["Targets"][0]["Values"].append("web*")
    asked = query(odd)
    assert asked is not None
    assert "web*" not in asked.groups and ("Patch Group", "web*") in asked.selectors


def test_counts_gaps_and_executions() -> None:
    state = _state()
    asked = query(state)
    assert asked is not None
    view = coverage.fleet_view(state, asked, _fleet())
    assert (view["nodes"], view["platforms"], view["ping"]) == (
        7,
        {"Linux": 4, "Windows": 3},
        {"Online": 5, "ConnectionLost": 1, "Inactive": 1},
    )
    typo, first, second, lonely = view["patch_groups"]
    assert (typo["nodes"], typo["baselines"], typo["windows"]) == (0, {}, ["W2"])
    assert (second["nodes"], lonely["nodes"], lonely["windows"]) == (1, 0, [])
    assert (first["name"], first["nodes"], first["platforms"], first["ping"]) == (
        G1,
        3,
        {"Linux": 2, "Windows": 1},
        {"Online": 2, "ConnectionLost": 1},
    )
    assert first["baselines"] == {"AMAZON_LINUX_2": "mine", "WINDOWS": "Windows-0day-Important"}
    assert first["windows"] == ["W1"]
    assert (first["compliance"]["instances"], first["compliance"]["missing"]) == (3, 1)
    assert first["compliance"]["failed"] == 0
    assert view["outside"] == [
        {"patch_group": None, "owner": None, "reason": "no-patch-group", "nodes": ["i-7"]},
        {"patch_group": "theirs", "owner": "other", "reason": "other-setup", "nodes": ["i-5"]},
        {"patch_group": None, "owner": None, "reason": "unknown-group", "nodes": ["i-6"]},
    ]
    assert view["unmatched_targets"] == [
        {
            "window": "W2",
            "target": "W2Targets",
            "key": "tag:Patch Group",
            "value": "Week 1 Day 2 - Unatended - 04:00",
        }
    ]
    assert view["warnings"] == [
        "1 managed node in no patch group: the region's default patch baseline applies: i-7",
        "1 managed node in patch group 'theirs' of setup 'other', not this one: i-5",
        "1 managed node in a patch group no baseline in the region has: the region's default "
        "patch baseline applies: i-6",
        "patch group with no managed node: 'lonely'",
        "window W2 target W2Targets: no managed node is tag Patch Group="
        "'Week 1 Day 2 - Unatended - 04:00' (a typo?)",
    ]
    assert coverage.last_runs(view, "W1") == (
        "last: FAILED 2026-11-03 03:00 (one failed), SUCCESS 2026-10-06 03:00"
    )
    assert coverage.last_runs(view, "W2") == "last: no executions"
    assert coverage.last_runs(None, "W1") is None


def test_text_table_and_csv_rows_carry_the_same_numbers() -> None:
    state = _state()
    asked = query(state)
    assert asked is not None
    view = coverage.fleet_view(state, asked, _fleet())
    lines = coverage.text(view)
    assert lines[0] == (
        "fleet    7 managed nodes: 4 in the 4 patch groups of this setup (tag 'Patch Group'); "
        "Linux 4, Windows 3; Online 5, ConnectionLost 1, Inactive 1"
    )
    assert lines[1].startswith("  PATCH GROUP  ") and lines[3].startswith(f"  {G1}  ")
    header, row = (lines[i][2 + len(G1) :].split() for i in (1, 3))
    assert dict(zip(header, row, strict=False)) == {
        "NODES": "3", "LINUX": "2", "WINDOWS": "1", "MACOS": "0", "ONLINE": "2", "LOST": "1",
        "INACTIVE": "0", "REPORTED": "3", "MISSING": "1", "FAILED": "0", "REBOOT": "0",
        "WINDOW": "W1", "/": "/", "BASELINE": "AMAZON_LINUX_2", "OS": "WINDOWS",
    }  # fmt: skip
    assert lines[3].endswith("W1 / AMAZON_LINUX_2 WINDOWS")
    assert lines[2].endswith("W2 / (no baseline)")
    assert [line for line in lines if "warning:" in line] == [
        f"  warning: {w}" for w in view["warnings"]
    ]
    rows = coverage.csv_rows(view)
    got = {(r["kind"], r["name"], r["details"]): r.get("count") for r in rows}
    assert got[("coverage", G1, "nodes")] == 3
    assert got[("coverage", G1, "platform=Windows")] == 1
    assert got[("coverage", G1, "ping=ConnectionLost")] == 1
    assert got[("compliance", G1, "missing")] == 1
    assert got[("fleet", "Patch Group", "nodes")] == 7
    assert ("outside", "i-7", "no-patch-group: ") in got
    executions = [r for r in rows if r["kind"] == "execution"]
    assert [(r["window"], r["name"], r["id"]) for r in executions] == [
        ("W1", "FAILED", "e-2"),
        ("W1", "SUCCESS", "e-1"),
    ]


def test_nodes_of_a_platform_without_its_baseline_are_a_gap() -> None:
    state, fleet = _state(), _fleet()
    fleet.nodes.append(ManagedNode("i-8", "Windows", "Windows Server", "Online", "EC2Instance"))
    fleet.carrying["Patch Group", G2].append("i-8")
    fleet.keyed.append("i-8")
    asked = query(state)
    assert asked is not None
    gaps = [w for w in coverage.fleet_view(state, asked, fleet)["warnings"] if "baseline for" in w]
    # G1 has the old tool's WINDOWS baseline besides the Linux one; G2 only the Linux one.
    assert gaps == [
        f"patch group '{G2}': 1 Windows node but no Windows baseline is registered for it: "
        "the region's default patch baseline for Windows applies"
    ]


def test_a_node_with_only_the_other_key_is_not_in_no_group() -> None:
    state = _state()
    asked = query(state)
    assert asked is not None
    fleet = _fleet()
    fleet.other_keyed = ["i-7", "i-1"]  # i-1 carries both keys: it is in the setup's group
    view = coverage.fleet_view(state, asked, fleet)
    reasons = {out["reason"]: out["nodes"] for out in view["outside"]}
    assert "no-patch-group" not in reasons
    assert reasons["other-key"] == ["i-7"]
    assert (
        "1 managed node tagged 'PatchGroup', the patch-group key this setup's windows do not "
        "select on ('Patch Group'): they do not patch them: i-7"
    ) in view["warnings"]
