"""assign's pure part: the setup's patch groups, the selection, the spread, the tag plan."""

from __future__ import annotations

import random

import pytest

from patchsetup.deploy.instance_tags import instance_plan
from patchsetup.deploy.remote import RemoteNode
from patchsetup.fleet.assign import (
    AssignError,
    chosen_groups,
    patch_groups,
    selection,
    spread,
)
from patchsetup.seed import FlagOptions, build_setup
from tests.helpers.cli import DEFAULT_WINDOWS
from tests.helpers.paths import ROOT

DEFAULT_GROUPS = sorted(group for _, group in DEFAULT_WINDOWS.values())


def _defaults() -> dict[str, str]:
    from patchsetup.seed import baseline_rules

    options = FlagOptions(
        weeks=(1, 2), days=(2, 3), hours=(3, 4), timezone=None, duration=1, cutoff=0,
        name="default", max_concurrency="2", max_errors="1", operation="Install",
        create_service_role=False,
    )  # fmt: skip
    return patch_groups(build_setup(options, baseline_rules(None, None)))


def _nodes(count: int, groups: list[str | None] | None = None) -> list[RemoteNode]:
    found = groups or [None] * count
    return [RemoteNode(f"i-{n:017x}", "Linux", found[n]) for n in range(count)]


def _counts(wanted: dict[str, str], groups: list[str]) -> list[int]:
    return [sum(1 for g in wanted.values() if g == group) for group in groups]


def test_the_default_setup_has_the_replaced_tools_8_groups_on_patch_group() -> None:
    assert _defaults() == dict.fromkeys(DEFAULT_GROUPS, "Patch Group")


def test_seed004s_groups_come_from_its_config() -> None:
    from patchsetup.config import load_config

    setup = load_config(str(ROOT / "examples" / "seed004-test-prod-batches.toml"))
    assert list(patch_groups(setup)) == [
        "patch_prod_0600_batch_1",
        "patch_prod_0600_batch_2",
        "patch_test_0600_batch_1",
        "patch_test_0600_batch_2",
    ]


def test_an_empty_fleet_spreads_round_robin_by_sorted_id() -> None:
    nodes = _nodes(20)
    random.Random(4).shuffle(nodes)
    wanted = spread(nodes, DEFAULT_GROUPS)
    ordered = sorted(wanted)
    assert [wanted[i] for i in ordered[:9]] == [*DEFAULT_GROUPS, DEFAULT_GROUPS[0]]
    assert _counts(wanted, DEFAULT_GROUPS) == [3, 3, 3, 3, 2, 2, 2, 2]


@pytest.mark.parametrize("seed", range(40))
def test_a_spread_is_even_keeps_who_may_stay_and_a_rerun_moves_nothing(seed: int) -> None:
    rng = random.Random(seed)
    groups = DEFAULT_GROUPS[: rng.randint(1, 8)]
    count = rng.randint(0, 40)
    current = [rng.choice([*groups, None, "someone else's"]) for _ in range(count)]
    nodes = _nodes(count, current)
    wanted = spread(nodes, groups)
    counts = _counts(wanted, groups)
    assert sum(counts) == count and max(counts) - min(counts) <= 1
    # Nodes of an already even group are never moved.
    for group in groups:
        members = [n for n in nodes if n.group == group]
        if len(members) <= count // len(groups):
            assert all(wanted[n.instance_id] == group for n in members)
    again = [RemoteNode(n.instance_id, n.platform, wanted[n.instance_id]) for n in nodes]
    assert spread(again, groups) == wanted


def test_an_overfull_group_gives_up_its_highest_ids_only() -> None:
    groups = ["a", "b"]
    nodes = _nodes(4, ["a", "a", "a", "b"])
    wanted = spread(nodes, groups)
    moved = [n.instance_id for n in nodes if wanted[n.instance_id] != n.group]
    assert moved == [nodes[2].instance_id]


def test_the_plan_tags_new_moves_foreign_and_leaves_the_rest() -> None:
    nodes = [
        RemoteNode("i-00000000000000001", "Linux", None),
        RemoteNode("i-00000000000000002", "Linux", "old tool's"),
        RemoteNode("i-00000000000000003", "Linux", "a"),
        RemoteNode("mi-00000000000000004", "Windows", None),
    ]
    wanted = dict.fromkeys([n.instance_id for n in nodes], "a")
    plan = instance_plan(nodes, wanted, "Patch Group")
    actions = {c.name: c.action for c in plan.changes}
    assert actions == {
        "i-00000000000000001": "create",
        "i-00000000000000002": "update",
        "i-00000000000000003": "unchanged",
        "mi-00000000000000004": "create",
    }
    assert [c.name for c in plan.moves] == ["i-00000000000000002"]
    calls = [(call.service, call.method, dict(call.params)) for call in plan.calls]
    assert calls == [
        (
            "ssm",
            "add_tags_to_resource",
            {
                "ResourceType": "ManagedInstance",
                "ResourceId": "mi-00000000000000004",
                "Tags": [{"Key": "Patch Group", "Value": "a"}],
            },
        ),
        (
            "ec2",
            "create_tags",
            {
                "Resources": ["i-00000000000000001", "i-00000000000000002"],
                "Tags": [{"Key": "Patch Group", "Value": "a"}],
            },
        ),
    ]
    batched = [c for c in plan.changes if c.batched]
    assert [c.name for c in batched] == ["i-00000000000000002"] and all(c.writes for c in batched)


def test_create_tags_is_batched_by_1000_per_group() -> None:
    nodes = _nodes(2500)
    plan = instance_plan(nodes, spread(nodes, ["a", "b"]), "PatchGroup")
    sizes = [(c.params["Tags"][0]["Value"], len(c.params["Resources"])) for c in plan.calls]
    assert sizes == [("a", 1000), ("a", 250), ("b", 1000), ("b", 250)]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((("i-123",), None, (), None, False), "not a managed node ID"),
        ((("mi-0123",), None, (), None, False), "not a managed node ID"),
        (((), "# nothing\n\n", (), None, False), "names no instance ID"),
        (((), None, ("Environment",), None, False), "KEY=VALUE"),
        (((), None, ("=prod",), None, False), "tag key"),
        (((), None, ("Env=a,b",), None, False), "tag value"),
        (((), None, ("Env=a", "Env=b"), None, False), "given twice"),
        (((), None, (), None, False), "choose the nodes"),
    ],
)
def test_bad_selections_are_one_line(args: tuple, words: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(AssignError, match=words):
        selection(*args)


def test_groups_must_be_the_setups_and_one_unless_spread() -> None:
    groups = _defaults()
    with pytest.raises(AssignError, match="not a patch group of this setup"):
        chosen_groups(groups, ["Week 9"], spread=False)
    with pytest.raises(AssignError, match="or --spread"):
        chosen_groups(groups, [], spread=False)
    with pytest.raises(AssignError, match="or --spread"):
        chosen_groups(groups, DEFAULT_GROUPS[:2], spread=False)
    assert chosen_groups(groups, [], spread=True) == DEFAULT_GROUPS
    assert chosen_groups(groups, DEFAULT_GROUPS[3:1:-1], spread=True) == DEFAULT_GROUPS[3:1:-1]


@pytest.mark.parametrize("group", [*DEFAULT_GROUPS, "patch_test_0600_batch_1", "a" * 256])
def test_every_call_fits_botocores_request_shape(group: str) -> None:
    from botocore import xform_name
    from botocore.validate import validate_parameters

    from tests.helpers.shapes import input_errors, service_model

    nodes = [*_nodes(3), RemoteNode("mi-0123456789abcdef0", "Windows", "hand-typed")]
    plan = instance_plan(nodes, dict.fromkeys([n.instance_id for n in nodes], group), "PatchGroup")
    assert len(plan.calls) == 2
    for call in plan.calls:
        model = service_model(call.service)
        operation = model.operation_model(
            {xform_name(o): o for o in model.operation_names}[call.method]
        )
        # botocore's own validator (types, required, lengths); SSM's patterns too (the
        # helper reads members by their JSON names, which EC2's query protocol renames).
        validate_parameters(dict(call.params), operation.input_shape)
        if call.service == "ssm":
            assert input_errors(operation.name, call.params) == []
