"""Concurrent apply ends in exactly the state a one-call-at-a-time run does."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from clihelp import cleanup, ok_json, setup
from conftest import reset_local_aws
from test_examples import flatten, read_account

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "seed004-test-prod-batches.toml"
_IDS = re.compile(r"^(mw-[0-9a-f]{17}|pb-[0-9a-f]{17}|[0-9a-f]{8}-[0-9a-f-]{27})$")


def _shape(account: dict[str, Any]) -> dict[str, Any]:
    """The account without generated IDs: target IDs in tasks become target names."""
    for window in account["windows"].values():
        names = {t["WindowTargetId"]: n for n, t in window["Targets"].items()}
        for task in window["Tasks"].values():
            for target in task["Targets"]:
                target["Values"] = sorted(names.get(v, v) for v in target["Values"])
    return {k: v for k, v in flatten(account).items() if not _IDS.match(str(v))}


def test_concurrent_and_sequential_runs_make_the_same_account(aws: Any) -> None:
    sequential = ok_json(
        setup(aws.url, "--output", "json", "--config", str(EXAMPLE), "--concurrency", "1")
    )
    one_by_one = _shape(read_account(aws))
    reset_local_aws(aws.url)
    concurrent = ok_json(
        setup(aws.url, "--output", "json", "--config", str(EXAMPLE), "--concurrency", "16")
    )
    assert concurrent["summary"] == sequential["summary"]
    assert _shape(read_account(aws)) == one_by_one
    assert len(one_by_one) > 300  # the comparison covers every field of 46 resources
    gone = ok_json(
        cleanup(
            aws.url, "--output", "json", "--config", str(EXAMPLE), "--yes", "--concurrency", "16"
        )
    )
    assert gone["summary"]["failed"] == 0
    assert read_account(aws)["windows"] == {}
