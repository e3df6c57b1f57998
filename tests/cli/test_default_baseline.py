"""``default = true`` on a baseline: the region's default baseline per OS, end to end.

Registered after the baseline exists, unchanged (no write) on a re-run, AWS's
predefined default restored when the key is dropped, the baseline removed, or on
cleanup; a default that is not this setup's is taken over only with --yes, and left
alone by another setup's cleanup and in another region.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

from cfnlint.api import ManualArgs, lint_file  # type: ignore[import-untyped]

from tests.helpers.account import custom_baselines
from tests.helpers.cli import (
    JSON,
    answering_on_a_terminal,
    assert_one_line_error,
    cleanup,
    json_report,
    setup,
    target_json,
)
from tests.helpers.endpoint import client
from tests.helpers.oldtool import make_baseline, old_tool_setup

AL2023 = "AMAZON_LINUX_2023"


def _config(
    tmp_path: Path, *, al_default: bool = True, win_default: bool = False, win: bool = False
) -> Path:
    text = f"""
[scan]
time = "04:00"

[baselines.al]
operating_system = "{AL2023}"
patch_groups = ["linux"]
{"default = true" if al_default else ""}
"""
    if win:
        text += f"""
[baselines.win]
operating_system = "WINDOWS"
patch_groups = ["windows"]
{"default = true" if win_default else ""}
"""
    path = tmp_path / "patching.toml"
    path.write_text(text)
    return path


def _default(ssm: Any, os_name: str = AL2023) -> str:
    return str(ssm.get_default_patch_baseline(OperatingSystem=os_name)["BaselineId"])


def _ours(ssm: Any, name: str) -> str:
    return next(str(b["BaselineId"]) for b in custom_baselines(ssm) if b["Name"] == name)


def _defaults(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in report["resources"] if r["kind"] == "default-baseline"]


def test_default_is_registered_shown_and_converges(aws: Any, ssm: Any, tmp_path: Path) -> None:
    aws_al = _default(ssm)
    config = str(_config(tmp_path))
    dry = setup(aws.url, "--config", config, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert (
        "~ update  default-baseline  AMAZON_LINUX_2023\n"
        "      Baseline: 'AWS-AmazonLinux2023DefaultPatchBaseline' -> 'default-al'"
    ) in dry.stdout
    assert _default(ssm) == aws_al
    report = target_json(setup(aws.url, "--config", config, *JSON))
    [change] = _defaults(report)
    assert (change["name"], change["action"], change["status"]) == (AL2023, "update", "done")
    assert change["changes"] == [
        {"field": "Baseline", "old": "AWS-AmazonLinux2023DefaultPatchBaseline", "new": "default-al"}
    ]
    assert _default(ssm) == _ours(ssm, "default-al")
    again = target_json(setup(aws.url, "--config", config, *JSON))
    assert [(r["action"], r["status"]) for r in _defaults(again)] == [("unchanged", "unchanged")]
    assert again["summary"]["update"] == 0 and again["summary"]["create"] == 0


def test_dropping_the_key_restores_aws_default(aws: Any, ssm: Any, tmp_path: Path) -> None:
    aws_al = _default(ssm)
    target_json(setup(aws.url, "--config", str(_config(tmp_path)), *JSON))
    dropped = str(_config(tmp_path, al_default=False))
    dry = setup(aws.url, "--config", dropped, "--dry-run")
    assert (
        "~ update  default-baseline  AMAZON_LINUX_2023\n"
        "      Baseline: 'default-al' -> 'AWS-AmazonLinux2023DefaultPatchBaseline'\n"
        "      (AWS's predefined default again)"
    ) in dry.stdout
    report = target_json(setup(aws.url, "--config", dropped, *JSON))
    assert [r["action"] for r in _defaults(report)] == ["update"]
    assert _default(ssm) == aws_al
    assert _ours(ssm, "default-al")  # the baseline itself stays
    again = target_json(setup(aws.url, "--config", dropped, *JSON))
    assert _defaults(again) == []


def test_removing_the_baseline_restores_aws_default_before_deleting(
    aws: Any, ssm: Any, tmp_path: Path
) -> None:
    aws_al, aws_win = _default(ssm), _default(ssm, "WINDOWS")
    both = str(_config(tmp_path, win=True, win_default=True))
    report = target_json(setup(aws.url, "--config", both, *JSON))
    assert sorted(r["name"] for r in _defaults(report)) == [AL2023, "WINDOWS"]
    assert _default(ssm, "WINDOWS") == _ours(ssm, "default-win")
    only_al = str(_config(tmp_path))
    report = target_json(setup(aws.url, "--config", only_al, "--yes", *JSON))
    restore = [r for r in _defaults(report) if r["name"] == "WINDOWS"]
    assert [(r["action"], r["status"]) for r in restore] == [("update", "done")]
    assert [b["Name"] for b in custom_baselines(ssm)] == ["default-al"]
    assert _default(ssm, "WINDOWS") == aws_win
    assert _default(ssm) != aws_al


def test_cleanup_restores_every_os(aws: Any, ssm: Any, tmp_path: Path) -> None:
    aws_al, aws_win = _default(ssm), _default(ssm, "WINDOWS")
    target_json(
        setup(aws.url, "--config", str(_config(tmp_path, win=True, win_default=True)), *JSON)
    )
    report = target_json(cleanup(aws.url, "--yes", *JSON))
    assert sorted((r["name"], r["status"]) for r in _defaults(report)) == [
        (AL2023, "done"),
        ("WINDOWS", "done"),
    ]
    assert custom_baselines(ssm) == []
    assert (_default(ssm), _default(ssm, "WINDOWS")) == (aws_al, aws_win)


def test_two_defaults_for_one_os_exit_2(aws: Any, ssm: Any, tmp_path: Path) -> None:
    path = tmp_path / "two.toml"
    path.write_text(
        f"""
[scan]
time = "04:00"
[baselines.a]
operating_system = "{AL2023}"
default = true
[baselines.b]
operating_system = "{AL2023}"
default = true
"""
    )
    result = setup(aws.url, "--config", str(path), "--dry-run")
    assert_one_line_error(result, 2, "baselines.a", "baselines.b", AL2023, "default")


def test_a_hand_made_default_is_taken_over_only_with_yes(
    aws: Any, ssm: Any, tmp_path: Path
) -> None:
    hand = ssm.create_patch_baseline(Name="HandAL2023", OperatingSystem=AL2023)["BaselineId"]
    ssm.register_default_patch_baseline(BaselineId=hand)
    config = str(_config(tmp_path))
    refused = setup(aws.url, "--config", config)
    assert_one_line_error(refused, 3, "--yes", "default baseline for AMAZON_LINUX_2023")
    assert "(takes over the default from 'HandAL2023' (untagged" in refused.stdout
    assert _default(ssm) == hand
    assert custom_baselines(ssm) == [b for b in custom_baselines(ssm) if b["Name"] == "HandAL2023"]
    report = target_json(setup(aws.url, "--config", config, "--yes", *JSON))
    [change] = _defaults(report)
    assert change["changes"][0]["old"] == "HandAL2023"
    assert "AWS's predefined default, not that one" in change["note"]
    assert _default(ssm) == _ours(ssm, "default-al")
    # Removal goes back to AWS's predefined default, as the plan said, not to HandAL2023.
    target_json(cleanup(aws.url, "--yes", *JSON))
    assert _default(ssm).startswith("arn:")


def test_the_replaced_tools_baselines_and_another_setups_default_are_left_alone(
    aws: Any, ssm: Any, tmp_path: Path
) -> None:
    old_tool_setup(ssm, baseline_file="sample_aml2_aws_default.json")
    other = make_baseline(ssm, "OtherSetupAL2", "other-group", {"ssm-patching-setup": "other"})
    ssm.register_default_patch_baseline(BaselineId=other)
    target_json(setup(aws.url, "--config", str(_config(tmp_path)), *JSON))
    # Another setup's AMAZON_LINUX_2 default is not this setup's to restore.
    target_json(cleanup(aws.url, "--yes", *JSON))
    assert _default(ssm, "AMAZON_LINUX_2") == other
    old_names = {b["Name"] for b in custom_baselines(ssm)}
    assert "OtherSetupAL2" in old_names and len(old_names) >= 2


def test_another_setups_cleanup_and_another_region_are_untouched(
    aws: Any, ssm: Any, tmp_path: Path
) -> None:
    west = client(aws, "ssm", "eu-west-1")
    west_default = _default(west)
    target_json(setup(aws.url, "--config", str(_config(tmp_path)), *JSON))
    ours = _default(ssm)
    assert _default(west) == west_default
    report = target_json(cleanup(aws.url, "--name", "other", "--yes", *JSON))
    assert _defaults(report) == []
    assert _default(ssm) == ours
    report = target_json(cleanup(aws.url, "-r", "eu-west-1", "--yes", *JSON))
    assert _defaults(report) == []
    assert _default(ssm) == ours


def test_json_plan_validates(aws: Any, ssm: Any, tmp_path: Path) -> None:
    result = setup(aws.url, "--config", str(_config(tmp_path)), "--dry-run", *JSON)
    document = json_report(result)
    [change] = _defaults(document["targets"][0])
    assert (change["action"], change["status"], change["id"]) == ("update", "planned", AL2023)


def test_export_says_default_baseline(aws: Any, tmp_path: Path) -> None:
    out = tmp_path / "template.json"
    config = str(_config(tmp_path, win=True))
    result = setup(aws.url, "export", "--config", config, "-o", str(out))
    assert result.returncode == 0, result.stderr
    baselines = {
        r["Properties"]["Name"]: r["Properties"]
        for r in json.loads(out.read_text())["Resources"].values()
        if r["Type"] == "AWS::SSM::PatchBaseline"
    }
    assert baselines["default-al"]["DefaultBaseline"] is True
    assert "DefaultBaseline" not in baselines["default-win"]
    findings = lint_file(out, ManualArgs(regions=["us-east-1"], include_checks=["I"]))
    assert [m.message for m in findings] == []


def test_status_shows_the_default_per_os_and_no_drift(aws: Any, ssm: Any, tmp_path: Path) -> None:
    config = str(_config(tmp_path, win=True))
    target_json(setup(aws.url, "--config", config, *JSON))
    text = setup(aws.url, "status", "--config", config)
    assert text.returncode == 0, text.stderr
    al = _ours(ssm, "default-al")
    assert f"baseline default-al  {al}  {AL2023}  the region's default {AL2023} baseline\n" in (
        text.stdout
    )
    assert "drift:   none: matches the config" in text.stdout
    document = json_report(setup(aws.url, "status", *JSON))
    found = {b["name"]: b["default"] for b in document["targets"][0]["baselines"]}
    assert found == {"default-al": True, "default-win": False}
    csv = setup(aws.url, "status", "--output", "csv")
    assert f"{AL2023}; default baseline; " in csv.stdout
    hand = ssm.create_patch_baseline(Name="HandAL2023", OperatingSystem=AL2023)["BaselineId"]
    ssm.register_default_patch_baseline(BaselineId=hand)
    moved = setup(aws.url, "status", "--config", config)
    assert (
        "drift:   1 changes\n"
        f"  ~ update  default-baseline  {AL2023}\n"
        "        Baseline: 'HandAL2023' -> 'default-al'"
    ) in moved.stdout


def test_a_takeover_is_asked_on_a_terminal(aws: Any, ssm: Any, tmp_path: Path) -> None:
    hand = ssm.create_patch_baseline(Name="HandAL2023", OperatingSystem=AL2023)["BaselineId"]
    ssm.register_default_patch_baseline(BaselineId=hand)
    config = str(_config(tmp_path))
    declined = answering_on_a_terminal(aws.url, "ssm-patching-setup", b"n\n", "--config", config)
    assert declined.returncode == 3, declined.stderr
    assert (
        "setup: take over the region's default baseline for AMAZON_LINUX_2023? [y/N]"
        in declined.stderr
    )
    assert _default(ssm) == hand
    accepted = answering_on_a_terminal(aws.url, "ssm-patching-setup", b"y\n", "--config", config)
    assert accepted.returncode == 0, accepted.stderr
    assert _default(ssm) == _ours(ssm, "default-al")


def test_a_policy_scoped_to_one_account_reaches_awss_predefined_baselines(
    aws: Any, ssm: Any
) -> None:
    result = setup(aws.url, "policy", "--account", "123456789012")
    assert result.returncode == 0, result.stderr
    granted = json.loads(result.stdout)["Statement"]
    aws_arn = _default(ssm)  # AWS's predefined default: an ARN of AWS's own account
    assert not aws_arn.startswith("arn:aws:ssm:us-east-1:123456789012:")
    for action in ("ssm:RegisterDefaultPatchBaseline", "ssm:GetDefaultPatchBaseline"):
        patterns = [
            r
            for s in granted
            if action in s["Action"]
            for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])
        ]
        assert any(fnmatch.fnmatchcase(aws_arn, p) for p in patterns), (action, patterns)
