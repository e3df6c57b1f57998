"""Tests for patchsetup.baselines: the reference samples and the presets.

Pure and offline: botocore's bundled SSM model is the only outside input.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from patchsetup.baselines.messages import BaselineError
from patchsetup.baselines.presets import preset
from patchsetup.baselines.service_model import service_model
from patchsetup.baselines.shapes import OPERATING_SYSTEMS, create_input_shape
from patchsetup.baselines.systems import PRESET_SYSTEMS
from patchsetup.baselines.validate import load_baseline_file
from tests.helpers.baselines import (
    RULE_FIELDS,
    SEED_FILES,
    SHARED_SEEDS,
    rule_filters,
    ssm_model,
    valid_update_request,
    write_document,
)

# --------------------------------------------------------------------------
# Reference samples and OPERATING_SYSTEMS
# --------------------------------------------------------------------------


def test_seed_copies_are_all_present() -> None:
    assert [p.name for p in SEED_FILES] == [
        "sample_aml2_aws_default.json",
        "sample_aml_aws_default.json",
        "sample_centos_aws_default.json",
        "sample_rhel_aws_default.json",
        "sample_suse_aws_default.json",
        "sample_ubuntu_aws_default.json",
        "sample_windows_aws_default.json",
    ]


def test_seed_copies_match_shared_reference() -> None:
    if not SHARED_SEEDS.is_dir():
        pytest.skip("shared/reference is not checked out next to the repository")
    shared = {p.name: p.read_bytes() for p in SHARED_SEEDS.glob("*.json")}
    assert shared == {p.name: p.read_bytes() for p in SEED_FILES}


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_reference_sample_loads_unchanged(path: Path) -> None:
    loaded = load_baseline_file(path)
    assert loaded == json.loads(path.read_text(encoding="utf-8"))


def test_loading_accepts_str_paths() -> None:
    assert load_baseline_file(str(SEED_FILES[0]))["Name"] == "AWS-AmazonLinux2DefaultPatchBaseline"


def test_operating_systems_is_the_model_enum_in_order() -> None:
    expected = tuple(ssm_model().shape_for("OperatingSystem").enum)
    assert expected == OPERATING_SYSTEMS
    assert "AMAZON_LINUX_2023" in expected and "ALMA_LINUX" in expected


def test_the_flags_systems_are_the_model_enum_and_the_presets() -> None:
    """--operating-system's list is written out (its help parses no model): it is the
    model's enum in the model's order, and every one has a preset."""
    assert PRESET_SYSTEMS == OPERATING_SYSTEMS
    assert [preset(system)["OperatingSystem"] for system in PRESET_SYSTEMS] == list(PRESET_SYSTEMS)


def test_the_model_read_without_botocore_is_botocores() -> None:
    """service_model reads the file botocore's loader loads, and its shapes show what
    botocore.model's show, for every shape a baseline file is checked against."""
    import botocore.loaders

    loader = botocore.loaders.Loader(
        extra_search_paths=[botocore.loaders.Loader.BUILTIN_DATA_PATH],
        include_default_search_paths=False,
    )
    assert service_model("ssm") == loader.load_service_model("ssm", "service-2")
    theirs = ssm_model().operation_model("CreatePatchBaseline").input_shape
    seen: set[str] = set()

    def same(ours: Any, theirs: Any, path: str) -> None:
        assert (ours.name, ours.type_name) == (theirs.name, theirs.type_name), path
        assert ours.metadata == theirs.metadata, path
        if ours.name in seen:
            return
        seen.add(ours.name)
        if ours.type_name == "structure":
            assert list(ours.members) == list(theirs.members), path
            assert ours.required_members == theirs.required_members, path
            for key in ours.members:
                same(ours.members[key], theirs.members[key], f"{path}.{key}")
        elif ours.type_name == "list":
            same(ours.member, theirs.member, f"{path}[]")
        elif ours.type_name == "string":
            assert ours.enum == theirs.enum, path

    same(create_input_shape(), theirs, "CreatePatchBaseline")
    assert len(seen) > 10


def test_import_does_not_load_the_service_model() -> None:
    code = (
        "import patchsetup.baselines.shapes as b\n"
        "assert b._ssm_model.cache_info().currsize == 0\n"
        "b.OPERATING_SYSTEMS\n"
        "assert b._ssm_model.cache_info().currsize == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------
# Presets
# --------------------------------------------------------------------------


@pytest.mark.parametrize("operating_system", OPERATING_SYSTEMS)
def test_preset_passes_file_validation(operating_system: str, tmp_path: Path) -> None:
    spec = preset(operating_system)
    assert set(spec) == RULE_FIELDS
    assert spec["OperatingSystem"] == operating_system
    assert load_baseline_file(write_document(tmp_path, spec)) == spec
    valid_update_request({**spec, "Name": "my-baseline"})


def test_preset_returns_a_fresh_dict() -> None:
    first = preset("AMAZON_LINUX_2")
    first["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"] = 99
    first["RejectedPatches"].append("kernel")
    assert preset("AMAZON_LINUX_2")["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"] == 7
    assert preset("AMAZON_LINUX_2")["RejectedPatches"] == []


def test_amazon_linux_2_preset_rules() -> None:
    spec = preset("AMAZON_LINUX_2")
    rules = spec["ApprovalRules"]["PatchRules"]
    assert [rule_filters(rule) for rule in rules] == [
        {"CLASSIFICATION": ["Security"], "SEVERITY": ["Critical", "Important"]},
        {"CLASSIFICATION": ["Bugfix"]},
    ]
    for rule in rules:
        assert rule["ApproveAfterDays"] == 7
        assert "ApproveUntilDate" not in rule
        assert rule["EnableNonSecurity"] is False
        assert rule["ComplianceLevel"] == "UNSPECIFIED"
    assert spec["GlobalFilters"] == {"PatchFilters": [{"Key": "PRODUCT", "Values": ["*"]}]}
    assert spec["ApprovedPatches"] == [] and spec["RejectedPatches"] == []
    assert spec["RejectedPatchesAction"] == "ALLOW_AS_DEPENDENCY"


# Facts from the predefined-baselines page that differ between operating systems.
@pytest.mark.parametrize(
    ("operating_system", "rules", "days", "non_security"),
    [
        (
            "WINDOWS",
            [
                {
                    "CLASSIFICATION": ["CriticalUpdates", "SecurityUpdates"],
                    "MSRC_SEVERITY": ["Critical", "Important"],
                }
            ],
            7,
            False,
        ),
        (
            "ORACLE_LINUX",
            [
                {"CLASSIFICATION": ["Security"], "SEVERITY": ["Important", "Moderate"]},
                {"CLASSIFICATION": ["Bugfix"]},
            ],
            7,
            False,
        ),
        (
            "SUSE",
            [{"CLASSIFICATION": ["Security"], "SEVERITY": ["Critical", "Important"]}],
            7,
            False,
        ),
        ("CENTOS", [{"PRODUCT": ["*"]}], 7, True),
        (
            "UBUNTU",
            [{"PRIORITY": ["Extra", "Important", "Optional", "Required", "Standard"]}],
            0,
            False,
        ),
        (
            "DEBIAN",
            [{"PRIORITY": ["Extra", "Important", "Optional", "Required", "Standard"]}],
            0,
            False,
        ),
        (
            "AMAZON_LINUX_2023",
            [
                {"CLASSIFICATION": ["Security"], "SEVERITY": ["Critical", "Important"]},
                {"CLASSIFICATION": ["Bugfix"]},
            ],
            7,
            False,
        ),
        (
            "ALMA_LINUX",
            [
                {"CLASSIFICATION": ["Security"], "SEVERITY": ["Critical", "Important"]},
                {"CLASSIFICATION": ["Bugfix"]},
            ],
            7,
            False,
        ),
    ],
)
def test_preset_rules_follow_the_documentation(
    operating_system: str, rules: list[dict[str, list[str]]], days: int, non_security: bool
) -> None:
    got = preset(operating_system)["ApprovalRules"]["PatchRules"]
    assert [rule_filters(rule) for rule in got] == rules
    assert {rule["ApproveAfterDays"] for rule in got} == {days}
    assert {rule["EnableNonSecurity"] for rule in got} == {non_security}


def test_centos_preset_has_no_global_filter() -> None:
    assert preset("CENTOS")["GlobalFilters"] == {"PatchFilters": []}


@pytest.mark.parametrize("bad", ["amazon_linux_2", "AMAZON_LINUX_3", "", "LINUX"])
def test_preset_for_unknown_os_lists_valid_values(bad: str) -> None:
    with pytest.raises(BaselineError) as caught:
        preset(bad)
    message = str(caught.value)
    assert "valid values: " + ", ".join(OPERATING_SYSTEMS) in message
    assert "\n" not in message


def test_preset_hint_for_wrong_case() -> None:
    with pytest.raises(BaselineError, match="did you mean 'AMAZON_LINUX_2'"):
        preset("amazon_linux_2")
