"""Every config-file feature at once, through the real CLI: it converges and cleans up."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.helpers.account import custom_baselines, mappings, patch_groups, windows
from tests.helpers.cli import (
    JSON,
    KITCHEN_HOOKS,
    assert_one_line_error,
    cleanup,
    make_documents,
    run,
    setup,
    target_json,
)
from tests.helpers.endpoint import client
from tests.helpers.paths import DATA

KITCHEN = DATA / "kitchen-sink.toml"


def test_every_feature_converges_and_cleans_up(aws: Any, ssm: Any) -> None:
    make_documents(aws.url, *KITCHEN_HOOKS)
    first = target_json(setup(aws.url, *JSON, "--config", str(KITCHEN)))
    assert first["summary"]["create"] == 18
    found = windows(ssm)
    assert sorted(found) == ["disabled", "kitchen-daily-scan", "last-friday"]
    last = found["last-friday"]
    assert (last["Schedule"], last["ScheduleOffset"]) == ("cron(30 22 ? * 6L *)", 1)
    assert last["AllowUnassociatedTargets"] is True
    assert found["disabled"]["Enabled"] is False
    targets = {t["Name"]: t for t in last["Targets"]}
    assert targets["web"]["Targets"] == [{"Key": "tag:PatchGroup", "Values": ["web"]}]
    assert targets["web"]["OwnerInformation"] == "web team"
    assert targets["group"]["ResourceType"] == "RESOURCE_GROUP"
    assert {"Key": "resource-groups:Name", "Values": ["patchable"]} in targets["group"]["Targets"]
    tasks = {t["Name"]: t for t in last["Tasks"]}
    role = client(aws, "iam").list_roles(PathPrefix="/ssm-patching-setup/")["Roles"]
    [role_arn] = [r["Arn"] for r in role]
    hooks = tasks["hooks"]
    assert hooks["TaskArn"] == "AWS-RunPatchBaselineWithHooks"
    assert hooks["ServiceRoleArn"] == role_arn
    assert hooks["CutoffBehavior"] == "CANCEL_TASK"
    run = hooks["TaskInvocationParameters"]["RunCommand"]
    assert run["Parameters"]["PreInstallHookDocName"] == ["Pre-doc"]
    assert run["Parameters"]["RebootOption"] == ["NoReboot"]
    assert run["CloudWatchOutputConfig"] == {
        "CloudWatchOutputEnabled": True,
        "CloudWatchLogGroupName": "/patching",
    }
    assert run["NotificationConfig"]["NotificationType"] == "Invocation"
    assert run["ServiceRoleArn"] == role_arn
    assert (tasks["rgroup"]["Priority"], tasks["rgroup"]["MaxErrors"]) == (2, "5%")
    registrations = {
        (m["PatchGroup"], m["BaselineIdentity"]["OperatingSystem"]): m["BaselineIdentity"][
            "BaselineName"
        ]
        for m in mappings(ssm)
    }
    assert registrations == {
        ("web", "AMAZON_LINUX_2023"): "kitchen-al2023",
        ("db", "AMAZON_LINUX_2023"): "kitchen-al2023",
        ("web", "UBUNTU"): "kitchen-ubuntu",
    }
    assert {b["Name"] for b in custom_baselines(ssm)} == {"kitchen-al2023", "kitchen-ubuntu"}

    again = target_json(setup(aws.url, *JSON, "--config", str(KITCHEN)))
    assert again["summary"]["unchanged"] == 18
    assert (
        again["summary"]["create"] == again["summary"]["update"] == again["summary"]["delete"] == 0
    )

    gone = target_json(cleanup(aws.url, *JSON, "--config", str(KITCHEN), "--yes"))
    assert gone["summary"]["delete"] == 18 - 3  # patch groups go with their baselines
    assert windows(ssm) == {} and custom_baselines(ssm) == [] and patch_groups(ssm) == {}
    assert client(aws, "iam").list_roles(PathPrefix="/ssm-patching-setup/")["Roles"] == []


def test_init_writes_a_sample_that_applies(aws: Any, ssm: Any, tmp_path: Path) -> None:
    path = tmp_path / "patching.toml"
    made = setup(aws.url, "init", str(path))
    assert made.returncode == 0, made.stderr
    assert f"wrote {path}" in made.stdout
    again = setup(aws.url, "init", str(path))
    assert_one_line_error(again, 2, "--force")
    report = target_json(setup(aws.url, *JSON, "--config", str(path)))
    assert report["summary"]["create"] > 0
    assert {w["name"] for w in report["windows"]} == set(windows(ssm))


def test_flags_override_the_file_and_model_flags_clash(aws: Any, ssm: Any) -> None:
    make_documents(aws.url, *KITCHEN_HOOKS)
    report = target_json(
        setup(aws.url, *JSON, "--config", str(KITCHEN), "--dry-run", "--name", "other", "-z", "UTC")
    )
    assert report["setup"] == "other"
    assert {w["timezone"] for w in report["windows"]} == {"UTC"}
    clash = setup(aws.url, "--config", str(KITCHEN), "-w", "1")
    assert_one_line_error(clash, 2, "-w/--week", "cannot be combined")
    assert windows(ssm) == {}


def test_init_refuses_to_write_over_what_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    for path in (fifo, tmp_path):
        result = run("http://127.0.0.1:9", "ssm-patching-setup", "init", str(path), "--force")
        assert_one_line_error(result, 2, str(path), "not a regular file")
