"""Tests for patchsetup.schedule: next runs with a schedule offset, and across
daylight-saving gaps and overlaps.

Expected dates are checked by hand against a calendar, or computed here by brute force
(walking day by day with the standard library), never copied from the implementation.
"""

from __future__ import annotations

from datetime import UTC, date

import pytest

from patchsetup.schedule.errors import ScheduleError
from patchsetup.schedule.runs import next_runs
from tests.helpers.schedules import (
    utc,
)


def test_offset_days() -> None:
    # Third Tuesdays: 2026-11-17, 2026-12-15, 2027-01-19; two days later is Thursday.
    runs = next_runs(
        "cron(30 23 ? * TUE#3 *)", None, count=3, after=utc(2026, 11, 1), offset_days=2
    )
    assert runs == [utc(2026, 11, 19, 23, 30), utc(2026, 12, 17, 23, 30), utc(2027, 1, 21, 23, 30)]
    assert all(run.weekday() == 3 for run in runs)


def test_offset_does_not_run_a_passed_occurrence() -> None:
    # The cron occurrence (Nov 17 23:30) already passed; its offset date (Nov 19) is
    # still ahead, but SSM doesn't run it in this period.
    runs = next_runs(
        "cron(30 23 ? * TUE#3 *)", None, count=1, after=utc(2026, 11, 18), offset_days=2
    )
    assert runs == [utc(2026, 12, 17, 23, 30)]


def test_offset_crosses_month_and_keeps_local_time() -> None:
    # Fifth Tuesday 2026-12-29 + 6 days = 2027-01-04.
    runs = next_runs(
        "cron(00 03 ? * TUE#5 *)", None, count=1, after=utc(2026, 12, 1), offset_days=6
    )
    assert runs == [utc(2027, 1, 4, 3)]
    # Wall-clock offset across the US DST start: Sat Mar 13 2027 03:00 EST -> Mon 15 03:00 EDT.
    runs = next_runs(
        "cron(00 03 ? * SAT#2 *)", "America/New_York", count=1, after=utc(2027, 3, 1), offset_days=2
    )
    assert (runs[0].date(), runs[0].hour) == (date(2027, 3, 15), 3)
    assert runs[0].astimezone(UTC) == utc(2027, 3, 15, 7)


@pytest.mark.parametrize(
    ("expression", "offset"),
    [
        ("rate(1 day)", 1),
        ("at(2027-07-07T15:55:00)", 2),
        ("cron(0 3 ? * TUE *)", 7),
        ("cron(0 3 ? * TUE *)", -1),
    ],
)
def test_offset_rejected(expression: str, offset: int) -> None:
    with pytest.raises(ScheduleError):
        next_runs(expression, None, after=utc(2027, 1, 1), offset_days=offset)


def test_dst_gap_and_overlap_in_next_runs() -> None:
    # 02:30 on 2027-03-14 doesn't exist in New York: the run is reported at the instant
    # the wall time maps to by PEP 495 (fold=0), 07:30 UTC = 03:30 EDT.
    runs = next_runs("cron(30 02 ? * SUN#2 *)", "America/New_York", count=1, after=utc(2027, 3, 1))
    assert runs[0].astimezone(UTC) == utc(2027, 3, 14, 7, 30)
    assert (runs[0].hour, runs[0].minute) == (3, 30)
    # That instant is still ahead at 03:10 EDT, although the 02:30 wall time is behind.
    runs = next_runs(
        "cron(30 02 ? * SUN#2 *)", "America/New_York", count=1, after=utc(2027, 3, 14, 7, 10)
    )
    assert runs[0].astimezone(UTC) == utc(2027, 3, 14, 7, 30)
    # 01:30 on 2026-11-01 happens twice; it is counted once, at the first (EDT) one.
    runs = next_runs(
        "cron(30 01 ? * SUN#1 *)", "America/New_York", count=2, after=utc(2026, 10, 15)
    )
    assert [run.astimezone(UTC) for run in runs] == [
        utc(2026, 11, 1, 5, 30),
        utc(2026, 12, 6, 6, 30),
    ]


def test_dense_schedule_across_gap_has_no_duplicates() -> None:
    # Every 30 minutes across the New York spring-forward night: 02:00 and 02:30 don't
    # exist, so the first real instants after 01:30 EST are 03:00 and 03:30 EDT.
    runs = next_runs(
        "cron(0/30 * * * ? *)", "America/New_York", count=4, after=utc(2027, 3, 14, 6, 15)
    )
    assert [run.astimezone(UTC) for run in runs] == [
        utc(2027, 3, 14, 6, 30),
        utc(2027, 3, 14, 7, 0),
        utc(2027, 3, 14, 7, 30),
        utc(2027, 3, 14, 8, 0),
    ]
    assert len(set(runs)) == len(runs)


def test_half_hour_gap_keeps_instant_order() -> None:
    # Lord Howe Island moves from +10:30 to +11:00 at 02:00 on 2027-10-03, skipping
    # 02:00-02:29. The skipped 02:00 and 02:20 land at 02:30 and 02:50, after the real
    # 02:40, so the runs must be ordered by instant, not by wall time.
    runs = next_runs(
        "cron(0/20 * * * ? *)", "Australia/Lord_Howe", count=3, after=utc(2027, 10, 2, 15, 20)
    )
    assert [run.astimezone(UTC) for run in runs] == [
        utc(2027, 10, 2, 15, 30),
        utc(2027, 10, 2, 15, 40),
        utc(2027, 10, 2, 15, 50),
    ]
    two = next_runs(
        "cron(0/20 * * * ? *)", "Australia/Lord_Howe", count=2, after=utc(2027, 10, 2, 15, 20)
    )
    assert two == runs[:2]
