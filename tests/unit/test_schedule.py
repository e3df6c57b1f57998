"""Tests for patchsetup.schedule: seeds, validation, next runs, warnings, descriptions.

Expected dates are checked by hand against a calendar, or computed here by brute force
(walking day by day with the standard library), never copied from the implementation.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patchsetup.schedule import (
    DAY_NAMES,
    ScheduleError,
    describe,
    next_runs,
    parse_day,
    schedule_warnings,
    seed_cron,
    seed_patch_group,
    seed_window_name,
    validate_expression,
    validate_timezone,
)

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """Build an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# --------------------------------------------------------------------------- seeds

# The eight defaults: weeks 1, 2 x days 2 (Tuesday), 3 (Wednesday) x hours 3, 4.
SEED_NAMES = {
    (1, 2, 3): "Week1Day2Unattended0300",
    (1, 2, 4): "Week1Day2Unattended0400",
    (1, 3, 3): "Week1Day3Unattended0300",
    (1, 3, 4): "Week1Day3Unattended0400",
    (2, 2, 3): "Week2Day2Unattended0300",
    (2, 2, 4): "Week2Day2Unattended0400",
    (2, 3, 3): "Week2Day3Unattended0300",
    (2, 3, 4): "Week2Day3Unattended0400",
}
SEED_GROUPS = {
    (1, 2, 3): "Week 1 Day 2 - Unattended - 03:00",
    (1, 2, 4): "Week 1 Day 2 - Unattended - 04:00",
    (1, 3, 3): "Week 1 Day 3 - Unattended - 03:00",
    (1, 3, 4): "Week 1 Day 3 - Unattended - 04:00",
    (2, 2, 3): "Week 2 Day 2 - Unattended - 03:00",
    (2, 2, 4): "Week 2 Day 2 - Unattended - 04:00",
    (2, 3, 3): "Week 2 Day 3 - Unattended - 03:00",
    (2, 3, 4): "Week 2 Day 3 - Unattended - 04:00",
}
SEED_CRONS = {
    (1, 2, 3): "cron(00 03 ? * TUE#1 *)",
    (1, 2, 4): "cron(00 04 ? * TUE#1 *)",
    (1, 3, 3): "cron(00 03 ? * WED#1 *)",
    (1, 3, 4): "cron(00 04 ? * WED#1 *)",
    (2, 2, 3): "cron(00 03 ? * TUE#2 *)",
    (2, 2, 4): "cron(00 04 ? * TUE#2 *)",
    (2, 3, 3): "cron(00 03 ? * WED#2 *)",
    (2, 3, 4): "cron(00 04 ? * WED#2 *)",
}
SEED_KEYS = [(week, day, hour) for week in (1, 2) for day in (2, 3) for hour in (3, 4)]


@pytest.mark.parametrize(("week", "day", "hour"), SEED_KEYS)
def test_seed_defaults(week: int, day: int, hour: int) -> None:
    key = (week, day, hour)
    assert seed_window_name(week, day, hour) == SEED_NAMES[key]
    assert seed_patch_group(week, day, hour) == SEED_GROUPS[key]
    assert seed_cron(week, day, hour) == SEED_CRONS[key]
    validate_expression(SEED_CRONS[key])


def test_seed_defaults_are_distinct() -> None:
    assert sorted(SEED_NAMES) == sorted(SEED_KEYS)
    assert len(set(SEED_NAMES.values())) == 8
    assert len(set(SEED_CRONS.values())) == 8


def test_seed_cron_minute_and_sunday() -> None:
    assert seed_cron(3, 5, 22, 30) == "cron(30 22 ? * FRI#3 *)"
    # 0 and 7 are both Sunday.
    assert seed_cron(1, 0, 1) == "cron(00 01 ? * SUN#1 *)"
    assert seed_cron(1, 7, 1) == "cron(00 01 ? * SUN#1 *)"
    assert seed_cron(5, 6, 23, 59) == "cron(59 23 ? * SAT#5 *)"


@pytest.mark.parametrize(
    ("week", "day", "hour", "minute"),
    [(0, 2, 3, 0), (6, 2, 3, 0), (1, 8, 3, 0), (1, -1, 3, 0), (1, 2, 24, 0), (1, 2, 3, 60)],
)
def test_seed_cron_rejects_out_of_range(week: int, day: int, hour: int, minute: int) -> None:
    with pytest.raises(ScheduleError):
        seed_cron(week, day, hour, minute)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("7", 7),
        ("2", 2),
        ("TUE", 2),
        ("tue", 2),
        ("Tuesday", 2),
        ("SUN", 0),
        ("Sunday", 0),
        ("sat", 6),
        ("WEDNESDAY", 3),
    ],
)
def test_parse_day(text: str, expected: int) -> None:
    assert parse_day(text) == expected


@pytest.mark.parametrize("text", ["8", "-1", "TUX", "", "Tues day", "1.0"])
def test_parse_day_rejects(text: str) -> None:
    with pytest.raises(ScheduleError) as error:
        parse_day(text)
    assert str(error.value) == f"day must be 0-7 or a day name like TUE, got {text!r}"


def test_day_names() -> None:
    assert DAY_NAMES == ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


# --------------------------------------------------------------------------- next_runs


def test_first_tuesday_hand_checked() -> None:
    runs = next_runs("cron(00 03 ? * TUE#1 *)", None, count=3, after=utc(2026, 11, 15))
    assert runs == [utc(2026, 12, 1, 3), utc(2027, 1, 5, 3), utc(2027, 2, 2, 3)]
    assert all(run.utcoffset() == timedelta(0) for run in runs)


def test_second_wednesday_is_nth_weekday_not_second_week() -> None:
    # September 2027 starts on a Wednesday: its second Wednesday is the 8th, while the
    # Wednesday of its second full week (Mon 13 - Sun 19) would be the 15th.
    runs = next_runs("cron(00 04 ? * WED#2 *)", None, count=2, after=utc(2027, 9, 1))
    assert [run.date() for run in runs] == [date(2027, 9, 8), date(2027, 10, 13)]


def test_after_is_exclusive() -> None:
    runs = next_runs("cron(00 03 ? * TUE#1 *)", None, count=1, after=utc(2026, 12, 1, 3))
    assert runs == [utc(2027, 1, 5, 3)]
    runs = next_runs("cron(00 03 ? * TUE#1 *)", None, count=1, after=utc(2026, 12, 1, 2, 59))
    assert runs == [utc(2026, 12, 1, 3)]


def test_timezone_offsets_across_dst_change() -> None:
    expression = "cron(00 03 ? * TUE#1 *)"
    # First Tuesdays: 2027-03-02 (before US and UK DST), 2027-04-06 (after both).
    ny = next_runs(expression, "America/New_York", count=2, after=utc(2027, 2, 15))
    assert [run.astimezone(UTC) for run in ny] == [utc(2027, 3, 2, 8), utc(2027, 4, 6, 7)]
    assert [(run.hour, run.minute) for run in ny] == [(3, 0), (3, 0)]
    assert [run.utcoffset() for run in ny] == [timedelta(hours=-5), timedelta(hours=-4)]
    assert all(run.tzinfo == NEW_YORK for run in ny)

    london = next_runs(expression, "Europe/London", count=2, after=utc(2027, 2, 15))
    assert [run.astimezone(UTC) for run in london] == [utc(2027, 3, 2, 3), utc(2027, 4, 6, 2)]

    in_utc = next_runs(expression, None, count=2, after=utc(2027, 2, 15))
    assert [run.astimezone(UTC) for run in in_utc] == [utc(2027, 3, 2, 3), utc(2027, 4, 6, 3)]


def test_timezone_shifts_the_local_day() -> None:
    # 03:00 on the first Tuesday in Tokyo is still Monday in UTC.
    runs = next_runs("cron(00 03 ? * TUE#1 *)", "Asia/Tokyo", count=1, after=utc(2026, 11, 15))
    assert runs[0].date() == date(2026, 12, 1)
    assert runs[0].astimezone(UTC) == utc(2026, 11, 30, 18)


def _months_with_fifth(weekday: int, start: date, months: int) -> list[tuple[int, int]]:
    """(year, month) pairs holding five of ``weekday`` (Monday=0), by counting days."""
    found = []
    year, month = start.year, start.month
    for _ in range(months):
        length = calendar.monthrange(year, month)[1]
        count = sum(1 for d in range(1, length + 1) if date(year, month, d).weekday() == weekday)
        if count == 5:
            found.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def test_week_five_skips_months() -> None:
    runs = next_runs("cron(00 03 ? * TUE#5 *)", None, count=4, after=utc(2026, 11, 15))
    # Hand-checked: Dec 2026 (29th), Mar 2027 (30th), Jun 2027 (29th), Aug 2027 (31st).
    assert [run.date() for run in runs] == [
        date(2026, 12, 29),
        date(2027, 3, 30),
        date(2027, 6, 29),
        date(2027, 8, 31),
    ]
    expected_months = _months_with_fifth(1, date(2026, 11, 1), 12)
    assert [(run.year, run.month) for run in runs] == expected_months


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        # L: last day of the month, including a leap February.
        (
            "cron(0 2 L * ? *)",
            utc(2027, 1, 15),
            [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31)],
        ),
        (
            "cron(0 2 L * ? *)",
            utc(2028, 2, 1),
            [date(2028, 2, 29), date(2028, 3, 31), date(2028, 4, 30)],
        ),
        # 6L and FRIL: last Friday.
        (
            "cron(15 10 ? * 6L *)",
            utc(2026, 12, 1),
            [date(2026, 12, 25), date(2027, 1, 29), date(2027, 2, 26)],
        ),
        (
            "cron(15 10 ? * FRIL *)",
            utc(2026, 12, 1),
            [date(2026, 12, 25), date(2027, 1, 29), date(2027, 2, 26)],
        ),
        # LW: last weekday (Jan 31 and Feb 28 2027 are Sundays).
        (
            "cron(0 3 LW * ? *)",
            utc(2027, 1, 1),
            [date(2027, 1, 29), date(2027, 2, 26), date(2027, 3, 31)],
        ),
        # 15W: nearest weekday to the 15th (Nov 15 2026 is a Sunday, May 15 2027 a Saturday).
        (
            "cron(0 3 15W * ? *)",
            utc(2026, 11, 1),
            [date(2026, 11, 16), date(2026, 12, 15), date(2027, 1, 15)],
        ),
        (
            "cron(0 3 15W * ? *)",
            utc(2027, 5, 1),
            [date(2027, 5, 14), date(2027, 6, 15), date(2027, 7, 15)],
        ),
        # 1W never moves into the previous month: May 1 2027 is a Saturday -> Monday 3rd.
        (
            "cron(0 3 1W * ? *)",
            utc(2027, 4, 15),
            [date(2027, 5, 3), date(2027, 6, 1), date(2027, 7, 1)],
        ),
        # 31W never moves into the next month (Jan 31 2027 is a Sunday) and skips short months.
        (
            "cron(0 3 31W * ? *)",
            utc(2027, 1, 1),
            [date(2027, 1, 29), date(2027, 3, 31), date(2027, 5, 31)],
        ),
        # Day of week L on its own is Saturday.
        (
            "cron(0 3 ? * L *)",
            utc(2027, 1, 1),
            [date(2027, 1, 2), date(2027, 1, 9), date(2027, 1, 16)],
        ),
        # Ranges of days (Jan 1 2027 is a Friday).
        (
            "cron(15 10 ? * MON-FRI *)",
            utc(2027, 1, 1, 12),
            [date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 6)],
        ),
        (
            "cron(15 10 ? * 2-3 *)",
            utc(2027, 1, 1, 12),
            [date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 11)],
        ),
        # Day-of-month lists and ranges; 31 is skipped in 30-day months.
        (
            "cron(0 0 10,31 * ? *)",
            utc(2027, 4, 1),
            [date(2027, 4, 10), date(2027, 5, 10), date(2027, 5, 31)],
        ),
        (
            "cron(0 0 1-2 * ? *)",
            utc(2027, 4, 1, 1),
            [date(2027, 4, 2), date(2027, 5, 1), date(2027, 5, 2)],
        ),
        # Month names and a strictly-after boundary.
        (
            "cron(0 0 1 JAN,JUL ? *)",
            utc(2027, 1, 1),
            [date(2027, 7, 1), date(2028, 1, 1), date(2028, 7, 1)],
        ),
        # Month step: every third month from January.
        (
            "cron(0 0 1 1/3 ? *)",
            utc(2027, 1, 2),
            [date(2027, 4, 1), date(2027, 7, 1), date(2027, 10, 1)],
        ),
        # Day-of-week step: every second day from Monday (MON, WED, FRI).
        (
            "cron(0 0 ? * MON/2 *)",
            utc(2027, 1, 4, 1),
            [date(2027, 1, 6), date(2027, 1, 8), date(2027, 1, 11)],
        ),
    ],
)
def test_next_runs_dates(expression: str, after: datetime, expected: list[date]) -> None:
    runs = next_runs(expression, None, count=len(expected), after=after)
    assert [run.date() for run in runs] == expected


def test_lists_and_steps_within_a_day() -> None:
    # 2027-01-04 is a Monday.
    runs = next_runs("cron(0 9,17 ? * MON,WED *)", None, count=3, after=utc(2027, 1, 4))
    assert runs == [utc(2027, 1, 4, 9), utc(2027, 1, 4, 17), utc(2027, 1, 6, 9)]
    runs = next_runs("cron(0/20 8-9 ? * MON *)", None, count=7, after=utc(2027, 1, 4))
    assert [(run.hour, run.minute) for run in runs] == [
        (8, 0),
        (8, 20),
        (8, 40),
        (9, 0),
        (9, 20),
        (9, 40),
        (8, 0),
    ]
    assert runs[-1].date() == date(2027, 1, 11)
    runs = next_runs("cron(5/15 10 * * ? *)", None, count=4, after=utc(2027, 1, 4))
    assert [run.minute for run in runs] == [5, 20, 35, 50]


def test_every_fifteen_minutes() -> None:
    runs = next_runs("cron(0/15 * * * ? *)", None, count=5, after=utc(2027, 1, 4, 23, 31))
    assert runs == [
        utc(2027, 1, 4, 23, 45),
        utc(2027, 1, 5, 0, 0),
        utc(2027, 1, 5, 0, 15),
        utc(2027, 1, 5, 0, 30),
        utc(2027, 1, 5, 0, 45),
    ]


def test_seconds_field() -> None:
    runs = next_runs("cron(24 30 09 ? * * *)", None, count=2, after=utc(2027, 1, 4, 10))
    assert runs == [utc(2027, 1, 5, 9, 30, 24), utc(2027, 1, 6, 9, 30, 24)]


def test_year_field_ends_the_schedule() -> None:
    runs = next_runs("cron(0 0 1 1 ? 2027-2028)", None, count=5, after=utc(2026, 6, 1))
    assert runs == [utc(2027, 1, 1), utc(2028, 1, 1)]
    assert next_runs("cron(0 0 1 1 ? 2020)", None, count=3, after=utc(2026, 6, 1)) == []
    # A date that never exists also ends (rather than loops).
    assert next_runs("cron(0 0 30 FEB ? *)", None, count=3, after=utc(2026, 6, 1)) == []


def test_rate_expressions_count_from_after() -> None:
    after = utc(2027, 1, 4, 10, 7)
    runs = next_runs("rate(6 hours)", None, count=3, after=after)
    assert runs == [after + timedelta(hours=6 * k) for k in (1, 2, 3)]
    runs = next_runs("rate(30 minutes)", None, count=2, after=after)
    assert runs == [utc(2027, 1, 4, 10, 37), utc(2027, 1, 4, 11, 7)]
    runs = next_runs("rate(1 day)", "Europe/London", count=2, after=utc(2027, 3, 27, 12))
    # Absolute 24-hour steps: across the UK change the wall clock reads 13:00.
    assert [run.astimezone(UTC) for run in runs] == [utc(2027, 3, 28, 12), utc(2027, 3, 29, 12)]
    assert [run.hour for run in runs] == [13, 13]
    assert all(run.tzinfo == LONDON for run in runs)


def test_at_expression() -> None:
    runs = next_runs("at(2027-07-07T15:55:00)", "Europe/London", count=3, after=utc(2027, 1, 1))
    assert runs == [utc(2027, 7, 7, 14, 55)]
    assert next_runs("at(2027-07-07T15:55:00)", None, count=3, after=utc(2027, 8, 1)) == []


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


def test_next_runs_argument_errors() -> None:
    with pytest.raises(ScheduleError):
        next_runs("cron(0 3 ? * TUE *)", None, after=datetime(2027, 1, 1))  # naive
    with pytest.raises(ScheduleError):
        next_runs("cron(0 3 ? * TUE *)", "Mars/Olympus", after=utc(2027, 1, 1))
    with pytest.raises(ScheduleError):
        next_runs("cron(0 3 ? * TUX *)", None, after=utc(2027, 1, 1))
    assert next_runs("cron(0 3 ? * TUE *)", None, count=0, after=utc(2027, 1, 1)) == []


def test_next_runs_defaults_to_now() -> None:
    before = datetime.now(UTC)
    runs = next_runs("cron(0/5 * * * ? *)", None)
    assert len(runs) == 3
    assert before < runs[0] <= before + timedelta(minutes=5, seconds=1)


# --------------------------------------------------------------------------- warnings


def test_warning_fifth_weekday() -> None:
    after = utc(2026, 11, 15)
    running = len(_months_with_fifth(1, date(2026, 11, 1), 12))
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


# --------------------------------------------------------------------------- validation

REFERENCE_EXAMPLES = [
    # Maintenance-window examples from the SSM cron and rate reference.
    "cron(0 2 ? * THU#3 *)",
    "cron(15 10 ? * * *)",
    "cron(15 10 ? * MON-FRI *)",
    "cron(0 2 L * ? *)",
    "cron(15 10 ? * 6L *)",
    "cron(30 09 ? * * *)",
    "cron(24 30 09 ? * * *)",
    "cron(0 16 ? * TUE *)",
    "cron(30 23 ? * TUE#3 *)",
    "cron(0 09 ? * WED *)",
    "rate(30 minutes)",
    "rate(1 hour)",
    "rate(5 hours)",
    "rate(25 days)",
    "rate(7 days)",
    "at(2019-07-07T13:15:30)",
    "at(2020-07-07T15:55:00)",
    # General cron examples from the same page.
    "cron(0 10 * * ? *)",
    "cron(15 12 * * ? *)",
    "cron(0 18 ? * MON-FRI *)",
    "cron(0 8 1 * ? *)",
    "cron(0/15 * * * ? *)",
    "cron(0/10 * ? * MON-FRI *)",
    "cron(0/5 8-17 ? * MON-FRI *)",
    # Other documented syntax.
    "cron(0 0 ? * 3#2 *)",
    "cron(0 3 15W * ? *)",
    "cron(0 3 LW * ? *)",
    "cron(0 0 1 JAN,FEB,MAR ? 2026-2030)",
    "cron(0 0 ? * sun *)",
]


@pytest.mark.parametrize("expression", REFERENCE_EXAMPLES)
def test_accepts_reference_examples(expression: str) -> None:
    validate_expression(expression)


@pytest.mark.parametrize(
    ("expression", "fragments"),
    [
        ("cron(0 3 ? * TUE)", ["expected 6 fields", "got 5"]),
        ("cron(0 3 ? * TUE * 1 2)", ["expected 6 fields", "got 8"]),
        ("cron(0 3 ? * TUE * 1)", ["7 fields", "Seconds", "6 fields"]),
        ("cron(0 3 * * TUE *)", ["must be '?'"]),
        ("cron(0 3 1 * TUE *)", ["must be '?'"]),
        ("cron(0 3 ? * ? *)", ["only one of day-of-month and day-of-week"]),
        ("cron(60 3 ? * TUE *)", ["minutes field", "60", "0-59"]),
        ("cron(0 24 ? * TUE *)", ["hours field", "24", "0-23"]),
        ("cron(0 3 32 * ? *)", ["day-of-month field", "32", "1-31"]),
        ("cron(0 3 0 * ? *)", ["day-of-month field", "1-31"]),
        ("cron(0 3 1 13 ? *)", ["month field", "13", "1-12"]),
        ("cron(0 3 1 FOO ? *)", ["month field", "'FOO'", "JAN-DEC"]),
        ("cron(0 3 ? * 0 *)", ["day-of-week field", "1-7"]),
        ("cron(0 3 ? * 8 *)", ["day-of-week field", "1-7"]),
        ("cron(0 3 ? * TUX *)", ["day-of-week field 'TUX'", "SUN-SAT"]),
        ("cron(0 3 ? * TUX#1 *)", ["day-of-week field 'TUX#1'", "'TUX'"]),
        ("cron(0 3 ? * TUE#6 *)", ["day-of-week field", "1-5"]),
        ("cron(0 3 ? * TUE#0 *)", ["day-of-week field", "1-5"]),
        ("cron(0 3 ? * 3#1,6#3 *)", ["day-of-week field", "on its own"]),
        ("cron(0 3 ? * 15W *)", ["day-of-week field", "W"]),
        ("cron(0 3 1#2 * ? *)", ["day-of-month field", "#"]),
        ("cron(0 3 L,15 * ? *)", ["day-of-month field", "on their own"]),
        ("cron(0 3 ? * TUE 1969)", ["year field", "1970-2199"]),
        ("cron(0 3 ? * TUE 2200)", ["year field", "1970-2199"]),
        ("cron(? 3 * * ? *)", ["minutes field", "'?'"]),
        ("cron(0 5-1 ? * TUE *)", ["hours field", "backwards"]),
        ("cron(0/0 3 ? * TUE *)", ["minutes field", "increment"]),
        ("cron(0/x 3 ? * TUE *)", ["minutes field", "whole number"]),
        ("cron(0,,5 3 ? * TUE *)", ["minutes field", "empty"]),
        ("cron(0/1 * * * ? *)", ["5 minutes"]),
        ("cron(0,3 * * * ? *)", ["5 minutes"]),
        ("cron(58,1 23,0 * * ? *)", ["5 minutes"]),
        ("cron(0 0 3 ? * TUE *)", ["seconds field", "0"]),
        ("rate(1 hours)", ["rate(1 hour)"]),
        ("rate(5 hour)", ["rate(5 hours)"]),
        ("rate(0 minutes)", ["positive"]),
        ("rate(-1 days)", ["positive"]),
        ("rate(1.5 hours)", ["positive"]),
        ("rate(5 weeks)", ["'weeks'", "minute(s), hour(s) or day(s)"]),
        ("rate(5)", ["value and a unit"]),
        ("at(2019-13-07T13:15:30)", ["not a real date"]),
        ("at(2019-07-07 13:15:30)", ["at("]),
        ("cron 0 3 ? * TUE *", ["cron("]),
        ("0 3 ? * TUE *", ["cron("]),
        ("CRON(0 3 ? * TUE *)", ["cron("]),
        ("", ["''"]),
        (f"cron(0 3 1 * ? 2026{',2027' * 60})", ["256"]),
    ],
)
def test_rejects_with_helpful_message(expression: str, fragments: list[str]) -> None:
    with pytest.raises(ScheduleError) as error:
        validate_expression(expression)
    message = str(error.value)
    assert "\n" not in message
    if expression:
        assert message.startswith(expression[:40])
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_schedule_error_is_value_error() -> None:
    assert issubclass(ScheduleError, ValueError)


def test_validate_timezone() -> None:
    assert validate_timezone("Europe/London") == "Europe/London"
    assert validate_timezone("America/New_York") == "America/New_York"
    assert validate_timezone("UTC") == "UTC"
    with pytest.raises(ScheduleError) as error:
        validate_timezone("Europe/Londn")
    assert "Europe/London" in str(error.value)
    with pytest.raises(ScheduleError) as error:
        validate_timezone("america/new_york")
    assert "America/New_York" in str(error.value)
    with pytest.raises(ScheduleError) as error:
        validate_timezone("Nowhere/Atall")
    assert "IANA" in str(error.value)


# --------------------------------------------------------------------------- describe


@pytest.mark.parametrize(
    ("expression", "timezone", "expected"),
    [
        (
            "cron(00 03 ? * TUE#1 *)",
            "Europe/London",
            "03:00 on the first Tuesday of every month (Europe/London)",
        ),
        ("rate(6 hours)", None, "every 6 hours"),
        ("rate(1 hour)", None, "every hour"),
        ("rate(30 minutes)", "Europe/London", "every 30 minutes"),
        ("cron(0 9 * * ? *)", "UTC", "09:00 every day (UTC)"),
        ("cron(30 03 ? * FRIL *)", None, "03:30 on the last Friday of every month"),
        ("cron(15 10 ? * 6L *)", None, "10:15 on the last Friday of every month"),
        ("cron(0 2 L * ? *)", None, "02:00 on the last day of every month"),
        ("cron(00 04 ? * WED#2 *)", None, "04:00 on the second Wednesday of every month"),
        ("cron(0 18 ? * MON-FRI *)", None, "18:00 every Monday through Friday"),
        ("cron(0 16 ? * TUE *)", None, "16:00 every Tuesday"),
        ("cron(0 8 1 * ? *)", None, "08:00 on day 1 of every month"),
        ("cron(0/15 * * * ? *)", None, "every 15 minutes"),
    ],
)
def test_describe(expression: str, timezone: str | None, expected: str) -> None:
    assert describe(expression, timezone) == expected


def test_describe_repeating_times() -> None:
    assert describe("cron(0 0/4 * * ? *)") == "every 4 hours from 00:00 to 20:00"
    assert describe("cron(15 * * * ? *)") == "every hour at minute 15"
    assert describe("cron(0 9,17 ? * MON *)") == "09:00 and 17:00 every Monday"
    # A step that stops at half past is not "every 15 minutes".
    assert "every 15 minutes" not in describe("cron(0-30/15 * * * ? *)")
    assert describe("cron(0/10 * ? * MON-FRI *)") == "every 10 minutes on Monday through Friday"


def test_describe_generic_fallback() -> None:
    text = describe("cron(0/5 8-17 ? * MON-FRI *)")
    assert "Monday through Friday" in text
    assert "8-17" in text
    with pytest.raises(ScheduleError):
        describe("cron(0 3 ? * TUX *)")


# --------------------------------------------------------------------------- properties

ZONES = [
    None,
    "UTC",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "Pacific/Chatham",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "Australia/Sydney",  # southern-hemisphere DST
]


def _brute_force_seed_runs(
    week: int, day: int, hour: int, minute: int, zone_name: str | None, after: datetime, count: int
) -> list[datetime]:
    """Walk day by day from just before ``after`` and keep the n-th weekdays of months."""
    zone = ZoneInfo(zone_name) if zone_name else UTC
    weekday = (day % 7 - 1) % 7  # DAY_NAMES starts at Sunday; date.weekday() at Monday
    current = after.astimezone(zone).date() - timedelta(days=3)
    found: list[datetime] = []
    while len(found) < count:
        if current.weekday() == weekday and (current.day - 1) // 7 + 1 == week:
            wall = datetime(current.year, current.month, current.day, hour, minute, tzinfo=zone)
            instant = wall.astimezone(UTC)
            if instant > after:
                found.append(instant)
        current += timedelta(days=1)
    return found


@settings(max_examples=150, deadline=None)
@given(
    week=st.integers(1, 5),
    day=st.integers(0, 7),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    zone_name=st.sampled_from(ZONES),
    after=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2120, 1, 1), timezones=st.just(UTC)
    ),
)
def test_seed_runs_property(
    week: int, day: int, hour: int, minute: int, zone_name: str | None, after: datetime
) -> None:
    expression = seed_cron(week, day, hour, minute)
    runs = next_runs(expression, zone_name, count=4, after=after)
    assert len(runs) == 4
    assert all(a < b for a, b in pairwise(runs))
    assert runs[0] > after
    zone = ZoneInfo(zone_name) if zone_name else UTC
    python_weekday = (day % 7 - 1) % 7
    for run in runs:
        assert run.tzinfo is zone
        local = run.astimezone(zone)
        assert local.weekday() == python_weekday
        assert (local.day - 1) // 7 + 1 == week
        assert local.strftime("%a").upper() == DAY_NAMES[day % 7]
        wall = datetime(local.year, local.month, local.day, hour, minute, tzinfo=zone)
        if (local.hour, local.minute) != (hour, minute):
            # Only a wall time skipped by a clock change may read differently.
            assert wall.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall.replace(
                tzinfo=None
            )
    # Nothing skipped, nothing extra: compare with a day-by-day walk of the calendar.
    assert [run.astimezone(UTC) for run in runs] == _brute_force_seed_runs(
        week, day, hour, minute, zone_name, after, 4
    )


@settings(max_examples=60, deadline=None)
@given(
    value=st.integers(1, 500),
    unit=st.sampled_from(["minute", "hour", "day"]),
    zone_name=st.sampled_from(ZONES),
    after=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2120, 1, 1), timezones=st.just(UTC)
    ),
)
def test_rate_property(value: int, unit: str, zone_name: str | None, after: datetime) -> None:
    expression = f"rate({value} {unit}{'s' if value > 1 else ''})"
    validate_expression(expression)
    runs = next_runs(expression, zone_name, count=3, after=after)
    step = timedelta(**{f"{unit}s": value})
    # Compare instants: Python never calls a time inside a DST fold equal to a UTC time
    # (PEP 495), though both name the same instant.
    assert [r.timestamp() for r in runs] == [(after + k * step).timestamp() for k in (1, 2, 3)]
    assert all(str(r.tzinfo) == (zone_name or "UTC") for r in runs)
    assert describe(expression).startswith("every ")


@settings(max_examples=60, deadline=None)
@given(
    day=st.integers(1, 31),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    after=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2120, 1, 1), timezones=st.just(UTC)
    ),
)
def test_day_of_month_property(day: int, hour: int, minute: int, after: datetime) -> None:
    runs = next_runs(f"cron({minute} {hour} {day} * ? *)", None, count=3, after=after)
    expected: list[datetime] = []
    current = after.date()
    while len(expected) < 3:
        if current.day == day:
            moment = datetime(current.year, current.month, current.day, hour, minute, tzinfo=UTC)
            if moment > after:
                expected.append(moment)
        current += timedelta(days=1)
    assert runs == expected
