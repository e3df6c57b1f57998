"""Crash at RegisterDefaultPatchBaseline (``default = true``): the next run converges.

The tool records nothing about the default beyond AWS's own state: a run that made
the call and died before saying so, or died before the call, is read again by the
next run (GetDefaultPatchBaseline), which then registers it or finds it done. The
same for cleanup's restore of AWS's predefined default before the baseline goes.
One lane at a time (``--concurrency 1``) so that the call's place among the writes
is fixed; each of error, drop and kill at it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers.account import custom_baselines
from tests.helpers.cli import cleanup, setup, target_json
from tests.helpers.endpoint import client, direct_env
from tests.helpers.proxy import NOTHING, FaultProxy, assert_failed_cleanly, changes, kill_while_held

OS = "AMAZON_LINUX_2023"
REGISTER = "ssm:RegisterDefaultPatchBaseline"
CONFIG = f"""
[scan]
time = "04:00"

[baselines.al]
operating_system = "{OS}"
patch_groups = ["linux"]
default = true
"""


def _default(proxy: FaultProxy) -> str:
    ssm = client(direct_env(proxy.upstream), "ssm")
    return str(ssm.get_default_patch_baseline(OperatingSystem=OS)["BaselineId"])


def _crash_at_register(
    proxy: FaultProxy, script: str, args: tuple[str, ...], how: str, k: int
) -> None:
    """Run ``script`` with its k-th write (RegisterDefaultPatchBaseline) failing ``how``."""
    proxy.reset()
    proxy.fail_write(k, "hold" if how == "kill" else how)
    if how == "kill":
        held, status, _, err = kill_while_held(proxy, script, *args, "--yes")
        assert (held, status) == (REGISTER, -9), err
        return
    run = setup if script == "ssm-patching-setup" else cleanup
    result = run(proxy.url, *args, "--yes")
    stats = proxy.stats()
    assert stats["injected"] == {how: 1}
    assert stats["write_ops"][k - 1] == REGISTER, stats["write_ops"]
    if how == "error":
        assert_failed_cleanly(result)
    else:  # drop: botocore sent it again, and the call is idempotent
        assert result.returncode == 0, result.stderr


def _index_of_register(proxy: FaultProxy) -> int:
    ops: list[str] = proxy.stats()["write_ops"]
    assert ops.count(REGISTER) == 1, ops
    return ops.index(REGISTER) + 1


@pytest.mark.parametrize("how", ["error", "drop", "kill"])
def test_crash_at_register_default_converges(
    aws: Any, fault_proxy: FaultProxy, tmp_path: Path, how: str
) -> None:
    path = tmp_path / "patching.toml"
    path.write_text(CONFIG)
    args = ("--config", str(path), "--concurrency", "1", "--output", "json")
    aws_default = _default(fault_proxy)

    # Where the call is among the writes: learnt from a clean run, then undone.
    fault_proxy.reset()
    target_json(setup(fault_proxy.url, *args))
    k = _index_of_register(fault_proxy)
    target_json(cleanup(fault_proxy.url, "--output", "json", "--yes"))
    assert _default(fault_proxy) == aws_default

    _crash_at_register(fault_proxy, "ssm-patching-setup", args, how, k)
    fault_proxy.reset()
    target_json(setup(fault_proxy.url, *args, "--yes"))
    [ours] = custom_baselines(client(direct_env(fault_proxy.upstream), "ssm"))
    assert _default(fault_proxy) == ours["BaselineId"]
    fault_proxy.reset()
    assert changes(target_json(setup(fault_proxy.url, *args))) == NOTHING
    assert fault_proxy.stats()["writes"] == 0, fault_proxy.stats()["write_ops"]

    # Cleanup's restore, first of its writes after the lock: crash there too.
    cleanup_args = ("--concurrency", "1", "--output", "json")
    _crash_at_register(fault_proxy, "ssm-patching-cleanup", cleanup_args, how, 2)
    fault_proxy.reset()
    target_json(cleanup(fault_proxy.url, *cleanup_args, "--yes"))
    assert custom_baselines(client(direct_env(fault_proxy.upstream), "ssm")) == []
    assert _default(fault_proxy) == aws_default
