"""Tests for patchsetup.schedule: warnings, validation, descriptions, and properties.

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

from patchsetup.schedule.compose import seed_cron
from patchsetup.schedule.errors import ScheduleError
from patchsetup.schedule.expressions import validate_expression
from patchsetup.schedule.names import DAY_NAMES
from patchsetup.schedule.runs import next_runs
from patchsetup.schedule.warnings import schedule_warnings
from patchsetup.schedule.words import describe
from patchsetup.schedule.zones import validate_timezone
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
