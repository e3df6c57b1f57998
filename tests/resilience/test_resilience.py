"""Pre-flight quotas, the run lock, concurrent runs and drift repair, through the real CLI."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from datetime import UTC, datetime, timedelta
from typing import Any

from patchsetup.aws.lock import parameter_name
from tests.helpers.account import custom_baselines, parameter_names, patch_groups, windows
from tests.helpers.cli import (
    BIN,
    JSON,
    ONE_WINDOW,
    assert_one_line_error,
    cli_env,
    setup,
    target_json,
)

LOCK = parameter_name("default")


def _hand_windows(ssm: Any, count: int) -> None:
    for n in range(count):
        ssm.create_maintenance_window(
            Name=f"hand-{n:02d}",
            Schedule="rate(7 days)",
            Duration=1,
            Cutoff=0,
            AllowUnassociatedTargets=False,
        )


def test_preflight_stops_a_plan_past_the_window_quota_before_any_write(aws: Any, ssm: Any) -> None:
    _hand_windows(ssm, 45)
    result = setup(aws.url)  # 8 more: 53 > 50
    assert_one_line_error(result, 1, "pre-flight", "53 maintenance windows", "quota is 50")
    assert len(windows(ssm)) == 45
    assert custom_baselines(ssm) == [] and patch_groups(ssm) == {}
    target_json(setup(aws.url, *JSON, "-w", "1"))  # 4 more: 49 fits
    assert len(windows(ssm)) == 49


def test_preflight_counts_deletes_of_the_same_run(aws: Any, ssm: Any) -> None:
    target_json(setup(aws.url, *JSON))  # 8 windows
    _hand_windows(ssm, 42)  # 50: full
    report = target_json(setup(aws.url, *JSON, "-w", "3", "--yes"))  # 4 new, 8 gone: 46
    assert report["summary"]["create"] > 0 and report["summary"]["delete"] > 0
    assert len(windows(ssm)) == 46


def _lock(ssm: Any, pid: int, started: datetime, host: str | None = None) -> None:
    value = {"host": host or socket.gethostname(), "pid": pid, "started": started.isoformat()}
    ssm.put_parameter(Name=LOCK, Value=json.dumps(value), Type="String")


def test_a_live_runs_lock_refuses_a_second_writer_but_not_a_reader(aws: Any, ssm: Any) -> None:
    _lock(ssm, os.getpid(), datetime.now(UTC))
    refused = setup(aws.url, *ONE_WINDOW)
    assert_one_line_error(refused, 1, "another run of setup 'default'", LOCK)
    assert windows(ssm) == {}
    dry = target_json(setup(aws.url, *JSON, *ONE_WINDOW, "--dry-run"))
    assert dry["summary"]["create"] == 5
    ssm.delete_parameter(Name=LOCK)
    target_json(setup(aws.url, *JSON, *ONE_WINDOW))
    _lock(ssm, os.getpid(), datetime.now(UTC))
    converged = target_json(setup(aws.url, *JSON, *ONE_WINDOW))  # nothing to write: no lock needed
    assert converged["summary"]["unchanged"] == 5


def test_an_old_lock_is_taken_over_and_released(aws: Any, ssm: Any) -> None:
    # A dead PID with a fresh heartbeat is not enough (tests/resilience/test_lock.py): only age.
    _lock(ssm, 1, datetime.now(UTC) - timedelta(hours=2), host="elsewhere")
    target_json(setup(aws.url, *JSON, "-w", "2", "--yes"))
    assert parameter_names(ssm) == []


def test_two_runs_at_once_never_duplicate(aws: Any, ssm: Any) -> None:
    command = [str(BIN / "ssm-patching-setup"), "--output", "json"]
    runs = [
        subprocess.Popen(
            command, env=cli_env(aws.url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    results = [(r.wait(timeout=120), r.stdout.read(), r.stderr.read()) for r in runs]  # type: ignore[union-attr]
    codes = sorted(code for code, _, _ in results)
    assert codes[0] == 0, results
    for code, _, stderr in results:
        assert "Traceback" not in stderr
        if code != 0:
            assert code == 1 and "another run of setup 'default'" in stderr, stderr
    assert sorted(windows(ssm)) == sorted(
        f"Week{w}Day{d}Unattended{h:02d}00" for w in (1, 2) for d in (2, 3) for h in (3, 4)
    )
    assert len(custom_baselines(ssm)) == 1
    again = target_json(setup(aws.url, *JSON))
    assert again["summary"]["unchanged"] == 33


def test_drift_is_shown_by_the_plan_and_repaired_in_place(aws: Any, ssm: Any) -> None:
    target_json(setup(aws.url, *JSON, "-w", "1", "-d", "2", "-t", "3,4"))
    found = windows(ssm)
    w3, w4 = found["Week1Day2Unattended0300"], found["Week1Day2Unattended0400"]
    [baseline] = custom_baselines(ssm)
    # Someone edits by hand: a schedule, a deleted target, a retargeted task,
    # the baseline's rules, a patch group moved to another baseline.
    ssm.update_maintenance_window(WindowId=w3["WindowId"], Schedule="cron(0 5 ? * MON#1 *)")
    ssm.deregister_target_from_maintenance_window(
        WindowId=w4["WindowId"], WindowTargetId=w4["Targets"][0]["WindowTargetId"]
    )
    stray = ssm.register_target_with_maintenance_window(
        WindowId=w3["WindowId"],
        ResourceType="INSTANCE",
        Name="stray",
        Targets=[{"Key": "tag:Role", "Values": ["x"]}],
    )["WindowTargetId"]
    ssm.update_maintenance_window_task(
        WindowId=w3["WindowId"],
        WindowTaskId=w3["Tasks"][0]["WindowTaskId"],
        Targets=[{"Key": "WindowTargetIds", "Values": [stray]}],
    )
    rules = baseline["ApprovalRules"]
    rules["PatchRules"][0]["ApproveAfterDays"] = 30
    ssm.update_patch_baseline(BaselineId=baseline["BaselineId"], ApprovalRules=rules)
    other = ssm.create_patch_baseline(Name="Elsewhere", OperatingSystem="AMAZON_LINUX_2")[
        "BaselineId"
    ]
    group = "Week 1 Day 2 - Unattended - 04:00"
    ssm.deregister_patch_baseline_for_patch_group(
        BaselineId=baseline["BaselineId"], PatchGroup=group
    )
    ssm.register_patch_baseline_for_patch_group(BaselineId=other, PatchGroup=group)

    plan = target_json(setup(aws.url, *JSON, "-w", "1", "-d", "2", "-t", "3,4", "--dry-run"))
    changed = {
        (r["kind"], r["window"], r["name"]): r
        for r in plan["resources"]
        if r["action"] != "unchanged"
    }
    assert set(changed) == {
        ("window", None, "Week1Day2Unattended0300"),
        ("target", "Week1Day2Unattended0400", "Week1Day2Unattended0400Targets"),
        ("task", "Week1Day2Unattended0300", "Week1Day2Unattended0300Patch"),
        # The re-created target has a new ID: its task is re-pointed to it.
        ("task", "Week1Day2Unattended0400", "Week1Day2Unattended0400Patch"),
        ("target", "Week1Day2Unattended0300", "stray"),
        ("baseline", None, baseline["Name"]),
        # Taken back from a baseline the setup does not own: adoption, and the
        # hand-made baseline, left holding nothing, goes.
        ("patch-group", None, f"{group} -> {baseline['Name']}"),
        ("baseline", None, "Elsewhere"),
    }
    assert changed[("patch-group", None, f"{group} -> {baseline['Name']}")]["action"] == "adopt"
    assert changed[("baseline", None, "Elsewhere")]["id"] == other
    assert [
        c["field"] for c in changed[("window", None, "Week1Day2Unattended0300")]["changes"]
    ] == ["Schedule"]
    assert (
        changed[("target", "Week1Day2Unattended0400", "Week1Day2Unattended0400Targets")]["action"]
        == "create"
    )
    assert changed[("target", "Week1Day2Unattended0300", "stray")]["action"] == "delete"
    assert [c["field"] for c in changed[("baseline", None, baseline["Name"])]["changes"]] == [
        "ApprovalRules"
    ]

    target_json(setup(aws.url, *JSON, "-w", "1", "-d", "2", "-t", "3,4", "--yes", "--adopt"))
    repaired = windows(ssm)
    assert repaired["Week1Day2Unattended0300"]["WindowId"] == w3["WindowId"]
    assert repaired["Week1Day2Unattended0300"]["Schedule"] == "cron(00 03 ? * TUE#1 *)"
    assert [t["Name"] for t in repaired["Week1Day2Unattended0300"]["Targets"]] == [
        "Week1Day2Unattended0300Targets"
    ]
    task = repaired["Week1Day2Unattended0300"]["Tasks"][0]
    assert task["Targets"][0]["Values"] == [
        repaired["Week1Day2Unattended0300"]["Targets"][0]["WindowTargetId"]
    ]
    assert len(repaired["Week1Day2Unattended0400"]["Targets"]) == 1
    task4 = repaired["Week1Day2Unattended0400"]["Tasks"][0]
    assert task4["Targets"][0]["Values"] == [
        repaired["Week1Day2Unattended0400"]["Targets"][0]["WindowTargetId"]
    ]
    [fixed] = [b for b in custom_baselines(ssm) if b["BaselineId"] == baseline["BaselineId"]]
    assert fixed["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"] == 7
    assert patch_groups(ssm)[group] == baseline["Name"]
    again = target_json(setup(aws.url, *JSON, "-w", "1", "-d", "2", "-t", "3,4"))
    assert (
        again["summary"]["create"] == again["summary"]["update"] == again["summary"]["delete"] == 0
    )


def test_aws_defaults_are_no_drift_but_a_hand_edit_of_them_is(aws: Any, ssm: Any) -> None:
    # The endpoint fills in what AWS fills in (TimeoutSeconds 600, Comment "",
    # TaskParameters {}, a Windows baseline's compliance status): a re-run writes nothing.
    args = (*JSON, *ONE_WINDOW, "--operating-system", "WINDOWS")
    target_json(setup(aws.url, *args))
    again = target_json(setup(aws.url, *args))
    assert again["summary"]["update"] == again["summary"]["create"] == 0
    [window] = windows(ssm).values()
    [task] = window["Tasks"]
    run_command = task["TaskInvocationParameters"]["RunCommand"]
    assert (run_command["TimeoutSeconds"], run_command["Comment"]) == (600, "")
    [baseline] = custom_baselines(ssm)
    assert baseline["AvailableSecurityUpdatesComplianceStatus"] == "COMPLIANT"
    # By hand: a default the tool leaves to AWS, and a field it sets.
    ssm.update_maintenance_window_task(
        WindowId=window["WindowId"],
        WindowTaskId=task["WindowTaskId"],
        MaxErrors="5",
        TaskInvocationParameters={"RunCommand": {**run_command, "TimeoutSeconds": 1200}},
    )
    ssm.update_patch_baseline(
        BaselineId=baseline["BaselineId"], AvailableSecurityUpdatesComplianceStatus="NON_COMPLIANT"
    )
    plan = target_json(setup(aws.url, *args, "--dry-run"))
    changed = {r["kind"]: r for r in plan["resources"] if r["action"] != "unchanged"}
    assert set(changed) == {"task", "baseline"}
    assert sorted(c["field"] for c in changed["task"]["changes"]) == [
        "MaxErrors",
        "TaskInvocationParameters",
    ]
    assert [c["field"] for c in changed["baseline"]["changes"]] == [
        "AvailableSecurityUpdatesComplianceStatus"
    ]
    target_json(setup(aws.url, *args))
    [window] = windows(ssm).values()
    [task] = window["Tasks"]
    assert task["MaxErrors"] == "1"
    assert task["TaskInvocationParameters"]["RunCommand"]["TimeoutSeconds"] == 600
    [baseline] = custom_baselines(ssm)
    assert baseline["AvailableSecurityUpdatesComplianceStatus"] == "COMPLIANT"
    again = target_json(setup(aws.url, *args))
    assert again["summary"]["update"] == again["summary"]["create"] == 0
