"""The service role (issue 9, item 3): least privilege for what it may pass."""

from __future__ import annotations

import json
from typing import Any

from clihelp import ok_json, setup
from conftest import client
from test_setup_cli import ONE_WINDOW

ROLE = "ssm-patching-setup-default"
JSON = ("--output", "json")
WITH_ROLE = (*JSON, *ONE_WINDOW, "--create-service-role")


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
    assert {r["status"] for r in again["resources"]} == {"unchanged"}
