"""ssm-patching-cleanup end to end: removes exactly what setup made, and asks first."""

from __future__ import annotations

from typing import Any

from patchsetup.model import OWNER_TAG
from tests.helpers.account import (
    aws_baselines,
    custom_baselines,
    patch_groups,
    read_window,
    windows,
)
from tests.helpers.cli import (
    answering_on_a_terminal,
    assert_one_line_error,
    cleanup,
    cli_env,
    json_report,
    setup,
    target_json,
)
from tests.helpers.oldtool import make_baseline, make_window

SMALL = ("-w", "1", "-d", "2", "-t", "3,4")


def task_documents(ssm: Any, window_id: str) -> list[str]:
    _, _, tasks = read_window(ssm, window_id)
    return sorted(t["TaskArn"] for t in tasks)


def test_cleanup_removes_what_setup_made_and_nothing_else(aws: Any, ssm: Any) -> None:
    shell = make_window(ssm, "Backups", "AWS-RunShellScript")
    hand_baseline = make_baseline(ssm, "HandMade", "hand-group")
    target_json(setup(aws.url, "--output", "json", *SMALL))
    assert len(windows(ssm)) == 3
    report = target_json(cleanup(aws.url, "--output", "json", "--yes"))
    kinds = sorted(r["kind"] for r in report["resources"])
    assert kinds == sorted(["window"] * 2 + ["target"] * 2 + ["task"] * 2 + ["baseline"])
    assert {r["status"] for r in report["resources"]} == {"done"}
    assert list(windows(ssm)) == ["Backups"]
    assert task_documents(ssm, shell) == ["AWS-RunShellScript"]
    assert [b["BaselineId"] for b in custom_baselines(ssm)] == [hand_baseline]
    assert patch_groups(ssm) == {"hand-group": "HandMade"}
    # And again: nothing left to do.
    again = target_json(cleanup(aws.url, "--output", "json", "--yes"))
    assert again["resources"] == []


def test_cleanup_refuses_without_consent_and_no_terminal(aws: Any, ssm: Any) -> None:
    target_json(setup(aws.url, "--output", "json", *SMALL))
    result = cleanup(aws.url)
    assert_one_line_error(result, 3, "--yes")
    assert "- delete  window    Week1Day2Unattended0300  mw-" in result.stdout  # listed
    assert len(windows(ssm)) == 2
    as_json = cleanup(aws.url, "--output", "json")
    assert as_json.returncode == 3
    assert "--yes" in json_report(as_json)["targets"][0]["error"]
    assert len(windows(ssm)) == 2


def test_cleanup_asks_on_a_terminal(aws: Any, ssm: Any) -> None:
    target_json(setup(aws.url, "--output", "json", *SMALL))
    declined = answering_on_a_terminal(aws.url, "ssm-patching-cleanup", b"n\n")
    assert declined.returncode == 3, declined.stderr
    assert "delete the 7 resources listed above?" in declined.stderr
    assert len(windows(ssm)) == 2
    accepted = answering_on_a_terminal(aws.url, "ssm-patching-cleanup", b"y\n")
    assert accepted.returncode == 0, accepted.stderr
    assert "Result: 0 created, 0 updated, 7 deleted" in accepted.stdout
    assert windows(ssm) == {}
    assert custom_baselines(ssm) == []


def test_cleanup_dry_run_lists_and_deletes_nothing(aws: Any, ssm: Any) -> None:
    target_json(setup(aws.url, "--output", "json", *SMALL))
    report = target_json(cleanup(aws.url, "--output", "json", "--dry-run"))
    assert report["summary"]["delete"] == 7
    assert {r["status"] for r in report["resources"]} == {"planned"}
    assert len(windows(ssm)) == 2


def test_cleanup_leaves_another_setup_alone(aws: Any, ssm: Any) -> None:
    target_json(setup(aws.url, "--output", "json", "--name", "blue", *SMALL))
    target_json(
        setup(aws.url, "--output", "json", "--name", "green", "-w", "3", "-d", "2", "-t", "3")
    )
    target_json(cleanup(aws.url, "--output", "json", "--name", "blue", "--yes"))
    assert {n: w["Tags"][OWNER_TAG] for n, w in windows(ssm).items()} == {
        "Week3Day2Unattended0300": "green"
    }
    assert [b["Name"] for b in custom_baselines(ssm)] == ["ssm-patching-setup-green-amazon-linux-2"]
    assert patch_groups(ssm) == {
        "Week 3 Day 2 - Unattended - 03:00": "ssm-patching-setup-green-amazon-linux-2"
    }


def test_owned_window_with_a_hand_added_task_is_kept(aws: Any, ssm: Any) -> None:
    target_json(setup(aws.url, "--output", "json", "-w", "1", "-d", "2", "-t", "3"))
    [window] = windows(ssm).values()
    ssm.register_task_with_maintenance_window(
        WindowId=window["WindowId"],
        TaskArn="AWS-RunShellScript",
        TaskType="RUN_COMMAND",
        Priority=5,
        MaxConcurrency="1",
        MaxErrors="1",
        Name="HandAdded",
        Targets=[{"Key": "WindowTargetIds", "Values": [window["Targets"][0]["WindowTargetId"]]}],
    )
    report = target_json(cleanup(aws.url, "--output", "json", "--yes"))
    kept = [r for r in report["resources"] if r["action"] == "unchanged"]
    assert [(r["kind"], r["name"]) for r in kept] == [("window", "Week1Day2Unattended0300")]
    assert "HandAdded" in kept[0]["note"]
    assert task_documents(ssm, window["WindowId"]) == ["AWS-RunShellScript"]


def test_all_patching_sweeps_the_old_tools_resources_only(aws: Any, ssm: Any) -> None:
    old_run = make_window(ssm, "Week1Day2Unattended0300", "AWS-RunPatchBaseline")
    old_apply = make_window(ssm, "OldApply", "AWS-ApplyPatchBaseline")
    mixed = make_window(ssm, "Mixed", "AWS-RunPatchBaseline", "AWS-RunShellScript")
    shell = make_window(ssm, "Backups", "AWS-RunShellScript")
    empty = make_window(ssm, "EmptyByHand")
    old_baseline = make_baseline(ssm, "OldToolBaseline", "Week 1 Day 2 - Unattended - 03:00")
    aws_owned = aws_baselines(ssm)
    windows_default = next(b for b in aws_owned if b["BaselineName"] == "AWS-DefaultPatchBaseline")
    ssm.register_patch_baseline_for_patch_group(
        BaselineId=windows_default["BaselineId"], PatchGroup="win-group"
    )
    target_json(
        setup(aws.url, "--output", "json", "--name", "green", "-w", "3", "-d", "2", "-t", "3")
    )
    target_json(setup(aws.url, "--output", "json", "-w", "4", "-d", "2", "-t", "3"))

    report = target_json(cleanup(aws.url, "--output", "json", "--all-patching", "--yes"))

    left = windows(ssm)
    assert sorted(left) == ["Backups", "EmptyByHand", "Mixed", "Week3Day2Unattended0300"]
    assert left["Week3Day2Unattended0300"]["Tags"] == {OWNER_TAG: "green"}
    assert task_documents(ssm, mixed) == ["AWS-RunShellScript"]
    assert task_documents(ssm, shell) == ["AWS-RunShellScript"]
    assert left["EmptyByHand"]["WindowId"] == empty
    assert {old_run, old_apply}.isdisjoint(w["WindowId"] for w in left.values())
    assert [b["Name"] for b in custom_baselines(ssm)] == ["ssm-patching-setup-green-amazon-linux-2"]
    swept = {
        (r["kind"], r["id"]): r["status"] for r in report["resources"] if r["action"] == "delete"
    }
    assert swept[("baseline", old_baseline)] == "done"
    assert ("window", old_run) in swept and ("window", old_apply) in swept
    assert ("window", shell) not in swept and ("window", empty) not in swept
    assert patch_groups(ssm) == {
        "Week 3 Day 2 - Unattended - 03:00": "ssm-patching-setup-green-amazon-linux-2"
    }
    after_aws = aws_baselines(ssm)
    assert after_aws == aws_owned


def test_nothing_to_clean_up_is_success(aws: Any, ssm: Any) -> None:
    result = cleanup(aws.url)
    assert result.returncode == 0, result.stderr
    assert "Result: 0 created, 0 updated, 0 deleted, 0 unchanged" in result.stdout


def test_cleanup_bad_input_and_aws_failure(aws: Any) -> None:
    assert_one_line_error(cleanup(aws.url, "-r", "mars-1"), 2, "--region")
    assert_one_line_error(cleanup(aws.url, "--bogus"), 2, "--bogus")
    closed = cli_env("http://127.0.0.1:9", AWS_MAX_ATTEMPTS="1")  # no backoff to wait out
    assert_one_line_error(cleanup(aws.url, env=closed), 1, "127.0.0.1:9")
    also = setup(aws.url, "cleanup", "--dry-run")
    assert also.returncode == 0, also.stderr


def test_cleanup_takes_the_setup_name_from_the_config(aws: Any, ssm: Any, tmp_path: Any) -> None:
    path = tmp_path / "patching.toml"
    path.write_text(
        'name = "fromfile"\n[windows.Nightly]\nschedule = "cron(0 2 ? * * *)"\n'
        '[[windows.Nightly.targets]]\nname = "all"\npatch_group = "nightly"\n'
        '[[windows.Nightly.tasks]]\nname = "patch"\n'
    )
    target_json(setup(aws.url, "--output", "json", "--config", str(path)))
    target_json(setup(aws.url, "--output", "json", *SMALL))  # setup "default" stays
    report = target_json(cleanup(aws.url, "--output", "json", "--config", str(path), "--yes"))
    assert report["setup"] == "fromfile"
    assert sorted(windows(ssm)) == ["Week1Day2Unattended0300", "Week1Day2Unattended0400"]
