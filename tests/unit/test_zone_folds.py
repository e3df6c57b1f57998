"""zones.exists and zones.repeats say what dateutil's tz.datetime_exists and
tz.datetime_ambiguous say, around every clock change of several zones over 30 years.

The schedule's daylight-saving warnings use them (schedule/warnings.py); they replace
dateutil.tz there so that a command does not import it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil import tz as dtz

from patchsetup.schedule.zones import exists, repeats, transitions

ZONES = [
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",  # a 30-minute change
    "Pacific/Chatham",
    "America/Santiago",
    "Asia/Tehran",
    "Africa/Casablanca",
]


@pytest.mark.parametrize("name", ZONES)
def test_gaps_and_overlaps_are_dateutils(name: str) -> None:
    zone = ZoneInfo(name)
    changes = transitions(zone, datetime(2000, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))
    assert len(changes) > 10, name  # the zone has clock changes in the period
    seen = {"gap": 0, "overlap": 0}
    for change in changes:
        low, high = change.window
        local = low - timedelta(hours=1)
        while local <= high + timedelta(hours=1):
            for fold in (0, 1):
                moment = local.replace(tzinfo=zone, fold=fold)
                assert exists(moment) == dtz.datetime_exists(moment), moment
                assert repeats(moment) == dtz.datetime_ambiguous(moment), moment
                seen["gap"] += not exists(moment)
                seen["overlap"] += repeats(moment)
            local += timedelta(minutes=15)
    assert seen["gap"] > 0 and seen["overlap"] > 0, seen


def test_utc_has_no_gap_and_no_overlap() -> None:
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert exists(moment) and not repeats(moment)
