"""status, export, completion, --version and python -m, through the real CLI."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.helpers.account import read_window
from tests.helpers.cli import (
    JSON,
    ONE_WINDOW,
    assert_one_line_error,
    cli_env,
    ok_json,
    setup,
    target_json,
)
from tests.helpers.paths import ROOT

SEED004 = ROOT / "examples" / "seed004-test-prod-batches.toml"
KITCHEN = ROOT / "tests" / "data" / "kitchen-sink.toml"


def test_status_shows_windows_baselines_and_drift(aws: Any, ssm: Any) -> None:
    empty = setup(aws.url, "status")
    assert empty.returncode == 0 and "nothing deployed" in empty.stdout
    target_json(setup(aws.url, *JSON, "--config", str(SEED004)))
    text = setup(aws.url, "status", "--config", str(SEED004))
    assert text.returncode == 0, text.stderr
    assert "06:00 on the third Saturday of every month (Europe/Zurich)" in text.stdout
    assert "drift:   none: matches the config" in text.stdout
    document = ok_json(setup(aws.url, "status", "--name", "test-prod-batches", "--output", "json"))
    assert document["command"] == "status" and document["setup"] == "test-prod-batches"
    [view] = document["targets"]
    assert (view["account"], view["region"], view["exit_code"]) == (None, "us-east-1", 0)
    assert document["summary"] == {
        "targets": 1,
        "succeeded": 1,
        "failed": 0,
        "resources": {"windows": 2, "baselines": 12, "roles": 0},
        "drift": None,
    }
    assert sorted(w["name"] for w in view["windows"]) == ["patch_prod_0600", "patch_test_0600"]
    prod = next(w for w in view["windows"] if w["name"] == "patch_prod_0600")
    assert [
        (t["priority"], t["targets"]) for t in sorted(prod["tasks"], key=lambda t: t["priority"])
    ] == [
        (1, ["patch_prod_0600_batch_1"]),
        (2, ["patch_prod_0600_batch_2"]),
    ]
    assert len(prod["next_runs"]) == 3
    assert len(view["baselines"]) == 12
    rhel = next(b for b in view["baselines"] if b["name"] == "rhel-prod")
    assert rhel["patch_groups"] == ["patch_prod_0600_batch_1", "patch_prod_0600_batch_2"]
    assert all("after 14 days" in r for r in rhel["rules"])
    rows = list(
        csv.DictReader(
            io.StringIO(
                setup(aws.url, "status", "--name", "test-prod-batches", "--output", "csv").stdout
            )
        )
    )
    kinds = [r["kind"] for r in rows]
    assert (kinds.count("window"), kinds.count("target"), kinds.count("task")) == (2, 4, 4)
    assert (kinds.count("baseline"), kinds.count("patch-group")) == (12, 24)
    # Drift: a hand edit shows up against the config, and nothing is written.
    window_id = prod["id"]
    ssm.update_maintenance_window(WindowId=window_id, Duration=2)
    drifted = ok_json(setup(aws.url, "status", "--config", str(SEED004), "--output", "json"))
    assert drifted["summary"]["drift"] == 1
    assert drifted["targets"][0]["drift"] == [
        {
            "kind": "window",
            "name": "patch_prod_0600",
            "action": "update",
            "changes": [{"field": "Duration", "old": 2, "new": 4}],
        }
    ]
    window, _, _ = read_window(ssm, window_id)
    assert window["Duration"] == 2


def test_export_prints_a_template_of_the_plan(aws: Any, tmp_path: Path) -> None:
    result = setup(aws.url, "export", "--config", str(SEED004))
    assert result.returncode == 0, result.stderr
    types = [r["Type"] for r in json.loads(result.stdout)["Resources"].values()]
    assert sorted(set(types)) == sorted(
        {
            "AWS::SSM::PatchBaseline",
            "AWS::SSM::MaintenanceWindow",
            "AWS::SSM::MaintenanceWindowTarget",
            "AWS::SSM::MaintenanceWindowTask",
        }
    )
    assert (
        types.count("AWS::SSM::PatchBaseline"),
        types.count("AWS::SSM::MaintenanceWindowTask"),
    ) == (12, 4)
    out = tmp_path / "t.json"
    flags = setup(aws.url, "export", *ONE_WINDOW, "--create-service-role", "-o", str(out))
    assert flags.returncode == 0, flags.stderr
    assert "wrote" in flags.stderr
    resources = json.loads(out.read_text())["Resources"]
    assert sum(1 for r in resources.values() if r["Type"] == "AWS::IAM::Role") == 1
    disabled = setup(aws.url, "export", "--config", str(KITCHEN))
    assert disabled.returncode == 0
    assert "warning:" in disabled.stderr and "disabled" in disabled.stderr.lower()
    assert_one_line_error(setup(aws.url, "export", "-w", "9"), 2, "--week")


def test_completion_version_and_module(aws: Any) -> None:
    bash = setup(aws.url, "completion", "bash")
    assert bash.returncode == 0 and "_SSM_PATCHING_SETUP_COMPLETE" in bash.stdout
    assert setup(aws.url, "--version").stdout.startswith("ssm-patching-setup, version 0.1.0")
    module = subprocess.run(
        [sys.executable, "-m", "patchsetup", "--dry-run", *ONE_WINDOW, "--output", "json"],
        env=cli_env(aws.url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert module.returncode == 0, module.stderr
    assert target_json(module)["summary"]["create"] == 5
