"""Tests for patchsetup.baselines: baseline-document validation (load_baseline_file) by
example: each kind of invalid document named by its file and key path, the documented
filter values, and the valid boundaries.

Pure and offline: botocore's bundled SSM model is the only outside input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from patchsetup.baselines.messages import BaselineError
from patchsetup.baselines.presets import preset
from patchsetup.baselines.validate import load_baseline_file
from tests.helpers.baselines import write_document

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
    path = write_document(tmp_path, document)
    with pytest.raises(BaselineError) as caught:
        load_baseline_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {expected}"), message
    assert "\n" not in message


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
        load_baseline_file(write_document(tmp_path, document))
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
    assert load_baseline_file(write_document(tmp_path, document)) == document


def test_approve_until_date_alone_is_valid(tmp_path: Path) -> None:
    document = _until("2024-02-29")
    assert load_baseline_file(write_document(tmp_path, document)) == document


def test_boundary_values_are_valid(tmp_path: Path) -> None:
    document = _rule0(ApproveAfterDays=360)
    document["ApprovalRules"]["PatchRules"][1]["ApproveAfterDays"] = 0
    document["ApprovalRules"]["PatchRules"] *= 5  # exactly 10 rules
    assert load_baseline_file(write_document(tmp_path, document)) == document


def test_unicode_tags_match_the_model_pattern(tmp_path: Path) -> None:
    document = _al2(Tags=[{"Key": "Équipe ops", "Value": "café_1:2/3=4+5-6@7"}])
    assert load_baseline_file(write_document(tmp_path, document))["Tags"] == document["Tags"]
    document["Tags"] = [{"Key": "team", "Value": "a;b"}]
    with pytest.raises(BaselineError, match=r"Tags\[0\]\.Value: string 'a;b' does not match"):
        load_baseline_file(write_document(tmp_path, document))
