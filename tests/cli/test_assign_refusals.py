"""``assign``'s bad input (exit 2, one line, no AWS call at all), the nodes it will not tag
(unmanaged EC2 instances, IDs that do not exist) and a selection that matches nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.bad_input import Recorder, assert_bad_input, run_in_process
from tests.helpers.cli import REGION, assert_one_line_error, setup
from tests.helpers.endpoint import AwsEnv, client
from tests.helpers.fleet import ec2_instances, unmanaged_ec2_instances

GROUP = "Week 1 Day 2 - Unattended - 03:00"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--instance-id", "i-123", "--patch-group", GROUP), "not a managed node ID"),
        (("--instance-id", "mi-0123456789abcdef", "--patch-group", GROUP), "not a managed"),
        (("--instance-id", "i-0123456789abcdef0;", "--patch-group", GROUP), "not a managed"),
        (("--all", "--patch-group", "Week 9"), "not a patch group of this setup"),
        (("--all", "--patch-group", GROUP, "-w", "3"), "not a patch group of this setup"),
        (("--all",), "or --spread"),
        (
            ("--all", "--patch-group", GROUP, "--patch-group", GROUP.replace("03", "04")),
            "or --spread",
        ),
        (("--patch-group", GROUP), "choose the nodes"),
        (("--filter", "Environment", "--patch-group", GROUP), "KEY=VALUE"),
        (("--filter", "Env=a,b", "--patch-group", GROUP), "tag value"),
        (("--filter", "Env=a", "--filter", "Env=b", "--spread"), "given twice"),
        (("--platform", "solaris", "--spread"), "solaris"),
        (("--instances-file", "/dev/null", "--spread"), "not a regular file"),
        (("--all", "--spread", "--name", "a/b"), "--name"),
        (("--all", "--spread", "-w", "6"), "week"),
    ],
)
def test_bad_input_is_one_line_before_any_call(
    recorder: Recorder, args: tuple[str, ...], words: str
) -> None:
    full = ["assign", "-r", REGION, *args]
    outcome = run_in_process(recorder, full)
    assert_bad_input(outcome, full)
    assert words in outcome.stderr, outcome.stderr


def test_an_instances_file_of_comments_only_is_bad_input(
    recorder: Recorder, tmp_path: Path
) -> None:
    listed = tmp_path / "ids.txt"
    listed.write_text("# truncated by CI\n\n")
    full = ["assign", "-r", REGION, "--instances-file", str(listed), "--spread"]
    outcome = run_in_process(recorder, full)
    assert_bad_input(outcome, full)
    assert "names no instance ID" in outcome.stderr


def test_an_instances_file_selects_its_ids(aws: AwsEnv, tmp_path: Path) -> None:
    first, second, third = sorted(ec2_instances(aws, 3))
    listed = tmp_path / "ids.txt"
    listed.write_text(f"# web tier\n{first}\n{third}  # the other one\n")
    result = setup(
        aws.url, "assign", "-r", REGION, "--instances-file", str(listed), "--patch-group", GROUP,
        "--dry-run",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"+ tag  instance  {first}" in result.stdout
    assert f"+ tag  instance  {third}" in result.stdout
    assert second not in result.stdout


def test_an_unmanaged_ec2_instance_is_refused(aws: AwsEnv) -> None:
    (unmanaged,) = unmanaged_ec2_instances(aws, 1)
    (managed,) = ec2_instances(aws, 1)
    result = setup(
        aws.url, "assign", "-r", REGION, "--instance-id", managed, "--instance-id", unmanaged,
        "--patch-group", GROUP,
    )  # fmt: skip
    assert_one_line_error(
        result, 2, f"--instance-id: {unmanaged}: an EC2 instance in {REGION} that SSM does not "
        "manage (state running; no SSM Agent registered): tagging it would not get it patched",
    )  # fmt: skip


def test_a_stopped_instance_is_refused_saying_why(aws: AwsEnv) -> None:
    (stopped,) = unmanaged_ec2_instances(aws, 1)
    client(aws, "ec2").stop_instances(InstanceIds=[stopped])
    result = setup(aws.url, "assign", "-r", REGION, "--instance-id", stopped, "--spread")
    assert_one_line_error(result, 2, f"{stopped}: an EC2 instance", "SSM lists running nodes only")


def test_an_unknown_id_is_refused(aws: AwsEnv) -> None:
    ec2_instances(aws, 1)
    result = setup(
        aws.url, "assign", "-r", REGION, "--instance-id", "i-0123456789abcdef0",
        "--instance-id", "mi-0123456789abcdef0", "--patch-group", GROUP,
    )  # fmt: skip
    assert_one_line_error(
        result,
        2,
        f"--instance-id: i-0123456789abcdef0, mi-0123456789abcdef0: no such instance in {REGION}",
    )


def test_a_selection_that_matches_nothing_says_so_and_exits_0(aws: AwsEnv) -> None:
    (linux,) = ec2_instances(aws, 1, tags={"Environment": "prod"})
    for args in (
        ("--filter", "Environment=test"),
        # A managed node that the platform filter leaves out is no error.
        ("--instance-id", linux, "--platform", "windows"),
    ):
        result = setup(aws.url, "assign", "-r", REGION, *args, "--patch-group", GROUP)
        assert result.returncode == 0, result.stderr
        assert result.stderr == (
            f"warning: {REGION}: no managed node matches the selection: nothing to assign\n"
        )
        assert result.stdout.splitlines()[-1] == "Result: 0 tagged, 0 moved, 0 unchanged"
