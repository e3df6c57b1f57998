"""The fault proxy's round counting (tools/faults.py State) across a reset."""

from __future__ import annotations

import sys

from tests.helpers.paths import ROOT

sys.path.insert(0, str(ROOT / "tools"))  # tools/ modules import each other by top-level name

from faults import Operation, State

OP = Operation("ssm", "DescribeMaintenanceWindows", json_protocol=True, region="us-east-1")


def test_a_request_in_flight_across_a_reset_counts_in_no_round_after_it() -> None:
    state = State()
    for _ in range(3):  # three requests in a row: rounds 1, 2, 3
        state.settled(state.decide(OP), OP.region)
    late = state.decide(OP)  # round 4, still in flight when the stats are reset
    state.reset()
    state.settled(late, OP.region)  # answered after the reset
    first = state.decide(OP)  # raised IndexError in the proxy: round 5 of an empty list
    assert first.round == 1 and first.region_round == 1
    state.settled(first, OP.region)
    assert state.stats()["chain"] == 1 and state.stats()["rounds"] == [[str(OP)]]
