"""Tests for patchsetup.schedule: seeds and next runs.

Expected dates are checked by hand against a calendar, or computed here by brute force
(walking day by day with the standard library), never copied from the implementation.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from patchsetup.schedule.compose import parse_day, seed_cron, seed_patch_group, seed_window_name
from patchsetup.schedule.errors import ScheduleError
from patchsetup.schedule.expressions import validate_expression
from patchsetup.schedule.names import DAY_NAMES
from patchsetup.schedule.runs import next_runs
from tests.helpers.schedules import (
    LONDON,
    NEW_YORK,
    SEED_CRONS,
    SEED_GROUPS,
    SEED_KEYS,
    SEED_NAMES,
    months_with_fifth,
    utc,
)


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
