"""A setup and a cleanup through a rate-limiting proxy end as they do without one.

The fault proxy limits every operation to a token bucket per account and region
(``THROTTLE``: 5 requests a second, a burst of 10: AWS does not publish SSM's rates for
these APIs; it is the benchmark's model, benchmarks/README.md). The seed 004 example
makes 24 patch-group registrations, so its setup must be throttled; the tool's retries
must absorb every throttle: exit 0, every change done, the exact state a clean run
leaves, and the re-run after it converged (no write).
"""

from __future__ import annotations

from tests.helpers.account import assert_account
from tests.helpers.cli import cleanup, setup, target_json
from tests.helpers.proxy import ARGS, NOTHING, FaultProxy, Reference, changes
from tools.launch import Server

THROTTLE = "default=5/10"


def test_setup_and_cleanup_through_a_throttling_proxy_end_as_without(
    local_aws: Server, proxied: FaultProxy, account: Reference
) -> None:
    proxied.configure(throttle=THROTTLE)
    applied = target_json(setup(proxied.url, *ARGS))
    stats = proxied.stats()
    assert changes(applied) == {**NOTHING, "create": 46}, applied["summary"]
    assert {r["status"] for r in applied["resources"]} == {"done"}
    assert stats["throttled"].get("ssm:RegisterPatchBaselineForPatchGroup", 0) > 0, stats
    assert_account(local_aws.url, account.desired, "after setup through a throttling proxy")

    proxied.reset()
    proxied.configure(throttle=THROTTLE)
    assert changes(target_json(setup(proxied.url, *ARGS))) == NOTHING
    assert proxied.stats()["writes"] == 0

    proxied.reset()
    proxied.configure(throttle=THROTTLE)
    removed = target_json(cleanup(proxied.url, *ARGS, "--yes"))
    assert changes(removed) == {**NOTHING, "delete": 22}, removed["summary"]
    assert {r["status"] for r in removed["resources"]} == {"done"}
    assert_account(local_aws.url, account.before, "after cleanup through a throttling proxy")
