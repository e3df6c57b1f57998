"""Tests for patchsetup.schedule: the warnings (fifth weekdays, day 31, daylight-saving
gaps and overlaps, the horizon, dense schedules, schedules that never run).

Expected dates are checked by hand against a calendar, or computed here by brute force
(walking day by day with the standard library), never copied from the implementation.
"""

from __future__ import annotations

import calendar
from datetime import date

import pytest

from patchsetup.schedule.warnings import schedule_warnings
from tests.helpers.schedules import SEED_CRONS, months_with_fifth, utc

# --------------------------------------------------------------------------- warnings


def test_warning_fifth_weekday() -> None:
    after = utc(2026, 11, 15)
    running = len(months_with_fifth(1, date(2026, 11, 1), 12))
    assert running == 4  # hand-checked: Dec 2026, Mar, Jun, Aug 2027
    assert schedule_warnings("cron(00 03 ? * TUE#5 *)", None, after=after) == [
        f"cron(00 03 ? * TUE#5 *) runs only in months with a fifth Tuesday: {running} "
        "of the next 12 months"
    ]


def test_warning_day_31() -> None:
    after = utc(2027, 2, 10)
    months = [((2027 * 12 + 1 + k) // 12, (1 + k) % 12 + 1) for k in range(12)]
    assert months[0] == (2027, 2)
    long_months = sum(1 for y, m in months if calendar.monthrange(y, m)[1] == 31)
    warnings = schedule_warnings("cron(0 3 31 * ? *)", None, after=after)
    assert warnings == [
        "cron(0 3 31 * ? *) runs only in months with a 31st day: "
        f"{long_months} of the next 12 months"
    ]


def test_warning_nearest_weekday_late_in_month() -> None:
    # 30W can't run in February; the next 12 months from 2027-01 hold one February.
    warnings = schedule_warnings("cron(0 3 30W * ? *)", None, after=utc(2027, 1, 10))
    assert warnings == [
        "cron(0 3 30W * ? *) runs only in months with a 30th day: 11 of the next 12 months"
    ]


def test_warning_month_field_names_the_months() -> None:
    # TUE#5 in March and April only: March 2027 has five Tuesdays, April 2027 four.
    warnings = schedule_warnings("cron(0 3 ? 3-4 TUE#5 *)", None, after=utc(2027, 1, 10))
    assert warnings == [
        "cron(0 3 ? 3-4 TUE#5 *) runs only in months with a fifth Tuesday: "
        "1 of the 2 months it names in the next 12"
    ]


@pytest.mark.parametrize("cron", sorted(SEED_CRONS.values()))
def test_no_warnings_for_utc_seeds(cron: str) -> None:
    assert schedule_warnings(cron, None, after=utc(2026, 11, 15)) == []
    assert schedule_warnings(cron, "UTC", after=utc(2026, 11, 15)) == []


def test_no_warnings_for_plain_daily_or_weekly() -> None:
    assert schedule_warnings("cron(0 9 * * ? *)", None, after=utc(2027, 1, 1)) == []
    assert schedule_warnings("cron(15 10 ? * MON-FRI *)", None, after=utc(2027, 1, 1)) == []
    assert schedule_warnings("rate(6 hours)", "America/New_York", after=utc(2027, 1, 1)) == []


def test_warning_new_york_gap() -> None:
    warnings = schedule_warnings(
        "cron(30 02 ? * SUN#2 *)", "America/New_York", after=utc(2027, 1, 1)
    )
    assert len(warnings) == 1
    text = warnings[0]
    for part in ("2027-03-14", "02:30", "America/New_York", "does not exist", "gap"):
        assert part in text
    # 02:00 itself is skipped; 03:00 exists.
    assert schedule_warnings("cron(00 02 ? * SUN#2 *)", "America/New_York", after=utc(2027, 1, 1))
    assert (
        schedule_warnings("cron(00 03 ? * SUN#2 *)", "America/New_York", after=utc(2027, 1, 1))
        == []
    )


def test_warning_new_york_overlap() -> None:
    warnings = schedule_warnings(
        "cron(30 01 ? * SUN#1 *)", "America/New_York", after=utc(2026, 10, 1)
    )
    assert len(warnings) == 1
    for part in ("2026-11-01", "01:30", "America/New_York", "twice", "overlap"):
        assert part in warnings[0]
    # 02:00 EST follows 01:59 EST once: not ambiguous.
    assert (
        schedule_warnings("cron(00 02 ? * SUN#1 *)", "America/New_York", after=utc(2026, 10, 1))
        == []
    )


def test_warnings_london_gap_and_overlap() -> None:
    # UK clocks: forward at 01:00 on 2027-03-28, back at 02:00 on 2027-10-31.
    warnings = schedule_warnings("cron(30 01 ? * 1L *)", "Europe/London", after=utc(2027, 1, 1))
    assert len(warnings) == 2
    gap, overlap = warnings
    for part in ("2027-03-28", "01:30", "Europe/London", "does not exist"):
        assert part in gap
    for part in ("2027-10-31", "01:30", "Europe/London", "twice"):
        assert part in overlap


def test_warning_horizon() -> None:
    assert (
        schedule_warnings(
            "cron(30 01 ? * 1L *)", "Europe/London", after=utc(2027, 1, 1), horizon_days=30
        )
        == []
    )
    warnings = schedule_warnings(
        "cron(30 01 ? * 1L *)", "Europe/London", after=utc(2027, 1, 1), horizon_days=100
    )
    assert len(warnings) == 1
    assert "2027-03-28" in warnings[0]


def test_warning_dense_schedule_lists_times_once_per_change() -> None:
    warnings = schedule_warnings("cron(0/30 * * * ? *)", "Europe/London", after=utc(2027, 1, 1))
    assert len(warnings) == 2
    assert "01:00 and 01:30" in warnings[0]
    assert "do not exist" in warnings[0]
    assert "01:00 and 01:30" in warnings[1]
    assert "twice" in warnings[1]


def test_warning_never_runs() -> None:
    warnings = schedule_warnings("cron(0 0 1 1 ? 2020)", None, after=utc(2026, 6, 1))
    assert len(warnings) == 1
    assert "never runs" in warnings[0]
