"""The CloudFormation export: what CloudFormation cannot express (reported or refused),
the logical IDs (alphanumeric, from the names, stable, collisions resolved), and the
template as plain data (JSON, a summary, no AWS SDK imported).

Pure: no endpoint.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys

import pytest

from patchsetup.export.logical_ids import ExportError, logical_name
from patchsetup.export.template import (
    BASELINE,
    ROLE,
    TARGET,
    TASK,
    WINDOW,
    cloudformation,
    dumps,
    resource_summary,
    warnings,
)
from patchsetup.model import (
    Setup,
    TargetSpec,
    TaskSpec,
    WindowSpec,
)
from tests.helpers.export import resources, template_of
from tests.helpers.paths import ROOT
from tests.helpers.setups import CASES, setup_of

LOGICAL_ID = re.compile(r"^[A-Za-z0-9]{1,255}$")


# ----------------------------------------------------- what CloudFormation cannot express


def test_disabled_window_is_reported_not_silently_enabled() -> None:
    template = template_of("kitchen-sink")
    disabled = template["Resources"]["WindowDisabled"]
    assert "Enabled" not in disabled["Properties"]
    assert disabled["Metadata"]["ssm-patching-setup"]["Enabled"] is False
    notes = warnings(template)
    assert any("'disabled'" in n and "Enabled" in n for n in notes), notes
    for logical_id in ("WindowLastFriday", "WindowKitchenDailyScan"):
        assert "Metadata" not in template["Resources"][logical_id]
    assert not any("'last-friday'" in n for n in notes)


def test_warnings_name_the_global_role_and_nothing_else_for_plain_setups() -> None:
    assert warnings(template_of("flags-default")) == []
    (note,) = warnings(template_of("flags-service-role"))
    assert "ssm-patching-setup-default" in note
    assert "region" in note


def test_cloudformation_limits_are_reported() -> None:
    windows = tuple(
        WindowSpec(
            name=f"window-{n:03d}",
            schedule="cron(0 4 ? * SUN *)",
            targets=(TargetSpec("hosts", (("tag:Patch Group", (f"group-{n:03d}",)),)),),
            tasks=tuple(TaskSpec(f"task-{m}", ("hosts",)) for m in range(4)),
        )
        for n in range(100)
    )
    template = cloudformation(Setup(name="big", windows=windows))
    assert len(template["Resources"]) == 600
    notes = warnings(template)
    assert any("600 resources" in n and "500" in n for n in notes), notes
    assert any("bytes" in n and "S3" in n for n in notes), notes


def test_baseline_fields_cloudformation_lacks_are_refused() -> None:
    base = setup_of("flags-default")
    rules = {**base.baselines[0].rules, "FutureField": True}
    setup = dataclasses.replace(
        base, baselines=(dataclasses.replace(base.baselines[0], rules=rules),)
    )
    with pytest.raises(ExportError, match="FutureField"):
        cloudformation(setup)


# ------------------------------------------------------------------------- logical IDs


@pytest.mark.parametrize("case", sorted(CASES))
def test_logical_ids_are_alphanumeric(case: str) -> None:
    for logical_id in resources(case):
        assert LOGICAL_ID.match(logical_id), logical_id


def test_logical_ids_derive_from_names() -> None:
    ids = list(resources("flags-service-role"))
    assert ids[:5] == [
        "ServiceRole",
        "BaselineSsmPatchingSetupDefaultAmazonLinux2",
        "WindowWeek1Day2Unattended0300",
        "TargetWeek1Day2Unattended0300Targets",
        "TaskWeek1Day2Unattended0300Patch",
    ]
    assert logical_name("patch_test-0600.batch") == "PatchTest0600Batch"
    assert logical_name("Patch-WebServer-Prd") == "PatchWebServerPrd"


def test_colliding_names_get_hash_suffixes_and_keep_their_references() -> None:
    found = resources("collisions")
    hashed = re.compile(r"^(BaselineRhelTest|WindowTest0600|TargetLinux|TaskPatch)[0-9a-f]{8}$")
    plain = {k for k in found if not hashed.match(k)}
    assert plain == {"BaselineSolo", "WindowProd"}
    assert len([k for k in found if k.startswith("TargetLinux")]) == 3
    for resource in found.values():
        if resource["Type"] != TASK:
            continue
        properties = resource["Properties"]
        window = properties["WindowId"]["Ref"]
        (target,) = properties["Targets"][0]["Values"]
        assert found[target["Ref"]]["Properties"]["WindowId"] == {"Ref": window}


def test_logical_ids_do_not_depend_on_config_order() -> None:
    setup = setup_of("collisions")
    reordered = dataclasses.replace(
        setup,
        baselines=tuple(reversed(setup.baselines)),
        windows=tuple(reversed(setup.windows)),
    )
    assert cloudformation(reordered)["Resources"] == cloudformation(setup)["Resources"]
    assert cloudformation(setup) == cloudformation(setup)


# ------------------------------------------------------------------- template as data


@pytest.mark.parametrize("case", sorted(CASES))
def test_template_is_plain_json_with_a_naming_description(case: str) -> None:
    template = cloudformation(setup_of(case))
    assert json.loads(dumps(template)) == template
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    assert f"'{setup_of(case).name}'" in template["Description"]
    assert len(template["Description"]) <= 1024


def test_resource_summary_lists_type_and_name_in_template_order() -> None:
    summary = resource_summary(template_of("flags-service-role"))
    assert summary[:5] == [
        (ROLE, "ssm-patching-setup-default"),
        (BASELINE, "ssm-patching-setup-default-amazon-linux-2"),
        (WINDOW, "Week1Day2Unattended0300"),
        (TARGET, "Week1Day2Unattended0300Targets"),
        (TASK, "Week1Day2Unattended0300Patch"),
    ]
    assert len(summary) == 26


def test_export_imports_no_aws_sdk() -> None:
    code = (
        "import sys, patchsetup.export.template; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
