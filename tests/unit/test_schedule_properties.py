"""Tests for patchsetup.schedule: properties of next runs (seed crons, rates, days of the
month) against a brute-force walk.

Expected dates are checked by hand against a calendar, or computed here by brute force
(walking day by day with the standard library), never copied from the implementation.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from patchsetup.schedule.compose import seed_cron
from patchsetup.schedule.expressions import validate_expression
from patchsetup.schedule.names import DAY_NAMES
from patchsetup.schedule.runs import next_runs
from patchsetup.schedule.words import describe

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
