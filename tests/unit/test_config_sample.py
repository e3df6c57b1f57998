"""Tests for patchsetup.config: the packaged sample config, as it is and with its commented
keys turned on.

Pure and fast: no endpoint. Expected Setups are written out by hand from the
schema (and AWS's documented request shapes), not computed by the code under test.
"""

from __future__ import annotations

from pathlib import Path

from patchsetup.config import sample_config
from patchsetup.model import SERVICE_ROLE, NotificationSpec
from patchsetup.roles import default_role
from tests.helpers.configs import error, load, uncomment
from tests.helpers.paths import ROOT

# ---------------------------------------------------------------------------- the sample


def test_sample_is_the_package_file() -> None:
    text = sample_config()
    packaged = ROOT / "patchsetup" / "config" / "sample.toml"
    assert text == packaged.read_text(encoding="utf-8")
    # The first line is taplo's schema directive (editors complete keys), then the prose.
    assert text.startswith("#:schema ../schemas/config.schema.json\n# ssm-patching-setup config")


def test_sample_loads_as_seed_004_in_small(tmp_path: Path) -> None:
    setup = load(tmp_path, sample_config())
    assert setup.name == "default"
    assert setup.service_role is None
    by_name = {b.name: b for b in setup.baselines}
    assert set(by_name) == {
        "default-linux-test",
        "default-linux-prod",
        "default-windows-test",
        "default-windows-prod",
    }
    expected_groups = {
        "default-linux-test": ("AMAZON_LINUX_2", ("patch_test_0600_batch_1",), 0),
        "default-linux-prod": ("AMAZON_LINUX_2", ("patch_prod_0600_batch_1",), 14),
        "default-windows-test": ("WINDOWS", ("patch_test_0600_batch_2",), 0),
        "default-windows-prod": ("WINDOWS", ("patch_prod_0600_batch_2",), 14),
    }
    for name, (system, groups, days) in expected_groups.items():
        baseline = by_name[name]
        assert (baseline.operating_system, baseline.patch_groups) == (system, groups)
        rules = baseline.rules["ApprovalRules"]["PatchRules"]
        assert rules and all(rule["ApproveAfterDays"] == days for rule in rules)
    assert [(w.name, w.schedule, w.duration, w.cutoff) for w in setup.windows] == [
        ("patch_test_0600", "cron(00 06 ? * SAT#1 *)", 2, 1),
        ("patch_prod_0600", "cron(00 06 ? * SAT#3 *)", 2, 1),
    ]
    for env, w in zip(("test", "prod"), setup.windows, strict=True):
        assert [t.targets for t in w.targets] == [
            (("tag:Patch Group", (f"patch_{env}_0600_batch_1",)),),
            (("tag:Patch Group", (f"patch_{env}_0600_batch_2",)),),
        ]
        assert [(t.name, t.target_names, t.priority) for t in w.tasks] == [
            ("patch-linux", ("linux",), 1),
            ("patch-windows", ("windows",), 2),
        ]
        assert all(t.parameters == {"Operation": ("Install",)} for t in w.tasks)


def test_sample_commented_defaults_role_and_scan_work_when_turned_on(tmp_path: Path) -> None:
    text = uncomment(
        sample_config(),
        "# reboot_option =",
        "# patch_group_key =",
        "# cutoff_behavior =",
        "# service_role =",
        "# output =",
        "# notifications =",
        "# [service_role]",
        "# create =",
        "# trusted_services =",
        "# [scan]",
        '# time = "01:00"',
    )
    setup = load(tmp_path, text)
    assert setup.service_role == default_role("default")
    task = setup.windows[0].tasks[0]
    assert task.service_role_arn == SERVICE_ROLE
    assert task.cutoff_behavior == "CANCEL_TASK"
    assert task.parameters == {"Operation": ("Install",), "RebootOption": ("RebootIfNeeded",)}
    assert (task.output_s3_bucket, task.cloudwatch_log_group) == ("my-patching-logs", "patching")
    assert task.notification == NotificationSpec(
        "arn:aws:sns:eu-west-1:123456789012:patching", ("All",), "Invocation", SERVICE_ROLE
    )
    assert setup.windows[0].targets[0].targets == (
        ("tag:PatchGroup", ("patch_test_0600_batch_1",)),
    )
    scan = setup.windows[-1]
    assert (scan.name, scan.schedule) == ("default-daily-scan", "cron(00 01 ? * * *)")


def test_sample_commented_baseline_keys_work_when_turned_on(tmp_path: Path) -> None:
    keys = (
        "description",
        "compliance_level",
        "approved_patches",
        "rejected_patches",
        "global_filters",
        "sources",
        "tags = { Team",
    )
    text = uncomment(sample_config(), *(f"# {key}" for key in keys))
    prod = next(b for b in load(tmp_path, text).baselines if b.name == "default-linux-prod")
    assert prod.rules["Description"] == "Amazon Linux 2 production"
    assert prod.rules["RejectedPatches"] == ["system-release.*"]
    assert prod.rules["RejectedPatchesAction"] == "BLOCK"
    assert prod.rules["Sources"][0]["Name"] == "my-repo"
    assert prod.tags == {"Team": "ops"}


def test_sample_commented_rules_hooks_and_window_keys_work_when_turned_on(tmp_path: Path) -> None:
    text = uncomment(
        sample_config(),
        "# rules",
        "#   {",
        "# ]",
        "# document",
        "# hooks",
        "# schedule_offset",
        "# start_date",
        "# end_date",
        "# enabled",
        "# allow_unassociated_targets",
        "# timeout_seconds",
        "# comment",
    )
    setup = load(tmp_path, text)
    prod = next(b for b in setup.baselines if b.name == "default-linux-prod")
    assert [r.get("ComplianceLevel") for r in prod.rules["ApprovalRules"]["PatchRules"]] == [
        "CRITICAL",
        None,
    ]
    test = setup.windows[0]
    assert (test.schedule_offset, test.start_date, test.enabled) == (
        2,
        "2026-12-01T00:00:00Z",
        False,
    )
    assert test.tasks[0].parameters["PreInstallHookDocName"] == ("Pre-patch-Document",)


def test_sample_schedule_alternative_is_exclusive_with_week_day_time(tmp_path: Path) -> None:
    message = error(tmp_path, uncomment(sample_config(), "# schedule ="))
    assert message.startswith("windows.test.week: set either schedule or week/day/time")
