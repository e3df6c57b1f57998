"""Fixtures of the resilience tests: the fault proxy (tests/helpers/proxy.py) and the
seed 004 example's clean runs, learned once per worker.

* ``fault_proxy`` (session): ``tools/fault_proxy.py`` in front of this worker's
  ``local_aws``; a ``FaultProxy`` with ``.url`` and the control API as methods.
* ``proxied`` (function): the endpoint reset (the ``aws`` fixture) and the proxy reset
  (no faults, zero counters); yields the ``FaultProxy``.
* ``reference`` (session): what clean runs of the seed 004 example do, learned once
  per worker through the proxy: the account before (only hand-made "bystander"
  resources of another owner) and after a clean apply, and the write calls of a clean
  apply and of a clean cleanup.
* ``account`` (function): ``proxied``, with the bystanders made; yields ``reference``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.account import assert_account, counts, snapshot
from tests.helpers.cli import cleanup, setup, target_json
from tests.helpers.endpoint import AwsEnv, reset_local_aws
from tests.helpers.proxy import (
    ARGS,
    EXAMPLE_COUNTS,
    NOTHING,
    FaultProxy,
    Reference,
    add_bystanders,
    changes,
    start_fault_proxy,
)
from tools import launch
from tools.launch import Server


@pytest.fixture(scope="session")
def fault_proxy(local_aws: Server) -> Iterator[FaultProxy]:
    proxy = start_fault_proxy(local_aws.url)
    try:
        yield proxy
    finally:
        problem = launch.stop(proxy)
    assert problem is None, f"tools/fault_proxy.py did not shut down cleanly: {problem}"


@pytest.fixture
def proxied(aws: AwsEnv, fault_proxy: FaultProxy) -> FaultProxy:
    fault_proxy.reset()
    return fault_proxy


@pytest.fixture(scope="session")
def reference(local_aws: Server, fault_proxy: FaultProxy) -> Reference:
    reset_local_aws(local_aws.url)
    fault_proxy.reset()
    add_bystanders(local_aws.url)
    before = snapshot(local_aws.url)
    applied = target_json(setup(fault_proxy.url, *ARGS))
    assert changes(applied) == {**NOTHING, "create": 46}, applied["summary"]
    setup_stats = fault_proxy.stats()
    desired = snapshot(local_aws.url)
    added = {k: counts(desired)[k] - counts(before)[k] for k in EXAMPLE_COUNTS}
    assert added == EXAMPLE_COUNTS
    fault_proxy.reset()
    target_json(cleanup(fault_proxy.url, *ARGS, "--yes"))
    cleanup_stats = fault_proxy.stats()
    assert_account(local_aws.url, before, "after a clean cleanup")
    fault_proxy.reset()
    return Reference(
        before,
        desired,
        setup_stats["write_ops"],
        cleanup_stats["write_ops"],
        {"setup": setup_stats["responses"], "cleanup": cleanup_stats["responses"]},
    )


@pytest.fixture
def account(local_aws: Server, proxied: FaultProxy, reference: Reference) -> Reference:
    """A fresh account holding only the bystanders; the proxy healthy and at zero."""
    add_bystanders(local_aws.url)
    return reference
