"""Tests for patchsetup.baselines: drift comparison (canonical) and update requests.

Pure and offline: botocore's bundled SSM model is the only outside input.
"""

from __future__ import annotations

import copy
import datetime
from pathlib import Path
from typing import Any

import pytest

from patchsetup.baselines.compare import canonical, update_params
from patchsetup.baselines.messages import BaselineError
from patchsetup.baselines.presets import preset
from patchsetup.baselines.shapes import OPERATING_SYSTEMS
from patchsetup.baselines.validate import load_baseline_file
from tests.helpers.baselines import RULE_FIELDS, SEED_FILES, valid_update_request

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
    valid_update_request(SPARSE_DESIRED)


def test_update_params_round_trips_through_canonical() -> None:
    for operating_system in OPERATING_SYSTEMS:
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
    valid_update_request(desired)
