"""What would silently not work is refused or warned about before the first write (issue
9, item 6).

Through the real CLI against the local endpoint: a hook document that does not exist, a
patch group no baseline registers, an approval delay the OS ignores, a baseline that
approves nothing, a baseline file without an OperatingSystem; and the examples and the
presets trip no check.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from patchsetup import checks
from patchsetup.baselines import shapes
from patchsetup.baselines.presets import preset
from patchsetup.seed import FlagOptions, build_setup
from tests.helpers.account import custom_baselines, windows
from tests.helpers.cli import (
    JSON,
    KITCHEN_HOOKS,
    SEED002_HOOKS,
    assert_one_line_error,
    make_documents,
    ok_json,
    setup,
)
from tests.helpers.configs import one_window
from tests.helpers.paths import EXAMPLES, ROOT, SEED

ONE = ("-w", "1", "-d", "2", "-t", "3")


KITCHEN = ROOT / "tests" / "data" / "kitchen-sink.toml"


# -- item 6: refusals and warnings before the first write ------------------------------


def hooks_config(pre: str, post: str = "Post-doc") -> str:
    return one_window(
        'document = "AWS-RunPatchBaselineWithHooks"\n'
        f'hooks = {{ pre_install = "{pre}", post_install = "{post}", on_exit = "AWS-Noop" }}'
    )


def test_a_hook_document_that_does_not_exist_is_refused_before_any_write(
    aws: Any, ssm: Any, tmp_path: Path
) -> None:
    path = tmp_path / "hooks.toml"
    path.write_text(hooks_config("Pre-doc"), encoding="utf-8")
    missing = setup(aws.url, "--config", str(path), "--yes")
    assert_one_line_error(missing, 2, "'Pre-doc', 'Post-doc'", "do not exist in us-east-1")
    assert windows(ssm) == {}
    assert custom_baselines(ssm) == []
    # Made in us-east-1 only: there it applies; eu-west-1 still lacks them.
    make_documents(aws.url, "Pre-doc", "Post-doc")
    ok_json(setup(aws.url, "--config", str(path), *JSON))
    elsewhere = setup(aws.url, "--config", str(path), "-r", "eu-west-1", "--dry-run")
    assert_one_line_error(elsewhere, 2, "'Pre-doc', 'Post-doc'", "do not exist in eu-west-1")


def test_aws_owned_hook_documents_are_not_looked_up(aws: Any, ssm: Any, tmp_path: Path) -> None:
    """Names with AWS's reserved prefixes are AWS's: no lookup, and no refusal."""
    path = tmp_path / "hooks.toml"
    path.write_text(hooks_config("AWS-Noop", post="Amazon-Hook"), encoding="utf-8")
    report = ok_json(setup(aws.url, "--config", str(path), *JSON))
    assert report["targets"][0]["summary"]["create"] > 0 and report["warnings"] == []


def test_a_patch_group_no_baseline_registers_is_a_warning(
    aws: Any, ssm: Any, tmp_path: Path
) -> None:
    path = tmp_path / "group.toml"
    path.write_text(one_window().replace('patch_group = "web"', 'patch_group = "db"'), "utf-8")
    result = setup(aws.url, "--config", str(path), *JSON)
    report = ok_json(result)
    expected = (
        "window www: target web: patch group 'db' is registered to no baseline of this setup, "
        "so its instances are patched with AWS's default baseline for their OS"
    )
    assert len(report["warnings"]) == 1 and report["warnings"][0].startswith(expected)
    assert f"warning: {report['warnings'][0]}" in result.stderr.splitlines()
    assert report["targets"][0]["summary"]["create"] > 0  # a warning, not a refusal


@pytest.mark.parametrize(
    ("baseline", "key"),
    [
        (
            'operating_system = "UBUNTU"\napprove_after_days = 14',
            "baselines.al2.approve_after_days",
        ),
        (
            'operating_system = "DEBIAN"\napprove_until_date = "2027-01-31"',
            "baselines.al2.approve_until_date",
        ),
        (
            'operating_system = "UBUNTU"\n'
            'rules = [{ priority = ["Required"], approve_after_days = 7 }]',
            "baselines.al2.rules[0].approve_after_days",
        ),
    ],
    ids=["ubuntu-days", "debian-date", "ubuntu-rule-days"],
)
def test_an_approval_delay_the_os_ignores_is_refused(
    aws: Any, ssm: Any, tmp_path: Path, baseline: str, key: str
) -> None:
    path = tmp_path / "staged.toml"
    path.write_text(
        one_window().replace('operating_system = "AMAZON_LINUX_2"', baseline), encoding="utf-8"
    )
    assert_one_line_error(
        setup(aws.url, "--config", str(path)), 2, key, "is ignored on", "not supported for Debian"
    )
    assert custom_baselines(ssm) == []


def test_the_old_tools_ubuntu_sample_with_its_delay_is_a_warning(aws: Any, ssm: Any) -> None:
    """The shared sample (AWS's own baseline as it once read) says 7 days: a warning only."""
    result = setup(aws.url, "-b", str(SEED / "sample_ubuntu_aws_default.json"), *ONE, *JSON)
    report = ok_json(result)
    assert report["warnings"] == [
        "baseline AWS-UbuntuDefaultPatchBaseline: rule 1: ApproveAfterDays 7 is ignored on "
        "UBUNTU (the API reference: not supported for Debian Server or Ubuntu Server): "
        "patches are approved as soon as they are available"
    ]
    assert "warning: baseline AWS-UbuntuDefaultPatchBaseline" in result.stderr


def test_a_baseline_that_approves_nothing_is_a_warning(aws: Any, ssm: Any, tmp_path: Path) -> None:
    path = tmp_path / "nothing.toml"
    path.write_text(one_window().replace("patch_groups", "rules = []\npatch_groups"), "utf-8")
    report = ok_json(setup(aws.url, "--config", str(path), *JSON))
    assert report["warnings"] == [
        "baseline roles-al2: approves nothing (no approval rules and no approved patches), "
        "so the instances of its patch groups ('web') install no patches"
    ]
    assert [b["Name"] for b in custom_baselines(ssm)] == ["roles-al2"]


NO_OS = {"ApprovalRules": {"PatchRules": []}, "ApprovedPatches": ["KB5005565"]}


def test_a_baseline_file_without_an_operating_system_is_a_warning(
    aws: Any, ssm: Any, tmp_path: Path
) -> None:
    file = tmp_path / "no-os.json"
    file.write_text(json.dumps(NO_OS), encoding="utf-8")
    flags = ok_json(setup(aws.url, "-b", str(file), *ONE, *JSON, "--dry-run"))
    assert flags["warnings"] == [
        f"-b/--baseline-file: {file} has no OperatingSystem, so AWS makes it a WINDOWS "
        'baseline; add "OperatingSystem" to the file, or pass --operating-system WINDOWS '
        "to say so"
    ]
    said = ok_json(
        setup(aws.url, "-b", str(file), "--operating-system", "WINDOWS", *ONE, *JSON, "--dry-run")
    )
    assert said["warnings"] == []
    path = tmp_path / "file.toml"
    path.write_text(
        one_window().replace('operating_system = "AMAZON_LINUX_2"', 'file = "no-os.json"'),
        encoding="utf-8",
    )
    report = ok_json(setup(aws.url, "--config", str(path), *JSON, "--dry-run"))
    assert report["warnings"] == [
        f"{path}: baselines.al2.file: no-os.json has no OperatingSystem, so AWS makes it a "
        'WINDOWS baseline; add "OperatingSystem" to the file, or operating_system = '
        '"WINDOWS" here to say so'
    ]


@pytest.mark.parametrize(
    "example", [*sorted(EXAMPLES.glob("*.toml")), KITCHEN], ids=lambda p: str(p.stem)
)
def test_the_examples_trip_no_check(aws: Any, example: Path) -> None:
    make_documents(aws.url, *KITCHEN_HOOKS, *SEED002_HOOKS)
    result = setup(aws.url, "--config", str(example), *JSON, "--dry-run")
    assert ok_json(result)["warnings"] == []
    assert "warning: " not in result.stderr


@pytest.mark.parametrize("operating_system", shapes.OPERATING_SYSTEMS)
def test_the_presets_trip_no_check(operating_system: str) -> None:
    setup = build_setup(FlagOptions(), preset(operating_system))
    assert setup.baselines[0].operating_system == operating_system
    assert checks.setup_warnings(setup) == []
