"""Whole organizations: --org (with --ou, --role-name, --exclude-account) lists the
accounts with AWS Organizations and runs the command in each, as --role-arn does."""

from __future__ import annotations

from typing import Any

from tests.helpers.account import window_names
from tests.helpers.cli import (
    JSON,
    ONE_WINDOW,
    assert_one_line_error,
    cleanup,
    cli_env,
    json_report,
    ok_json,
    run,
    setup,
)
from tests.helpers.oldtool import make_window, old_tool_setup
from tests.helpers.org import MANAGEMENT, make_org, member_client

OWNER_TAG = "ssm-patching-setup:setup"


def _accounts(document: dict[str, Any]) -> list[str | None]:
    return [t["account"] for t in document["targets"]]


def _windows(aws: Any, account: str, region: str = "us-east-1") -> list[str]:
    return window_names(member_client(aws, account, region=region))


def test_status_of_an_ou_reaches_exactly_its_accounts_and_its_child_ous(aws: Any) -> None:
    org = make_org(aws)
    result = run(aws.url, "ssm-patching-setup", "status", *JSON, "--org", "--ou", org.prod)
    document = ok_json(result)
    # a in prod, b in prod/eu; not c (dev), d (root), nor the management account.
    assert _accounts(document) == sorted([org["a"], org["b"]])
    assert [t["target"] for t in document["targets"]] == [
        f"{account}/us-east-1" for account in sorted([org["a"], org["b"]])
    ]
    # The closed account of prod is skipped and reported, and does not fail the run.
    assert document["skipped"] == [
        {"account": org["closed"], "name": "closed", "state": "SUSPENDED"}
    ]
    assert result.stderr == f"warning: --org: skipped account {org['closed']} (closed): SUSPENDED\n"
    # Two OUs that overlap (eu is under prod): each account once.
    both = ok_json(
        run(aws.url, "ssm-patching-setup", "status", *JSON, "--org", "--ou", f"{org.eu},{org.prod}")
    )
    assert _accounts(both) == sorted([org["a"], org["b"]])
    dev = ok_json(run(aws.url, "ssm-patching-setup", "status", *JSON, "--org", "--ou", org.dev))
    assert _accounts(dev) == [org["c"]] and dev["skipped"] == []


def test_apply_in_an_ou_creates_the_setup_in_each_member_and_nowhere_else(aws: Any) -> None:
    org = make_org(aws)
    document = ok_json(setup(aws.url, *JSON, *ONE_WINDOW, "--org", "--ou", org.prod))
    assert _accounts(document) == sorted([org["a"], org["b"]])
    assert document["summary"]["resources"]["create"] == 10
    for name in ("a", "b"):
        assert _windows(aws, org[name]) == ["Week1Day2Unattended0300"]
    for name in ("c", "d", "closed"):
        assert _windows(aws, org[name]) == []
    assert _windows(aws, MANAGEMENT) == []
    # Again: converged, nothing written anywhere.
    again = ok_json(setup(aws.url, *JSON, *ONE_WINDOW, "--org", "--ou", org.prod))
    assert again["summary"]["resources"]["create"] == 0
    assert again["summary"]["resources"]["unchanged"] == 10
    # cleanup --org removes it from the same accounts.
    gone = ok_json(cleanup(aws.url, *JSON, "--org", "--ou", org.prod, "--yes"))
    assert [t["summary"]["delete"] for t in gone["targets"]] == [4, 4]
    assert all(_windows(aws, org[name]) == [] for name in ("a", "b"))


def test_the_whole_org_includes_the_management_account_with_its_own_credentials(
    aws: Any,
) -> None:
    """AWS creates no OrganizationAccountAccessRole in the management account: the caller's
    own account runs with the caller's credentials; every other through the role."""
    org = make_org(aws)
    result = setup(aws.url, *JSON, *ONE_WINDOW, "--org", "--exclude-account", org["c"])
    document = ok_json(result)
    assert _accounts(document) == sorted([MANAGEMENT, org["a"], org["b"], org["d"]])
    assert _windows(aws, MANAGEMENT) == ["Week1Day2Unattended0300"]
    for name in ("a", "b", "d"):
        assert _windows(aws, org[name]) == ["Week1Day2Unattended0300"]
    assert _windows(aws, org["c"]) == []  # excluded
    assert document["skipped"] == [
        {"account": org["closed"], "name": "closed", "state": "SUSPENDED"}
    ]
    assert document["warnings"] == []
    # An excluded account the organization does not have: a warning, not a failure.
    stray = "999999999999"
    status = run(
        aws.url, "ssm-patching-setup", "status", *JSON, "--org", "--exclude-account", stray
    )
    said = f"--exclude-account {stray}: no such account in the organization: nothing to exclude"
    assert ok_json(status)["warnings"] == [said]
    assert f"warning: {said}\n" in status.stderr
    assert _accounts(ok_json(status)) == sorted([MANAGEMENT, *(org[n] for n in "abcd")])


def test_members_that_hold_the_old_tools_windows_and_another_setup(aws: Any) -> None:
    """What the tool does not own in a member account it leaves alone, setup and cleanup."""
    org = make_org(aws)
    ssm = member_client(aws, org["a"])
    old = old_tool_setup(ssm, weeks=(2,), days=(3,), hours=(4,))
    by_hand = make_window(ssm, "ops-backup", "AWS-RunShellScript")
    other_role = f"arn:aws:iam::{org['a']}:role/OrganizationAccountAccessRole"
    other = setup(
        aws.url, *JSON, "-w", "3", "-d", "4", "-t", "5", "--name", "other", "--role-arn", other_role
    )
    ok_json(other)
    before = sorted(window_names(ssm))
    assert before == ["Week2Day3Unattended0400", "Week3Day4Unattended0500", "ops-backup"]

    ok_json(setup(aws.url, *JSON, *ONE_WINDOW, "--org", "--ou", org.prod))
    assert sorted(window_names(ssm)) == sorted([*before, "Week1Day2Unattended0300"])
    ok_json(cleanup(aws.url, *JSON, "--org", "--ou", org.prod, "--yes"))
    assert sorted(window_names(ssm)) == before
    assert ssm.get_maintenance_window(WindowId=old["windows"]["Week2Day3Unattended0400"]["id"])
    assert ssm.get_maintenance_window(WindowId=by_hand)["Name"] == "ops-backup"
    assert ssm.get_patch_baseline(BaselineId=old["baseline"])["Name"] == "Windows-0day-Important"
    tagged = ssm.describe_maintenance_windows()["WindowIdentities"]
    others = [w["Name"] for w in tagged if w["Name"] == "Week3Day4Unattended0500"]
    assert others == ["Week3Day4Unattended0500"]
    # status --name other still sees its window there.
    mine = ok_json(
        run(
            aws.url,
            "ssm-patching-setup",
            "status",
            *JSON,
            "--org",
            "--ou",
            org.prod,
            "--name",
            "other",
        )
    )
    windows = {t["account"]: [w["name"] for w in t["windows"]] for t in mine["targets"]}
    assert windows == {org["a"]: ["Week3Day4Unattended0500"], org["b"]: []}


def test_two_regions_of_each_member(aws: Any) -> None:
    org = make_org(aws)
    regions = ("-r", "us-east-1,eu-west-1")
    document = ok_json(setup(aws.url, *JSON, *ONE_WINDOW, *regions, "--org", "--ou", org.eu))
    assert [t["target"] for t in document["targets"]] == [
        f"{org['b']}/eu-west-1",
        f"{org['b']}/us-east-1",
    ]
    for region in ("us-east-1", "eu-west-1"):
        assert _windows(aws, org["b"], region) == ["Week1Day2Unattended0300"]
        assert _windows(aws, org["a"], region) == []


def test_bad_org_options_are_bad_input_before_any_call(aws: Any) -> None:
    # Nothing listens on port 9: any AWS call would fail with exit 1, not 2.
    env = cli_env("http://127.0.0.1:9")
    role = "arn:aws:iam::111111111111:role/PatchingBootstrap"
    cases = [
        (("--ou", "ou-ab12-cdef3456"), "--ou", "only with --org"),
        (("--role-name", "Ops"), "--role-name", "only with --org"),
        (("--exclude-account", "111111111111"), "--exclude-account", "only with --org"),
        (("--org", "--role-arn", role), "--org", "--role-arn"),
        (("--org", "--ou", "ou-AB12-cdef3456"), "--ou", "'ou-AB12-cdef3456'"),
        (("--org", "--ou", "r-ab"), "--ou", "'r-ab'"),
        (("--org", "--ou", "ou-ab12-cdef3456,"), "--ou", "''"),
        (("--org", "--exclude-account", "12345"), "--exclude-account", "'12345'"),
        (("--org", "--role-name", "bad name"), "--role-name", "'bad name'"),
        (("--org", "--role-name", "x" * 65), "--role-name", "IAM role name"),
    ]
    for args, *words in cases:
        for command in ((), ("status",), ("cleanup", "--yes")):
            result = setup(aws.url, *command, *args, env=env)
            assert_one_line_error(result, 2, *words)
    # A path before the name is allowed (the role ARN is role/PATH/NAME).
    org = make_org(aws)
    fine = ok_json(
        run(
            aws.url,
            "ssm-patching-setup",
            "status",
            *JSON,
            "--org",
            "--ou",
            org.dev,
            "--role-name",
            "ops/Patching",
        )
    )
    assert _accounts(fine) == [org["c"]]


def test_not_in_an_organization_is_one_line_and_nothing_written(aws: Any) -> None:
    for command in ((), ("status",), ("cleanup", "--yes")):
        result = setup(aws.url, *command, "--org")
        assert_one_line_error(
            result, 1, "--org", "not in an organization", "AWSOrganizationsNotInUse"
        )
    assert _windows(aws, MANAGEMENT) == []
    document = json_report(setup(aws.url, *JSON, *ONE_WINDOW, "--org"))
    assert document["targets"] == [] and document["error"]["exit_code"] == 1


def test_an_ou_that_does_not_exist_is_bad_input(aws: Any) -> None:
    org = make_org(aws)
    missing = "ou-zzzz-12345678"
    result = setup(aws.url, *ONE_WINDOW, "--org", "--ou", f"{org.prod},{missing}")
    assert_one_line_error(result, 2, "--ou", missing, "ParentNotFoundException")
    assert all(_windows(aws, org[name]) == [] for name in ("a", "b"))


def test_a_selection_that_leaves_no_account_is_bad_input(aws: Any) -> None:
    org = make_org(aws)
    for args, left in (
        (("--ou", org.dev, "--exclude-account", org["c"]), "(0 not active, 1 excluded)"),
        (
            ("--ou", f"{org.eu},{org.prod}", "--exclude-account", f"{org['a']},{org['b']}"),
            "(1 not active, 2 excluded)",
        ),
    ):
        result = setup(aws.url, *ONE_WINDOW, "--org", *args)
        assert_one_line_error(result, 2, "--org: no account to run in under --ou", left)
    assert all(_windows(aws, org[name]) == [] for name in ("a", "b", "c"))


def test_an_ou_of_more_accounts_than_one_page(aws: Any) -> None:
    """ListAccountsForParent answers 20 accounts a page here: all 21 are reached, once."""
    make_org(aws)
    organizations = member_client(aws, MANAGEMENT, "organizations")
    root = organizations.list_roots()["Roots"][0]["Id"]
    fleet = organizations.create_organizational_unit(ParentId=root, Name="fleet")
    ou = fleet["OrganizationalUnit"]["Id"]
    made = []
    for n in range(21):
        status = organizations.create_account(AccountName=f"f{n}", Email=f"f{n}@example.com")
        account = status["CreateAccountStatus"]["AccountId"]
        organizations.move_account(AccountId=account, SourceParentId=root, DestinationParentId=ou)
        made.append(account)
    first = organizations.list_accounts_for_parent(ParentId=ou)
    assert len(first["Accounts"]) == 20 and first.get("NextToken")  # paged indeed
    document = ok_json(run(aws.url, "ssm-patching-setup", "status", *JSON, "--org", "--ou", ou))
    assert _accounts(document) == sorted(made)


def test_calendar_of_an_ou_shows_exactly_its_accounts_windows(aws: Any) -> None:
    org = make_org(aws)
    ok_json(setup(aws.url, *JSON, *ONE_WINDOW, "--org"))  # every active account
    result = run(
        aws.url,
        "ssm-patching-setup",
        "calendar",
        "--format",
        "ics",
        "--start",
        "2027-01-01",
        "--org",
        "--ou",
        org.prod,
    )
    assert result.returncode == 0, result.stderr
    locations = sorted(
        {
            line.split(":", 1)[1]
            for line in result.stdout.splitlines()
            if line.startswith("LOCATION:")
        }
    )
    assert locations == sorted(f"{org[a]}/us-east-1" for a in ("a", "b"))
    assert result.stderr == f"warning: --org: skipped account {org['closed']} (closed): SUSPENDED\n"
    # From a config, --org reads what is deployed: one or the other.
    offline = run(aws.url, "ssm-patching-setup", "calendar", *ONE_WINDOW, "--org")
    assert_one_line_error(offline, 2, "--org")
