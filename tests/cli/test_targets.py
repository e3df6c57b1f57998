"""Several regions and accounts in one run: concurrent, each summarised, failures contained."""

from __future__ import annotations

from typing import Any

import boto3

from tests.helpers.account import window_names
from tests.helpers.cli import ONE_WINDOW, assert_one_line_error, json_report, setup
from tests.helpers.endpoint import client

ROLES = ["arn:aws:iam::111111111111:role/ops/patching", "arn:aws:iam::222222222222:role/patching"]


def _json(result: Any) -> dict[str, Any]:
    return json_report(result)


def _changes(create: int) -> dict[str, int]:
    """A summary's resource totals of a run that only created."""
    counts = dict.fromkeys(("update", "delete", "adopt", "unchanged", "failed", "not_run"), 0)
    return {"create": create, **counts}


def _window_names(aws: Any, region: str, role_arn: str | None = None) -> list[str]:
    if role_arn is None:
        ssm = client(aws, "ssm", region)
    else:
        sts = client(aws, "sts", region)
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="check")["Credentials"]
        ssm = boto3.session.Session().client(
            "ssm",
            region_name=region,
            endpoint_url=aws.url,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
    return window_names(ssm)


def test_two_regions_in_one_run(aws: Any) -> None:
    result = setup(aws.url, "--output", "json", *ONE_WINDOW, "-r", "us-east-1", "-r", "eu-west-1")
    assert result.returncode == 0, result.stderr
    document = _json(result)
    assert document["summary"] == {
        "targets": 2,
        "succeeded": 2,
        "failed": 0,
        "resources": _changes(10),
    }
    assert document["error"] is None
    # By region, not in the order of the options.
    assert [(t["target"], t["summary"]["create"]) for t in document["targets"]] == [
        ("eu-west-1", 5),
        ("us-east-1", 5),
    ]
    for region in ("us-east-1", "eu-west-1"):
        assert _window_names(aws, region) == ["Week1Day2Unattended0300"]
    text = setup(aws.url, *ONE_WINDOW, "-r", "us-east-1,eu-west-1")
    assert text.returncode == 0, text.stderr
    # One row per target, by name; each target's report only with -v.
    assert "==" not in text.stdout
    assert text.stdout.splitlines()[-5:] == [
        "TARGET     RESULT   CREATE  UPDATE  DELETE  ADOPT  UNCHANGED  ERROR",
        "eu-west-1  ok            0       0       0      0          5",
        "us-east-1  ok            0       0       0      0          5",
        "",
        "2 targets: 2 ok, 0 failed. Result: 0 created, 0 updated, 0 deleted, 0 adopted, "
        "10 unchanged",
    ]
    verbose = setup(aws.url, *ONE_WINDOW, "-r", "us-east-1,eu-west-1", "-v")
    assert verbose.stdout.index("== eu-west-1 ==") < verbose.stdout.index("== us-east-1 ==")
    assert verbose.stdout.count("  unchanged  window       Week1Day2Unattended0300  mw-") == 2


def test_accounts_through_roles(aws: Any) -> None:
    args = ["--output", "json", *ONE_WINDOW, "-r", "eu-central-1"]
    result = setup(aws.url, *args, "--role-arn", ROLES[0], "--role-arn", ROLES[1])
    assert result.returncode == 0, result.stderr
    document = _json(result)
    assert [t["account"] for t in document["targets"]] == ["111111111111", "222222222222"]
    for role in ROLES:
        assert _window_names(aws, "eu-central-1", role) == ["Week1Day2Unattended0300"]
    assert _window_names(aws, "eu-central-1") == []  # the caller's own account is untouched


def test_one_failing_target_does_not_stop_the_others(aws: Any) -> None:
    ssm = client(aws, "ssm", "eu-west-1")
    baseline = ssm.create_patch_baseline(
        Name="Other",
        OperatingSystem="AMAZON_LINUX_2",
        Tags=[{"Key": "ssm-patching-setup:setup", "Value": "someone-else"}],
    )["BaselineId"]
    ssm.register_patch_baseline_for_patch_group(
        BaselineId=baseline, PatchGroup="Week 1 Day 2 - Unattended - 03:00"
    )
    result = setup(aws.url, "--output", "json", *ONE_WINDOW, "-r", "us-east-1,eu-west-1")
    assert result.returncode == 4, result.stderr
    document = _json(result)
    assert document["summary"] == {
        "targets": 2,
        "succeeded": 1,
        "failed": 1,
        "resources": _changes(5),
    }
    assert document["error"] == {
        "message": "1 of 2 targets failed: each target's error says why",
        "exit_code": 4,
    }
    by_region = {t["region"]: t for t in document["targets"]}
    assert by_region["us-east-1"]["exit_code"] == 0
    assert by_region["eu-west-1"]["exit_code"] == 2
    assert "someone-else" in by_region["eu-west-1"]["error"]
    assert _window_names(aws, "us-east-1") == ["Week1Day2Unattended0300"]
    assert _window_names(aws, "eu-west-1") == []


def test_all_regions_dry_run_covers_every_ssm_region(aws: Any) -> None:
    result = setup(aws.url, "--output", "json", *ONE_WINDOW, "--all-regions", "--dry-run")
    assert result.returncode == 0, result.stderr
    regions = [t["region"] for t in _json(result)["targets"]]
    assert regions == boto3.session.Session().get_available_regions("ssm")
    assert _window_names(aws, "us-east-1") == []


def test_all_regions_of_the_roles_partition(aws: Any) -> None:
    """A China role with --all-regions covers the China regions (it once got the aws
    partition's, where its credentials are worthless); roles of two partitions cannot
    share one run."""
    china = "arn:aws-cn:iam::111111111111:role/patching"
    result = setup(
        aws.url, "--output", "json", *ONE_WINDOW, "--all-regions", "--role-arn", china, "--dry-run"
    )
    assert result.returncode == 0, result.stderr
    regions = [t["region"] for t in _json(result)["targets"]]
    assert regions == boto3.session.Session().get_available_regions("ssm", "aws-cn")
    mixed = setup(aws.url, "--all-regions", "--role-arn", china, "--role-arn", ROLES[0])
    assert_one_line_error(mixed, 2, "--all-regions", "aws-cn", "partition")
    # Without --all-regions, a region of another partition is refused by name.
    other = setup(aws.url, "--role-arn", china, "-r", "eu-west-1")
    assert_one_line_error(other, 2, "--role-arn", "aws-cn", "eu-west-1")


def test_bad_targets_are_bad_input(aws: Any, tmp_path: Any) -> None:
    assert_one_line_error(setup(aws.url, "--role-arn", "arn:aws:iam::1:user/x"), 2, "--role-arn")
    assert_one_line_error(setup(aws.url, "--all-regions", "-r", "us-east-1"), 2, "--all-regions")
    roles = tmp_path / "roles.txt"
    roles.write_text(f"# accounts\n{ROLES[0]}\nnot-an-arn\n")
    assert_one_line_error(setup(aws.url, "--role-arns-file", str(roles)), 2, "not-an-arn")


def test_service_role_in_several_regions_and_accounts_at_once(aws: Any) -> None:
    """IAM is global: one region per account makes the role, the others use it."""
    regions = ("-r", "us-east-1,eu-west-1,ap-south-1")
    accounts = ("--role-arn", ROLES[0], "--role-arn", ROLES[1])
    args = ("--output", "json", *ONE_WINDOW, "--create-service-role", *regions, *accounts)
    first = _json(setup(aws.url, *args))
    assert first["summary"] == {
        "targets": 6,
        "succeeded": 6,
        "failed": 0,
        "resources": {**_changes(32), "update": 4},
    }, first["summary"]
    made = [
        (t["target"], r["name"])
        for t in first["targets"]
        for r in t["resources"]
        if r["kind"] == "role" and r["action"] == "create"
    ]
    # One create per account, by the first region of each.
    assert made == [
        ("111111111111/us-east-1", "ssm-patching-setup-default"),
        ("222222222222/us-east-1", "ssm-patching-setup-default"),
    ]
    again = _json(setup(aws.url, *args))
    assert {k: again["summary"][k] for k in ("targets", "succeeded", "failed")} == {
        "targets": 6,
        "succeeded": 6,
        "failed": 0,
    }
    assert again["summary"]["resources"]["create"] == 0
    assert all(t["summary"]["create"] == t["summary"]["update"] == 0 for t in again["targets"])
