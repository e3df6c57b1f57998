"""Tests for patchsetup.schedule: next runs of cron, rate and at expressions.

Offsets and daylight-saving changes are in test_schedule_offsets_dst.py.
Expected dates are checked by hand against a calendar, or computed here by brute force
(walking day by day with the standard library), never copied from the implementation.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from patchsetup.schedule.errors import ScheduleError
from patchsetup.schedule.runs import next_runs
from tests.helpers.schedules import (
    LONDON,
    NEW_YORK,
    months_with_fifth,
    utc,
)

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


def test_week_five_skips_months() -> None:
    runs = next_runs("cron(00 03 ? * TUE#5 *)", None, count=4, after=utc(2026, 11, 15))
    # Hand-checked: Dec 2026 (29th), Mar 2027 (30th), Jun 2027 (29th), Aug 2027 (31st).
    assert [run.date() for run in runs] == [
        date(2026, 12, 29),
        date(2027, 3, 30),
        date(2027, 6, 29),
        date(2027, 8, 31),
    ]
    expected_months = months_with_fifth(1, date(2026, 11, 1), 12)
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
