"""The service role is global, windows are regional: a region lets go of the role, and
only the last region that used it deletes it (issue 9, item 3).

Every region that runs setup with the role tags it ``ssm-patching-setup:region:<region>``;
cleanup and a setup without the role remove their region's tag and delete the role only
when no other region's tag is left. IAM is global in the local endpoint as in AWS, and
regions are separate, so a multi-region run here is the real thing.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from patchsetup.model import OWNER_TAG, ROLE_PATH
from tests.helpers.account import window_names, windows
from tests.helpers.cli import ONE_WINDOW, cleanup, ok_json, setup
from tests.helpers.endpoint import client

ROLE = "ssm-patching-setup-default"
JSON = ("--output", "json")
WITH_ROLE = (*JSON, *ONE_WINDOW, "--create-service-role")


def region_tag(region: str) -> str:
    return f"ssm-patching-setup:region:{region}"


def role_tags(aws: Any, name: str = ROLE) -> dict[str, str] | None:
    """The role's tags, or None when there is no such role."""
    iam = client(aws, "iam")
    try:
        found = iam.list_role_tags(RoleName=name)["Tags"]
    except iam.exceptions.NoSuchEntityException:
        return None
    return {t["Key"]: t["Value"] for t in found}


def task_role_arns(aws: Any, region: str) -> set[str]:
    arns = set()
    for window in windows(client(aws, "ssm", region)).values():
        for task in window["Tasks"]:
            arns.add(task.get("ServiceRoleArn"))
    return arns


def _targets(report: dict[str, Any]) -> dict[str, int]:
    """How many targets a report has, and how many of them succeeded or failed."""
    return {k: report["summary"][k] for k in ("targets", "succeeded", "failed")}


def role_changes(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The role entries of a report, of every target."""
    return [
        {**r, "target": t["target"]}
        for t in report["targets"]
        for r in t["resources"]
        if r["kind"] == "role"
    ]


def test_cleanup_of_one_region_keeps_the_role_the_other_region_uses(aws: Any) -> None:
    made = ok_json(setup(aws.url, *WITH_ROLE, "-r", "us-east-1,eu-west-1"))
    assert made["summary"]["failed"] == 0
    assert role_tags(aws) == {
        OWNER_TAG: "default",
        region_tag("us-east-1"): "true",
        region_tag("eu-west-1"): "true",
    }

    report = ok_json(cleanup(aws.url, *JSON, "-r", "eu-west-1", "--yes"))
    [change] = role_changes(report)
    assert (change["action"], change["status"]) == ("update", "done")
    assert change["note"] == "kept: still used in us-east-1"
    assert role_tags(aws) == {OWNER_TAG: "default", region_tag("us-east-1"): "true"}
    arn = client(aws, "iam").get_role(RoleName=ROLE)["Role"]["Arn"]
    assert task_role_arns(aws, "us-east-1") == {arn}  # still runs with a role that exists
    assert task_role_arns(aws, "eu-west-1") == set()

    text = cleanup(aws.url, "-r", "eu-west-1", "--yes")
    assert text.returncode == 0, text.stderr
    assert "kept: still used in us-east-1" in text.stdout  # said again, nothing to write

    last = ok_json(cleanup(aws.url, *JSON, "-r", "us-east-1", "--yes"))
    assert [(c["action"], c["status"]) for c in role_changes(last)] == [("delete", "done")]
    assert role_tags(aws) is None


@pytest.mark.parametrize("concurrency", ["8", "1"])
def test_cleanup_of_every_region_in_one_run_deletes_the_role_once(
    aws: Any, concurrency: str
) -> None:
    """The last region waits for the others (one target at a time too: no deadlock)."""
    regions = ("-r", "us-east-1,eu-west-1,ap-south-1")
    ok_json(setup(aws.url, *WITH_ROLE, *regions))
    result = cleanup(aws.url, *JSON, *regions, "--yes", "--concurrency", concurrency)
    report = ok_json(result)
    assert _targets(report) == {"targets": 3, "succeeded": 3, "failed": 0}
    deletes = [c for c in role_changes(report) if c["action"] == "delete"]
    assert [(c["target"], c["status"]) for c in deletes] == [("ap-south-1", "done")]
    released = sorted(c["target"] for c in role_changes(report) if c["action"] == "update")
    assert released == ["eu-west-1", "us-east-1"]
    assert role_tags(aws) is None
    for region in ("us-east-1", "eu-west-1", "ap-south-1"):
        assert window_names(client(aws, "ssm", region)) == []


def test_setup_of_a_second_region_without_the_role_keeps_it(aws: Any) -> None:
    ok_json(setup(aws.url, *WITH_ROLE, "-r", "us-east-1"))
    arn = client(aws, "iam").get_role(RoleName=ROLE)["Role"]["Arn"]

    second = ok_json(setup(aws.url, *JSON, *ONE_WINDOW, "-r", "eu-west-1"))
    [change] = role_changes(second)
    assert (change["action"], change["note"]) == ("unchanged", "kept: still used in us-east-1")
    assert second["summary"]["resources"]["delete"] == 0
    assert role_tags(aws) == {OWNER_TAG: "default", region_tag("us-east-1"): "true"}
    assert task_role_arns(aws, "us-east-1") == {arn}
    # Converged: the role-less region's re-run writes nothing at all.
    again = ok_json(setup(aws.url, *JSON, *ONE_WINDOW, "-r", "eu-west-1"))
    assert {r["status"] for r in again["targets"][0]["resources"]} == {"unchanged"}

    # Dropping the role everywhere in one run: deleted once, after the tasks let go of it.
    dropped = ok_json(setup(aws.url, *JSON, *ONE_WINDOW, "-r", "us-east-1,eu-west-1", "--yes"))
    assert dropped["summary"]["failed"] == 0
    assert [c["action"] for c in role_changes(dropped) if c["target"] == "us-east-1"] == ["delete"]
    assert role_tags(aws) is None
    assert task_role_arns(aws, "us-east-1") == {None}


def test_a_region_joining_tags_the_role_and_a_converged_run_writes_nothing(aws: Any) -> None:
    ok_json(setup(aws.url, *WITH_ROLE, "-r", "us-east-1"))
    joined = ok_json(setup(aws.url, *WITH_ROLE, "-r", "eu-west-1"))
    [change] = role_changes(joined)
    assert change["action"] == "update"
    assert change["changes"] == [
        {"field": f"Tag {region_tag('eu-west-1')}", "old": None, "new": "true"}
    ]
    assert set(role_tags(aws) or {}) == {
        OWNER_TAG,
        region_tag("us-east-1"),
        region_tag("eu-west-1"),
    }
    for region in ("us-east-1", "eu-west-1"):
        again = ok_json(setup(aws.url, *WITH_ROLE, "-r", region))
        assert {r["status"] for r in again["targets"][0]["resources"]} == {"unchanged"}, region


def test_a_role_of_the_previous_version_without_region_tags(aws: Any) -> None:
    """No region tags: cleanup deletes it as before; a setup run adds its region's tag."""
    ok_json(setup(aws.url, *WITH_ROLE, "-r", "us-east-1"))
    ok_json(setup(aws.url, *WITH_ROLE, "-r", "eu-west-1"))
    iam = client(aws, "iam")
    iam.untag_role(RoleName=ROLE, TagKeys=[region_tag("us-east-1"), region_tag("eu-west-1")])
    assert role_tags(aws) == {OWNER_TAG: "default"}

    tagged = ok_json(setup(aws.url, *WITH_ROLE, "-r", "eu-west-1"))
    assert [c["action"] for c in role_changes(tagged)] == ["update"]
    assert role_tags(aws) == {OWNER_TAG: "default", region_tag("eu-west-1"): "true"}

    iam.untag_role(RoleName=ROLE, TagKeys=[region_tag("eu-west-1")])
    report = ok_json(cleanup(aws.url, *JSON, "-r", "us-east-1", "--yes"))
    assert [c["action"] for c in role_changes(report)] == ["delete"]
    assert role_tags(aws) is None


def test_two_role_arns_into_one_account_make_the_role_once(aws: Any) -> None:
    """The first-region-first wave is per account, not per role ARN."""
    arns = ("arn:aws:iam::333333333333:role/ops/a", "arn:aws:iam::333333333333:role/ops/b")
    args = (*WITH_ROLE, "-r", "us-east-1", "--role-arn", arns[0], "--role-arn", arns[1])
    report = ok_json(setup(aws.url, *args))
    assert _targets(report) == {"targets": 2, "succeeded": 2, "failed": 0}
    made = [(c["target"], c["action"]) for c in role_changes(report)]
    assert made == [("333333333333/us-east-1", "create"), ("333333333333/us-east-1", "unchanged")]
    # Both ARNs reached the same account: the local STS gives the ARN's account.
    for arn in arns:
        sts = client(aws, "sts")
        creds = sts.assume_role(RoleArn=arn, RoleSessionName="check")["Credentials"]
        iam = boto3.session.Session().client(
            "iam",
            region_name="us-east-1",
            endpoint_url=aws.url,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        role = iam.get_role(RoleName=ROLE)["Role"]
        assert role["Arn"] == f"arn:aws:iam::333333333333:role{ROLE_PATH}{ROLE}"
    gone = ok_json(cleanup(aws.url, *JSON, "-r", "us-east-1", *_roles(arns), "--yes"))
    assert [(c["target"], c["action"]) for c in role_changes(gone)] == [
        ("333333333333/us-east-1", "delete")
    ]


def _roles(arns: tuple[str, ...]) -> list[str]:
    return [part for arn in arns for part in ("--role-arn", arn)]


def _pass_role_resources(aws: Any, name: str = ROLE) -> Any:
    document = client(aws, "iam").get_role_policy(RoleName=name, PolicyName="maintenance-window")
    policy = document["PolicyDocument"]
    if isinstance(policy, str):
        policy = json.loads(policy)
    passing = ("iam:PassRole", ["iam:PassRole"])
    [statement] = [s for s in policy["Statement"] if s["Action"] in passing]
    assert statement["Condition"] == {
        "StringEquals": {"iam:PassedToService": ["ssm.amazonaws.com"]}
    }
    return statement["Resource"]


def test_the_role_may_pass_itself_and_the_notification_roles_only(aws: Any, tmp_path: Any) -> None:
    ok_json(setup(aws.url, *WITH_ROLE, "-r", "us-east-1"))
    arn = client(aws, "iam").get_role(RoleName=ROLE)["Role"]["Arn"]
    assert _pass_role_resources(aws) in (arn, [arn])

    notify = "arn:aws:iam::123456789012:role/sns-notify"
    path = tmp_path / "patching.toml"
    path.write_text(
        'name = "notify"\n[service_role]\ncreate = true\n'
        '[windows.Nightly]\nschedule = "cron(0 2 ? * * *)"\n'
        '[[windows.Nightly.targets]]\nname = "all"\npatch_group = "nightly"\n'
        '[[windows.Nightly.tasks]]\nname = "patch"\nservice_role = "create"\n'
        'notifications = { topic_arn = "arn:aws:sns:us-east-1:123456789012:t", '
        f'events = ["All"], type = "Command", role = "{notify}" }}\n'
    )
    ok_json(setup(aws.url, *JSON, "--config", str(path)))
    own = client(aws, "iam").get_role(RoleName="ssm-patching-setup-notify")["Role"]["Arn"]
    assert sorted(_pass_role_resources(aws, "ssm-patching-setup-notify")) == sorted([own, notify])
    again = ok_json(setup(aws.url, *JSON, "--config", str(path)))
    assert {r["status"] for r in again["targets"][0]["resources"]} == {"unchanged"}
