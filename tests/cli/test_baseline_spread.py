"""More windows than one baseline's patch groups (AWS's quota: 25 per baseline).

In flag mode the user never names a baseline, so the tool spreads the windows' patch
groups over as many identical baselines as the quota needs: the first keeps its name
(``ssm-patching-setup-default-amazon-linux-2``, so existing setups do not change), the
extra ones are ``...-2``, ``...-3``. Before, 40 windows put 40 groups on one baseline
and the run failed half-way at the 26th registration (the local endpoint enforces the
quota as AWS does). In config mode the user names the baselines, so one over the quota
is bad input naming it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from patchsetup.baselines.presets import preset
from patchsetup.quotas import PATCH_GROUPS_PER_BASELINE
from patchsetup.schedule.compose import seed_patch_group
from patchsetup.seed import FlagOptions, build_setup
from tests.helpers.account import custom_baselines, mappings, window_names
from tests.helpers.cli import assert_one_line_error, setup, target_json

FIRST = "ssm-patching-setup-default-amazon-linux-2"
FORTY = ("-w", "1,2,3,4", "-d", "1,2,3,4,5", "-t", "2,3")
JSON = ("--output", "json", "--operating-system", "AMAZON_LINUX_2")


def held(ssm: Any) -> Counter[str]:
    """Patch groups per baseline name."""
    return Counter(m["BaselineIdentity"]["BaselineName"] for m in mappings(ssm))


def owned_baselines(ssm: Any) -> set[str]:
    return {b["Name"] for b in custom_baselines(ssm)}


def test_forty_windows_spread_over_two_baselines_and_converge(aws: Any, ssm: Any) -> None:
    report = target_json(setup(aws.url, *JSON, *FORTY))
    assert report["summary"]["failed"] == 0
    assert owned_baselines(ssm) == {FIRST, f"{FIRST}-2"}
    assert held(ssm) == {FIRST: 25, f"{FIRST}-2": 15}
    assert len(window_names(ssm)) == 40
    again = target_json(setup(aws.url, *JSON, *FORTY))
    assert {k: again["summary"][k] for k in ("create", "update", "delete", "adopt")} == {
        "create": 0,
        "update": 0,
        "delete": 0,
        "adopt": 0,
    }
    # The order of the flags does not move a group to another baseline.
    shuffled = ("-w", "4,3,2,1", "-d", "5,1,4,2,3", "-t", "3,2")
    same = target_json(setup(aws.url, *JSON, *shuffled))
    assert same["summary"]["unchanged"] == again["summary"]["unchanged"]
    # Other weeks move groups from one baseline to the other, and still converge.
    shifted = ("-w", "2,3,4,5", "-d", "1,2,3,4,5", "-t", "2,3")
    moved = target_json(setup(aws.url, *JSON, *shifted, "--yes"))
    assert moved["summary"]["failed"] == 0 and moved["summary"]["update"] > 0
    assert held(ssm) == {FIRST: 25, f"{FIRST}-2": 15}
    settled = target_json(setup(aws.url, *JSON, *shifted))
    assert settled["summary"]["create"] == settled["summary"]["update"] == 0


def test_fewer_windows_delete_the_extra_baseline(aws: Any, ssm: Any) -> None:
    target_json(setup(aws.url, *JSON, *FORTY))
    fewer = ("-w", "1,2", "-d", "1,2,3,4,5", "-t", "2,3")  # 20 windows: one baseline holds them
    report = target_json(setup(aws.url, *JSON, *fewer, "--yes"))
    deleted = {r["name"] for r in report["resources"] if r["kind"] == "baseline"}
    assert f"{FIRST}-2" in deleted
    assert owned_baselines(ssm) == {FIRST}
    assert held(ssm) == {FIRST: 20}
    again = target_json(setup(aws.url, *JSON, *fewer))
    assert again["summary"]["create"] == again["summary"]["delete"] == 0
    assert again["summary"]["update"] == 0


def test_up_to_twenty_five_windows_keep_one_baseline(aws: Any, ssm: Any) -> None:
    """The boundary: 24 windows (-w 1,2,3 -d 1,2,3,4 -t 2,3) stay on the first baseline."""
    target_json(setup(aws.url, *JSON, "-w", "1,2,3", "-d", "1,2,3,4", "-t", "2,3"))
    assert owned_baselines(ssm) == {FIRST}
    assert held(ssm) == {FIRST: 24}


def test_a_config_baseline_over_the_quota_is_bad_input_naming_it(aws: Any, tmp_path: Path) -> None:
    groups = ", ".join(f'"crowd-{n}"' for n in range(26))
    path = tmp_path / "crowded.toml"
    path.write_text(
        'name = "crowded"\n'
        "[baselines.crowded]\n"
        'name = "CrowdedBaseline"\n'
        'operating_system = "UBUNTU"\n'
        f"patch_groups = [{groups}]\n"
        "[windows.weekly]\n"
        'schedule = "cron(0 3 ? * TUE *)"\n',
        encoding="utf-8",
    )
    result = setup(aws.url, "--config", str(path))
    assert_one_line_error(result, 2, "CrowdedBaseline", "26 patch groups", "25")


@given(
    weeks=st.lists(st.integers(1, 5), min_size=1, max_size=5, unique=True),
    days=st.lists(st.integers(1, 7), min_size=1, max_size=7, unique=True),
    hours=st.lists(st.integers(0, 23), min_size=1, max_size=24, unique=True),
)
def test_any_flags_spread_within_the_quota(
    weeks: list[int], days: list[int], hours: list[int]
) -> None:
    """Pure: every baseline holds at most 25 groups, every group exactly one baseline, the
    first keeps today's name, and the order of the flags changes nothing."""
    rules = preset("AMAZON_LINUX_2")
    built = build_setup(
        FlagOptions(weeks=tuple(weeks), days=tuple(days), hours=tuple(hours)), rules
    )
    built.validate()
    groups = [g for b in built.baselines for g in b.patch_groups]
    assert sorted(groups) == sorted(
        seed_patch_group(w, d, h) for w in weeks for d in days for h in hours
    )
    assert all(len(b.patch_groups) <= PATCH_GROUPS_PER_BASELINE for b in built.baselines)
    assert len(built.baselines) == -(-len(groups) // PATCH_GROUPS_PER_BASELINE)
    assert built.baselines[0].name == FIRST
    reordered = build_setup(
        FlagOptions(weeks=tuple(reversed(weeks)), days=tuple(reversed(days)), hours=tuple(hours)),
        rules,
    )
    assert {b.name: set(b.patch_groups) for b in reordered.baselines} == {
        b.name: set(b.patch_groups) for b in built.baselines
    }
