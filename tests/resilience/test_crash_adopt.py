"""Adoption crashed at every write converges: nothing lost, duplicated or orphaned.

An account the replaced tool set up (one window; its untagged baseline holding the
window's patch group) is adopted with ``--adopt --yes`` through tools/fault_proxy.py.
At the k-th write of a clean adoption, for every k, the write is refused (``error``),
takes effect with its response lost (``drop``), or the run is killed while the
proxy holds it (``kill``). A healthy ``--adopt --yes`` run then converges to exactly
the account a clean adoption leaves (the snapshot of tests/helpers/account.py: a duplicate
or an orphan is a visible difference), the old window ID kept.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.account import assert_same, snapshot, window_ids
from tests.helpers.cli import setup, target_json
from tests.helpers.endpoint import client, direct_env, reset_local_aws
from tests.helpers.oldtool import old_tool_setup
from tests.helpers.proxy import FaultProxy, assert_failed_cleanly, kill_while_held
from tools.launch import Server

ARGS = ("-w", "1", "-d", "2", "-t", "3", "--adopt", "--yes", "--output", "json")
#: The writes of a clean adoption: the lock, the setup's baseline, the old baseline
#: tagged (to be deleted once empty), the window renamed/converged and tagged, its
#: target and task taken over, the patch group moved, the old baseline deleted.
WRITES = [
    "ssm:PutParameter",
    "ssm:CreatePatchBaseline",
    "ssm:AddTagsToResource",
    "ssm:UpdateMaintenanceWindow",
    "ssm:AddTagsToResource",
    "ssm:UpdateMaintenanceWindowTarget",
    "ssm:UpdateMaintenanceWindowTask",
    "ssm:DeregisterPatchBaselineForPatchGroup",
    "ssm:RegisterPatchBaselineForPatchGroup",
    "ssm:DeletePatchBaseline",
    "ssm:DeleteParameter",
]
CASES = [
    pytest.param(k, how, id=f"{how}-w{k:02d}")
    for how in ("error", "drop", "kill")
    for k in range(1, len(WRITES) + 1)
]
_CLEAN: dict[str, Any] = {}


def _old_account(url: str) -> str:
    made = old_tool_setup(
        client(direct_env(url), "ssm"),
        weeks=(1,),
        days=(2,),
        hours=(3,),
        baseline_file="sample_aml2_aws_default.json",
    )
    return str(made["windows"]["Week1Day2Unattended0300"]["id"])


def _clean(local_aws: Server, proxy: FaultProxy) -> dict[str, Any]:
    """What a clean adoption writes and leaves (learned once per worker)."""
    if not _CLEAN:
        _old_account(local_aws.url)
        proxy.reset()
        target_json(setup(proxy.url, *ARGS))
        _CLEAN["writes"] = proxy.stats()["write_ops"]
        _CLEAN["account"] = snapshot(local_aws.url)
        reset_local_aws(local_aws.url)
    return _CLEAN


def test_the_crash_points_are_every_write_of_a_clean_adoption(
    local_aws: Server, proxied: FaultProxy
) -> None:
    # Lanes run side by side: the writes between the lock's may come in another order.
    writes = _clean(local_aws, proxied)["writes"]
    assert sorted(writes) == sorted(WRITES)
    assert (writes[0], writes[-1]) == (WRITES[0], WRITES[-1])


@pytest.mark.parametrize(("k", "how"), CASES)
def test_adoption_crashed_at_write_k_converges(
    local_aws: Server, proxied: FaultProxy, k: int, how: str
) -> None:
    want = _clean(local_aws, proxied)["account"]
    window_id = _old_account(local_aws.url)
    proxied.reset()
    if how == "kill":
        proxied.fail_write(k, "hold")
        _, status, out, err = kill_while_held(proxied, "ssm-patching-setup", *ARGS)
        assert status == -9, f"exit {status}\n{out}\n{err}"
        assert "Traceback" not in out + err
    else:
        proxied.fail_write(k, how)
        assert_failed_cleanly(setup(proxied.url, *ARGS))
    proxied.reset()
    target_json(setup(proxied.url, *ARGS))
    have = snapshot(local_aws.url)
    assert_same(want, have, f"after adoption crashed ({how}) at write {k}")
    ids = window_ids(client(direct_env(local_aws.url), "ssm"))
    assert ids == [window_id]
