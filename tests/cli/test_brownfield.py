"""Accounts that are not empty: the replaced tool's setups, console-made resources,
operators' own tasks in the tool's windows, and baselines that are the region's default.

Each test drives the real CLI against the local endpoint.
"""

from __future__ import annotations

import json
from typing import Any

from patchsetup.model import OWNER_TAG
from tests.helpers.account import assert_empty, custom_baselines, patch_groups, windows
from tests.helpers.cli import assert_one_line_error, cleanup, json_report, setup, target_json
from tests.helpers.endpoint import client
from tests.helpers.oldtool import make_baseline, old_tool_setup, operator_task
from tests.helpers.paths import ROOT

JSON = ("--output", "json")


def _snapshot(ssm: Any) -> Any:
    return (windows(ssm), custom_baselines(ssm), patch_groups(ssm))


def _ids(ssm: Any) -> dict[str, str]:
    return {name: w["WindowId"] for name, w in windows(ssm).items()}


# -- the replaced tool's account ----------------------------------------------------


def test_old_tool_account_is_refused_without_adopt_and_nothing_is_written(
    aws: Any, ssm: Any
) -> None:
    old_tool_setup(ssm, baseline_file="sample_aml2_aws_default.json")
    before = _snapshot(ssm)
    result = setup(aws.url, "--yes")
    assert_one_line_error(result, 3, "--adopt", "ssm-patching-cleanup --all-patching")
    assert "8 windows" in result.stderr
    assert "\n> adopt   window       Week1Day2Unattended0300  mw-" in result.stdout
    assert _snapshot(ssm) == before
    as_json = setup(aws.url, "--yes", *JSON)
    assert as_json.returncode == 3
    document = json_report(as_json)["targets"][0]
    assert "--adopt" in document["error"]
    adopted = [r for r in document["resources"] if r["action"] == "adopt"]
    assert {r["kind"] for r in adopted} == {"window", "target", "task", "patch-group", "baseline"}
    assert _snapshot(ssm) == before


def _assert_adopted(ssm: Any, old: dict[str, Any], setup_name: str = "default") -> None:
    found = windows(ssm)
    assert {n: w["WindowId"] for n, w in found.items()} == {
        n: w["id"] for n, w in old["windows"].items()
    }
    for name, window in found.items():
        assert window["Tags"] == {OWNER_TAG: setup_name}
        assert window["AllowUnassociatedTargets"] is False
        assert [t["WindowTargetId"] for t in window["Targets"]] == [old["windows"][name]["target"]]
        assert [t["Name"] for t in window["Targets"]] == [f"{name}Targets"]
        assert [t["WindowTaskId"] for t in window["Tasks"]] == [old["windows"][name]["task"]]
        task = window["Tasks"][0]
        assert (task["TaskArn"], task["Name"]) == ("AWS-RunPatchBaseline", f"{name}Patch")
    baselines = custom_baselines(ssm)
    assert len(baselines) == 1, [b["Name"] for b in baselines]
    assert baselines[0]["BaselineId"] != old["baseline"]
    groups = patch_groups(ssm)
    assert sorted(groups) == sorted(old["groups"])
    assert set(groups.values()) == {baselines[0]["Name"]}


def test_old_tool_account_is_adopted_in_place_then_converged_then_cleaned(
    aws: Any, ssm: Any
) -> None:
    old = old_tool_setup(ssm, baseline_file="sample_aml2_aws_default.json")
    report = target_json(setup(aws.url, "--adopt", "--yes", *JSON))
    adopted = {(r["kind"], r["name"]) for r in report["resources"] if r["action"] == "adopt"}
    assert ("window", "Week1Day2Unattended0300") in adopted
    assert ("task", "Week1Day2Unattended0300Patch") in adopted
    # 8 windows, targets, tasks and patch groups, and the old baseline (to delete it).
    assert report["summary"]["adopt"] == 8 * 4 + 1
    assert report["summary"]["create"] == 1  # the setup's own baseline, nothing else
    # The old baseline, left holding nothing, is gone.
    deleted = [r for r in report["resources"] if r["action"] == "delete"]
    assert [(r["kind"], r["id"]) for r in deleted] == [("baseline", old["baseline"])]
    _assert_adopted(ssm, old)
    again = target_json(setup(aws.url, *JSON))
    assert {r["status"] for r in again["resources"]} == {"unchanged"}
    target_json(cleanup(aws.url, "--yes", *JSON))
    assert_empty(ssm)


def test_old_tool_inline_windows_baseline_is_taken_over_with_the_same_os(
    aws: Any, ssm: Any
) -> None:
    old = old_tool_setup(ssm)
    target_json(setup(aws.url, "--operating-system", "WINDOWS", "--adopt", "--yes", *JSON))
    _assert_adopted(ssm, old)
    again = target_json(setup(aws.url, "--operating-system", "WINDOWS", *JSON))
    assert {r["status"] for r in again["resources"]} == {"unchanged"}


def test_adopt_in_the_config_file(aws: Any, ssm: Any, tmp_path: Any) -> None:
    old = old_tool_setup(ssm, baseline_file="sample_aml2_aws_default.json")
    path = tmp_path / "seed.toml"
    text = (aws_root() / "examples" / "seed003-defaults.toml").read_text()
    path.write_text("adopt = true\n" + text)
    target_json(setup(aws.url, "--config", str(path), "--yes", *JSON))
    assert {n: w["WindowId"] for n, w in windows(ssm).items()} == {
        n: w["id"] for n, w in old["windows"].items()
    }


def aws_root() -> Any:

    return ROOT


# -- console-made resources ---------------------------------------------------------


def test_console_baseline_holding_a_wanted_group_needs_consent(aws: Any, ssm: Any) -> None:
    group = "Week 1 Day 2 - Unattended - 03:00"
    hand = make_baseline(ssm, "HandMade", group)
    ssm.register_patch_baseline_for_patch_group(BaselineId=hand, PatchGroup="other-group")
    result = setup(aws.url, "-w", "1", "-d", "2", "-t", "3", "--yes")
    assert_one_line_error(result, 3, "--adopt", "1 patch group")
    assert "HandMade" in result.stdout
    assert patch_groups(ssm) == {group: "HandMade", "other-group": "HandMade"}
    assert windows(ssm) == {}
    target_json(setup(aws.url, "-w", "1", "-d", "2", "-t", "3", "--adopt", *JSON))
    groups = patch_groups(ssm)
    assert groups["other-group"] == "HandMade"  # still holds another group: kept
    assert groups[group] == "ssm-patching-setup-default-amazon-linux-2"
    assert "HandMade" in {b["Name"] for b in custom_baselines(ssm)}


def test_console_window_with_the_same_schedule_and_target_is_adopted_not_duplicated(
    aws: Any, ssm: Any
) -> None:
    window_id = ssm.create_maintenance_window(
        Name="PatchTuesdayEarly",
        Schedule="cron(0 3 ? * TUE#1 *)",
        Duration=2,
        Cutoff=1,
        AllowUnassociatedTargets=False,
    )["WindowId"]
    ssm.register_target_with_maintenance_window(
        WindowId=window_id,
        ResourceType="INSTANCE",
        Name="tuesday",
        Targets=[{"Key": "tag:Patch Group", "Values": ["Week 1 Day 2 - Unattended - 03:00"]}],
    )
    flags = ("-w", "1", "-d", "2", "-t", "3")
    refused = setup(aws.url, *flags, *JSON)
    assert refused.returncode == 3
    assert "PatchTuesdayEarly" in json.dumps(json_report(refused)["targets"][0]["resources"])
    assert list(windows(ssm)) == ["PatchTuesdayEarly"]
    target_json(setup(aws.url, *flags, "--adopt", *JSON))
    found = windows(ssm)
    assert list(found) == ["Week1Day2Unattended0300"]
    assert found["Week1Day2Unattended0300"]["WindowId"] == window_id
    assert found["Week1Day2Unattended0300"]["Duration"] == 1


def test_another_setups_window_with_the_same_name_is_never_adopted(aws: Any, ssm: Any) -> None:
    flags = ("-w", "1", "-d", "2", "-t", "3")
    target_json(setup(aws.url, *flags, "--name", "other", "--operating-system", "WINDOWS", *JSON))
    before = _snapshot(ssm)
    result = setup(aws.url, *flags, "--adopt", "--yes")
    assert_one_line_error(result, 2, "Week1Day2Unattended0300", "'other'")
    assert _snapshot(ssm) == before


# -- operators' own tasks in the tool's windows ----------------------------------------


def test_setup_keeps_operator_tasks_in_its_windows_as_cleanup_does(aws: Any, ssm: Any) -> None:
    target_json(setup(aws.url, "-w", "1,2", "-d", "2", "-t", "3", *JSON))
    ids = _ids(ssm)
    extra = operator_task(ssm, ids["Week1Day2Unattended0300"])
    # A CI re-run: nothing to do, nothing to consent to.
    rerun = target_json(setup(aws.url, "-w", "1,2", "-d", "2", "-t", "3", *JSON))
    assert {r["status"] for r in rerun["resources"]} == {"unchanged"}
    # Dropping the window: its patching task and target go, the window stays for the
    # operator's task, and says so.
    report = target_json(setup(aws.url, "-w", "2", "-d", "2", "-t", "3", "--yes", *JSON))
    kept = [r for r in report["resources"] if r["kind"] == "window" and r["note"]]
    assert [r["name"] for r in kept] == ["Week1Day2Unattended0300"]
    assert "backup-before-patch" in kept[0]["note"]
    window = windows(ssm)["Week1Day2Unattended0300"]
    assert [t["WindowTaskId"] for t in window["Tasks"]] == [extra["task"]]
    assert [t["WindowTargetId"] for t in window["Targets"]] == [extra["target"]]
    # Cleanup follows the same rule, and converges.
    target_json(cleanup(aws.url, "--yes", *JSON))
    assert list(windows(ssm)) == ["Week1Day2Unattended0300"]
    again = target_json(cleanup(aws.url, "--yes", *JSON))
    assert again["summary"]["delete"] == 0


# -- the region's default baseline ----------------------------------------------------


def _default(ssm: Any, os_name: str) -> str:
    return str(ssm.get_default_patch_baseline(OperatingSystem=os_name)["BaselineId"])


def test_cleanup_of_a_baseline_that_is_the_regions_default_restores_aws_default(
    aws: Any, ssm: Any
) -> None:
    aws_default = _default(ssm, "AMAZON_LINUX_2")
    target_json(setup(aws.url, "-w", "1", "-d", "2", "-t", "3", *JSON))
    ours = custom_baselines(ssm)[0]["BaselineId"]
    ssm.register_default_patch_baseline(BaselineId=ours)
    report = target_json(cleanup(aws.url, "--yes", *JSON))
    assert "default" in json.dumps(report)
    assert_empty(ssm)
    assert _default(ssm, "AMAZON_LINUX_2") == aws_default


def test_os_change_of_a_default_baseline_converges(aws: Any, ssm: Any) -> None:
    flags = ("-w", "1", "-d", "2", "-t", "3")
    target_json(setup(aws.url, *flags, *JSON))
    ssm.register_default_patch_baseline(BaselineId=custom_baselines(ssm)[0]["BaselineId"])
    target_json(setup(aws.url, *flags, "--operating-system", "WINDOWS", "--yes", *JSON))
    assert [b["OperatingSystem"] for b in custom_baselines(ssm)] == ["WINDOWS"]


def test_all_patching_keeps_a_hand_made_default_baseline_and_says_why(aws: Any, ssm: Any) -> None:
    hand = make_baseline(ssm, "HandDefault", "hand-group")
    ssm.register_default_patch_baseline(BaselineId=hand)
    report = target_json(cleanup(aws.url, "--all-patching", "--yes", *JSON))
    kept = [r for r in report["resources"] if r["kind"] == "baseline"]
    assert [r["action"] for r in kept] == ["unchanged"]
    assert "default" in kept[0]["note"]
    assert [b["BaselineId"] for b in custom_baselines(ssm)] == [hand]
    again = cleanup(aws.url, "--all-patching", "--yes", *JSON)
    assert again.returncode == 0


# -- reports tell the truth ---------------------------------------------------------


def test_a_refused_run_says_what_it_would_have_done(aws: Any, ssm: Any) -> None:
    target_json(setup(aws.url, "-w", "1", "-d", "2", "-t", "3,4", *JSON))
    result = cleanup(aws.url)
    assert result.returncode == 3
    assert "deleted" not in result.stdout.replace("would delete", "")
    assert "Refused: nothing was written; it would delete 7" in result.stdout
    document = json_report(cleanup(aws.url, *JSON))["targets"][0]
    assert document["refused"] is True
    assert document["summary"]["delete"] == 0
    assert document["planned"]["delete"] == 7


def test_cleanup_and_status_name_the_other_setups_they_find(aws: Any, ssm: Any) -> None:
    target_json(setup(aws.url, "-w", "1", "-d", "2", "-t", "3", "--name", "test-prod", *JSON))
    result = cleanup(aws.url, "--yes")
    assert result.returncode == 0
    assert "test-prod (1 window, 1 baseline)" in result.stdout
    assert "--name test-prod" in result.stdout
    document = target_json(cleanup(aws.url, "--yes", *JSON))
    assert document["other_setups"] == [{"name": "test-prod", "windows": 1, "baselines": 1}]
    status = setup(aws.url, "status")
    assert status.returncode == 0
    assert "test-prod (1 window, 1 baseline)" in status.stdout


def test_old_tool_run_twice_adopts_one_window_each_and_names_the_twins(aws: Any, ssm: Any) -> None:
    # Run again for Linux (a second run for the same OS stops at its first
    # registration: AlreadyExists), it made every window a second time.
    first = old_tool_setup(ssm, weeks=(1,), days=(2,), hours=(3,))
    second = old_tool_setup(
        ssm, weeks=(1,), days=(2,), hours=(3,), baseline_file="sample_aml2_aws_default.json"
    )
    flags = ("-w", "1", "-d", "2", "-t", "3", "--operating-system", "WINDOWS")
    report = target_json(setup(aws.url, *flags, "--adopt", "--yes", *JSON))
    [window] = [r for r in report["resources"] if r["kind"] == "window"]
    assert window["id"] == first["windows"]["Week1Day2Unattended0300"]["id"]
    assert second["windows"]["Week1Day2Unattended0300"]["id"] in window["note"]


def test_a_group_left_on_an_untagged_baseline_of_another_os_is_pointed_out(
    aws: Any, ssm: Any
) -> None:
    old_tool_setup(ssm, weeks=(1,), days=(2,), hours=(3,))  # its inline WINDOWS baseline
    report = target_json(setup(aws.url, "-w", "1", "-d", "2", "-t", "3", "--adopt", *JSON))
    [group] = [r for r in report["resources"] if r["kind"] == "patch-group"]
    assert group["action"] == "create"
    assert "'Windows-0day-Important' (WINDOWS)" in group["note"]


def test_the_replaced_tools_setup_in_another_region_is_not_touched(aws: Any) -> None:
    other = client(aws, "ssm", "eu-west-1")
    old_tool_setup(other, weeks=(1,), days=(2,), hours=(3,))
    before = _snapshot(other)
    report = target_json(setup(aws.url, "-w", "1", "-d", "2", "-t", "3", "--adopt", "--yes", *JSON))
    assert report["summary"]["adopt"] == 0 and report["summary"]["create"] == 5
    assert _snapshot(other) == before
    # Cleanup here leaves it too; there it needs --all-patching (the old tool's sweep).
    target_json(cleanup(aws.url, "--yes", *JSON))
    assert _snapshot(other) == before
