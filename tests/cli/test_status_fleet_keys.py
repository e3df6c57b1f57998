"""status and the two patch-group tag keys: Patch Manager reads ``Patch Group`` and
``PatchGroup`` (the one tags in instance metadata allow), a window target selects on
one. A node tagged with the key the setup's windows do not select on is not "in no
patch group" (that would say the region's default baseline applies): it is reported
as tagged with the other key, which the windows do not patch. Both ways round, through
the real CLI against the local endpoint, in JSON and text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers.cli import DEFAULT_WINDOWS, JSON, setup, target_json
from tests.helpers.configs import one_window
from tests.helpers.fleet import ec2_instances, hybrid_nodes

G1 = sorted(group for _, group in DEFAULT_WINDOWS.values())[0]

#: One window whose target selects on PatchGroup (tests/helpers/configs.py: setup "roles").
KEYED = one_window(top='[defaults]\npatch_group_key = "PatchGroup"')


def _outside(fleet: dict[str, Any]) -> dict[str, list[str]]:
    return {out["reason"]: out["nodes"] for out in fleet["outside"]}


def test_a_node_tagged_with_the_other_key_is_said_so_not_in_no_group(aws: Any) -> None:
    target_json(setup(aws.url, *JSON))  # the defaults: windows select on "Patch Group"
    inside = ec2_instances(aws, 1, tags={"Patch Group": G1})
    other = ec2_instances(aws, 1, tags={"PatchGroup": G1}) + hybrid_nodes(
        aws, 1, tags={"PatchGroup": "anything"}
    )
    untagged = ec2_instances(aws, 1, tags={"Name": "web-1"})
    fleet = target_json(setup(aws.url, "status", *JSON))["fleet"]
    assert {g["name"]: g["node_ids"] for g in fleet["patch_groups"]}[G1] == inside
    assert _outside(fleet) == {"no-patch-group": untagged, "other-key": sorted(other)}
    assert (
        f"2 managed nodes tagged 'PatchGroup', the patch-group key this setup's windows do "
        f"not select on ('Patch Group'): they do not patch them: {', '.join(sorted(other))}"
    ) in fleet["warnings"]
    text = setup(aws.url, "status")
    assert text.returncode == 0, text.stderr
    assert "tagged 'PatchGroup', the patch-group key this setup's windows do not" in (
        text.stdout + text.stderr
    )


def test_the_other_way_round_with_patchgroup_in_the_config(aws: Any, tmp_path: Path) -> None:
    config = tmp_path / "keyed.toml"
    config.write_text(KEYED)
    target_json(setup(aws.url, "--config", str(config), *JSON))
    inside = ec2_instances(aws, 1, tags={"PatchGroup": "web"})
    spaced = ec2_instances(aws, 1, tags={"Patch Group": "web"})
    fleet = target_json(setup(aws.url, "status", "--name", "roles", *JSON))["fleet"]
    assert fleet["key"] == "PatchGroup"
    assert {g["name"]: g["node_ids"] for g in fleet["patch_groups"]}["web"] == inside
    assert _outside(fleet) == {"other-key": spaced}
