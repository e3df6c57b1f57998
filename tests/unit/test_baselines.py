"""Tests for patchsetup.baselines: presets, baseline-file validation, drift comparison.

Pure and offline: botocore's bundled SSM model is the only outside input.
"""

from __future__ import annotations

import copy
import datetime
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patchsetup import baselines
from patchsetup.baselines import (
    BaselineError,
    canonical,
    load_baseline_file,
    preset,
    update_params,
)
from tests.helpers.paths import DATA, ROOT

DATA = DATA / "baselines"
# Verbatim copies of shared/reference/seed-tool-baselines, so the suite does not
# depend on shared/ being checked out next to the repository.
SEED_FILES = sorted((DATA / "seed-tool").glob("*.json"))
SHARED_SEEDS = ROOT.parent / "shared" / "reference" / "seed-tool-baselines"

RULE_FIELDS = {
    "OperatingSystem",
    "Description",
    "ApprovalRules",
    "GlobalFilters",
    "ApprovedPatches",
    "ApprovedPatchesComplianceLevel",
    "ApprovedPatchesEnableNonSecurity",
    "RejectedPatches",
    "RejectedPatchesAction",
    "Sources",
}


def _ssm_model() -> Any:
    """The SSM model as botocore's own session loads it (an independent path)."""
    return botocore.session.get_session().get_service_model("ssm")


def _write(tmp_path: Path, document: Any, name: str = "baseline.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _filters(rule: dict[str, Any]) -> dict[str, list[str]]:
    return {f["Key"]: sorted(f["Values"]) for f in rule["PatchFilterGroup"]["PatchFilters"]}


def _valid_update_request(params: dict[str, Any]) -> None:
    """Assert botocore would accept update_params(params) as an UpdatePatchBaseline call."""
    request = {"BaselineId": "pb-0123456789abcdef0", **update_params(params)}
    shape = _ssm_model().operation_model("UpdatePatchBaseline").input_shape
    report = ParamValidator().validate(request, shape)
    assert not report.has_errors(), report.generate_report()


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
    expected = tuple(_ssm_model().shape_for("OperatingSystem").enum)
    assert expected == baselines.OPERATING_SYSTEMS
    assert "AMAZON_LINUX_2023" in expected and "ALMA_LINUX" in expected


def test_import_does_not_load_the_service_model() -> None:
    code = (
        "import patchsetup.baselines as b\n"
        "assert b._ssm_model.cache_info().currsize == 0\n"
        "b.OPERATING_SYSTEMS\n"
        "assert b._ssm_model.cache_info().currsize == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------
# Presets
# --------------------------------------------------------------------------


@pytest.mark.parametrize("operating_system", baselines.OPERATING_SYSTEMS)
def test_preset_passes_file_validation(operating_system: str, tmp_path: Path) -> None:
    spec = preset(operating_system)
    assert set(spec) == RULE_FIELDS
    assert spec["OperatingSystem"] == operating_system
    assert load_baseline_file(_write(tmp_path, spec)) == spec
    _valid_update_request({**spec, "Name": "my-baseline"})


def test_preset_returns_a_fresh_dict() -> None:
    first = preset("AMAZON_LINUX_2")
    first["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"] = 99
    first["RejectedPatches"].append("kernel")
    assert preset("AMAZON_LINUX_2")["ApprovalRules"]["PatchRules"][0]["ApproveAfterDays"] == 7
    assert preset("AMAZON_LINUX_2")["RejectedPatches"] == []


def test_amazon_linux_2_preset_rules() -> None:
    spec = preset("AMAZON_LINUX_2")
    rules = spec["ApprovalRules"]["PatchRules"]
    assert [_filters(rule) for rule in rules] == [
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
    assert [_filters(rule) for rule in got] == rules
    assert {rule["ApproveAfterDays"] for rule in got} == {days}
    assert {rule["EnableNonSecurity"] for rule in got} == {non_security}


def test_centos_preset_has_no_global_filter() -> None:
    assert preset("CENTOS")["GlobalFilters"] == {"PatchFilters": []}


@pytest.mark.parametrize("bad", ["amazon_linux_2", "AMAZON_LINUX_3", "", "LINUX"])
def test_preset_for_unknown_os_lists_valid_values(bad: str) -> None:
    with pytest.raises(BaselineError) as caught:
        preset(bad)
    message = str(caught.value)
    assert "valid values: " + ", ".join(baselines.OPERATING_SYSTEMS) in message
    assert "\n" not in message


def test_preset_hint_for_wrong_case() -> None:
    with pytest.raises(BaselineError, match="did you mean 'AMAZON_LINUX_2'"):
        preset("amazon_linux_2")


# --------------------------------------------------------------------------
# load_baseline_file: what is kept, what is dropped
# --------------------------------------------------------------------------


def test_client_token_is_stripped_and_name_and_tags_kept(tmp_path: Path) -> None:
    document = {
        **preset("UBUNTU"),
        "Name": "web-servers.prod",
        "ClientToken": "abc",
        "Tags": [{"Key": "team", "Value": "ops"}],
    }
    loaded = load_baseline_file(_write(tmp_path, document))
    assert "ClientToken" not in loaded
    assert loaded["Name"] == "web-servers.prod"
    assert loaded["Tags"] == [{"Key": "team", "Value": "ops"}]


def test_operating_system_is_optional_and_means_windows(tmp_path: Path) -> None:
    document = preset("WINDOWS")
    del document["OperatingSystem"]
    loaded = load_baseline_file(_write(tmp_path, document))
    assert "OperatingSystem" not in loaded  # passed through as written
    assert canonical(loaded)["OperatingSystem"] == "WINDOWS"
    # ...and filters are checked as Windows ones:
    document["ApprovalRules"]["PatchRules"][0]["PatchFilterGroup"]["PatchFilters"][0]["Key"] = (
        "SEVERITY"
    )
    with pytest.raises(BaselineError, match="SEVERITY is not a patch filter key for WINDOWS"):
        load_baseline_file(_write(tmp_path, document))


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(preset("SUSE")).encode())
    assert load_baseline_file(path) == preset("SUSE")


# --------------------------------------------------------------------------
# load_baseline_file: each kind of invalid file
# --------------------------------------------------------------------------


def _al2(**changes: Any) -> dict[str, Any]:
    document = preset("AMAZON_LINUX_2")
    document.update(changes)
    return document


def _rule0(**changes: Any) -> dict[str, Any]:
    document = preset("AMAZON_LINUX_2")
    document["ApprovalRules"]["PatchRules"][0].update(changes)
    return document


def _without_rule0(key: str) -> dict[str, Any]:
    document = preset("AMAZON_LINUX_2")
    del document["ApprovalRules"]["PatchRules"][0][key]
    return document


def _until(date: str) -> dict[str, Any]:
    """AL2 preset whose first rule uses a cutoff date instead of a delay."""
    document = _without_rule0("ApproveAfterDays")
    document["ApprovalRules"]["PatchRules"][0]["ApproveUntilDate"] = date
    return document


def _rule0_filter1(key: str) -> dict[str, Any]:
    document = preset("AMAZON_LINUX_2")
    document["ApprovalRules"]["PatchRules"][0]["PatchFilterGroup"]["PatchFilters"][1]["Key"] = key
    return document


RULE0 = "ApprovalRules.PatchRules[0]"

INVALID_DOCUMENTS: list[tuple[str, Any, str]] = [
    ("top-level list", [preset("AMAZON_LINUX_2")], "top level must be a JSON object, got array"),
    ("top-level string", "AMAZON_LINUX_2", "top level must be a JSON object, got string"),
    (
        "unknown key with hint",
        {**_al2(), "ApprovalRule": {}},
        "ApprovalRule: unknown key (did you mean 'ApprovalRules'?)",
    ),
    (
        "unknown nested key with hint",
        _rule0(ApproveAfterDay=7),
        f"{RULE0}.ApproveAfterDay: unknown key (did you mean 'ApproveAfterDays'?)",
    ),
    (
        "get-patch-baseline output",
        _al2(BaselineId="pb-0123456789abcdef0"),
        "BaselineId: is GetPatchBaseline output",
    ),
    (
        "wrong type: string for list",
        _al2(ApprovedPatches="KB123456"),
        "ApprovedPatches: must be an array, got string 'KB123456'",
    ),
    (
        "wrong type: string for integer",
        _rule0(ApproveAfterDays="7"),
        f"{RULE0}.ApproveAfterDays: must be an integer, got string '7'",
    ),
    (
        "wrong type: boolean for integer",
        _rule0(ApproveAfterDays=True),
        f"{RULE0}.ApproveAfterDays: must be an integer, got boolean true",
    ),
    (
        "wrong type: float for integer",
        _rule0(ApproveAfterDays=7.5),
        f"{RULE0}.ApproveAfterDays: must be an integer, got number 7.5",
    ),
    (
        "wrong type: string for boolean",
        _rule0(EnableNonSecurity="false"),
        f"{RULE0}.EnableNonSecurity: must be true or false, got string 'false'",
    ),
    ("wrong type: null", _al2(Description=None), "Description: must be a string, got null"),
    (
        "wrong type: list for object",
        _al2(GlobalFilters=[]),
        "GlobalFilters: must be an object, got array",
    ),
    (
        "bad enum",
        _al2(RejectedPatchesAction="DENY"),
        "RejectedPatchesAction: must be one of ALLOW_AS_DEPENDENCY, BLOCK; got 'DENY'",
    ),
    (
        "bad enum with hint",
        _al2(OperatingSystem="AMAZON_LINUX2"),
        "OperatingSystem: must be one of WINDOWS,",
    ),
    (
        "bad nested enum",
        _rule0(ComplianceLevel="SEVERE"),
        f"{RULE0}.ComplianceLevel: must be one of CRITICAL, HIGH,",
    ),
    (
        "ApproveAfterDays too large",
        _rule0(ApproveAfterDays=400),
        f"{RULE0}.ApproveAfterDays: must be 0-360, got 400",
    ),
    (
        "ApproveAfterDays negative",
        _rule0(ApproveAfterDays=-1),
        f"{RULE0}.ApproveAfterDays: must be 0-360, got -1",
    ),
    (
        "both approval settings",
        _rule0(ApproveUntilDate="2024-12-31"),
        f"{RULE0}: ApproveAfterDays and ApproveUntilDate are mutually exclusive",
    ),
    (
        "no approval setting",
        _without_rule0("ApproveAfterDays"),
        f"{RULE0}: needs ApproveAfterDays or ApproveUntilDate",
    ),
    (
        "date with slashes",
        _until("2024/12/31"),
        f"{RULE0}.ApproveUntilDate: must be a date in YYYY-MM-DD format, got '2024/12/31'",
    ),
    (
        "impossible date",
        _until("2024-02-30"),
        f"{RULE0}.ApproveUntilDate: must be a date in YYYY-MM-DD format, got '2024-02-30'",
    ),
    (
        "two-digit year",
        _until("24-12-31"),
        f"{RULE0}.ApproveUntilDate: must be a date in YYYY-MM-DD format, got '24-12-31'",
    ),
    # ISO 8601 forms that Python's date.fromisoformat accepts but the API does not:
    (
        "basic-format date",
        _until("20241231"),
        f"{RULE0}.ApproveUntilDate: must be a date in YYYY-MM-DD format, got '20241231'",
    ),
    (
        "week date",
        _until("2024-W01-1"),
        f"{RULE0}.ApproveUntilDate: must be a date in YYYY-MM-DD format, got '2024-W01-1'",
    ),
    (
        "date too long",
        _until("2024-12-31T00:00"),
        f"{RULE0}.ApproveUntilDate: must be at most 10 characters long",
    ),
    (
        "filter key invalid for the OS",
        _rule0_filter1("MSRC_SEVERITY"),
        f"{RULE0}.PatchFilterGroup.PatchFilters[1].Key: MSRC_SEVERITY is not a patch filter key "
        "for AMAZON_LINUX_2 (valid: CLASSIFICATION, PRODUCT, SEVERITY)",
    ),
    (
        "filter key from the query-only keys",
        _rule0_filter1("CVE_ID"),
        f"{RULE0}.PatchFilterGroup.PatchFilters[1].Key: CVE_ID is not a patch filter key",
    ),
    (
        "filter key not in the model",
        _rule0_filter1("SEVERITIES"),
        f"{RULE0}.PatchFilterGroup.PatchFilters[1].Key: must be one of ARCH,",
    ),
    (
        "too many rules",
        _al2(
            ApprovalRules={
                "PatchRules": preset("AMAZON_LINUX_2")["ApprovalRules"]["PatchRules"] * 6
            }
        ),
        "ApprovalRules.PatchRules: at most 10 items allowed, got 12",
    ),
    (
        "too many filters in a rule",
        _rule0(PatchFilterGroup={"PatchFilters": [{"Key": "PRODUCT", "Values": ["*"]}] * 5}),
        f"{RULE0}.PatchFilterGroup.PatchFilters: at most 4 items allowed, got 5",
    ),
    (
        "empty filter values",
        _al2(GlobalFilters={"PatchFilters": [{"Key": "PRODUCT", "Values": []}]}),
        "GlobalFilters.PatchFilters[0].Values: needs at least 1 item(s), got 0",
    ),
    (
        "missing required member",
        _without_rule0("PatchFilterGroup"),
        f"{RULE0}.PatchFilterGroup: required key is missing",
    ),
    (
        "name pattern",
        _al2(Name="my baseline"),
        "Name: string 'my baseline' does not match the pattern",
    ),
    (
        "description too long",
        _al2(Description="x" * 1025),
        "Description: must be at most 1024 characters long, got 1025",
    ),
    (
        "sources on windows",
        {
            **preset("WINDOWS"),
            "Sources": [{"Name": "repo", "Products": ["*"], "Configuration": "[main]"}],
        },
        "Sources: patch source repositories apply to Linux only",
    ),
    (
        "compliance status off windows",
        _al2(AvailableSecurityUpdatesComplianceStatus="COMPLIANT"),
        "AvailableSecurityUpdatesComplianceStatus: is supported for WINDOWS only",
    ),
]


@pytest.mark.parametrize(
    ("label", "document", "expected"),
    INVALID_DOCUMENTS,
    ids=[case[0] for case in INVALID_DOCUMENTS],
)
def test_invalid_document_is_rejected_with_file_and_key_path(
    label: str, document: Any, expected: str, tmp_path: Path
) -> None:
    path = _write(tmp_path, document)
    with pytest.raises(BaselineError) as caught:
        load_baseline_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {expected}"), message
    assert "\n" not in message


INVALID_TEXTS: list[tuple[str, bytes, str]] = [
    ("not JSON", b'{"Name": ', "not valid JSON: Expecting value at line 1 column 10"),
    ("empty file", b"", "not valid JSON: Expecting value at line 1 column 1"),
    ("YAML instead of JSON", b"Name: x\n", "not valid JSON"),
    (
        "NaN",
        b'{"ApprovalRules": {"PatchRules": [{"ApproveAfterDays": NaN}]}}',
        "not valid JSON: NaN is not valid JSON",
    ),
    ("not UTF-8", b'{"Description": "\xff"}', "not UTF-8 text"),
    ("duplicate key", b'{"Name": "abc", "Name": "abcd"}', "Name: key appears more than once"),
    (
        "duplicate nested key",
        b'{"ApprovalRules": {"PatchRules": [{"ApproveAfterDays": 1, "ApproveAfterDays": 2}]}}',
        "ApprovalRules.PatchRules[0].ApproveAfterDays: key appears more than once",
    ),
    ("deeply nested", b"[" * 100_000 + b"]" * 100_000, "not a baseline: JSON nested too deeply"),
]


@pytest.mark.parametrize(
    ("label", "content", "expected"), INVALID_TEXTS, ids=[case[0] for case in INVALID_TEXTS]
)
def test_invalid_text_is_rejected_with_file_name(
    label: str, content: bytes, expected: str, tmp_path: Path
) -> None:
    path = tmp_path / "baseline.json"
    path.write_bytes(content)
    with pytest.raises(BaselineError) as caught:
        load_baseline_file(path)
    assert str(caught.value).startswith(f"{path}: {expected}"), str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(BaselineError) as caught:
        load_baseline_file(path)
    assert str(caught.value) == f"{path}: cannot read file: No such file or directory"


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="cannot read file"):
        load_baseline_file(tmp_path)


@pytest.mark.parametrize(
    ("operating_system", "key", "value", "hint"),
    [
        ("WINDOWS", "MSRC_SEVERITY", "critical", "did you mean 'Critical'?"),
        ("WINDOWS", "CLASSIFICATION", "Security", ""),
        ("UBUNTU", "PRIORITY", "Urgent", ""),
    ],
)
def test_documented_filter_values_are_checked(
    operating_system: str, key: str, value: str, hint: str, tmp_path: Path
) -> None:
    document = preset(operating_system)
    document["GlobalFilters"] = {"PatchFilters": [{"Key": key, "Values": ["*", value]}]}
    with pytest.raises(BaselineError) as caught:
        load_baseline_file(_write(tmp_path, document))
    assert f"GlobalFilters.PatchFilters[0].Values[1]: {value!r} is not a {key} value" in str(
        caught.value
    )
    assert hint in str(caught.value)


def test_linux_filter_values_are_left_to_the_service(tmp_path: Path) -> None:
    # Severity and product names differ per distribution release; not checked.
    document = preset("REDHAT_ENTERPRISE_LINUX")
    document["GlobalFilters"] = {
        "PatchFilters": [
            {"Key": "PRODUCT", "Values": ["RedhatEnterpriseLinux9.4"]},
            {"Key": "SEVERITY", "Values": ["Moderate"]},
        ]
    }
    assert load_baseline_file(_write(tmp_path, document)) == document


def test_approve_until_date_alone_is_valid(tmp_path: Path) -> None:
    document = _until("2024-02-29")
    assert load_baseline_file(_write(tmp_path, document)) == document


def test_boundary_values_are_valid(tmp_path: Path) -> None:
    document = _rule0(ApproveAfterDays=360)
    document["ApprovalRules"]["PatchRules"][1]["ApproveAfterDays"] = 0
    document["ApprovalRules"]["PatchRules"] *= 5  # exactly 10 rules
    assert load_baseline_file(_write(tmp_path, document)) == document


def test_unicode_tags_match_the_model_pattern(tmp_path: Path) -> None:
    document = _al2(Tags=[{"Key": "Équipe ops", "Value": "café_1:2/3=4+5-6@7"}])
    assert load_baseline_file(_write(tmp_path, document))["Tags"] == document["Tags"]
    document["Tags"] = [{"Key": "team", "Value": "a;b"}]
    with pytest.raises(BaselineError, match=r"Tags\[0\]\.Value: string 'a;b' does not match"):
        load_baseline_file(_write(tmp_path, document))


# --------------------------------------------------------------------------
# canonical() and update_params()
# --------------------------------------------------------------------------

SPARSE_DESIRED: dict[str, Any] = {
    "Name": "app-servers",
    "OperatingSystem": "AMAZON_LINUX_2",
    "ApprovalRules": {
        "PatchRules": [
            {
                "PatchFilterGroup": {
                    "PatchFilters": [
                        {"Key": "SEVERITY", "Values": ["Important", "Critical"]},
                        {"Key": "CLASSIFICATION", "Values": ["Security"]},
                    ]
                },
                "ApproveAfterDays": 7,
            },
            {
                "PatchFilterGroup": {
                    "PatchFilters": [{"Key": "CLASSIFICATION", "Values": ["Bugfix"]}]
                },
                "ApproveUntilDate": "2025-01-31",
                "ComplianceLevel": "HIGH",
            },
        ]
    },
    "RejectedPatches": ["kernel-debug", "bash-4.2*"],
}

# What GetPatchBaseline reports for SPARSE_DESIRED once created: every default
# spelled out, filters and lists in another order, plus read-only members.
ACTUAL_RESPONSE: dict[str, Any] = {
    "BaselineId": "pb-0123456789abcdef0",
    "Name": "app-servers",
    "OperatingSystem": "AMAZON_LINUX_2",
    "GlobalFilters": {"PatchFilters": []},
    "ApprovalRules": {
        "PatchRules": [
            {
                "PatchFilterGroup": {
                    "PatchFilters": [
                        {"Key": "CLASSIFICATION", "Values": ["Security"]},
                        {"Key": "SEVERITY", "Values": ["Critical", "Important"]},
                    ]
                },
                "ComplianceLevel": "UNSPECIFIED",
                "ApproveAfterDays": 7,
                "EnableNonSecurity": False,
            },
            {
                "PatchFilterGroup": {
                    "PatchFilters": [{"Key": "CLASSIFICATION", "Values": ["Bugfix"]}]
                },
                "ComplianceLevel": "HIGH",
                "ApproveUntilDate": "2025-01-31",
                "EnableNonSecurity": False,
            },
        ]
    },
    "ApprovedPatches": [],
    "ApprovedPatchesComplianceLevel": "UNSPECIFIED",
    "ApprovedPatchesEnableNonSecurity": False,
    "RejectedPatches": ["bash-4.2*", "kernel-debug"],
    "RejectedPatchesAction": "ALLOW_AS_DEPENDENCY",
    "PatchGroups": ["app"],
    "CreatedDate": datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
    "ModifiedDate": datetime.datetime(2025, 1, 2, tzinfo=datetime.UTC),
    "Sources": [],
    "ResponseMetadata": {"HTTPStatusCode": 200},
}


def test_canonical_equates_sparse_desired_with_reported_defaults() -> None:
    assert canonical(SPARSE_DESIRED) == canonical(ACTUAL_RESPONSE)


def test_canonical_fills_documented_defaults() -> None:
    assert canonical({}) == {
        "OperatingSystem": "WINDOWS",
        "GlobalFilters": {"PatchFilters": []},
        "ApprovalRules": {"PatchRules": []},
        "ApprovedPatches": [],
        "ApprovedPatchesComplianceLevel": "UNSPECIFIED",
        "ApprovedPatchesEnableNonSecurity": False,
        "RejectedPatches": [],
        "RejectedPatchesAction": "ALLOW_AS_DEPENDENCY",
        "Sources": [],
        # A Windows baseline (the OS default) reports it even when it was not sent.
        "AvailableSecurityUpdatesComplianceStatus": "COMPLIANT",
    }


def test_canonical_equates_an_unsent_windows_compliance_status_with_aws_default() -> None:
    desired = {**preset("WINDOWS"), "Name": "win"}
    reported = {**desired, "AvailableSecurityUpdatesComplianceStatus": "COMPLIANT"}
    assert canonical(desired) == canonical(reported)
    drifted = {**desired, "AvailableSecurityUpdatesComplianceStatus": "NON_COMPLIANT"}
    assert canonical(desired) != canonical(drifted)
    # Not sent on update either: Replace=True leaves it to AWS's default.
    assert "AvailableSecurityUpdatesComplianceStatus" not in update_params(desired)
    linux = {**preset("AMAZON_LINUX_2"), "Name": "al2"}
    assert "AvailableSecurityUpdatesComplianceStatus" not in canonical(linux)


def test_canonical_keeps_only_rule_fields() -> None:
    result = canonical(
        {
            **ACTUAL_RESPONSE,
            "Description": "d",
            "Tags": [{"Key": "a", "Value": "b"}],
            "ClientToken": "t",
        }
    )
    assert set(result) == RULE_FIELDS


def _changed(change: Any) -> dict[str, Any]:
    actual = copy.deepcopy(ACTUAL_RESPONSE)
    change(actual)
    return actual


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda a: a["ApprovalRules"]["PatchRules"][0].update(ApproveAfterDays=8),
            id="approve-after-days",
        ),
        pytest.param(
            lambda a: a["ApprovalRules"]["PatchRules"][0]["PatchFilterGroup"]["PatchFilters"][1][
                "Values"
            ].append("Medium"),
            id="severity-added",
        ),
        pytest.param(
            lambda a: a["ApprovalRules"]["PatchRules"][0]["PatchFilterGroup"]["PatchFilters"][
                1
            ].update(Values=["Critical"]),
            id="severity-removed",
        ),
        pytest.param(lambda a: a["RejectedPatches"].append("openssl"), id="rejected-patch"),
        pytest.param(lambda a: a.update(RejectedPatches=[]), id="rejected-patches-cleared"),
        pytest.param(lambda a: a.update(RejectedPatchesAction="BLOCK"), id="rejected-action"),
        pytest.param(
            lambda a: a["ApprovalRules"]["PatchRules"][1].update(ApproveUntilDate="2025-02-01"),
            id="cutoff-date",
        ),
        pytest.param(
            lambda a: a["ApprovalRules"]["PatchRules"][1].update(ComplianceLevel="LOW"),
            id="compliance-level",
        ),
        pytest.param(
            lambda a: a["ApprovalRules"]["PatchRules"][0].update(EnableNonSecurity=True),
            id="non-security",
        ),
        pytest.param(lambda a: a["ApprovalRules"]["PatchRules"].reverse(), id="rule-order"),
        pytest.param(lambda a: a.update(Description="now described"), id="description"),
        pytest.param(lambda a: a.update(OperatingSystem="AMAZON_LINUX_2023"), id="os"),
        pytest.param(
            lambda a: a["GlobalFilters"]["PatchFilters"].append(
                {"Key": "PRODUCT", "Values": ["*"]}
            ),
            id="global-filter",
        ),
    ],
)
def test_canonical_distinguishes_real_changes(change: Any) -> None:
    assert canonical(SPARSE_DESIRED) != canonical(_changed(change))


def test_canonical_does_not_alias_its_input() -> None:
    desired = copy.deepcopy(SPARSE_DESIRED)
    result = canonical(desired)
    result["RejectedPatches"].append("x")
    result["ApprovalRules"]["PatchRules"][0]["PatchFilterGroup"]["PatchFilters"][0][
        "Values"
    ].append("y")
    assert desired == SPARSE_DESIRED


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_seed_file_is_its_own_canonical_form_modulo_order(path: Path) -> None:
    loaded = load_baseline_file(path)
    expected = {key: loaded[key] for key in RULE_FIELDS if key in loaded}
    assert canonical(loaded) == canonical(expected)
    assert canonical(loaded)["OperatingSystem"] == loaded["OperatingSystem"]


def test_update_params_replaces_every_rule_field() -> None:
    update = update_params(SPARSE_DESIRED)
    assert update["Replace"] is True
    assert update["Name"] == "app-servers"
    assert "BaselineId" not in update and "OperatingSystem" not in update
    # Fields absent from the desired state are sent as their defaults, so a
    # value left over on the existing baseline is cleared.
    assert update["ApprovedPatches"] == []
    assert update["GlobalFilters"] == {"PatchFilters": []}
    assert update["RejectedPatchesAction"] == "ALLOW_AS_DEPENDENCY"
    assert update["Sources"] == []
    assert "Description" not in update  # Replace=True sets omitted optional fields to null
    _valid_update_request(SPARSE_DESIRED)


def test_update_params_round_trips_through_canonical() -> None:
    for operating_system in baselines.OPERATING_SYSTEMS:
        desired = {**preset(operating_system), "Name": "base-line"}
        applied = {**update_params(desired), "OperatingSystem": operating_system}
        assert canonical(applied) == canonical(desired)


def test_update_params_needs_a_name() -> None:
    with pytest.raises(BaselineError, match="update_params: Name: required"):
        update_params(preset("AMAZON_LINUX_2"))


def test_update_params_carries_windows_compliance_status() -> None:
    desired = {
        **preset("WINDOWS"),
        "Name": "win",
        "AvailableSecurityUpdatesComplianceStatus": "NON_COMPLIANT",
    }
    assert update_params(desired)["AvailableSecurityUpdatesComplianceStatus"] == "NON_COMPLIANT"
    _valid_update_request(desired)


# --------------------------------------------------------------------------
# Property: random mutations of valid files raise BaselineError or nothing.
# --------------------------------------------------------------------------

_BASES: list[Any] = [json.loads(p.read_text(encoding="utf-8")) for p in SEED_FILES] + [
    preset(os_name) for os_name in ("WINDOWS", "UBUNTU", "MACOS", "ORACLE_LINUX")
]
_MEMBER_NAMES = sorted(
    {
        name
        for shape in (
            "CreatePatchBaselineRequest",
            "PatchRule",
            "PatchFilter",
            "PatchSource",
            "Tag",
        )
        for name in _ssm_model().shape_for(shape).members
    }
)
_INTERESTING = st.sampled_from(
    [
        *baselines.OPERATING_SYSTEMS,
        "*",
        "Security",
        "Critical",
        "SEVERITY",
        "PRIORITY",
        "MSRC_SEVERITY",
        "CVE_ID",
        "2024-01-31",
        "2024-13-01",
        "BLOCK",
        "UNSPECIFIED",
        "COMPLIANT",
        "a b",
        "",
    ]
)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-1000, 1000)
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | _INTERESTING,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(_MEMBER_NAMES) | st.text(max_size=8), children, max_size=4
        )
    ),
    max_leaves=8,
)


def _containers(node: Any, out: list[Any]) -> list[Any]:
    if isinstance(node, dict | list):
        out.append(node)
        for child in node.values() if isinstance(node, dict) else node:
            _containers(child, out)
    return out


@st.composite
def _mutated(draw: st.DrawFn) -> Any:
    document = copy.deepcopy(draw(st.sampled_from(_BASES)))
    for _ in range(draw(st.integers(1, 3))):
        if not isinstance(document, dict | list) or draw(st.integers(0, 19)) == 0:
            document = draw(_JSON)  # occasionally replace the whole document
            continue
        target = draw(st.sampled_from(_containers(document, [])))
        operation = draw(st.sampled_from(["replace", "delete", "insert"]))
        if isinstance(target, dict):
            keys = sorted(target)
            if operation == "insert" or not keys:
                target[draw(st.sampled_from(_MEMBER_NAMES) | st.text(max_size=8))] = draw(_JSON)
            elif operation == "delete":
                del target[draw(st.sampled_from(keys))]
            else:
                target[draw(st.sampled_from(keys))] = draw(_JSON)
        else:
            if operation == "insert" or not target:
                target.insert(draw(st.integers(0, len(target))), draw(_JSON))
            elif operation == "delete":
                del target[draw(st.integers(0, len(target) - 1))]
            else:
                target[draw(st.integers(0, len(target) - 1))] = draw(_JSON)
    return document


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=_mutated())
def test_mutated_files_raise_only_baseline_error(document: Any, tmp_path: Path) -> None:
    path = tmp_path / "mutated.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    try:
        loaded = load_baseline_file(path)
    except BaselineError as error:
        message = str(error)
        assert message.startswith(f"{path}: ") and "\n" not in message
        return
    # Whatever passes validation must be usable downstream without surprises.
    assert isinstance(loaded, dict)
    canonical(loaded)
    _valid_update_request({**loaded, "Name": loaded.get("Name", "mutated")})


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_raise_only_baseline_error(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "random.json"
    path.write_bytes(content)
    try:
        load_baseline_file(path)
    except BaselineError as error:
        assert str(error).startswith(f"{path}: ")
