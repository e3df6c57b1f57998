"""``assign``: a fleet of EC2 instances and hybrid nodes into the setup's patch groups.

Through the real CLI against the local endpoint (tests/helpers/fleet.py seeds the nodes):
the 8 default patch groups spread evenly, seed 004's batches by platform, a re-run that
writes nothing, batching, dry-run, other tags and other regions untouched.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from tests.helpers.cli import DEFAULT_WINDOWS, JSON, REGION, setup, target_json
from tests.helpers.endpoint import AwsEnv, client
from tests.helpers.fleet import ec2_instances, hybrid_nodes
from tests.helpers.paths import EXAMPLES

GROUPS = sorted(group for _, group in DEFAULT_WINDOWS.values())
KEY = "Patch Group"
SEED004 = str(EXAMPLES / "seed004-test-prod-batches.toml")


def tags_of(aws: AwsEnv, ids: list[str], region: str = REGION) -> dict[str, dict[str, str]]:
    """Every tag of each node: EC2's for i-, SSM's for mi-."""
    found: dict[str, dict[str, str]] = {i: {} for i in ids}
    ec2_ids = [i for i in ids if i.startswith("i-")]
    if ec2_ids:
        pages = client(aws, "ec2", region).get_paginator("describe_tags")
        for page in pages.paginate(Filters=[{"Name": "resource-id", "Values": ec2_ids}]):
            for tag in page["Tags"]:
                found[tag["ResourceId"]][tag["Key"]] = tag["Value"]
    ssm = client(aws, "ssm", region)
    for node in (i for i in ids if i.startswith("mi-")):
        listed = ssm.list_tags_for_resource(ResourceType="ManagedInstance", ResourceId=node)
        found[node] = {t["Key"]: t["Value"] for t in listed["TagList"]}
    return found


def groups_of(aws: AwsEnv, ids: list[str], region: str = REGION) -> dict[str, str | None]:
    return {i: t.get(KEY) for i, t in tags_of(aws, ids, region).items()}


def assign(aws: AwsEnv, *args: str) -> Any:
    return setup(aws.url, "assign", "-r", REGION, *args)


def test_a_mixed_fleet_spreads_evenly_over_the_8_default_groups_and_a_rerun_writes_nothing(
    aws: AwsEnv,
) -> None:
    fleet = [
        *ec2_instances(aws, 7, tags={"Environment": "prod"}),
        *ec2_instances(aws, 5, platform="Windows", tags={"Environment": "prod"}),
        *hybrid_nodes(aws, 3, tags={"Environment": "prod"}),
        *hybrid_nodes(aws, 2, platform="Windows", tags={"Environment": "prod"}),
    ]
    first = assign(aws, "--all", "--spread", "-l", "INFO", *JSON)
    target = target_json(first)
    assert target["summary"]["create"] == 17 and target["summary"]["unchanged"] == 0
    assert {r["kind"] for r in target["resources"]} == {"instance"}
    found = groups_of(aws, fleet)
    counts = Counter(found.values())
    assert set(counts) == set(GROUPS)
    assert sorted(counts.values()) == [2, 2, 2, 2, 2, 2, 2, 3]
    # Round robin over sorted IDs: the first 8 in order get the 8 groups in order.
    assert [found[i] for i in sorted(fleet)[:8]] == GROUPS
    # EC2 in bulk (one CreateTags per patch group), hybrid nodes one call each.
    calls = [line.split()[3] for line in first.stderr.splitlines() if line.startswith("INFO")]
    assert Counter(calls) == {"create_tags": len({found[i] for i in fleet if i[:2] == "i-"}),
                              "add_tags_to_resource": 5}  # fmt: skip
    # Other tags stay.
    assert all(t["Environment"] == "prod" for t in tags_of(aws, fleet).values())

    again = target_json(assign(aws, "--all", "--spread", "-l", "INFO", *JSON))
    assert again["summary"] == {**target["summary"], "create": 0, "unchanged": 17}
    assert groups_of(aws, fleet) == found


def test_seed004_linux_in_batch_1_windows_in_batch_2_for_test_and_prod(aws: AwsEnv) -> None:
    linux_test = ec2_instances(aws, 3, tags={"Environment": "test"})
    linux_prod = [
        *ec2_instances(aws, 2, tags={"Environment": "prod"}),
        *hybrid_nodes(aws, 1, tags={"Environment": "prod"}),
    ]
    windows_test = hybrid_nodes(aws, 2, platform="Windows", tags={"Environment": "test"})
    windows_prod = ec2_instances(aws, 2, platform="Windows", tags={"Environment": "prod"})
    for env in ("test", "prod"):
        for platform, batch in (("linux", 1), ("windows", 2)):
            result = assign(
                aws,
                "--config",
                SEED004,
                "--filter",
                f"Environment={env}",
                "--platform",
                platform,
                "--patch-group",
                f"patch_{env}_0600_batch_{batch}",
            )
            assert result.returncode == 0, result.stderr
    found = tags_of(aws, linux_test + linux_prod + windows_test + windows_prod)
    expected = {
        **{i: ("test", "patch_test_0600_batch_1") for i in linux_test},
        **{i: ("prod", "patch_prod_0600_batch_1") for i in linux_prod},
        **{i: ("test", "patch_test_0600_batch_2") for i in windows_test},
        **{i: ("prod", "patch_prod_0600_batch_2") for i in windows_prod},
    }
    assert found == {i: {"Environment": e, KEY: g} for i, (e, g) in expected.items()}


def test_dry_run_shows_the_plan_and_writes_nothing(aws: AwsEnv) -> None:
    ids = sorted(ec2_instances(aws, 2))
    result = assign(aws, "--all", "--patch-group", GROUPS[0], "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"assign: setup 'default' in {REGION} (dry run: nothing will be written)",
        "",
        f"+ tag  instance  {ids[0]}",
        f"      Patch Group: null -> {GROUPS[0]!r}",
        f"+ tag  instance  {ids[1]}",
        f"      Patch Group: null -> {GROUPS[0]!r}",
        "",
        "Plan: 2 to tag, 0 to move, 0 unchanged",
    ]
    assert groups_of(aws, ids) == dict.fromkeys(ids)


def test_another_regions_nodes_are_untouched(aws: AwsEnv) -> None:
    here = ec2_instances(aws, 2) + hybrid_nodes(aws, 1)
    there = ec2_instances(aws, 2, region="eu-west-1") + hybrid_nodes(aws, 1, region="eu-west-1")
    target = target_json(assign(aws, "--all", "--spread", *JSON))
    assert sorted(r["name"] for r in target["resources"]) == sorted(here)
    assert all(groups_of(aws, here).values())
    assert groups_of(aws, there, "eu-west-1") == dict.fromkeys(there)


def test_the_patch_group_key_of_the_config_is_the_tag_written(aws: AwsEnv, tmp_path: Any) -> None:
    config = tmp_path / "keyed.toml"
    config.write_text(
        'name = "keyed"\n[defaults]\npatch_group_key = "PatchGroup"\n'
        '[baselines.al2]\noperating_system = "AMAZON_LINUX_2"\npatch_groups = ["web"]\n'
        '[windows.weekly]\nweek = 1\nday = "TUE"\ntime = "03:00"\n'
        '[[windows.weekly.targets]]\nname = "web"\npatch_group = "web"\n'
        '[[windows.weekly.tasks]]\nname = "patch"\ntargets = ["web"]\n'
    )
    ids = ec2_instances(aws, 1) + hybrid_nodes(aws, 1)
    result = assign(aws, "--config", str(config), "--all", "--patch-group", "web")
    assert result.returncode == 0, result.stderr
    assert tags_of(aws, ids) == {i: {"PatchGroup": "web"} for i in ids}


def test_regions_and_accounts_fan_out_each_with_its_own_nodes(aws: AwsEnv) -> None:
    role = "arn:aws:iam::111111111111:role/PatchingBootstrap"
    here = ec2_instances(aws, 2)
    there = hybrid_nodes(aws, 2, region="eu-west-1")
    theirs = ec2_instances(aws, 2, account="111111111111")
    both = ("-r", f"{REGION},eu-west-1", "--all", "--spread")
    mine = setup(aws.url, "assign", *both)
    assert mine.returncode == 0, mine.stderr
    assert mine.stdout.splitlines() == [
        "TARGET     RESULT   TAG  MOVE  UNCHANGED  ERROR",
        "eu-west-1  ok         2     0          0",
        f"{REGION}  ok         2     0          0",
        "",
        "2 targets: 2 ok, 0 failed. Result: 4 tagged, 0 moved, 0 unchanged",
    ]
    assert all(groups_of(aws, here).values()) and all(groups_of(aws, there, "eu-west-1").values())
    other = target_json(setup(aws.url, "assign", "-r", REGION, "--role-arn", role, "--all",
                              "--spread", *JSON))  # fmt: skip
    assert other["account"] == "111111111111"
    assert sorted(r["name"] for r in other["resources"]) == sorted(theirs)


def test_detailed_exitcode_and_verbose_list_the_unchanged(aws: AwsEnv) -> None:
    ids = sorted(ec2_instances(aws, 2))
    args = ("--all", "--patch-group", GROUPS[1], "--detailed-exitcode")
    assert assign(aws, *args, "--dry-run").returncode == 5
    assert assign(aws, *args).returncode == 5
    again = assign(aws, *args, "-v")
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[2:] == [
        f"  unchanged  instance  {ids[0]}",
        f"  unchanged  instance  {ids[1]}",
        "",
        "Result: 0 tagged, 0 moved, 2 unchanged",
    ]


def test_a_write_that_fails_half_way_is_finished_by_the_next_run(aws: AwsEnv) -> None:
    from tests.helpers.proxy import start_fault_proxy
    from tools import launch

    nodes = sorted(ec2_instances(aws, 3))
    proxy = start_fault_proxy(aws.url)
    try:
        proxy.fail_write(3, "error")  # the lock, CreateTags of group 1, then group 2's
        chosen = [arg for group in GROUPS[:3] for arg in ("--patch-group", group)]
        args = ("assign", "-r", REGION, "--all", "--spread", *chosen, "--concurrency", "1")
        failed = setup(proxy.url, *args)
        assert proxy.stats()["write_ops"][1:3] == ["ec2:CreateTags", "ec2:CreateTags"]
    finally:
        assert launch.stop(proxy) is None
    assert failed.returncode == 4, failed.stderr
    assert "1 of 3 changes were made before it; run again to finish" in failed.stderr
    assert groups_of(aws, nodes) == {nodes[0]: GROUPS[0], nodes[1]: None, nodes[2]: None}
    finished = target_json(setup(aws.url, *args, *JSON))
    assert (finished["summary"]["create"], finished["summary"]["unchanged"]) == (2, 1)
    assert groups_of(aws, nodes) == dict(zip(nodes, GROUPS[:3], strict=True))


def test_nodes_that_carry_the_other_key_are_named_and_keep_it(aws: AwsEnv) -> None:
    """Patch Manager reads Patch Group and PatchGroup: assign writes the setup's key only,
    and says which nodes carry the other one too (they would be in two patch groups)."""
    plain = ec2_instances(aws, 1)
    other = ec2_instances(aws, 1, tags={"PatchGroup": "legacy"}) + hybrid_nodes(
        aws, 1, tags={"PatchGroup": "legacy"}
    )
    result = assign(aws, "--all", "--patch-group", GROUPS[0])
    assert result.returncode == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if "'PatchGroup'" in line]
    assert warned == [
        f"warning: {REGION}: 2 of the nodes also carry the tag 'PatchGroup', the other "
        "patch-group key (Patch Manager reads either); assign writes 'Patch Group' only: "
        "remove one of the two, or give the setup patch_group_key = 'PatchGroup': "
        + ", ".join(sorted(other))
    ]
    assert tags_of(aws, other) == {i: {"PatchGroup": "legacy", KEY: GROUPS[0]} for i in other}
    assert groups_of(aws, plain) == {plain[0]: GROUPS[0]}
