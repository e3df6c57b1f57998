"""ssm-patching-setup end to end, baselines: the seed tool's baseline files, an edited file,
the operating-system option, bad baseline files, and patch groups held by another setup
or moved to a hand-made baseline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.account import assert_empty, custom_baselines, patch_groups, windows
from tests.helpers.cli import (
    JSON,
    ONE_WINDOW,
    assert_one_line_error,
    json_report,
    setup,
    target_json,
)
from tests.helpers.paths import SEED


@pytest.mark.parametrize("sample", sorted(p.name for p in SEED.glob("*.json")))
def test_seed_tools_baseline_files_work(aws: Any, ssm: Any, sample: str) -> None:
    source = json.loads((SEED / sample).read_text())
    report = target_json(setup(aws.url, *JSON, *ONE_WINDOW, "-b", str(SEED / sample)))
    assert report["summary"]["create"] == 5
    [baseline] = custom_baselines(ssm)
    assert baseline["Name"] == source["Name"]
    assert baseline["OperatingSystem"] == source["OperatingSystem"]
    assert (
        baseline["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"]
        == source["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"]
    )
    assert patch_groups(ssm) == {"Week 1 Day 2 - Unattended - 03:00": source["Name"]}
    again = target_json(setup(aws.url, *JSON, *ONE_WINDOW, "-b", str(SEED / sample)))
    assert again["summary"]["unchanged"] == 5


def test_edited_baseline_file_updates_the_baseline_in_place(
    aws: Any, ssm: Any, tmp_path: Path
) -> None:
    data = json.loads((SEED / "sample_aml2_aws_default.json").read_text())
    data["Name"] = "Team-AL2"
    path = tmp_path / "al2.json"
    path.write_text(json.dumps(data))
    target_json(setup(aws.url, *JSON, *ONE_WINDOW, "-b", str(path)))
    data["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"] = 14
    data["RejectedPatches"] = ["kernel*"]
    path.write_text(json.dumps(data))
    report = target_json(setup(aws.url, *JSON, *ONE_WINDOW, "-b", str(path)))
    [update] = [r for r in report["resources"] if r["action"] != "unchanged"]
    assert (update["kind"], update["action"]) == ("baseline", "update")
    assert {c["field"] for c in update["changes"]} == {"ApprovalRules", "RejectedPatches"}
    [baseline] = custom_baselines(ssm)
    assert baseline["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"] == 14
    assert baseline["RejectedPatches"] == ["kernel*"]


def test_operating_system_option_uses_that_oss_preset(aws: Any, ssm: Any) -> None:
    target_json(
        setup(
            aws.url,
            *JSON,
            *ONE_WINDOW,
            "--operating-system",
            "windows",
        )
    )
    [baseline] = custom_baselines(ssm)
    assert baseline["OperatingSystem"] == "WINDOWS"
    assert baseline["Name"] == "ssm-patching-setup-default-windows"


@pytest.mark.parametrize(
    ("content", "word"),
    [
        ("not json", "baseline.json"),
        ("[]", "baseline.json"),
        ('{"OperatingSystem": "AMAZON_LINUX_2", "Bogus": 1}', "Bogus"),
        (
            '{"ApprovalRules": {"PatchRules": [{"PatchFilterGroup": {"PatchFilters": []},'
            ' "ApproveAfterDays": 400}]}}',
            "ApproveAfterDays",
        ),
    ],
)
def test_bad_baseline_file_names_the_file_and_key(
    aws: Any, ssm: Any, tmp_path: Path, content: str, word: str
) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(content)
    assert_one_line_error(setup(aws.url, "-b", str(path)), 2, word)
    assert_empty(ssm)


def test_operating_system_contradicting_the_file_is_bad_input(aws: Any, ssm: Any) -> None:
    result = setup(
        aws.url, "-b", str(SEED / "sample_ubuntu_aws_default.json"), "--operating-system", "WINDOWS"
    )
    assert_one_line_error(result, 2, "contradicts")
    assert_empty(ssm)


def test_patch_group_held_by_another_setup_is_refused_before_any_write(aws: Any, ssm: Any) -> None:
    target_json(setup(aws.url, *JSON, "--name", "blue", *ONE_WINDOW))
    before = (windows(ssm), custom_baselines(ssm), patch_groups(ssm))
    refused = setup(aws.url, "--name", "green", *ONE_WINDOW)
    assert_one_line_error(refused, 2, "'Week 1 Day 2 - Unattended - 03:00'", "setup 'blue'")
    assert (windows(ssm), custom_baselines(ssm), patch_groups(ssm)) == before


def test_patch_group_moved_to_a_hand_made_baseline_is_moved_back(aws: Any, ssm: Any) -> None:
    target_json(setup(aws.url, *JSON, *ONE_WINDOW))
    group = "Week 1 Day 2 - Unattended - 03:00"
    [ours] = custom_baselines(ssm)
    ssm.deregister_patch_baseline_for_patch_group(BaselineId=ours["BaselineId"], PatchGroup=group)
    hand = ssm.create_patch_baseline(Name="HandMade", OperatingSystem="AMAZON_LINUX_2")[
        "BaselineId"
    ]
    ssm.register_patch_baseline_for_patch_group(BaselineId=hand, PatchGroup=group)
    # Taking a group from a baseline the setup does not own needs consent (--adopt).
    refused = setup(aws.url, *JSON, *ONE_WINDOW)
    assert refused.returncode == 3, refused.stderr
    assert "--adopt" in json_report(refused)["targets"][0]["error"]
    assert patch_groups(ssm) == {group: "HandMade"}
    report = target_json(setup(aws.url, *JSON, *ONE_WINDOW, "--adopt", "--yes"))
    # By kind, then name: the hand-made baseline adopted then deleted, then the group.
    [tagged, emptied, moved] = [r for r in report["resources"] if r["action"] != "unchanged"]
    assert (tagged["kind"], tagged["action"], tagged["id"]) == ("baseline", "adopt", hand)
    assert (moved["kind"], moved["action"]) == ("patch-group", "adopt")
    assert moved["changes"] == [{"field": "Baseline", "old": "HandMade", "new": ours["Name"]}]
    # Left holding nothing, the hand-made baseline goes with the adoption.
    assert (emptied["kind"], emptied["action"], emptied["id"]) == ("baseline", "delete", hand)
    assert patch_groups(ssm) == {group: ours["Name"]}
    assert [b["Name"] for b in custom_baselines(ssm)] == [ours["Name"]]
