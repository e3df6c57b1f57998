"""What the baseline tests share: the seed tool's baseline files, the rule fields, botocore's SSM
model (an independent path to it), and small writers and checks of baseline documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.session
from botocore.validate import ParamValidator

from patchsetup.baselines.compare import update_params
from tests.helpers.paths import DATA, ROOT

BASELINE_DATA = DATA / "baselines"
# Verbatim copies of shared/reference/seed-tool-baselines, so the suite does not
# depend on shared/ being checked out next to the repository.
SEED_FILES = sorted((BASELINE_DATA / "seed-tool").glob("*.json"))
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


def ssm_model() -> Any:
    """The SSM model as botocore's own session loads it (an independent path)."""
    return botocore.session.get_session().get_service_model("ssm")


def write_document(tmp_path: Path, document: Any, name: str = "baseline.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def rule_filters(rule: dict[str, Any]) -> dict[str, list[str]]:
    return {f["Key"]: sorted(f["Values"]) for f in rule["PatchFilterGroup"]["PatchFilters"]}


def valid_update_request(params: dict[str, Any]) -> None:
    """Assert botocore would accept update_params(params) as an UpdatePatchBaseline call."""
    request = {"BaselineId": "pb-0123456789abcdef0", **update_params(params)}
    shape = ssm_model().operation_model("UpdatePatchBaseline").input_shape
    report = ParamValidator().validate(request, shape)
    assert not report.has_errors(), report.generate_report()
